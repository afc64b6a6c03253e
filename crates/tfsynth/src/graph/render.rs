//! The graph as text (waves, critical path, dependencies, estimates), as
//! Graphviz DOT (waves left to right, critical path highlighted) and as JSON.

use std::fmt::Write as _;

use serde_json::json;

use super::{Durations, Graph, GraphError};

/// `1h 02m 03s`, `4m 05s`, `6s`.
pub fn duration(seconds: f64) -> String {
    let total = seconds.round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s:02}s"),
        _ => format!("{h}h {m:02}m {s:02}s"),
    }
}

/// The human report.
pub fn text(stack: &str, graph: &Graph, durations: &Durations) -> Result<String, GraphError> {
    let waves = graph.waves()?;
    let (critical, critical_time) = graph.critical_path(durations)?;
    let mut out = String::new();
    let data = graph.nodes.iter().filter(|n| n.data).count();
    let _ = writeln!(
        out,
        "stack {stack}: {} resources, {data} data sources; {} edges from references, {} explicit depends_on",
        graph.nodes.len() - data,
        graph.references.len(),
        graph.explicit.len()
    );
    let count = waves.iter().max().map_or(0, |w| w + 1);
    let _ = writeln!(
        out,
        "\nwaves (each wave's blocks can be created together once the waves before it exist):"
    );
    for w in 0..count {
        let members: Vec<&str> = graph
            .nodes
            .iter()
            .zip(&waves)
            .filter(|(_, x)| **x == w)
            .map(|(n, _)| n.address.as_str())
            .collect();
        let _ = writeln!(
            out,
            "  wave {} ({}): {}",
            w + 1,
            members.len(),
            members.join(", ")
        );
    }
    let _ = writeln!(out, "\ncritical path ({}):", duration(critical_time));
    for (k, &i) in critical.iter().enumerate() {
        let node = &graph.nodes[i];
        let _ = writeln!(
            out,
            "  {}{} ({})",
            if k == 0 { "" } else { "-> " },
            node.address,
            duration(durations.of(node))
        );
    }
    let _ = writeln!(
        out,
        "\nexplicit depends_on (orderings no reference implies):"
    );
    if graph.explicit.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for e in &graph.explicit {
        let reason = e.reason.as_deref().unwrap_or("no reason given");
        let _ = writeln!(
            out,
            "  {} -> {}: {reason}",
            graph.nodes[e.from].address, graph.nodes[e.to].address
        );
    }
    let redundant = graph.redundant();
    let _ = writeln!(
        out,
        "redundant depends_on (already implied by references): {}",
        if redundant.is_empty() {
            "none".to_owned()
        } else {
            redundant.join(", ")
        }
    );
    let parallel = graph.simulate(durations, 10)?;
    let sequential = graph.sequential(durations);
    let _ = writeln!(out, "\nestimated apply time:");
    let _ = writeln!(
        out,
        "  critical path (unlimited parallelism)   {:>10}",
        duration(critical_time)
    );
    let _ = writeln!(
        out,
        "  terraform's default -parallelism=10     {:>10}",
        duration(parallel)
    );
    let _ = writeln!(
        out,
        "  one block at a time                     {:>10}",
        duration(sequential)
    );
    Ok(out)
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Graphviz DOT: waves left to right, the critical path in red, explicit
/// dependencies dashed.
pub fn dot(stack: &str, graph: &Graph, durations: &Durations) -> Result<String, GraphError> {
    let waves = graph.waves()?;
    let (critical, critical_time) = graph.critical_path(durations)?;
    let on_path = |i: usize| critical.contains(&i);
    let critical_edges: Vec<(usize, usize)> = critical.windows(2).map(|w| (w[1], w[0])).collect();
    let mut out = String::new();
    let _ = writeln!(out, "digraph {} {{", quote(stack));
    let _ = writeln!(out, "  rankdir = \"LR\";");
    let _ = writeln!(
        out,
        "  label = {};",
        quote(&format!(
            "{stack}: critical path {}",
            duration(critical_time)
        ))
    );
    let _ = writeln!(
        out,
        "  node [shape = rect, fontname = \"sans-serif\", fontsize = 10];"
    );
    let count = waves.iter().max().map_or(0, |w| w + 1);
    for w in 0..count {
        let _ = writeln!(
            out,
            "  subgraph {} {{",
            quote(&format!("cluster_wave_{}", w + 1))
        );
        let _ = writeln!(
            out,
            "    label = {}; style = \"dashed\"; color = \"gray\";",
            quote(&format!("wave {}", w + 1))
        );
        for (i, node) in graph
            .nodes
            .iter()
            .enumerate()
            .filter(|(i, _)| waves[*i] == w)
        {
            let style = if on_path(i) {
                ", color = \"red\", penwidth = 2"
            } else {
                ""
            };
            let shape = if node.data {
                ", style = \"rounded\""
            } else {
                ""
            };
            let label = format!("{}\\n{}", node.address, duration(durations.of(node)));
            let _ = writeln!(
                out,
                "    {} [label = \"{label}\"{shape}{style}];",
                quote(&node.address)
            );
        }
        let _ = writeln!(out, "  }}");
    }
    for &(from, to) in &graph.references {
        let style = if critical_edges.contains(&(from, to)) {
            " [color = \"red\", penwidth = 2]"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {} -> {}{style};",
            quote(&graph.nodes[to].address),
            quote(&graph.nodes[from].address)
        );
    }
    for e in &graph.explicit {
        let color = if critical_edges.contains(&(e.from, e.to)) {
            "red"
        } else {
            "blue"
        };
        let _ = writeln!(
            out,
            "  {} -> {} [style = \"dashed\", color = \"{color}\", tooltip = {}];",
            quote(&graph.nodes[e.to].address),
            quote(&graph.nodes[e.from].address),
            quote(e.reason.as_deref().unwrap_or("depends_on"))
        );
    }
    let _ = writeln!(out, "}}");
    Ok(out)
}

/// The graph for tools.
pub fn json(stack: &str, graph: &Graph, durations: &Durations) -> Result<String, GraphError> {
    let waves = graph.waves()?;
    let (critical, critical_time) = graph.critical_path(durations)?;
    let nodes: Vec<_> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| {
            json!({"address": n.address, "type": n.ty, "data": n.data, "wave": waves[i] + 1,
                   "seconds": durations.of(n), "critical": critical.contains(&i)})
        })
        .collect();
    let mut edges: Vec<_> = graph
        .references
        .iter()
        .map(|&(f, t)| json!({"from": graph.nodes[f].address, "to": graph.nodes[t].address, "kind": "reference"}))
        .collect();
    edges.extend(graph.explicit.iter().map(|e| {
        json!({"from": graph.nodes[e.from].address, "to": graph.nodes[e.to].address, "kind": "depends_on",
               "reason": e.reason, "redundant": e.redundant})
    }));
    let value = json!({
        "stack": stack,
        "nodes": nodes,
        "edges": edges,
        "critical_path": critical.iter().map(|&i| graph.nodes[i].address.clone()).collect::<Vec<_>>(),
        "estimate_seconds": {
            "critical_path": critical_time,
            "parallelism_10": graph.simulate(durations, 10)?,
            "sequential": graph.sequential(durations),
        },
    });
    let mut text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
    text.push('\n');
    Ok(text)
}
