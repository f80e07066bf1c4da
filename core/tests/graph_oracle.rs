//! Implicit-edge corner cases beyond the corpus, checked against Heat itself: the
//! probe templates in `graph_probes/` (aliases, deprecated properties moved with
//! functions in them, string coercion, router and floating IP shapes, server networks,
//! VPC route tables) go through Heat 27's engine (`shared/tools/heat_oracle.py
//! --resolve`), and the graph rebuilt from Heat's resolved properties must give Heat's
//! implicit edges, edges and a creation order that respects them.

mod graph_support;

use std::path::Path;
use std::process::Command;

use graph_support::{graph_of_answer, oracle, owned, pairs};
use serde_json::Value;

#[test]
fn probe_templates_get_heats_implicit_edges() {
    let Some((python, script)) = oracle() else { return };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/graph_probes");
    let mut probes: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    probes.sort();
    assert!(probes.len() >= 7);
    let output = Command::new(python)
        .arg(script)
        .arg("--resolve")
        .args(&probes)
        .env("PYTHONHASHSEED", "0")
        .output()
        .unwrap();
    let answers: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(answers.len(), probes.len(), "{}", String::from_utf8_lossy(&output.stderr));

    let mut failures = Vec::new();
    let mut implicit_total = 0;
    for (probe, heat) in probes.iter().zip(&answers) {
        let name = probe.file_name().unwrap().to_string_lossy();
        assert_eq!(heat["errors"], Value::Array(vec![]), "Heat rejected {name}");
        let graph = graph_of_answer(heat, &[]);
        let implicit = pairs(&heat["implicit_edges"]);
        implicit_total += implicit.len();
        if owned(graph.implicit_edges()) != implicit {
            failures
                .push(format!("{name}: ours {:?}\n  Heat {implicit:?}", graph.implicit_edges()));
        }
        if owned(graph.edges()) != pairs(&heat["edges"]) {
            failures.push(format!("{name}: edges differ"));
        }
    }
    println!("graph probes: {} templates, {implicit_total} implicit edges", probes.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
