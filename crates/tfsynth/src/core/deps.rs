//! The dependency graph of a stack before synthesis: cycle detection and the
//! pruning of declared dependencies that references already imply.
//!
//! Terraform derives ordering from references. A declared `depends_on` edge
//! is only worth writing when nothing else orders the two blocks; an edge
//! that the graph already implies (directly or through other blocks) only
//! hides intent, so it is dropped.

use std::collections::VecDeque;

use indexmap::IndexMap;

use super::block::Address;

/// A directed graph: an edge `from -> to` means `from` needs `to` first.
#[derive(Debug, Default)]
pub struct DepGraph {
    index: IndexMap<Address, ()>,
    refs: Vec<Vec<usize>>,
    explicit: Vec<(usize, usize)>,
}

impl DepGraph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a node (idempotent) and returns its index.
    pub fn node(&mut self, address: &Address) -> usize {
        if let Some(i) = self.index.get_index_of(address) {
            return i;
        }
        self.index.insert(address.clone(), ());
        self.refs.push(Vec::new());
        self.index.len() - 1
    }

    /// Whether the address is a node of the graph.
    pub fn contains(&self, address: &Address) -> bool {
        self.index.contains_key(address)
    }

    fn address(&self, i: usize) -> &Address {
        self.index
            .get_index(i)
            .map(|(a, _)| a)
            .expect("index within graph")
    }

    /// Adds an edge implied by a reference.
    pub fn reference(&mut self, from: &Address, to: &Address) {
        let (f, t) = (self.node(from), self.node(to));
        if !self.refs[f].contains(&t) {
            self.refs[f].push(t);
        }
    }

    /// Adds a declared `depends_on` edge; returns its index among declared edges.
    pub fn declared(&mut self, from: &Address, to: &Address) -> usize {
        let (f, t) = (self.node(from), self.node(to));
        self.explicit.push((f, t));
        self.explicit.len() - 1
    }

    /// Every cycle, each as its path with the first block repeated at the end.
    /// Cycles that only pass through blocks already reported are not repeated.
    pub fn cycles(&self) -> Vec<Vec<Address>> {
        let n = self.refs.len();
        let mut adjacency = self.refs.clone();
        for &(f, t) in &self.explicit {
            if !adjacency[f].contains(&t) {
                adjacency[f].push(t);
            }
        }
        let mut removed = vec![false; n];
        let mut found = Vec::new();
        loop {
            // Peel off every node whose dependencies can all be satisfied; what is
            // left lies on a cycle or depends on one.
            let mut pending: Vec<usize> = (0..n)
                .map(|i| adjacency[i].iter().filter(|&&t| !removed[t]).count())
                .collect();
            let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
            for (f, targets) in adjacency.iter().enumerate() {
                for &t in targets {
                    if !removed[f] && !removed[t] {
                        dependents[t].push(f);
                    }
                }
            }
            let mut done = removed.clone();
            let mut queue: VecDeque<usize> =
                (0..n).filter(|&i| !done[i] && pending[i] == 0).collect();
            while let Some(i) = queue.pop_front() {
                if done[i] {
                    continue;
                }
                done[i] = true;
                for &d in &dependents[i] {
                    pending[d] -= 1;
                    if pending[d] == 0 && !done[d] {
                        queue.push_back(d);
                    }
                }
            }
            let Some(start) = (0..n).find(|&i| !done[i]) else {
                return found;
            };
            // Walk dependencies among the remaining nodes until one repeats.
            let mut seen_at: IndexMap<usize, usize> = IndexMap::new();
            let mut current = start;
            while !seen_at.contains_key(&current) {
                seen_at.insert(current, seen_at.len());
                current = *adjacency[current]
                    .iter()
                    .filter(|&&t| !done[t])
                    .min_by_key(|&&t| self.address(t))
                    .expect("a remaining node has a remaining dependency");
            }
            let first = seen_at[&current];
            let mut path: Vec<usize> = seen_at.keys().skip(first).copied().collect();
            // Start the report at the smallest address so it reads the same every run.
            let rotate = (0..path.len())
                .min_by_key(|&k| self.address(path[k]))
                .unwrap_or(0);
            path.rotate_left(rotate);
            path.push(path[0]);
            for &i in &path {
                removed[i] = true;
            }
            found.push(path.into_iter().map(|i| self.address(i).clone()).collect());
        }
    }

    /// For each declared edge, whether the rest of the graph already implies it.
    /// Must only be called on an acyclic graph.
    pub fn redundant_declared(&self) -> Vec<bool> {
        let mut redundant = vec![false; self.explicit.len()];
        let mut declared_from: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.refs.len()];
        for (k, &(f, t)) in self.explicit.iter().enumerate() {
            if declared_from[f].iter().any(|&(other, _)| other == t) {
                redundant[k] = true;
            } else {
                declared_from[f].push((t, k));
            }
        }
        // One visited array for every search, told apart by a stamp, keeps each
        // search proportional to what it reaches rather than to the stack size.
        let mut visited = vec![0u32; self.refs.len()];
        let mut stamp = 0u32;
        let mut stack = Vec::new();
        for k in 0..self.explicit.len() {
            if redundant[k] {
                continue;
            }
            let (from, to) = self.explicit[k];
            stamp += 1;
            stack.clear();
            stack.push(from);
            visited[from] = stamp;
            'search: while let Some(i) = stack.pop() {
                let via_refs = self.refs[i].iter().copied();
                let via_declared = declared_from[i]
                    .iter()
                    .filter(|&&(_, e)| e != k && !redundant[e])
                    .map(|&(t, _)| t);
                for t in via_refs.chain(via_declared) {
                    if t == to {
                        redundant[k] = true;
                        break 'search;
                    }
                    if visited[t] != stamp {
                        visited[t] = stamp;
                        stack.push(t);
                    }
                }
            }
        }
        redundant
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(name: &str) -> Address {
        Address::Resource {
            ty: "t".into(),
            name: name.into(),
        }
    }

    fn names(path: &[Address]) -> String {
        path.iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(" -> ")
    }

    #[test]
    fn direct_and_transitive_declared_edges_are_redundant() {
        let mut g = DepGraph::new();
        g.reference(&r("b"), &r("a"));
        g.reference(&r("c"), &r("b"));
        let direct = g.declared(&r("b"), &r("a"));
        let transitive = g.declared(&r("c"), &r("a"));
        let hidden = g.declared(&r("a"), &r("d"));
        let dup = g.declared(&r("a"), &r("d"));
        let red = g.redundant_declared();
        assert!(red[direct]);
        assert!(red[transitive]);
        assert!(!red[hidden], "nothing else orders a after d");
        assert!(
            red[dup],
            "a repeated declaration is redundant, the first is kept"
        );
    }

    #[test]
    fn declared_edges_imply_each_other() {
        let mut g = DepGraph::new();
        let ab = g.declared(&r("a"), &r("b"));
        let bc = g.declared(&r("b"), &r("c"));
        let ac = g.declared(&r("a"), &r("c"));
        let red = g.redundant_declared();
        assert_eq!((red[ab], red[bc], red[ac]), (false, false, true));
    }

    #[test]
    fn finds_cycles() {
        let mut g = DepGraph::new();
        g.reference(&r("a"), &r("b"));
        g.reference(&r("b"), &r("c"));
        g.declared(&r("c"), &r("a"));
        g.reference(&r("x"), &r("a"));
        g.reference(&r("s"), &r("s"));
        g.reference(&r("ok"), &r("x"));
        let cycles: Vec<String> = g.cycles().iter().map(|c| names(c)).collect();
        assert_eq!(cycles, ["t.a -> t.b -> t.c -> t.a", "t.s -> t.s"]);
    }

    #[test]
    fn acyclic_graph_has_no_cycles() {
        let mut g = DepGraph::new();
        g.reference(&r("a"), &r("b"));
        g.reference(&r("a"), &r("c"));
        g.reference(&r("b"), &r("c"));
        assert!(g.cycles().is_empty());
    }
}
