//! Heat's dependency graph (`DependencyGraph::build`) over any set of nodes: a graph or a
//! `GraphError`, never a panic; an accepted graph's creation order lists every resource
//! once and respects every edge, and both renderings complete.
//!
//! Input: a JSON array of `{"name", "type", "depends_on", "references", "properties"}`
//! (the shape of `resolved.resources` in shared/corpus/expected, which seeds it).
#![no_main]

use std::collections::HashMap;

use heat_sync::graph::{render, DependencyGraph, ResourceNode};
use heat_sync::Value;
use libfuzzer_sys::fuzz_target;

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(|s| s.as_str().map(String::from)).collect(),
        _ => Vec::new(),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(data) else { return };
    let nodes: Vec<ResourceNode> = items
        .iter()
        .take(200)
        .map(|item| {
            let text = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default();
            ResourceNode::new(
                text("name"),
                text("type"),
                item.get("properties").cloned().unwrap_or(Value::Null),
            )
            .with_depends_on(strings(item.get("depends_on")))
            .with_references(strings(item.get("references")))
        })
        .collect();
    let Ok(graph) = DependencyGraph::build(&nodes) else { return };
    let order = graph.creation_order();
    assert_eq!(order.len(), graph.resources().len());
    let position: HashMap<&str, usize> = order.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    assert_eq!(position.len(), order.len(), "a resource appears twice in the creation order");
    for [dependent, dependency] in graph.edges() {
        assert!(position[dependency] < position[dependent], "{dependent} before {dependency}");
    }
    let _ = render::to_dot(&graph);
    let _ = render::dependency_diagram(&graph).to_svg_builtin();
});
