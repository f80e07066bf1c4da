//! Parity of the dependency graph with Heat on `shared/corpus`, without the template
//! parser: for every template Heat accepts, the nodes are rebuilt from Heat's own
//! answer (types from `resources`, explicit requirements from the edges that are not
//! implicit, properties from `resolved`), and the graph must give back Heat's implicit
//! edges, every edge, and the corpus creation order.

mod graph_support;

use std::path::Path;

use graph_support::{nodes_from_answer, owned, pairs, shared_dir};
use heat_sync::graph::{DependencyGraph, GraphError, ResourceNode};
use serde_json::Value;

/// The `My::Type: OS::Neutron::Subnet` aliases of the `-e` files in `args`.
fn registry_aliases(corpus: &Path, args: &str) -> Vec<(String, String)> {
    let words: Vec<&str> = args.split_whitespace().collect();
    let mut aliases = Vec::new();
    for pair in words.windows(2).filter(|w| w[0] == "-e") {
        let text = std::fs::read_to_string(corpus.join(pair[1])).unwrap();
        let env: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        if let Some(registry) = env.get("resource_registry").and_then(|r| r.as_mapping()) {
            for (from, to) in registry {
                if let (Some(from), Some(to)) = (from.as_str(), to.as_str()) {
                    aliases.push((from.to_string(), to.to_string()));
                }
            }
        }
    }
    aliases
}

#[derive(Default)]
struct Tally {
    templates: usize,
    implicit_templates: usize,
    implicit_edges: usize,
    implicit_matched: usize,
    edges: usize,
    order_matched: usize,
    failures: Vec<String>,
}

fn check(corpus: &Path, template: &str, args: &str, tally: &mut Tally) {
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(corpus.join(format!("expected/{template}.json"))).unwrap(),
    )
    .unwrap();
    let aliases = registry_aliases(corpus, args);
    let edges = pairs(&expected["edges"]);
    let implicit = pairs(&expected["implicit_edges"]);
    let nodes = nodes_from_answer(&expected, &aliases);
    tally.templates += 1;
    tally.edges += edges.len();
    if !implicit.is_empty() {
        tally.implicit_templates += 1;
        tally.implicit_edges += implicit.len();
    }
    let graph = match DependencyGraph::build(&nodes) {
        Ok(graph) => graph,
        Err(e) => {
            tally.failures.push(format!("{template}: {e}"));
            return;
        }
    };
    let got_implicit = owned(graph.implicit_edges());
    tally.implicit_matched += implicit.iter().filter(|e| got_implicit.contains(e)).count();
    if got_implicit != implicit {
        tally
            .failures
            .push(format!("{template}: implicit edges {got_implicit:?}, Heat {implicit:?}"));
    }
    let got_edges = owned(graph.edges());
    if got_edges != edges {
        tally.failures.push(format!("{template}: edges differ"));
    }
    let order = graph.creation_order();
    let position = |name: &str| order.iter().position(|n| *n == name).unwrap();
    if let Some([a, b]) = edges.iter().find(|[a, b]| position(a) < position(b)) {
        tally.failures.push(format!("{template}: {a} created before {b}, which it requires"));
    }
    let expected_order: Vec<&str> = expected["creation_order"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    if order == expected_order {
        tally.order_matched += 1;
    } else {
        tally
            .failures
            .push(format!("{template}: creation order {order:?}, corpus {expected_order:?}"));
    }
}

#[test]
fn implicit_edges_and_creation_order_match_heat() {
    let Some(shared) = shared_dir("corpus/index.tsv") else { return };
    let corpus = shared.join("corpus");
    let index = std::fs::read_to_string(corpus.join("index.tsv")).unwrap();
    let mut tally = Tally::default();
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols[2] == "ok" {
            check(&corpus, cols[0], cols[1], &mut tally);
        }
    }
    println!(
        "graph parity: {} accepted templates, {} edges; implicit edges {}/{} in {} templates; creation order {}/{}",
        tally.templates,
        tally.edges,
        tally.implicit_matched,
        tally.implicit_edges,
        tally.implicit_templates,
        tally.order_matched,
        tally.templates
    );
    assert!(
        tally.failures.is_empty(),
        "{} differences:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    // The corpus README's counts: 76 implicit edges in 13 templates, 338 accepted.
    assert_eq!((tally.templates, tally.implicit_edges, tally.implicit_templates), (338, 76, 13));
}

#[test]
fn cycles_name_their_resources() {
    let nodes = [
        ResourceNode::new("a", "OS::Heat::None", Value::Null).with_depends_on(["b"]),
        ResourceNode::new("b", "OS::Heat::None", Value::Null).with_references(["c"]),
        ResourceNode::new("c", "OS::Heat::None", Value::Null).with_depends_on(["a"]),
        ResourceNode::new("d", "OS::Heat::None", Value::Null).with_depends_on(["a"]),
    ];
    let err = DependencyGraph::build(&nodes).unwrap_err();
    assert_eq!(err, GraphError::Cycle { resources: vec!["a".into(), "b".into(), "c".into()] });
    assert_eq!(err.to_string(), "Circular Dependency Found: a -> b -> c -> a");
    let self_loop = [ResourceNode::new("a", "OS::Heat::None", Value::Null).with_depends_on(["a"])];
    assert_eq!(
        DependencyGraph::build(&self_loop).unwrap_err(),
        GraphError::Cycle { resources: vec!["a".into()] }
    );
}
