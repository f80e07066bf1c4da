//! The benchmarks' generated templates are ones Heat accepts, and Heat's own graph of
//! them is the one `resource_nodes` gives the graph module (checked with Heat 27's
//! engine through `shared/tools/heat_oracle.py`).

use std::path::{Path, PathBuf};
use std::process::Command;

use heat_sync::graph::DependencyGraph;
use heat_sync_benches::{resource_nodes, template_yaml};
use serde_json::Value;

/// The oracle script and the Heat virtualenv's interpreter, or None (skip) outside CI.
fn oracle() -> Option<(PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let shared = std::env::var_os("HEAT_SYNC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared"));
    let script = shared.join("tools/heat_oracle.py");
    let python = root.join(".venv-heat/bin/python");
    if script.is_file() && python.is_file() {
        return Some((python, script));
    }
    let why = format!("needs {} and {} (scripts/install-deps)", script.display(), python.display());
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("skipped: {why}");
    None
}

fn pairs(value: &Value) -> Vec<[String; 2]> {
    serde_json::from_value(value.clone()).unwrap()
}

#[test]
fn heat_accepts_the_generated_template_with_the_same_graph() {
    let Some((python, script)) = oracle() else { return };
    let n = 120;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("generated.yaml");
    std::fs::write(&path, template_yaml(n)).unwrap();
    let output =
        Command::new(python).arg(script).arg(&path).env("PYTHONHASHSEED", "0").output().unwrap();
    let heat: Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    assert_eq!(heat["errors"], Value::Array(vec![]), "Heat rejected the generated template");

    let graph = DependencyGraph::build(&resource_nodes(n)).unwrap();
    let ours = |edges: Vec<[&str; 2]>| {
        edges.iter().map(|[a, b]| [a.to_string(), b.to_string()]).collect::<Vec<_>>()
    };
    let mut heat_edges = pairs(&heat["edges"]);
    heat_edges.sort();
    assert_eq!(ours(graph.edges()), heat_edges);
    let mut heat_implicit = pairs(&heat["implicit_edges"]);
    heat_implicit.sort();
    assert!(!heat_implicit.is_empty());
    assert_eq!(ours(graph.implicit_edges()), heat_implicit);
}
