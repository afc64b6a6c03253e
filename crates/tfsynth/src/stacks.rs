//! The stacks of an application as a graph: which stack reads which
//! other's outputs ([`crate::Stack::remote`]), in what order they deploy,
//! and how a consumer reaches a producer's state.

use indexmap::IndexMap;

use crate::core::{Backend, DataSource, Node};

/// Stacks that read each other's outputs and do not fit together, or a
/// run that would break what one stack reads of another.
#[derive(Debug, thiserror::Error)]
pub enum StacksError {
    /// A stack reads an output of a stack the application does not have.
    #[error(
        "stack {reader} reads {producer}.{output} (at {file}:{line}), and {app} has no stack {producer}{}",
        suggestion.as_ref().map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default()
    )]
    UnknownProducer {
        /// The reading stack.
        reader: String,
        /// The stack it names.
        producer: String,
        /// The output it reads.
        output: String,
        /// Where the read is in the source.
        file: String,
        /// Its line.
        line: u32,
        /// The application's name.
        app: String,
        /// The closest stack name, when one is close.
        suggestion: Option<String>,
    },
    /// Stacks read each other's outputs in a circle.
    #[error(
        "stacks read each other's outputs in a cycle: {} (hint: move what both need into a stack of its own)",
        cycle.join(" -> ")
    )]
    Cycle {
        /// The stacks around the circle, the first one again at the end.
        cycle: Vec<String>,
    },
    /// A stack reads an output its producer never exports.
    #[error(
        "stack {reader} reads {producer}.{output} (at {file}:{line}), which stack {producer} does not export ({})",
        if exported.is_empty() {
            "it exports nothing; hint: stack.export(..) in its build".to_owned()
        } else {
            format!("it exports {}", exported.join(", "))
        }
    )]
    NotExported {
        /// The reading stack.
        reader: String,
        /// The producer.
        producer: String,
        /// The output read.
        output: String,
        /// Where the read is in the source.
        file: String,
        /// Its line.
        line: u32,
        /// What the producer does export.
        exported: Vec<String>,
    },
    /// A stack runs while a producer it reads has no state yet.
    #[error(
        "stack {reader} reads the outputs of stack {producer}, which has no state yet at {at} (hint: apply {producer} first, or both: {program} apply {producer} {reader})"
    )]
    NoStateYet {
        /// The program running terraform.
        program: String,
        /// The reading stack.
        reader: String,
        /// The producer.
        producer: String,
        /// Where the producer's state would be.
        at: String,
    },
    /// A destroy would leave a reader of a destroyed producer deployed.
    #[error(
        "stack {producer} is read by stack {reader}, which is not in the selection and may still be deployed (hint: destroy the readers too: {program} destroy {})",
        all.join(" ")
    )]
    ReaderLeftOut {
        /// The program running terraform.
        program: String,
        /// The producer being destroyed.
        producer: String,
        /// Its reader outside the selection.
        reader: String,
        /// Every stack one destroy should take.
        all: Vec<String>,
    },
}

/// The `terraform_remote_state` data source through which a consumer
/// reads `producer`'s outputs, from the producer's backend: its state
/// file beside the consumer's directory (local), its bucket and key (s3),
/// or its workspace through the `remote` backend (cloud).
pub fn remote_state(producer: &str, backend: Option<&Backend>) -> DataSource {
    let block = DataSource::new("terraform_remote_state", producer);
    match backend {
        None | Some(Backend::Local { path: None }) => block.set("backend", "local").set(
            "config",
            Node::map_of([("path", format!("../{producer}/terraform.tfstate"))]),
        ),
        Some(Backend::Local { path: Some(path) }) => {
            let path = if std::path::Path::new(path).is_absolute() {
                path.clone()
            } else {
                format!("../{producer}/{path}")
            };
            block
                .set("backend", "local")
                .set("config", Node::map_of([("path", path)]))
        }
        Some(Backend::S3(s3)) => {
            let mut config = vec![
                ("bucket", Node::from(s3.bucket.clone())),
                ("key", Node::from(s3.key.clone())),
                ("region", Node::from(s3.region.clone())),
            ];
            config.extend(s3.endpoint_settings());
            block
                .set("backend", "s3")
                .set("config", Node::map_of(config))
        }
        Some(Backend::Cloud(cloud)) => {
            let mut config = vec![
                ("organization", Node::from(cloud.organization.clone())),
                (
                    "workspaces",
                    Node::map_of([("name", cloud.workspace.clone())]),
                ),
            ];
            if let Some(host) = &cloud.hostname {
                config.push(("hostname", Node::from(host.clone())));
            }
            block
                .set("backend", "remote")
                .set("config", Node::map_of(config))
        }
    }
}

/// A cycle in `edges` (stack → the stacks it reads), as the stacks on it
/// with the first repeated at the end, if there is one.
pub fn find_cycle(edges: &IndexMap<String, Vec<String>>) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        node: &str,
        edges: &IndexMap<String, Vec<String>>,
        marks: &mut IndexMap<String, Mark>,
        path: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        match marks.get(node) {
            Some(Mark::Done) => return None,
            Some(Mark::Open) => {
                let start = path.iter().position(|p| p == node).unwrap_or(0);
                let mut cycle = path[start..].to_vec();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            None => {}
        }
        marks.insert(node.to_owned(), Mark::Open);
        path.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, marks, path) {
                return Some(cycle);
            }
        }
        path.pop();
        marks.insert(node.to_owned(), Mark::Done);
        None
    }
    let mut marks = IndexMap::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, edges, &mut marks, &mut Vec::new()) {
            return Some(cycle);
        }
    }
    None
}

/// The stacks in deployment order: every producer before the stacks that
/// read it, ties in `edges`' order. `edges` must be free of cycles.
pub fn deploy_order(edges: &IndexMap<String, Vec<String>>) -> Vec<String> {
    fn place(
        node: &str,
        edges: &IndexMap<String, Vec<String>>,
        out: &mut Vec<String>,
        depth: usize,
    ) {
        if out.iter().any(|n| n == node) || depth > edges.len() {
            return;
        }
        for next in edges.get(node).into_iter().flatten() {
            place(next, edges, out, depth + 1);
        }
        if !out.iter().any(|n| n == node) {
            out.push(node.to_owned());
        }
    }
    let mut out = Vec::new();
    for node in edges.keys() {
        place(node, edges, &mut out, 0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edges(pairs: &[(&str, &[&str])]) -> IndexMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
            .collect()
    }

    #[test]
    fn cycles_and_order() {
        let g = edges(&[
            ("web", &["platform", "network"]),
            ("platform", &["network"]),
            ("network", &[]),
        ]);
        assert_eq!(find_cycle(&g), None);
        assert_eq!(deploy_order(&g), ["network", "platform", "web"]);
        let g = edges(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"])]);
        assert_eq!(find_cycle(&g).unwrap(), ["a", "b", "c", "a"]);
        let g = edges(&[("a", &["a"])]);
        assert_eq!(find_cycle(&g).unwrap(), ["a", "a"]);
    }
}
