//! Properties of the dependency graph (pubgrub style): graphs acyclic by construction
//! get an order that respects every edge and equals a plain reference implementation
//! of Heat's toposort; one inserted back edge is always reported as a cycle through its
//! endpoints; the answer does not depend on the order the nodes are given in.
//!
//! Failing cases proptest finds are kept in `graph_proptest.proptest-regressions`
//! beside this file; commit them.

use std::collections::BTreeSet;

use heat_sync::graph::{DependencyGraph, GraphError, ResourceNode};
use proptest::prelude::*;
use serde_json::{json, Value};

/// A DAG by construction: node `i` may require only nodes `j < i`. Names are a random
/// permutation, so name order (the tie-break) is unrelated to construction order.
#[derive(Debug, Clone)]
struct Dag {
    names: Vec<String>,
    /// `requires[i]`: (j, through depends_on rather than a reference).
    requires: Vec<Vec<(usize, bool)>>,
}

fn dag(max_nodes: usize) -> impl Strategy<Value = Dag> {
    (1..=max_nodes)
        .prop_flat_map(|n| {
            let names = Just((0..n).map(|i| format!("r{i:03}")).collect::<Vec<_>>()).prop_shuffle();
            let requires = (0..n)
                .map(|i| prop::collection::vec((0..i.max(1), any::<bool>()), 0..=i.min(4)))
                .collect::<Vec<_>>();
            (names, requires)
        })
        .prop_map(|(names, requires)| Dag {
            requires: requires
                .into_iter()
                .enumerate()
                .map(|(i, deps)| deps.into_iter().filter(|&(j, _)| j < i).collect())
                .collect(),
            names,
        })
}

impl Dag {
    fn nodes(&self) -> Vec<ResourceNode> {
        self.names
            .iter()
            .enumerate()
            .map(|(i, name)| {
                let deps = &self.requires[i];
                ResourceNode::new(name.clone(), "OS::Heat::Value", json!({"value": 1}))
                    .with_depends_on(deps.iter().filter(|d| d.1).map(|d| self.names[d.0].clone()))
                    .with_references(deps.iter().filter(|d| !d.1).map(|d| self.names[d.0].clone()))
            })
            .collect()
    }

    /// Every edge as (dependent, dependency) names.
    fn edges(&self) -> BTreeSet<(String, String)> {
        let mut edges = BTreeSet::new();
        for (i, deps) in self.requires.iter().enumerate() {
            for &(j, _) in deps {
                edges.insert((self.names[i].clone(), self.names[j].clone()));
            }
        }
        edges
    }

    /// Whether `from` requires `to`, directly or not (or is `to`).
    fn reaches(&self, from: usize, to: usize) -> bool {
        let mut stack = vec![from];
        let mut seen = vec![false; self.names.len()];
        while let Some(v) = stack.pop() {
            if v == to {
                return true;
            }
            if !std::mem::replace(&mut seen[v], true) {
                stack.extend(self.requires[v].iter().map(|d| d.0));
            }
        }
        false
    }
}

/// Heat's `Graph.toposort`, literally: nodes inserted in name order; repeatedly scan
/// from the start for the first node whose requirements are all yielded.
fn reference_order(edges: &BTreeSet<(String, String)>, names: &[String]) -> Vec<String> {
    let mut pending: Vec<&String> = names.iter().collect();
    pending.sort();
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut order = Vec::new();
    while !pending.is_empty() {
        let k = pending
            .iter()
            .position(|n| {
                edges.iter().filter(|(a, _)| a == *n).all(|(_, b)| done.contains(b.as_str()))
            })
            .expect("acyclic");
        let n = pending.remove(k);
        done.insert(n);
        order.push(n.clone());
    }
    order
}

fn pairs(graph: &DependencyGraph) -> BTreeSet<(String, String)> {
    graph.edges().iter().map(|[a, b]| (a.to_string(), b.to_string())).collect()
}

/// A node set with Neutron types and literal networks, so implicit rules fire (and
/// may close cycles): for the determinism property.
fn typed_nodes() -> impl Strategy<Value = Vec<ResourceNode>> {
    let kinds = [
        "OS::Neutron::Subnet",
        "OS::Neutron::Port",
        "OS::Nova::Server",
        "OS::Neutron::Net",
        "OS::Heat::Value",
    ];
    prop::collection::vec(
        (0..kinds.len(), 0..3usize, prop::collection::vec(0..12usize, 0..3)),
        1..12,
    )
    .prop_map(move |specs| {
        let n = specs.len();
        specs
            .iter()
            .enumerate()
            .map(|(i, (kind, net, refs))| {
                let network: Value = if *net == 0 {
                    json!({"get_resource": "r0"})
                } else {
                    json!(format!("n{net}"))
                };
                let properties = match kinds[*kind] {
                    "OS::Nova::Server" => json!({"networks": [{"network": network}]}),
                    "OS::Heat::Value" => json!({"value": 1}),
                    _ => json!({"network": network}),
                };
                let refs: BTreeSet<String> = refs.iter().map(|r| format!("r{}", r % n)).collect();
                ResourceNode::new(format!("r{i}"), kinds[*kind], properties).with_references(refs)
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn acyclic_graphs_get_heats_order(dag in dag(40)) {
        let graph = DependencyGraph::build(&dag.nodes()).unwrap();
        let expected_edges = dag.edges();
        prop_assert_eq!(pairs(&graph), expected_edges.clone());
        prop_assert!(graph.implicit_edges().is_empty());
        let order: Vec<String> = graph.creation_order().into_iter().map(String::from).collect();
        let position = |n: &str| order.iter().position(|o| o == n).unwrap();
        for (a, b) in &expected_edges {
            prop_assert!(position(b) < position(a), "{} is created before {}, which it requires", a, b);
        }
        prop_assert_eq!(order, reference_order(&expected_edges, &dag.names));
        for (i, name) in dag.names.iter().enumerate() {
            let mut requires: Vec<&str> = dag.requires[i].iter().map(|d| dag.names[d.0].as_str()).collect();
            requires.sort_unstable();
            requires.dedup();
            prop_assert_eq!(graph.requires(name), requires);
        }
    }

    #[test]
    fn a_back_edge_is_reported_as_a_cycle_through_its_endpoints(
        dag in dag(30), pick in any::<prop::sample::Index>(), by_depends_on in any::<bool>()
    ) {
        // Any pair where `from` requires `to` (possibly itself), closed by `to -> from`.
        let n = dag.names.len();
        let pairs: Vec<(usize, usize)> =
            (0..n).flat_map(|a| (0..n).map(move |b| (a, b))).filter(|&(a, b)| dag.reaches(a, b)).collect();
        let (from, to) = pairs[pick.index(pairs.len())];
        let mut nodes = dag.nodes();
        let back = dag.names[from].clone();
        if by_depends_on {
            nodes[to].depends_on.push(back);
        } else {
            nodes[to].references.push(back);
        }
        let err = DependencyGraph::build(&nodes).unwrap_err();
        let GraphError::Cycle { resources } = err else { panic!("not an explicit cycle: {err}") };
        prop_assert!(resources.contains(&dag.names[from]), "{:?} misses {}", resources, dag.names[from]);
        prop_assert!(resources.contains(&dag.names[to]), "{:?} misses {}", resources, dag.names[to]);
        // It is a real cycle: each resource requires the next, the last the first.
        let mut edges = dag.edges();
        edges.insert((dag.names[to].clone(), dag.names[from].clone()));
        for (k, a) in resources.iter().enumerate() {
            let b = &resources[(k + 1) % resources.len()];
            prop_assert!(edges.contains(&(a.clone(), b.clone())), "{} does not require {}", a, b);
        }
        prop_assert_eq!(resources.iter().collect::<BTreeSet<_>>().len(), resources.len());
    }

    #[test]
    fn output_does_not_depend_on_node_order(
        nodes in typed_nodes(), shuffled in any::<prop::sample::Index>().prop_map(|i| i.index(usize::MAX))
    ) {
        let mut other = nodes.clone();
        // A deterministic shuffle from the drawn seed.
        let mut seed = shuffled as u64 | 1;
        for i in (1..other.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            other.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        let answer = |nodes: &[ResourceNode]| match DependencyGraph::build(nodes) {
            Ok(g) => Ok((pairs(&g), format!("{:?}", g.implicit_edges()), format!("{:?}", g.creation_order()))),
            Err(e) => Err(e),
        };
        prop_assert_eq!(answer(&nodes), answer(&other));
    }
}
