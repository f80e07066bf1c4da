//! The data-flow graph at role granularity: role order on each server, plus one edge per
//! value from producer role to consumer role. A cycle is a cross-VM deadlock.

use std::collections::{BTreeMap, VecDeque};

use petgraph::graph::{DiGraph, NodeIndex};
use serde::Serialize;

use super::analysis::{Analysis, Resolved};
use super::problem::{Code, Problem};
use crate::graph::render::{Diagram, DiagramEdge, DiagramNode};
use crate::Value;

/// Why one role waits for another.
#[derive(Debug, Clone, PartialEq)]
enum Wait {
    /// The consumer reads `value` published by the producer (at `place`).
    Value { value: String, place: String },
    /// The role runs after the previous role of its server.
    Order { place: String },
}

/// The graph of who waits for whom: an edge goes from the waiting role to the role it
/// waits for.
struct Waits {
    graph: DiGraph<String, Wait>,
    places: Vec<String>,
}

fn waits(a: &Analysis) -> Waits {
    let mut graph = DiGraph::new();
    let mut places = Vec::new();
    let mut ids: Vec<Vec<NodeIndex>> = Vec::new();
    for c in &a.servers {
        ids.push(
            c.roles
                .iter()
                .map(|r| {
                    places.push(r.place.clone());
                    graph.add_node(format!("{}/{}", c.resource, r.name))
                })
                .collect(),
        );
    }
    for (si, c) in a.servers.iter().enumerate() {
        for (ri, role) in c.roles.iter().enumerate() {
            if ri > 0 {
                graph.add_edge(
                    ids[si][ri],
                    ids[si][ri - 1],
                    Wait::Order { place: role.place.clone() },
                );
            }
            for (ii, r) in a.resolved[si][ri].iter().enumerate() {
                for r in r.waits() {
                    let (server, member, output) = match r {
                        Resolved::Wait { server, member, output } => {
                            (*server, member.as_deref(), output)
                        }
                        Resolved::Gather { server, output } => (*server, None, output),
                        _ => continue,
                    };
                    let producer = &a.servers[server];
                    let Some(pi) = producer
                        .roles
                        .iter()
                        .position(|p| p.outputs.iter().any(|o| &o.name == output))
                    else {
                        continue; // agent-published: never waits for a role
                    };
                    let value = match member {
                        Some(m) => format!("{}.{m}.{output}", producer.resource),
                        None => format!("{}.{output}", producer.resource),
                    };
                    let place = role.inputs[ii].place.clone();
                    graph.add_edge(ids[si][ri], ids[server][pi], Wait::Value { value, place });
                }
            }
        }
    }
    Waits { graph, places }
}

/// One problem per deadlock (strongly connected set of roles), printed hop by hop from
/// the first role in template order:
/// `web/wordpress waits for db.db_host from db/mysql, which waits for web.url from web/wordpress`.
pub fn deadlocks(a: &Analysis) -> Vec<Problem> {
    let w = waits(a);
    let g = &w.graph;
    let mut problems = Vec::new();
    for scc in petgraph::algo::tarjan_scc(g) {
        let start = *scc.iter().min().expect("an SCC has a node");
        let self_loop = g.contains_edge(start, start);
        if scc.len() < 2 && !self_loop {
            continue;
        }
        // Shortest way back to `start` inside the SCC (breadth first).
        let mut prev: BTreeMap<NodeIndex, (NodeIndex, petgraph::graph::EdgeIndex)> =
            BTreeMap::new();
        let mut queue = VecDeque::from([start]);
        let mut closing = None;
        'search: while let Some(n) = queue.pop_front() {
            for e in g.edges(n) {
                use petgraph::visit::EdgeRef;
                let t = e.target();
                if !scc.contains(&t) {
                    continue;
                }
                if t == start {
                    closing = Some((n, e.id()));
                    break 'search;
                }
                if let std::collections::btree_map::Entry::Vacant(v) = prev.entry(t) {
                    v.insert((n, e.id()));
                    queue.push_back(t);
                }
            }
        }
        let Some((last, last_edge)) = closing else { continue };
        let mut hops = vec![last_edge];
        let mut n = last;
        while n != start {
            let (p, e) = prev[&n];
            hops.push(e);
            n = p;
        }
        hops.reverse();
        let mut message = String::new();
        let mut place = None;
        for (k, e) in hops.iter().enumerate() {
            let (from, to) = g.edge_endpoints(*e).expect("edge exists");
            if k == 0 {
                message.push_str(&g[from]);
            } else {
                message.push_str(", which");
            }
            match &g[*e] {
                Wait::Value { value, place: p } => {
                    message.push_str(&format!(" waits for {value} from {}", g[to]));
                    place.get_or_insert_with(|| p.clone());
                }
                Wait::Order { place: p } => {
                    message.push_str(&format!(" runs after {}", g[to]));
                    place.get_or_insert_with(|| p.clone());
                }
            }
        }
        let place = place.unwrap_or_else(|| w.places[start.index()].clone());
        problems.push(Problem::error(Code::Deadlock, &place, format!("deadlock: {message}")));
    }
    problems
}

/// One role of the data-flow graph (JSON).
#[derive(Debug, Clone, Serialize)]
pub struct RoleNode {
    /// `server/role`.
    pub id: String,
    /// The resource (the group, for a member definition).
    pub server: String,
    /// The role name.
    pub role: String,
    /// `chef` or `script`.
    pub tool: crate::plan::Tool,
    /// The group type, for a member definition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<&'static str>,
}

/// One edge of the data-flow graph (JSON): from the producer to the consumer, or from
/// a role to the next role of its server.
#[derive(Debug, Clone, Serialize)]
pub struct FlowEdge {
    /// The producing (or earlier) role.
    pub from: String,
    /// The consuming (or later) role.
    pub to: String,
    /// `value`, `gather` or `order`.
    pub kind: &'static str,
    /// The value carried (`db.db_host`), for value and gather edges.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// One classified input (JSON): `{place, class, source}` plus the role and path.
#[derive(Debug, Clone, Serialize)]
pub struct FlowInput {
    /// The input's place.
    pub place: String,
    /// `static`, `heat` or `runtime`.
    pub class: &'static str,
    /// Where the value comes from: the value (`******` when secret), the Heat
    /// expression, or `db.db_host from db/mysql`.
    pub source: Value,
    /// The consuming role, `server/role`.
    pub role: String,
    /// The node attribute path.
    pub path: Vec<String>,
}

/// The data-flow graph: `{roles, edges, inputs}` (contracts.md).
#[derive(Debug, Clone, Serialize)]
pub struct FlowGraph {
    /// Every role, servers in template order, roles in run order.
    pub roles: Vec<RoleNode>,
    /// Every edge.
    pub edges: Vec<FlowEdge>,
    /// Every input, classified.
    pub inputs: Vec<FlowInput>,
}

/// Builds the data-flow graph of an analysis.
pub fn flow_graph(a: &Analysis) -> FlowGraph {
    let mut roles = Vec::new();
    let mut edges = Vec::new();
    let mut inputs = Vec::new();
    for (si, c) in a.servers.iter().enumerate() {
        for (ri, role) in c.roles.iter().enumerate() {
            let id = format!("{}/{}", c.resource, role.name);
            roles.push(RoleNode {
                id: id.clone(),
                server: c.resource.clone(),
                role: role.name.clone(),
                tool: c.tool,
                group: c.group.as_ref().map(|g| g.kind.type_name()),
            });
            if ri > 0 {
                edges.push(FlowEdge {
                    from: format!("{}/{}", c.resource, c.roles[ri - 1].name),
                    to: id.clone(),
                    kind: "order",
                    value: None,
                });
            }
            for (input, r) in role.inputs.iter().zip(&a.resolved[si][ri]) {
                let source = match r {
                    // The expression as written, and every value it waits for.
                    Resolved::Expression { .. } => serde_json::json!({
                        "expression": input.expr,
                        "from": r.waits().into_iter().map(|w| describe(a, w)).collect::<Vec<_>>(),
                    }),
                    _ => describe(a, r),
                };
                for w in r.waits() {
                    let (Resolved::Wait { server, output, .. }
                    | Resolved::Gather { server, output }) = w
                    else {
                        continue;
                    };
                    if let Some(p) = a.producer_role(*server, output) {
                        edges.push(FlowEdge {
                            from: format!("{}/{p}", a.servers[*server].resource),
                            to: id.clone(),
                            kind: if matches!(w, Resolved::Gather { .. }) {
                                "gather"
                            } else {
                                "value"
                            },
                            value: describe(a, w)
                                .as_str()
                                .and_then(|s| s.split(' ').next())
                                .map(String::from),
                        });
                    }
                }
                inputs.push(FlowInput {
                    place: input.place.clone(),
                    class: r.class(),
                    source,
                    role: id.clone(),
                    path: input.path.clone(),
                });
            }
        }
    }
    FlowGraph { roles, edges, inputs }
}

fn describe(a: &Analysis, r: &Resolved) -> Value {
    match r {
        Resolved::Static { value, .. } => value.clone(),
        Resolved::Heat { expr, .. } => expr.clone(),
        Resolved::Wait { server, member, output } => {
            let c = &a.servers[*server];
            let key = match member {
                Some(m) => format!("{}.{m}.{output}", c.resource),
                None => format!("{}.{output}", c.resource),
            };
            let from = match a.producer_role(*server, output) {
                Some(p) => format!("{}/{p}", c.resource),
                None => format!("{} (agent)", c.resource),
            };
            Value::String(format!("{key} from {from}"))
        }
        Resolved::Gather { server, output } => {
            let c = &a.servers[*server];
            let from = a.producer_role(*server, output).map_or("agent".to_string(), String::from);
            Value::String(format!("{}.{output} from every {}/{from}", c.resource, c.resource))
        }
        Resolved::Expression { expr, .. } => expr.clone(),
    }
}

impl FlowGraph {
    /// The graph as a diagram (for DOT and SVG): roles as boxes, arrows from producer to
    /// consumer labelled with the value, role order dashed.
    pub fn diagram(&self) -> Diagram {
        let nodes = self
            .roles
            .iter()
            .map(|r| {
                let mut lines = vec![r.id.clone()];
                let classes: Vec<String> = ["static", "heat", "runtime"]
                    .iter()
                    .map(|c| {
                        (c, self.inputs.iter().filter(|i| i.role == r.id && i.class == *c).count())
                    })
                    .filter(|(_, n)| *n > 0)
                    .map(|(c, n)| format!("{n} {c}"))
                    .collect();
                if !classes.is_empty() {
                    lines.push(format!("inputs: {}", classes.join(", ")));
                }
                DiagramNode { id: r.id.clone(), lines }
            })
            .collect();
        let edges = self
            .edges
            .iter()
            .map(|e| DiagramEdge {
                from: e.from.clone(),
                to: e.to.clone(),
                label: e.value.clone(),
                dashed: e.kind == "order",
            })
            .collect();
        Diagram { name: "dataflow".into(), nodes, edges }
    }
}
