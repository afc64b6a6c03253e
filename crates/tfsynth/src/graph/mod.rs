//! The dependency graph of a synthesized stack, as Terraform will see it:
//! resources and data sources, with edges from references (followed through
//! locals) and from explicit `depends_on`. From it: the waves of blocks that
//! can be created together, the critical path, and apply-time estimates.
//!
//! **Invariant:** the graph is read from the JSON alone, like `validate`.

mod durations;
mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

pub use durations::Durations;
pub use render::{dot, json, text};

use crate::core::Address;
use crate::core::deps::DepGraph;
use crate::hcl;
use crate::tfjson::each_object;

/// A resource or data source: a vertex of the graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vertex {
    /// `aws_vpc.main` or `data.aws_ami.linux`.
    pub address: String,
    /// The block type.
    pub ty: String,
    /// Whether it is a data source.
    pub data: bool,
}

/// A `depends_on` edge with the reason given where it was declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Explicit {
    /// The dependent block's index.
    pub from: usize,
    /// The dependency's index.
    pub to: usize,
    /// The reason from the block's `"//"` comment, if any.
    pub reason: Option<String>,
    /// Whether references (or other explicit edges) already imply it.
    pub redundant: bool,
}

/// The graph of one stack.
#[derive(Clone, Debug)]
pub struct Graph {
    /// Nodes in address order.
    pub nodes: Vec<Vertex>,
    /// `(dependent, dependency)` pairs from references, through locals.
    pub references: BTreeSet<(usize, usize)>,
    /// Explicit `depends_on` edges.
    pub explicit: Vec<Explicit>,
}

/// Why a graph could not be built.
#[derive(Debug, thiserror::Error)]
pub enum GraphError {
    /// The text is not Terraform JSON.
    #[error("not Terraform JSON: {0}")]
    Json(String),
    /// Blocks depend on each other in a circle.
    #[error("dependency cycle through {0} (hint: the synth command reports the blocks on it)")]
    Cycle(String),
    /// A durations file that cannot be read or holds something else than
    /// `type = seconds` lines.
    #[error("{}: {reason}", path.display())]
    Durations {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong, with the key when one is to blame.
        reason: String,
    },
    /// Graphviz is not there to draw SVG.
    #[error(
        "Graphviz's `dot` is not installed (hint: install the graphviz package, e.g. `apt-get install graphviz` or `brew install graphviz`, or use --format dot)"
    )]
    DotMissing,
    /// Graphviz failed to draw.
    #[error("dot failed: {0}")]
    Dot(String),
}

/// Every string in `value` except `"//"` comments.
fn strings<'a>(value: &'a Json, out: &mut Vec<&'a str>) {
    match value {
        Json::String(s) => out.push(s),
        Json::Array(items) => items.iter().for_each(|v| strings(v, out)),
        Json::Object(map) => map
            .iter()
            .filter(|(k, _)| k.as_str() != "//")
            .for_each(|(_, v)| strings(v, out)),
        _ => {}
    }
}

/// The addresses a block's strings refer to: `ty.name`, `data.ty.name`,
/// `local.x`, `module.x`. Names a `dynamic` block or a `for` expression binds
/// are not addresses: `for` names are left out by the parser, and a
/// reference that names no block is dropped when the graph is resolved.
fn referenced(body: &Map<String, Json>) -> BTreeSet<String> {
    let mut texts = Vec::new();
    for (key, value) in body {
        if !matches!(
            key.as_str(),
            "depends_on" | "provider" | "providers" | "lifecycle" | "//"
        ) {
            strings(value, &mut texts);
        }
    }
    let mut out = BTreeSet::new();
    for text in texts
        .into_iter()
        .filter(|t| t.contains("${") || t.contains("%{"))
    {
        let Ok(parts) = hcl::parse_template(text) else {
            continue;
        };
        for t in hcl::template_traversals(&parts) {
            let names: Vec<&str> = t.names().collect();
            match (t.root.as_str(), names.as_slice()) {
                ("var" | "count" | "each" | "path" | "terraform" | "self", _) => {}
                ("module", [name, ..]) => {
                    out.insert(format!("module.{name}"));
                }
                ("local", [name, ..]) => {
                    out.insert(format!("local.{name}"));
                }
                ("data", [ty, name, ..]) => {
                    out.insert(format!("data.{ty}.{name}"));
                }
                (ty, [name, ..]) => {
                    out.insert(format!("{ty}.{name}"));
                }
                _ => {}
            }
        }
    }
    out
}

/// What a block refers to (addresses), its `depends_on`, and the reasons
/// from its `"//"` comment.
type Block = (BTreeSet<String>, Vec<String>, Option<Map<String, Json>>);

/// What a resource, data source or module block refers to, its
/// `depends_on` and the reasons its `"//"` comment gives for them.
fn block_of(body: &Json) -> Block {
    let body = body.as_object().cloned().unwrap_or_default();
    let deps: Vec<String> = body
        .get("depends_on")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    let comment = body
        .get("//")
        .and_then(|c| c.get("depends_on"))
        .and_then(Json::as_object)
        .cloned();
    (referenced(&body), deps, comment)
}

fn address_of(text: &str) -> Address {
    match text.split('.').collect::<Vec<_>>().as_slice() {
        ["data", ty, name] => Address::Data {
            ty: (*ty).into(),
            name: (*name).into(),
        },
        ["module", name] => Address::Module((*name).into()),
        [ty, name] => Address::Resource {
            ty: (*ty).into(),
            name: (*name).into(),
        },
        _ => Address::Local(text.into()),
    }
}

impl Graph {
    /// Builds the graph from Terraform JSON text.
    pub fn from_json(text: &str) -> Result<Graph, GraphError> {
        let root: Json = serde_json::from_str(text).map_err(|e| GraphError::Json(e.to_string()))?;
        let root = root
            .as_object()
            .ok_or_else(|| GraphError::Json("the top level is not an object".into()))?;
        // Every block that can be referred to, with what it refers to and its depends_on.
        let mut blocks: BTreeMap<String, Block> = BTreeMap::new();
        let mut nodes = Vec::new();
        for (kind, data) in [("resource", false), ("data", true)] {
            for (_, by_type) in root
                .get(kind)
                .map(|v| each_object(v, ""))
                .unwrap_or_default()
            {
                for (ty, by_name) in by_type {
                    for (_, named) in each_object(by_name, "") {
                        for (name, body) in named {
                            let address = if data {
                                format!("data.{ty}.{name}")
                            } else {
                                format!("{ty}.{name}")
                            };
                            blocks.insert(address.clone(), block_of(body));
                            nodes.push(Vertex {
                                address,
                                ty: ty.clone(),
                                data,
                            });
                        }
                    }
                }
            }
        }
        for (_, modules) in root
            .get("module")
            .map(|v| each_object(v, ""))
            .unwrap_or_default()
        {
            for (name, body) in modules {
                let address = format!("module.{name}");
                blocks.insert(address.clone(), block_of(body));
                nodes.push(Vertex {
                    address,
                    ty: "module".into(),
                    data: false,
                });
            }
        }
        for (_, locals) in root
            .get("locals")
            .map(|v| each_object(v, ""))
            .unwrap_or_default()
        {
            for (name, value) in locals {
                let mut body = Map::new();
                body.insert("value".into(), value.clone());
                blocks.insert(
                    format!("local.{name}"),
                    (referenced(&body), Vec::new(), None),
                );
            }
        }
        nodes.sort_by(|a, b| a.address.cmp(&b.address));
        let index: BTreeMap<&str, usize> = nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.address.as_str(), i))
            .collect();

        // Follow references through locals down to resources and data sources.
        let resolve = |start: &BTreeSet<String>| -> BTreeSet<usize> {
            let mut found = BTreeSet::new();
            let mut seen = BTreeSet::new();
            let mut pending: Vec<&String> = start.iter().collect();
            while let Some(target) = pending.pop() {
                if !seen.insert(target.clone()) {
                    continue;
                }
                if let Some(&i) = index.get(target.as_str()) {
                    found.insert(i);
                } else if let Some((refs, _, _)) = blocks.get(target) {
                    pending.extend(refs.iter());
                }
            }
            found
        };
        let mut references = BTreeSet::new();
        let mut explicit = Vec::new();
        for (i, node) in nodes.iter().enumerate() {
            let (refs, deps, comment) = &blocks[&node.address];
            references.extend(
                resolve(refs)
                    .into_iter()
                    .filter(|&t| t != i)
                    .map(|t| (i, t)),
            );
            for dep in deps {
                if let Some(&to) = index.get(dep.as_str()) {
                    let reason = comment
                        .as_ref()
                        .and_then(|c| c.get(dep))
                        .and_then(Json::as_str)
                        .map(str::to_owned);
                    explicit.push(Explicit {
                        from: i,
                        to,
                        reason,
                        redundant: false,
                    });
                }
            }
        }
        let mut graph = Graph {
            nodes,
            references,
            explicit,
        };
        graph.mark_redundant();
        graph.waves()?;
        Ok(graph)
    }

    fn mark_redundant(&mut self) {
        let mut deps = DepGraph::new();
        let addresses: Vec<Address> = self.nodes.iter().map(|n| address_of(&n.address)).collect();
        for a in &addresses {
            deps.node(a);
        }
        for &(from, to) in &self.references {
            deps.reference(&addresses[from], &addresses[to]);
        }
        let ids: Vec<usize> = self
            .explicit
            .iter()
            .map(|e| deps.declared(&addresses[e.from], &addresses[e.to]))
            .collect();
        if !deps.cycles().is_empty() {
            return;
        }
        let redundant = deps.redundant_declared();
        for (edge, id) in self.explicit.iter_mut().zip(ids) {
            edge.redundant = redundant[id];
        }
    }

    /// Every `(dependent, dependency)` edge, references and explicit.
    pub fn edges(&self) -> BTreeSet<(usize, usize)> {
        let mut all = self.references.clone();
        all.extend(self.explicit.iter().map(|e| (e.from, e.to)));
        all
    }

    /// Each node's dependencies.
    fn dependencies(&self) -> Vec<Vec<usize>> {
        let mut deps = vec![Vec::new(); self.nodes.len()];
        for (from, to) in self.edges() {
            deps[from].push(to);
        }
        deps
    }

    /// A topological order (dependencies first), or the cycle's first block.
    fn order(&self) -> Result<Vec<usize>, GraphError> {
        let deps = self.dependencies();
        let mut pending: Vec<usize> = deps.iter().map(Vec::len).collect();
        let mut dependents = vec![Vec::new(); self.nodes.len()];
        for (from, tos) in deps.iter().enumerate() {
            for &to in tos {
                dependents[to].push(from);
            }
        }
        let mut ready: BTreeSet<usize> =
            (0..self.nodes.len()).filter(|&i| pending[i] == 0).collect();
        let mut order = Vec::new();
        while let Some(i) = ready.pop_first() {
            order.push(i);
            for &d in &dependents[i] {
                pending[d] -= 1;
                if pending[d] == 0 {
                    ready.insert(d);
                }
            }
        }
        if order.len() < self.nodes.len() {
            let stuck = (0..self.nodes.len())
                .find(|i| !order.contains(i))
                .unwrap_or(0);
            return Err(GraphError::Cycle(self.nodes[stuck].address.clone()));
        }
        Ok(order)
    }

    /// The wave of each node: 0 for blocks that depend on nothing, else one
    /// more than their latest dependency.
    pub fn waves(&self) -> Result<Vec<usize>, GraphError> {
        let deps = self.dependencies();
        let mut wave = vec![0; self.nodes.len()];
        for i in self.order()? {
            wave[i] = deps[i].iter().map(|&d| wave[d] + 1).max().unwrap_or(0);
        }
        Ok(wave)
    }

    /// The chain of blocks with the longest total estimated duration, and that total.
    pub fn critical_path(&self, durations: &Durations) -> Result<(Vec<usize>, f64), GraphError> {
        let deps = self.dependencies();
        let mut finish = vec![0.0f64; self.nodes.len()];
        let mut via: Vec<Option<usize>> = vec![None; self.nodes.len()];
        for i in self.order()? {
            let before = deps[i]
                .iter()
                .copied()
                .max_by(|&a, &b| finish[a].total_cmp(&finish[b]).then(b.cmp(&a)));
            via[i] = before;
            finish[i] = before.map_or(0.0, |b| finish[b]) + durations.of(&self.nodes[i]);
        }
        let Some(end) =
            (0..self.nodes.len()).max_by(|&a, &b| finish[a].total_cmp(&finish[b]).then(b.cmp(&a)))
        else {
            return Ok((Vec::new(), 0.0));
        };
        let mut path = vec![end];
        while let Some(prev) = via[*path.last().expect("non-empty")] {
            path.push(prev);
        }
        path.reverse();
        Ok((path, finish[end]))
    }

    /// The sum of every block's estimated duration: creation one at a time.
    pub fn sequential(&self, durations: &Durations) -> f64 {
        self.nodes.iter().map(|n| durations.of(n)).sum()
    }

    /// Simulated list scheduling with `workers` operations at once, as
    /// terraform's `-parallelism` allows: whenever a slot is free, the next
    /// ready block (in address order) starts.
    pub fn simulate(&self, durations: &Durations, workers: usize) -> Result<f64, GraphError> {
        self.order()?;
        let deps = self.dependencies();
        let n = self.nodes.len();
        let mut remaining: Vec<usize> = deps.iter().map(Vec::len).collect();
        let mut dependents = vec![Vec::new(); n];
        for (from, tos) in deps.iter().enumerate() {
            for &to in tos {
                dependents[to].push(from);
            }
        }
        let mut ready: BTreeSet<usize> = (0..n).filter(|&i| remaining[i] == 0).collect();
        let mut running: Vec<(f64, usize)> = Vec::new();
        let mut now = 0.0f64;
        let mut done = 0;
        while done < n {
            while running.len() < workers.max(1) {
                let Some(i) = ready.pop_first() else { break };
                running.push((now + durations.of(&self.nodes[i]), i));
            }
            running.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
            let (end, i) = running
                .pop()
                .expect("a block is running while some are not done");
            now = end;
            done += 1;
            for &d in &dependents[i] {
                remaining[d] -= 1;
                if remaining[d] == 0 {
                    ready.insert(d);
                }
            }
        }
        Ok(now)
    }

    /// The explicit `depends_on` that references already imply, as
    /// `from -> to` addresses.
    pub fn redundant(&self) -> Vec<String> {
        self.explicit
            .iter()
            .filter(|e| e.redundant)
            .map(|e| {
                format!(
                    "{} -> {}",
                    self.nodes[e.from].address, self.nodes[e.to].address
                )
            })
            .collect()
    }

    /// The transitive reduction of the edges: an edge is dropped when its
    /// dependency is reachable another way. This is the shape `terraform
    /// graph` draws.
    pub fn reduced_edges(&self) -> BTreeSet<(usize, usize)> {
        let deps = self.dependencies();
        let mut out = BTreeSet::new();
        for (from, direct) in deps.iter().enumerate() {
            for &to in direct {
                let mut seen = vec![false; self.nodes.len()];
                let mut stack: Vec<usize> = direct.iter().copied().filter(|&d| d != to).collect();
                let mut implied = false;
                while let Some(i) = stack.pop() {
                    if i == to {
                        implied = true;
                        break;
                    }
                    if !std::mem::replace(&mut seen[i], true) {
                        stack.extend(deps[i].iter().copied());
                    }
                }
                if !implied {
                    out.insert((from, to));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
