//! `tfsynth graph`: every format, and the same edges `terraform graph` draws.

use std::collections::BTreeSet;

use predicates::str::contains;
use tfsynth::graph::Graph;

use super::support::{Terraform, synth_stack, tfsynth};

/// The edges of `terraform graph`'s DOT output: (dependent, dependency).
fn terraform_edges(dot: &str) -> BTreeSet<(String, String)> {
    dot.lines()
        .filter_map(|line| line.trim().strip_suffix(';')?.split_once(" -> "))
        .map(|(from, to)| {
            let clean = |s: &str| {
                s.trim()
                    .trim_matches('"')
                    .trim_start_matches("[root] ")
                    .to_owned()
            };
            (clean(from), clean(to))
        })
        .collect()
}

#[test]
fn edges_match_terraform_graph() {
    let Some(tf) = Terraform::find("edges_match_terraform_graph") else {
        return;
    };
    for stack in ["demo", "financial", "webapp"] {
        let (dir, text) = synth_stack(stack);
        let stack_dir = dir.path().join(stack);
        tf.init(&stack_dir);
        let theirs = terraform_edges(&tf.ok(&stack_dir, &["graph"]));
        let graph = Graph::from_json(&text).unwrap();
        let ours: BTreeSet<(String, String)> = graph
            .reduced_edges()
            .into_iter()
            .map(|(from, to)| {
                (
                    graph.nodes[from].address.clone(),
                    graph.nodes[to].address.clone(),
                )
            })
            .collect();
        assert!(!theirs.is_empty(), "{stack}: terraform drew edges");
        let missing: Vec<_> = theirs.difference(&ours).collect();
        let extra: Vec<_> = ours.difference(&theirs).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{stack}: missing {missing:?}, extra {extra:?}"
        );
    }
}

#[test]
fn text_shows_waves_critical_path_dependencies_and_estimates() {
    tfsynth()
        .args(["graph", "financial"])
        .assert()
        .success()
        .stdout(contains(
            "waves (each wave's blocks can be created together",
        ))
        .stdout(contains("critical path ("))
        .stdout(contains("-> aws_db_instance.db (10m 00s)"))
        .stdout(contains(
            "aws_flow_log.mon_vpc -> aws_iam_role_policy.mon_flow: the flow log service checks",
        ))
        .stdout(contains(
            "redundant depends_on (already implied by references): none",
        ))
        .stdout(
            predicates::str::is_match(r"terraform's default -parallelism=10\s+\d+m \d\ds").unwrap(),
        )
        .stdout(predicates::str::is_match(r"one block at a time\s+\d+m \d\ds").unwrap());
}

#[test]
fn no_stack_declares_a_redundant_dependency() {
    for stack in ["demo", "financial", "webapp"] {
        let graph = Graph::from_json(&synth_stack(stack).1).unwrap();
        let redundant = graph.redundant();
        assert!(redundant.is_empty(), "{stack}: {redundant:?}");
        assert!(
            graph.explicit.iter().all(|e| e.reason.is_some()),
            "{stack}: every depends_on has its reason"
        );
    }
}

#[test]
fn dot_and_json_formats() {
    let dot = tfsynth()
        .args(["graph", "webapp", "--format", "dot"])
        .output()
        .unwrap();
    let dot = String::from_utf8(dot.stdout).unwrap();
    assert!(
        dot.starts_with("digraph \"webapp\" {")
            && dot.contains("rankdir = \"LR\"")
            && dot.contains("cluster_wave_1")
    );
    assert!(
        dot.contains("color = \"red\""),
        "the critical path is highlighted"
    );
    let json = tfsynth()
        .args(["graph", "webapp", "--format", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(json["nodes"].as_array().unwrap().len() > 20);
    assert!(
        json["estimate_seconds"]["sequential"].as_f64().unwrap()
            >= json["estimate_seconds"]["parallelism_10"].as_f64().unwrap()
    );
    assert!(
        json["estimate_seconds"]["parallelism_10"].as_f64().unwrap()
            >= json["estimate_seconds"]["critical_path"].as_f64().unwrap()
    );
}

#[test]
fn svg_needs_graphviz_and_says_how_to_get_it() {
    tfsynth()
        .args(["graph", "demo", "--format", "svg"])
        .env("TFSYNTH_DOT", "/nonexistent/dot")
        .assert()
        .code(2)
        .stderr(contains(
            "error: Graphviz's `dot` is not installed (hint: install the graphviz package",
        ));
    let has_dot = std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_dot {
        super::support::skip(
            "svg_needs_graphviz_and_says_how_to_get_it (drawing)",
            "Graphviz's dot is not installed",
        );
        return;
    }
    tfsynth()
        .args(["graph", "demo", "--format", "svg"])
        .env_remove("TFSYNTH_DOT")
        .assert()
        .success()
        .stdout(contains("<svg"));
}

#[test]
fn durations_file_overrides_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("durations.toml");
    std::fs::write(&file, "aws_db_instance = 60\n").unwrap();
    let out = tfsynth()
        .args(["graph", "financial", "--format", "json", "--durations"])
        .arg(&file)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let seconds = |address: &str| {
        json["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["address"] == address)
            .unwrap()["seconds"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(seconds("aws_db_instance.db"), 60.0, "overridden");
    assert_eq!(
        seconds("aws_nat_gateway.net_nat_0"),
        120.0,
        "from the table"
    );
    std::fs::write(&file, "aws_db_instance = \"long\"\n").unwrap();
    tfsynth()
        .args(["graph", "financial", "--durations"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(contains("aws_db_instance: expected a number of seconds"));
}
