//! Heat's resource dependency graph: explicit and implicit edges, cycles, creation order.
//!
//! The template core ([`crate::stack`]) hands over one [`ResourceNode`] per enabled
//! resource (its condition true) and gets back a [`DependencyGraph`]:
//!
//! ```
//! use heat_sync::graph::{DependencyGraph, ResourceNode};
//! use serde_json::json;
//!
//! let nodes = vec![
//!     ResourceNode::new("sub", "OS::Neutron::Subnet", json!({"network": "public"})),
//!     ResourceNode::new("port", "OS::Neutron::Port", json!({"network": "public"})),
//!     ResourceNode::new("srv", "OS::Nova::Server", json!({"networks": [{"port": {"get_resource": "port"}}]}))
//!         .with_references(["port"]),
//! ];
//! let graph = DependencyGraph::build(&nodes)?;
//! assert_eq!(graph.edges(), [["port", "sub"], ["srv", "port"], ["srv", "sub"]]);
//! assert_eq!(graph.implicit_edges(), [["port", "sub"], ["srv", "sub"]]);
//! assert_eq!(graph.creation_order(), ["sub", "port", "srv"]);
//! # Ok::<(), heat_sync::graph::GraphError>(())
//! ```
//!
//! What Heat does and where it is done here (`shared/heat/implicit-dependencies.md`):
//! - explicit edges (`depends_on` and every resource a function in properties or
//!   metadata references) are the caller's [`ResourceNode::depends_on`] and
//!   [`ResourceNode::references`]; the caller drops a `depends_on` to a disabled
//!   resource and rejects every other unknown name first, with Heat's message;
//! - implicit edges, which Heat's resource plugins add from property values, are
//!   computed here from [`ResourceNode::properties`] (module `implicit`). Heat pairs
//!   every resource with every other; here each compared value (network, router,
//!   subnet, VPC) is indexed once, so the cost follows the edges produced;
//! - the creation order is Heat's `Graph.toposort` with resources inserted in name
//!   order (the corpus convention): repeatedly take the first resource, by name, whose
//!   requirements are all created. It is O((V + E) log V).

mod adjacency;
mod implicit;
mod names;
mod properties;

pub(crate) use adjacency::Adjacency;
pub use names::Names;
pub(crate) use properties::NodeProperties;
pub use properties::FUNCTIONS;
pub mod render;
pub mod types;

use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;

use crate::Value;

/// A hash map with a fast non-cryptographic hasher: keys are resource names from the
/// template, and nothing iterates these maps, so their order never shows.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A hash set with the hasher of [`FastMap`], for sets of names that are looked up,
/// never iterated into output.
pub(crate) type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Errors of the dependency graph.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// Resources that require each other in a loop of explicit edges (`depends_on`,
    /// `get_resource`, `get_attr`, ...). Heat's template validation rejects these.
    #[error("Circular Dependency Found: {}", cycle_text(resources))]
    Cycle {
        /// The resources on the cycle, each requiring the next and the last requiring
        /// the first, starting from the first name in sort order.
        resources: Vec<String>,
    },
    /// A loop that needs at least one implicit edge. Heat's own template validation
    /// walks only explicit edges and lets it pass, but stack creation rejects it, and so
    /// does the corpus oracle (which builds `Stack.dependencies`): treat it as an error.
    #[error(
        "Circular Dependency Found (through implicit dependencies): {}",
        cycle_text(resources)
    )]
    ImplicitCycle {
        /// The resources on the cycle, as in [`GraphError::Cycle`].
        resources: Vec<String>,
    },
    /// Two nodes with the same name.
    #[error("resources.{resource}: the resource is given twice")]
    DuplicateResource {
        /// The name given twice.
        resource: String,
    },
    /// A `depends_on` or reference to a name that is not an enabled resource (the
    /// caller must have rejected or dropped it, as Heat does).
    #[error("The specified reference \"{reference}\" (in {resource}) is incorrect.")]
    UnknownReference {
        /// The resource that names it.
        resource: String,
        /// The unknown name.
        reference: String,
    },
}

fn cycle_text(resources: &[String]) -> String {
    let mut text = resources.join(" -> ");
    if let Some(first) = resources.first() {
        text.push_str(" -> ");
        text.push_str(first);
    }
    text
}

/// One enabled resource of a template, as the graph needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceNode {
    /// The resource's name (its key under `resources`).
    pub name: String,
    /// The type whose plugin Heat runs for it: the template's type after the
    /// environment's resource_registry (`My::Subnet: OS::Neutron::Subnet` gives
    /// `OS::Neutron::Subnet`; Heat's global `OS::Quantum::*` aliases are applied here).
    /// The implicit rules match on it; drawings show it.
    pub resource_type: String,
    /// The names in `depends_on` / `DependsOn`, with those naming a disabled resource
    /// already dropped. Empty for a resource with an `external_id`.
    pub depends_on: Vec<String>,
    /// The resources referenced by functions (`get_resource`, `get_attr`, `Ref`,
    /// `Fn::GetAtt`) in properties and metadata, after `if` branches are chosen.
    /// Empty for a resource with an `external_id` (Heat ignores them).
    pub references: Vec<String>,
    /// The statically resolved properties, as `resolved.resources.<name>.properties`
    /// in `shared/corpus/expected` (run-time functions kept as one-key maps); `null` when
    /// the resource has none. Only the top-level keys [`implicit_rule_properties`]
    /// lists for the node's type are read: the others may be left out.
    pub properties: Value,
}

impl ResourceNode {
    /// A node without explicit dependencies.
    pub fn new(
        name: impl Into<String>,
        resource_type: impl Into<String>,
        properties: Value,
    ) -> Self {
        ResourceNode {
            name: name.into(),
            resource_type: resource_type.into(),
            depends_on: Vec::new(),
            references: Vec::new(),
            properties,
        }
    }

    /// This node with `names` as its `depends_on`.
    pub fn with_depends_on<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.depends_on = names.into_iter().map(Into::into).collect();
        self
    }

    /// This node with `names` as its function references.
    pub fn with_references<S: Into<String>>(mut self, names: impl IntoIterator<Item = S>) -> Self {
        self.references = names.into_iter().map(Into::into).collect();
        self
    }
}

/// The top-level properties Heat's implicit-dependency rules read for a resource of
/// type `resource_type` (empty for the types no rule looks at): the only ones a
/// [`ResourceNode::properties`] needs, so callers can spare resolving the rest.
pub fn implicit_rule_properties(resource_type: &str) -> &'static [&'static str] {
    implicit::property_keys(types::Kind::of(resource_type))
}

/// The resource types of the nodes, each type stored once (or a few times: nodes
/// whose types were told apart by something else may point at equal names).
#[derive(Debug, Clone)]
pub(crate) struct Types {
    /// The types.
    pub(crate) names: Vec<String>,
    /// Per node, an index into `names`.
    pub(crate) of_node: Vec<u32>,
}

impl Types {
    /// The type of node `i`.
    pub(crate) fn of(&self, i: usize) -> &str {
        &self.names[self.of_node[i] as usize]
    }

    /// `f` of each distinct type, per node.
    pub(crate) fn map_per_node<T: Copy>(&self, f: impl Fn(&str) -> T) -> Vec<T> {
        let per_type: Vec<T> = self.names.iter().map(|t| f(t)).collect();
        self.of_node.iter().map(|&t| per_type[t as usize]).collect()
    }
}

/// The graph's input with the resources numbered in name order.
pub(crate) struct NamedNodes<'a> {
    /// The resource names, sorted, without duplicates: a resource's number is its
    /// position.
    pub(crate) names: Vec<&'a str>,
    /// Per resource, its type (as [`ResourceNode::resource_type`]).
    pub(crate) types: Types,
    /// Per resource, the resources it requires explicitly.
    pub(crate) explicit: Adjacency,
    /// Per resource, its properties (as [`ResourceNode::properties`]).
    pub(crate) properties: Vec<NodeProperties<'a>>,
}

/// Whether an edge comes from the template or from a resource plugin's rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeKind {
    /// `depends_on` or a reference in properties or metadata.
    Explicit,
    /// Added by a plugin's `add_dependencies()` and not also explicit.
    Implicit,
}

/// Heat's dependency graph of one stack, acyclic, with its creation order.
///
/// Nodes are numbered in name order; an edge goes from the dependent to the resource it
/// requires.
#[derive(Debug, Clone)]
pub struct DependencyGraph {
    names: Names,
    types: Types,
    graph: DiGraph<(), EdgeKind, u32>,
    order: Vec<u32>,
}

impl DependencyGraph {
    /// Builds the graph of `nodes` (in any order): explicit edges, Heat's implicit
    /// edges, then the creation order.
    ///
    /// Fails on a duplicate name, on a `depends_on` or reference to a name not among
    /// `nodes` (the caller's job to report in Heat's words first), and on a cycle:
    /// [`GraphError::Cycle`] when the explicit edges alone loop (Heat's template
    /// validation rejects it), else [`GraphError::ImplicitCycle`].
    pub fn build(nodes: &[ResourceNode]) -> Result<Self, GraphError> {
        let sorted = sorted_by_name(nodes);
        if let Some(pair) = sorted.windows(2).find(|w| w[0].name == w[1].name) {
            return Err(GraphError::DuplicateResource { resource: pair[0].name.clone() });
        }
        let index: FastMap<&str, u32> =
            sorted.iter().enumerate().map(|(i, n)| (n.name.as_str(), i as u32)).collect();

        // Explicit requirements per node, sorted and without duplicates.
        let mut explicit = Adjacency::with_capacity(sorted.len(), 0);
        let mut requires = Vec::new();
        for node in &sorted {
            for name in node.depends_on.iter().chain(&node.references) {
                match index.get(name.as_str()) {
                    Some(&i) => requires.push(i),
                    None => {
                        return Err(GraphError::UnknownReference {
                            resource: node.name.clone(),
                            reference: name.clone(),
                        })
                    }
                }
            }
            explicit.push(requires.drain(..));
        }
        // Types are few: each is stored once and nodes point at it.
        let mut type_ids: FastMap<&str, u32> = FastMap::default();
        let mut types = Types { names: Vec::new(), of_node: Vec::with_capacity(sorted.len()) };
        for node in &sorted {
            let id = *type_ids.entry(&node.resource_type).or_insert_with(|| {
                types.names.push(node.resource_type.clone());
                types.names.len() as u32 - 1
            });
            types.of_node.push(id);
        }
        Self::from_named(NamedNodes {
            names: sorted.iter().map(|n| n.name.as_str()).collect(),
            types,
            explicit,
            properties: sorted.iter().map(|n| NodeProperties::Value(&n.properties)).collect(),
        })
    }

    /// [`DependencyGraph::build`] from nodes already numbered in name order (the
    /// template core has them so, and spares building [`ResourceNode`]s). Fails only
    /// on a cycle.
    pub(crate) fn from_named(nodes: NamedNodes<'_>) -> Result<Self, GraphError> {
        debug_assert!(nodes.names.windows(2).all(|w| w[0] < w[1]), "names sorted, distinct");
        let NamedNodes { names, types, explicit, properties } = nodes;
        let implicit = implicit::edges(&names, &properties, &types, &explicit);

        let edge_count = explicit.target_count() + implicit.len();
        let mut graph = DiGraph::with_capacity(names.len(), edge_count);
        for _ in &names {
            graph.add_node(());
        }
        // Edges go in in (dependent, dependency) order, so that edge indices run in
        // the order `edges()` answers in. The implicit ones are sorted that way and
        // never repeat an explicit one.
        let mut implicit = implicit.into_iter().peekable();
        for (from, requires) in explicit.iter().enumerate() {
            let from = from as u32;
            let mut explicit_to = requires.iter().copied().peekable();
            loop {
                let implicit_to = implicit.peek().filter(|(f, _)| *f == from).map(|&(_, t)| t);
                let (to, kind) = match (explicit_to.peek().copied(), implicit_to) {
                    (Some(e), Some(i)) if i < e => (i, EdgeKind::Implicit),
                    (Some(e), _) => (e, EdgeKind::Explicit),
                    (None, Some(i)) => (i, EdgeKind::Implicit),
                    (None, None) => break,
                };
                match kind {
                    EdgeKind::Explicit => explicit_to.next(),
                    EdgeKind::Implicit => implicit.next().map(|(_, t)| t),
                };
                graph.add_edge(NodeIndex::new(from as usize), NodeIndex::new(to as usize), kind);
            }
        }
        debug_assert!(implicit.next().is_none(), "implicit edges from known nodes only");

        let mut this = DependencyGraph {
            names: Names::sorted(names.iter().copied()),
            types,
            graph,
            order: Vec::new(),
        };
        match toposort(&this.graph, |_| true) {
            Ok(order) => this.order = order,
            Err(remaining) => {
                let explicit_only = |kind: EdgeKind| kind == EdgeKind::Explicit;
                return Err(match toposort(&this.graph, explicit_only) {
                    Err(explicit_remaining) => GraphError::Cycle {
                        resources: this.cycle_names(&explicit_remaining, explicit_only),
                    },
                    Ok(_) => GraphError::ImplicitCycle {
                        resources: this.cycle_names(&remaining, |_| true),
                    },
                });
            }
        }
        Ok(this)
    }

    /// The resources, in name order.
    pub fn resources(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.names.iter()
    }

    /// The type of resource `name` (as given in its [`ResourceNode`]).
    pub fn resource_type(&self, name: &str) -> Option<&str> {
        self.index(name).map(|i| self.types.of(i))
    }

    /// Every edge as `[dependent, dependency]`, sorted: `["server", "port"]` means
    /// `server` requires `port`, so `port` is created first.
    pub fn edges(&self) -> Vec<[&str; 2]> {
        self.edges_where(|_| true)
    }

    /// The edges Heat's resource plugins add by their own rules and that no reference
    /// or `depends_on` gives already, sorted as [`DependencyGraph::edges`].
    pub fn implicit_edges(&self) -> Vec<[&str; 2]> {
        self.edges_where(|kind| kind == EdgeKind::Implicit)
    }

    /// Every resource in name order with the resources it requires (explicit and
    /// implicit), sorted: [`DependencyGraph::requires`] of each.
    pub fn requirements(&self) -> impl Iterator<Item = (&str, Vec<&str>)> + '_ {
        // Edge indices run in (dependent, dependency) order (see
        // `DependencyGraph::from_named`): each node's requirements are the next run.
        let edges = self.graph.raw_edges();
        let mut next = 0;
        self.names.iter().enumerate().map(move |(i, name)| {
            let start = next;
            while next < edges.len() && edges[next].source().index() == i {
                next += 1;
            }
            let requires = edges[start..next].iter().map(|e| self.names.get(e.target().index()));
            (name, requires.collect())
        })
    }

    fn requires_of(&self, i: usize) -> Vec<&str> {
        let mut requires: Vec<usize> = self
            .graph
            .neighbors_directed(NodeIndex::new(i), Direction::Outgoing)
            .map(|n| n.index())
            .collect();
        requires.sort_unstable();
        requires.into_iter().map(|j| self.names.get(j)).collect()
    }

    /// The resources `name` requires (explicit and implicit), sorted; empty for a name
    /// that is not in the graph.
    pub fn requires(&self, name: &str) -> Vec<&str> {
        match self.index(name) {
            Some(i) => self.requires_of(i),
            None => Vec::new(),
        }
    }

    /// Whether the edge `dependent -> dependency` exists, and of which kind.
    pub fn edge_kind(&self, dependent: &str, dependency: &str) -> Option<EdgeKind> {
        let (a, b) = (self.index(dependent)?, self.index(dependency)?);
        let edge = self.graph.find_edge(NodeIndex::new(a), NodeIndex::new(b))?;
        Some(self.graph[edge])
    }

    /// A creation order: every resource after all it requires; among resources ready
    /// at the same time, the first by name (Heat's `Graph.toposort` over resources
    /// inserted in name order, as `shared/corpus` does).
    pub fn creation_order(&self) -> Vec<&str> {
        self.order.iter().map(|&i| self.names.get(i as usize)).collect()
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.names.position(name).map(|i| i as usize)
    }

    /// The edges of the kinds `keep` accepts, sorted: edge indices already run in that
    /// order (see [`DependencyGraph::from_named`]).
    fn edges_where(&self, keep: impl Fn(EdgeKind) -> bool) -> Vec<[&str; 2]> {
        self.graph
            .edge_indices()
            .filter(|&e| keep(self.graph[e]))
            .filter_map(|e| self.graph.edge_endpoints(e))
            .map(|(a, b)| [self.names.get(a.index()), self.names.get(b.index())])
            .collect()
    }

    /// One cycle among `remaining` (the nodes a toposort could not yield): from the
    /// first remaining node by name, follow the first remaining requirement by name
    /// until a node repeats. Every remaining node has a remaining requirement, so the
    /// walk always closes a loop.
    fn cycle_names(&self, remaining: &[bool], follow: impl Fn(EdgeKind) -> bool) -> Vec<String> {
        let next = |i: usize| {
            self.graph
                .edges_directed(NodeIndex::new(i), Direction::Outgoing)
                .filter(|e| follow(*e.weight()))
                .map(|e| petgraph::visit::EdgeRef::target(&e).index())
                .filter(|&j| remaining[j])
                .min()
        };
        let mut seen_at = vec![usize::MAX; self.names.len()];
        let mut path = Vec::new();
        let mut at = remaining.iter().position(|&r| r);
        while let Some(i) = at {
            if seen_at[i] != usize::MAX {
                let mut cycle: Vec<usize> = path[seen_at[i]..].to_vec();
                let start = cycle.iter().enumerate().min_by_key(|(_, &n)| n).map_or(0, |(k, _)| k);
                cycle.rotate_left(start);
                return cycle.into_iter().map(|n| self.names.get(n).to_string()).collect();
            }
            seen_at[i] = path.len();
            path.push(i);
            at = next(i);
        }
        path.into_iter().map(|n| self.names.get(n).to_string()).collect()
    }
}

/// `nodes` in name order.
fn sorted_by_name(nodes: &[ResourceNode]) -> Vec<&ResourceNode> {
    sort_by_name(nodes.iter(), |n| &n.name)
}

/// `items` sorted by `name(item)`, ties in any order. The sort orders integer pairs
/// (the first 8 bytes of the name, the item's number) and compares whole names only
/// among names sharing those bytes: comparing through the string pointers misses the
/// cache on every step once there are thousands of resources.
pub(crate) fn sort_by_name<'a, T: Copy>(
    items: impl Iterator<Item = T>,
    name: impl Fn(T) -> &'a str,
) -> Vec<T> {
    let items: Vec<T> = items.collect();
    let prefix = |name: &str| {
        let mut bytes = [0u8; 8];
        let n = name.len().min(8);
        bytes[..n].copy_from_slice(&name.as_bytes()[..n]);
        u64::from_be_bytes(bytes)
    };
    let mut keyed: Vec<(u64, u32)> =
        items.iter().enumerate().map(|(i, &item)| (prefix(name(item)), i as u32)).collect();
    sort_by_key_bytes(&mut keyed);
    let mut start = 0;
    while start < keyed.len() {
        let end = start + keyed[start..].iter().take_while(|k| k.0 == keyed[start].0).count();
        if end - start > 1 {
            keyed[start..end]
                .sort_unstable_by(|a, b| name(items[a.1 as usize]).cmp(name(items[b.1 as usize])));
        }
        start = end;
    }
    keyed.into_iter().map(|(_, i)| items[i as usize]).collect()
}

/// `keyed` sorted by key (equal keys in any order): a least-significant-byte-first
/// radix sort once there are thousands, which skips the bytes all keys share (the
/// leading letters of generated names, the padding of short ones).
fn sort_by_key_bytes(keyed: &mut Vec<(u64, u32)>) {
    if keyed.len() < 512 {
        keyed.sort_unstable();
        return;
    }
    let mut spare = vec![(0u64, 0u32); keyed.len()];
    for shift in (0..64).step_by(8) {
        let byte = |key: u64| ((key >> shift) & 0xff) as usize;
        let mut counts = [0usize; 256];
        for &(key, _) in keyed.iter() {
            counts[byte(key)] += 1;
        }
        if counts.contains(&keyed.len()) {
            continue;
        }
        let mut next = 0;
        for count in counts.iter_mut() {
            (*count, next) = (next, next + *count);
        }
        for &item in keyed.iter() {
            let slot = &mut counts[byte(item.0)];
            spare[*slot] = item;
            *slot += 1;
        }
        std::mem::swap(keyed, &mut spare);
    }
}

/// Heat's `Graph.toposort` with nodes inserted in index (name) order, over the edges
/// `follow` keeps: the ready node with the lowest index goes first. On a cycle, the
/// nodes that could not be yielded.
fn toposort(
    graph: &DiGraph<(), EdgeKind, u32>,
    follow: impl Fn(EdgeKind) -> bool,
) -> Result<Vec<u32>, Vec<bool>> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    let n = graph.node_count();
    let mut waiting_for = vec![0u32; n];
    for e in graph.edge_indices() {
        if follow(graph[e]) {
            if let Some((from, _)) = graph.edge_endpoints(e) {
                waiting_for[from.index()] += 1;
            }
        }
    }
    let mut ready: BinaryHeap<Reverse<u32>> =
        (0..n as u32).filter(|&i| waiting_for[i as usize] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(Reverse(i)) = ready.pop() {
        order.push(i);
        for e in graph.edges_directed(NodeIndex::new(i as usize), Direction::Incoming) {
            if follow(*e.weight()) {
                let dependent = petgraph::visit::EdgeRef::source(&e).index();
                waiting_for[dependent] -= 1;
                if waiting_for[dependent] == 0 {
                    ready.push(Reverse(dependent as u32));
                }
            }
        }
    }
    if order.len() == n {
        Ok(order)
    } else {
        Err(waiting_for.iter().map(|&w| w > 0).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_sort_as_strings_do() {
        // Long shared prefixes, short names, a 9-byte name, many of them.
        let mut names: Vec<String> =
            (0..3000).map(|i| format!("server-{}", i * 7919 % 3001)).collect();
        names.extend(
            ["", "a", "server-", "server-1\u{0}", "zz", "server-12345678"].map(String::from),
        );
        let sorted = sort_by_name(names.iter(), |n| n.as_str());
        let mut want: Vec<&String> = names.iter().collect();
        want.sort();
        assert_eq!(sorted, want);
        let mut keyed: Vec<(u64, u32)> =
            (0..2000u32).map(|i| ((i as u64 * 2_654_435_761) % 5000, i)).collect();
        let mut want = keyed.clone();
        want.sort_unstable();
        sort_by_key_bytes(&mut keyed);
        assert_eq!(
            keyed.iter().map(|k| k.0).collect::<Vec<_>>(),
            want.iter().map(|k| k.0).collect::<Vec<_>>()
        );
    }

    /// `requirements()` and `edges()` read the edge list in index order: edges must go
    /// in sorted, implicit ones interleaved with explicit ones.
    #[test]
    fn requirements_and_edges_come_sorted_with_implicit_edges_interleaved() {
        let nodes = vec![
            ResourceNode::new("a-sub", "OS::Neutron::Subnet", json!({"network": "n"})),
            ResourceNode::new("c-val", "OS::Heat::Value", json!({})),
            ResourceNode::new("b-port", "OS::Neutron::Port", json!({"network": "n"}))
                .with_depends_on(["c-val"]),
            ResourceNode::new("d-srv", "OS::Nova::Server", json!({"networks": [{"network": "n"}]}))
                .with_references(["c-val", "b-port"]),
        ];
        let graph = DependencyGraph::build(&nodes).unwrap();
        let mut sorted = graph.edges();
        sorted.sort_unstable();
        assert_eq!(graph.edges(), sorted);
        assert_eq!(graph.implicit_edges(), [["b-port", "a-sub"], ["d-srv", "a-sub"]]);
        for (name, requires) in graph.requirements() {
            assert_eq!(requires, graph.requires(name), "{name}");
        }
        assert_eq!(graph.requires("d-srv"), ["a-sub", "b-port", "c-val"]);
    }
}
