//! Shared by the graph tests: finding `shared/` and Heat's oracle, and rebuilding the
//! graph's input from a Heat answer (the corpus `expected/*.json` shape).

#![allow(dead_code)] // each test crate uses part of this

use std::path::{Path, PathBuf};

use heat_sync::graph::{DependencyGraph, ResourceNode};
use serde_json::Value;

/// `HEAT_SYNC_SHARED`, else `../shared` from the repository root, when `needed` exists
/// in it; None (the caller skips) when missing outside CI, a panic under `CI=true`.
pub fn shared_dir(needed: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("HEAT_SYNC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared"));
    if dir.join(needed).exists() {
        return Some(dir);
    }
    skip_or_fail(&format!("{} not found in {} (set HEAT_SYNC_SHARED)", needed, dir.display()))
}

/// The Heat virtualenv's interpreter and the oracle script, or None (skip).
pub fn oracle() -> Option<(PathBuf, PathBuf)> {
    let shared = shared_dir("tools/heat_oracle.py")?;
    let python = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.venv-heat/bin/python");
    if python.is_file() {
        return Some((python, shared.join("tools/heat_oracle.py")));
    }
    skip_or_fail(&format!("{} missing (scripts/install-deps)", python.display()))
}

fn skip_or_fail<T>(why: &str) -> Option<T> {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{why}");
    }
    eprintln!("skipped: {why}");
    None
}

/// `[[a, b], ...]` as pairs.
pub fn pairs(value: &Value) -> Vec<[String; 2]> {
    serde_json::from_value(value.clone()).unwrap()
}

/// Owned pairs of a graph's edge list.
pub fn owned(edges: Vec<[&str; 2]>) -> Vec<[String; 2]> {
    edges.into_iter().map(|[a, b]| [a.to_string(), b.to_string()]).collect()
}

/// The nodes Heat's answer describes: each resource's type (through `aliases`, the
/// environment's resource_registry), its explicit requirements (the edges Heat did not
/// mark implicit) and its resolved properties.
pub fn nodes_from_answer(answer: &Value, aliases: &[(String, String)]) -> Vec<ResourceNode> {
    let edges = pairs(&answer["edges"]);
    let implicit = pairs(&answer["implicit_edges"]);
    answer["resources"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, r)| {
            let written = r["type"].as_str().unwrap();
            let ty = aliases
                .iter()
                .find(|(from, _)| from == written)
                .map_or(written, |(_, to)| to.as_str());
            let references = edges
                .iter()
                .filter(|[from, _]| from == name)
                .filter(|edge| !implicit.contains(edge))
                .map(|[_, to]| to.clone());
            let properties = answer["resolved"]["resources"][name]["properties"].clone();
            ResourceNode::new(name.clone(), ty, properties).with_references(references)
        })
        .collect()
}

/// The graph of Heat's answer, rebuilt by the graph module.
pub fn graph_of_answer(answer: &Value, aliases: &[(String, String)]) -> DependencyGraph {
    DependencyGraph::build(&nodes_from_answer(answer, aliases)).unwrap()
}
