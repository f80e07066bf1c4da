//! Every input the fuzzers once crashed on (fuzz/regressions/<target>/), replayed through
//! the same checks as the fuzz target on every `cargo test`, so a fixed bug stays fixed
//! without libFuzzer. docs/reliability.md lists what each one found.

use std::path::PathBuf;

use heat_sync::plan::{ServerPlan, StackPlan};

fn regressions(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| (p.display().to_string(), std::fs::read(p).unwrap())).collect()
}

#[test]
fn plan_file_inputs_round_trip() {
    let inputs = regressions("plan_file");
    assert!(!inputs.is_empty());
    for (name, bytes) in inputs {
        let text = String::from_utf8(bytes).unwrap();
        if let Ok(plan) = ServerPlan::from_json(&name, &text) {
            assert_eq!(ServerPlan::from_json("again", &plan.to_json()).unwrap(), plan, "{name}");
        }
        if let Ok(plan) = StackPlan::from_json(&name, &text) {
            assert_eq!(StackPlan::from_json("again", &plan.to_json()).unwrap(), plan, "{name}");
        }
    }
}

/// The smallest form of the first finding: a number whose shortest printed form parsed
/// back to a different f64 (serde_json without `float_roundtrip`), so a static input
/// could change between the compiled plan and the agent.
#[test]
fn static_numbers_survive_a_plan_round_trip() {
    let n: f64 = "8087777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777777999999999999999999999999999999999999999999999999999999999999999999999999999999777777777777777777777777.5".parse().unwrap();
    let text = serde_json::to_string(&serde_json::json!(n)).unwrap();
    let back: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(back.as_f64(), Some(n), "{text}");
}

/// Template fuzzing found: a YAML 1.1 sexagesimal integer (`4444...:4`) whose value
/// passes i128 makes `template/yaml.rs` `int_value` overflow (`value * 60 + part`): a
/// panic in debug builds, a silently wrapped wrong number in release builds. PyYAML reads
/// it as a big int; this crate's own rule for ints past u64 is an f64.
#[test]
fn a_long_sexagesimal_int_is_read_without_overflow() {
    for (name, bytes) in regressions("template") {
        let text = String::from_utf8(bytes).unwrap();
        let _ = heat_sync::template::parse_text(&text, &name);
    }
    let big = "4444444444444444444444444444444444444";
    let text = format!("heat_template_version: 2016-10-14\na: {big}:4\n");
    let map = heat_sync::template::parse_text(&text, "t.yaml").unwrap();
    let expected = big.parse::<f64>().unwrap() * 60.0 + 4.0;
    let got = map["a"].as_f64().expect("a number");
    assert!((got - expected).abs() <= expected * 1e-12, "read {got}, PyYAML reads {expected}");
}
