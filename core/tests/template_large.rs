//! Large templates: the resource definitions of a big resources section are read on
//! two threads (core/src/stack/resources.rs). What the analysis finds must not depend
//! on it: every definition in template order, and the first error in template order.

use heat_sync::stack::{analyse_with, Analysis, Inputs, Options};

/// A template of `n` resources in an order that is not name order; `bad` maps a
/// resource number to an extra line of its definition.
fn template(n: usize, bad: &[(usize, &str)]) -> String {
    let mut t = String::from("heat_template_version: 2018-08-31\nresources:\n");
    for i in (0..n).rev() {
        t.push_str(&format!("  v{i}:\n    type: OS::Heat::Value\n"));
        t.push_str(&format!("    properties: {{value: {{get_attr: [v{}, value]}}}}\n", i + 1));
        if let Some((_, line)) = bad.iter().find(|(b, _)| *b == i) {
            t.push_str(&format!("    {line}\n"));
        }
    }
    // The last one's reference: a resource at the end of the section.
    t.push_str(&format!("  v{n}:\n    type: OS::Heat::Value\n"));
    t
}

/// The analysis without Heat's limits on resources and template size (a stack this
/// large needs them raised in Heat's configuration too).
fn analyse(text: String) -> Analysis {
    let inputs = Inputs { template_name: "large.yaml".into(), template: text, ..Inputs::default() };
    let options = Options { max_resources: None, max_template_size: None, ..Options::default() };
    analyse_with(&inputs, &options)
}

#[test]
fn every_definition_is_read_in_template_order() {
    let n = 3_000;
    let a = analyse(template(n, &[]));
    assert!(a.errors.is_empty(), "{:?}", a.errors);
    let names: Vec<&str> = a.resources.iter().map(|d| d.name.as_str()).collect();
    let expected: Vec<String> =
        (0..n).rev().map(|i| format!("v{i}")).chain([format!("v{n}")]).collect();
    assert_eq!(names, expected);
    // Each resource requires the next one: the creation order is the reverse chain.
    let order = a.graph.as_ref().expect("a graph").creation_order();
    assert_eq!(order.first().map(|s| s.as_ref()), Some(format!("v{n}").as_str()));
    assert_eq!(order.len(), n + 1);
}

#[test]
fn the_first_error_in_template_order_is_reported() {
    let n = 2_000;
    // Template order runs from v1999 down to v0: v1500 is in the first half, v10 in
    // the second.
    let early = (1_500, "depends_on: {a: 1}");
    let late = (10, "description: [not, a, string]");
    let both = analyse(template(n, &[early, late]));
    assert_eq!(both.errors, ["Resource v1500 depends_on type must be list or string"]);
    let late_only = analyse(template(n, &[late]));
    assert_eq!(late_only.errors, ["Resource v10 description type must be string"]);
    // Finding references, after the definitions are read.
    let early = (1_500, "depends_on: [nowhere]");
    let late = (10, "depends_on: [elsewhere]");
    let both = analyse(template(n, &[early, late]));
    assert_eq!(both.errors, ["The specified reference \"nowhere\" (in v1500) is incorrect."]);
    let late_only = analyse(template(n, &[late]));
    assert_eq!(late_only.errors, ["The specified reference \"elsewhere\" (in v10) is incorrect."]);
}
