//! The graph and the estimates on small hand-made stacks.

use super::*;

fn graph(json: &str) -> Graph {
    Graph::from_json(json).unwrap()
}

fn durations(table: &[(&str, f64)]) -> Durations {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("d.toml");
    let text: String = table.iter().map(|(t, s)| format!("{t} = {s}\n")).collect();
    std::fs::write(&path, text).unwrap();
    Durations::default().with_overrides(&path).unwrap()
}

fn names(g: &Graph, edges: &BTreeSet<(usize, usize)>) -> Vec<String> {
    edges
        .iter()
        .map(|&(f, t)| format!("{} -> {}", g.nodes[f].address, g.nodes[t].address))
        .collect()
}

/// a <- b <- c, b <- d (through a local), plus an explicit e -> a.
const SMALL: &str = r#"{
  "locals": {"b_id": "${t_b.x.id}"},
  "resource": {
    "t_a": {"x": {}},
    "t_b": {"x": {"n": "${t_a.x.id}"}},
    "t_c": {"x": {"n": "${t_b.x.id}-${var.v}"}},
    "t_d": {"x": {"n": "${local.b_id}"}},
    "t_e": {"x": {"depends_on": ["t_a.x"], "//": {"depends_on": {"t_a.x": "hidden ordering"}}}}
  }
}"#;

#[test]
fn references_through_locals_and_explicit_edges() {
    let g = graph(SMALL);
    assert_eq!(
        names(&g, &g.references),
        ["t_b.x -> t_a.x", "t_c.x -> t_b.x", "t_d.x -> t_b.x"]
    );
    assert_eq!(g.explicit.len(), 1);
    assert_eq!(g.explicit[0].reason.as_deref(), Some("hidden ordering"));
    assert!(!g.explicit[0].redundant);
    assert_eq!(g.waves().unwrap(), [0, 1, 2, 2, 1]);
}

#[test]
fn redundant_explicit_edges_are_marked() {
    let g = graph(
        r#"{"resource": {"t_a": {"x": {}}, "t_b": {"x": {"n": "${t_a.x.id}", "depends_on": ["t_a.x"]}}}}"#,
    );
    assert!(g.explicit[0].redundant);
}

#[test]
fn estimates() {
    let g = graph(SMALL);
    let d = durations(&[
        ("t_a", 10.0),
        ("t_b", 5.0),
        ("t_c", 1.0),
        ("t_d", 20.0),
        ("t_e", 100.0),
    ]);
    let (path, total) = g.critical_path(&d).unwrap();
    assert_eq!(
        path.iter()
            .map(|&i| g.nodes[i].address.as_str())
            .collect::<Vec<_>>(),
        ["t_a.x", "t_e.x"]
    );
    assert_eq!(total, 110.0);
    assert_eq!(g.sequential(&d), 136.0);
    // One worker: everything in a row.
    assert_eq!(g.simulate(&d, 1).unwrap(), 136.0);
    // Unlimited workers: the critical path.
    assert_eq!(g.simulate(&d, 10).unwrap(), 110.0);
    // Two workers: a(0-10); then b(10-15) and e(10-110); then c(15-16), d(16-36); done at 110.
    assert_eq!(g.simulate(&d, 2).unwrap(), 110.0);
}

#[test]
fn list_scheduling_is_bounded_by_workers() {
    // Four independent 10-second blocks and one that needs all of them.
    let g = graph(
        r#"{"resource": {"t": {"a": {}, "b": {}, "c": {}, "d": {},
             "z": {"n": "${t.a.id}${t.b.id}${t.c.id}${t.d.id}"}}}}"#,
    );
    let d = durations(&[("t", 10.0)]);
    assert_eq!(g.simulate(&d, 1).unwrap(), 50.0);
    assert_eq!(g.simulate(&d, 2).unwrap(), 30.0);
    assert_eq!(g.simulate(&d, 3).unwrap(), 30.0);
    assert_eq!(g.simulate(&d, 4).unwrap(), 20.0);
    assert_eq!(g.critical_path(&d).unwrap().1, 20.0);
}

#[test]
fn data_sources_and_defaults() {
    let g = graph(
        r#"{"data": {"aws_ami": {"a": {}}}, "resource": {"aws_instance": {"i": {"ami": "${data.aws_ami.a.id}"}}}}"#,
    );
    let d = Durations::default();
    assert_eq!(
        d.of(&g.nodes[0]),
        durations::DEFAULT_SECONDS,
        "aws_instance is not in the table"
    );
    assert_eq!(d.of(&g.nodes[1]), durations::DATA_SECONDS);
    assert_eq!(g.nodes[1].address, "data.aws_ami.a");
}

#[test]
fn transitive_reduction() {
    let g = graph(
        r#"{"resource": {"t": {"a": {}, "b": {"n": "${t.a.id}"}, "c": {"n": "${t.a.id}${t.b.id}"}}}}"#,
    );
    assert_eq!(names(&g, &g.reduced_edges()), ["t.b -> t.a", "t.c -> t.b"]);
}

#[test]
fn cycles_and_bad_input() {
    let err = Graph::from_json(
        r#"{"resource": {"t": {"a": {"n": "${t.b.id}"}, "b": {"n": "${t.a.id}"}}}}"#,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "dependency cycle through t.a (hint: the synth command reports the blocks on it)"
    );
    assert!(matches!(Graph::from_json("[]"), Err(GraphError::Json(_))));
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "aws_lb = \"slow\"").unwrap();
    let err = Durations::default().with_overrides(&bad).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}: aws_lb: expected a number of seconds from 0 to 31536000",
            bad.display()
        )
    );
    let missing = dir.path().join("none.toml");
    let err = Durations::default().with_overrides(&missing).unwrap_err();
    assert!(
        matches!(&err, GraphError::Durations { path, .. } if *path == missing),
        "{err}"
    );
}

#[test]
fn renders() {
    let g = graph(SMALL);
    let d = durations(&[("t_a", 10.0), ("t_e", 100.0)]);
    let t = text("small", &g, &d).unwrap();
    assert!(t.contains("wave 1 (1): t_a.x"), "{t}");
    assert!(t.contains("t_e.x -> t_a.x: hidden ordering"), "{t}");
    assert!(t.contains("critical path (1m 50s)"), "{t}");
    assert!(
        t.contains("redundant depends_on (already implied by references): none"),
        "{t}"
    );
    let dot = dot("small", &g, &d).unwrap();
    assert!(dot.contains("rankdir = \"LR\""));
    assert!(
        dot.contains("\"t_a.x\" -> \"t_e.x\" [style = \"dashed\", color = \"red\""),
        "{dot}"
    );
    let j: serde_json::Value = serde_json::from_str(&json("small", &g, &d).unwrap()).unwrap();
    assert_eq!(j["critical_path"], serde_json::json!(["t_a.x", "t_e.x"]));
    assert_eq!(j["estimate_seconds"]["critical_path"], 110.0);
    assert_eq!(render::duration(3725.0), "1h 02m 05s");
    assert_eq!(render::duration(65.0), "1m 05s");
}
