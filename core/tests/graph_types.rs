//! The graph's type tables are Heat's: checked against `shared/heat/resource-types.json`.

mod graph_support;

use heat_sync::graph::types::{
    ADD_DEPENDENCIES_OVERRIDDEN, REFERENCE_ID_LITERAL_NONE, REFERENCE_ID_NONE,
};
use serde_json::Value;

#[test]
fn type_tables_match_heat() {
    let Some(shared) = graph_support::shared_dir("heat/resource-types.json") else { return };
    let text = std::fs::read_to_string(shared.join("heat/resource-types.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let types = doc["resource_types"].as_object().unwrap();
    let with_reference = |want: &Value| -> Vec<&str> {
        let mut names: Vec<&str> = types
            .iter()
            .filter(|(_, t)| &t["reference_id_before_create"] == want)
            .map(|(name, _)| name.as_str())
            .collect();
        names.sort_unstable();
        names
    };
    assert_eq!(with_reference(&Value::Null), REFERENCE_ID_NONE);
    assert_eq!(with_reference(&Value::from("None")), REFERENCE_ID_LITERAL_NONE);
    let others: Vec<&Value> = types
        .values()
        .map(|t| &t["reference_id_before_create"])
        .filter(|r| !r.is_null() && *r != "None")
        .collect();
    assert!(
        others.iter().all(|r| *r == "$name"),
        "a reference id the graph does not model: {others:?}"
    );
    let overridden: Vec<&str> = doc["counts"]["add_dependencies_overridden"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(overridden, ADD_DEPENDENCIES_OVERRIDDEN);
}
