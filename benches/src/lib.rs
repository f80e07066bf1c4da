//! Inputs shared by the benchmarks: generated Heat templates of any size.
//!
//! Resource `r{i}` references about three earlier resources: one through
//! `get_resource`, one through `get_attr`, one through `depends_on` (the first three
//! resources reference fewer). Types rotate through Subnet, Port, Server and two
//! OS::Heat::Value, so Heat's implicit-dependency rules have work to do: Ports and
//! Servers depend on the Subnets of their network. The Subnets of every 20 resources
//! share a network, and the Ports and Servers of the next 20 use it, which keeps the
//! implicit edges linear in N, as in real templates, and pointing backwards (a Port
//! referencing a later Subnet of its own network would be a cycle for Heat too).

use heat_sync::graph::ResourceNode;

mod coordinated;
pub use coordinated::coordinated_template;

/// The benchmarks run with the allocator of the `heat-sync` command (core/src/main.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use serde_json::{json, Value};

/// One generated resource.
struct Spec {
    name: String,
    resource_type: &'static str,
    network: String,
    get_resource: Option<usize>,
    get_attr: Option<usize>,
    depends_on: Option<usize>,
}

/// A deterministic spread of earlier indices (a small LCG), so references are not all
/// to the immediate neighbours.
fn earlier(i: usize, salt: usize) -> usize {
    (i.wrapping_mul(2_654_435_761).wrapping_add(salt * 40_503) >> 7) % i
}

fn specs(n: usize) -> Vec<Spec> {
    (0..n)
        .map(|i| Spec {
            name: format!("r{i}"),
            resource_type: match i % 5 {
                0 => "OS::Neutron::Subnet",
                1 => "OS::Neutron::Port",
                2 => "OS::Nova::Server",
                _ => "OS::Heat::Value",
            },
            network: match (i % 5, i / 20) {
                (0, block) => format!("net-{block}"),
                (_, 0) => "external".to_string(),
                (_, block) => format!("net-{}", block - 1),
            },
            get_resource: (i >= 1).then(|| i - 1),
            get_attr: (i >= 2).then(|| earlier(i, 1)),
            depends_on: (i >= 3).then(|| earlier(i, 2)),
        })
        .collect()
}

/// The type-specific properties of `spec`, with the `get_resource` reference in them,
/// in resolved form (the corpus `resolved` shape).
fn properties(spec: &Spec) -> Value {
    let reference =
        spec.get_resource.map_or(Value::Null, |j| json!({"get_resource": format!("r{j}")}));
    match spec.resource_type {
        "OS::Neutron::Subnet" => {
            json!({"network": spec.network, "cidr": "10.0.0.0/24", "name": reference})
        }
        "OS::Neutron::Port" => json!({"network": spec.network, "name": reference}),
        "OS::Nova::Server" => {
            json!({"flavor": "m1.small", "image": "debian-12", "name": reference, "networks": [{"network": spec.network}]})
        }
        _ => json!({"value": reference}),
    }
}

/// The graph's input for an `n`-resource template, as the template core would build it.
pub fn resource_nodes(n: usize) -> Vec<ResourceNode> {
    specs(n)
        .iter()
        .map(|s| {
            let references = s.get_resource.iter().chain(&s.get_attr).map(|j| format!("r{j}"));
            ResourceNode::new(s.name.clone(), s.resource_type, properties(s))
                .with_references(references)
                .with_depends_on(s.depends_on.map(|j| format!("r{j}")))
        })
        .collect()
}

/// An `n`-resource HOT template (YAML text) with the same graph as [`resource_nodes`].
pub fn template_yaml(n: usize) -> String {
    let mut out = String::from("heat_template_version: 2018-08-31\ndescription: generated benchmark template\nresources:\n");
    for s in specs(n) {
        out.push_str(&format!("  {}:\n    type: {}\n", s.name, s.resource_type));
        if let Some(j) = s.depends_on {
            out.push_str(&format!("    depends_on: [r{j}]\n"));
        }
        if let Some(j) = s.get_attr {
            out.push_str(&format!("    metadata:\n      peer: {{get_attr: [r{j}, show]}}\n"));
        }
        let properties = serde_json::to_string(&properties(&s)).expect("JSON is valid YAML flow");
        out.push_str(&format!("    properties: {properties}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_resource_references_about_three_earlier_ones() {
        let nodes = resource_nodes(1000);
        for (i, node) in nodes.iter().enumerate().skip(3) {
            let targets: Vec<usize> = node
                .references
                .iter()
                .chain(&node.depends_on)
                .map(|r| r[1..].parse().unwrap())
                .collect();
            assert_eq!(targets.len(), 3);
            assert!(targets.iter().all(|&j| j < i), "{}: {targets:?}", node.name);
        }
        let graph = heat_sync::graph::DependencyGraph::build(&nodes).unwrap();
        assert!(!graph.implicit_edges().is_empty());
        assert!(graph.edges().len() < 6 * nodes.len());
    }
}
