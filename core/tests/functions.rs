//! One test per intrinsic function: static evaluation through the public API
//! (`stack::analyse` + `Analysis::resolve_value`), with Heat 27's results and errors.

use heat_sync::stack::{analyse, Analysis, Inputs};
use serde_json::{json, Value};

/// Analyses a template of `version` with `params` (a YAML parameters section) and one
/// resource, plus `extra` YAML appended at the top level.
fn stack(version: &str, params: &str, extra: &str) -> Analysis {
    let key = if version == "2010-09-09" {
        "AWSTemplateFormatVersion"
    } else if version == "2012-12-12" {
        "HeatTemplateFormatVersion"
    } else {
        "heat_template_version"
    };
    let (res, ty, pkey) = if key == "heat_template_version" {
        ("resources", "type", "parameters")
    } else {
        ("Resources", "Type", "Parameters")
    };
    let text = format!(
        "{key}: {version}\n{pkey}:\n  dummy: {dummy}\n{params}\n{res}:\n  srv: {{{ty}: OS::Nova::Server}}\n  none: {{{ty}: OS::Heat::None}}\n{extra}\n",
        dummy = if key == "heat_template_version" { "{type: string, default: x}" } else { "{Type: String, Default: x}" },
    );
    let mut inputs = Inputs { template_name: "t.yaml".into(), template: text, ..Inputs::default() };
    inputs.files.insert("hello.txt".into(), "hello world".into());
    let a = analyse(&inputs);
    assert!(a.is_ok(), "{:?}", a.errors);
    a
}

fn eval_in(a: &Analysis, snippet: &str) -> Value {
    let raw: Value = serde_yaml::from_str(snippet).expect("test snippet is YAML");
    a.resolve_value(&raw, "test").expect("parses")
}

fn hot(snippet: &str) -> Value {
    eval_in(&stack("2021-04-16", "  p: {type: string, default: abc}\n  n: {type: number, default: 5}\n  l: {type: comma_delimited_list, default: 'a,b,c'}\n  j: {type: json, default: {k: {x: [1, 2]}}}", ""), snippet)
}

fn cfn(snippet: &str) -> Value {
    eval_in(
        &stack(
            "2010-09-09",
            "  P: {Type: String, Default: abc}",
            "Mappings:\n  M: {k1: {k2: found}}",
        ),
        snippet,
    )
}

fn error_of(v: &Value) -> String {
    v.get("__error__").and_then(Value::as_str).unwrap_or_default().to_string()
}

#[test]
fn get_param() {
    assert_eq!(hot("{get_param: p}"), json!("abc"));
    assert_eq!(hot("{get_param: n}"), json!(5));
    assert_eq!(hot("{get_param: l}"), json!(["a", "b", "c"]));
    assert_eq!(hot("{get_param: [j, k, x, 1]}"), json!(2));
    assert_eq!(hot("{get_param: [j, nope]}"), json!(""));
    assert_eq!(hot("{get_param: OS::stack_name}"), json!("oracle"));
    assert_eq!(hot("{get_param: OS::stack_id}"), json!({"get_param": "OS::stack_id"}));
    assert!(error_of(&hot("{get_param: missing}"))
        .starts_with("UserParameterMissing: The Parameter (missing)"));
}

#[test]
fn get_resource_and_get_attr_stay_symbolic() {
    assert_eq!(hot("{get_resource: srv}"), json!({"get_resource": "srv"}));
    assert_eq!(
        hot("{get_attr: [srv, first_address]}"),
        json!({"get_attr": ["srv", "first_address"]})
    );
    assert_eq!(
        hot("{list_join: [',', [{get_attr: [srv, name]}, {get_param: p}]]}"),
        json!({"list_join": [",", [{"get_attr": ["srv", "name"]}, "abc"]]})
    );
}

#[test]
fn get_file() {
    assert_eq!(hot("{get_file: hello.txt}"), json!("hello world"));
    assert_eq!(
        error_of(&hot("{get_file: nope.sh}")),
        "ValueError: No content found in the \"files\" section for get_file path: nope.sh"
    );
}

#[test]
fn str_replace_family() {
    assert_eq!(hot("{str_replace: {template: 'a $x b', params: {$x: 1}}}"), json!("a 1 b"));
    assert_eq!(
        hot("{str_replace: {template: 'v=V', params: {V: [1, {b: 2, a: 1}]}}}"),
        json!("v=[1, {\"a\": 1, \"b\": 2}]")
    );
    // Longest placeholder first; replaced text is not scanned again.
    assert_eq!(hot("{str_replace: {template: 'ab a', params: {a: b, ab: X}}}"), json!("X b"));
    assert!(error_of(&hot("{str_replace_strict: {template: 'a', params: {zz: 1}}}"))
        .ends_with("The following params were not found in the template: zz"));
    assert!(error_of(&hot("{str_replace_vstrict: {template: 'a', params: {a: ''}}}"))
        .contains("has an undefined or empty value for param a"));
}

#[test]
fn list_join() {
    assert_eq!(hot("{list_join: [', ', [a, b], [c]]}"), json!("a, b, c"));
    assert_eq!(hot("{list_join: ['-', [a, {k: v}]]}"), json!("a-{\"k\": \"v\"}"));
    assert!(error_of(&hot("{list_join: ['-', [1]]}"))
        .starts_with("TypeError: Items to join must be string, map or list not 1"));
    // 2013-05-23's list_join needs strings.
    let old = stack("2013-05-23", "", "");
    assert!(error_of(&eval_in(&old, "{list_join: ['-', [a, [b]]]}"))
        .starts_with("TypeError: Items to join must be strings"));
}

#[test]
fn repeat() {
    assert_eq!(
        hot("{repeat: {for_each: {'%x%': [a, b]}, template: {name: 'n-%x%'}}}"),
        json!([{"name": "n-a"}, {"name": "n-b"}])
    );
    assert_eq!(
        hot("{repeat: {for_each: {X: [1, 2], Y: [a]}, template: X-Y, permutations: false}}"),
        json!({"repeat": {"for_each": {"X": [1, 2], "Y": ["a"]}, "template": "X-Y", "permutations": false},
               "__error__": "ValueError: For repeat, the length of for_each values should be equal if no nested loop."})
    );
    assert!(error_of(&hot("{repeat: {for_each: {X: [1]}, template: X}}"))
        .starts_with("TypeError: replace() argument 2"));
}

#[test]
fn digest() {
    assert_eq!(
        hot("{digest: [sha256, abc]}"),
        json!("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    );
    assert_eq!(hot("{digest: [md5, '']}"), json!("d41d8cd98f00b204e9800998ecf8427e"));
}

#[test]
fn str_split() {
    assert_eq!(hot("{str_split: [',', 'a,b,c']}"), json!(["a", "b", "c"]));
    assert_eq!(hot("{str_split: [',', 'a,b,c', 1]}"), json!("b"));
    assert!(error_of(&hot("{str_split: [',', 'a,b', 5]}")).contains("should be between 0 and 1"));
}

#[test]
fn map_merge_and_map_replace() {
    assert_eq!(hot("{map_merge: [{a: 1, b: 1}, {b: 2}]}"), json!({"a": 1, "b": 2}));
    assert_eq!(
        hot("{map_replace: [{k1: v1, k2: v2}, {keys: {k1: K1}, values: {v2: V2}}]}"),
        json!({"K1": "v1", "k2": "V2"})
    );
    assert!(
        error_of(&hot("{map_replace: [{k1: v1, k2: v2}, {keys: {k1: k2}}]}")).contains("collides")
    );
}

#[test]
fn conditions_functions() {
    let a = stack(
        "2018-08-31",
        "  env: {type: string, default: prod}",
        "conditions:\n  prod: {equals: [{get_param: env}, prod]}\n  dev: {not: prod}\n  both: {and: [prod, dev]}\n  either: {or: [prod, dev]}\n  has: {contains: [prod, [dev, prod]]}",
    );
    assert_eq!(a.conditions.get("prod"), Some(&true));
    assert_eq!(a.conditions.get("dev"), Some(&false));
    assert_eq!(a.conditions.get("both"), Some(&false));
    assert_eq!(a.conditions.get("either"), Some(&true));
    assert_eq!(a.conditions.get("has"), Some(&true));
    assert_eq!(eval_in(&a, "{if: [prod, yes-branch, no-branch]}"), json!("yes-branch"));
    assert_eq!(eval_in(&a, "{if: [dev, yes-branch, no-branch]}"), json!("no-branch"));
    // Condition functions are plain data outside conditions.
    assert_eq!(eval_in(&a, "{equals: [1, 1.0]}"), json!({"equals": [1, 1.0]}));
    assert_eq!(a.conditions.get("prod"), Some(&true));
}

#[test]
fn nullable_if_removes_items() {
    let a = stack("2021-04-16", "", "conditions:\n  disabled: false");
    assert_eq!(
        eval_in(&a, "{a: {if: [disabled, 1]}, b: [x, {if: [disabled, y]}]}"),
        json!({"b": ["x"]})
    );
}

#[test]
fn filter_and_lists() {
    assert_eq!(hot("{filter: [[b], [a, b, c]]}"), json!(["a", "c"]));
    assert_eq!(hot("{list_concat: [[a], [b, a]]}"), json!(["a", "b", "a"]));
    assert_eq!(hot("{list_concat_unique: [[a], [b, a]]}"), json!(["a", "b"]));
    assert_eq!(hot("{contains: [a, [a, b]]}"), json!(true));
}

#[test]
fn make_url() {
    assert_eq!(
        hot("{make_url: {scheme: http, host: example.com, port: 8080, path: /a b, query: {x: 'y/z'}}}"),
        json!("http://example.com:8080/a%20b?x=y/z")
    );
    assert_eq!(hot("{make_url: {scheme: https, host: '::1', path: x}}"), json!("https://[::1]/x"));
}

#[test]
fn yaql_subset_and_symbolic_rest() {
    assert_eq!(hot("{yaql: {expression: '$.data.max()', data: [1, 2]}}"), json!(2));
    assert_eq!(hot("{yaql: {expression: '$.data.select($ * 2).sum()', data: [1, 2]}}"), json!(6));
    // Outside the subset: kept as written, without an error.
    let v = hot("{yaql: {expression: 'regex(\"a\").search($.data)', data: a}}");
    assert_eq!(v, json!({"yaql": {"expression": "regex(\"a\").search($.data)", "data": "a"}}));
}

#[test]
fn removed_functions_are_rejected_by_version() {
    let inputs = Inputs {
        template_name: "t.yaml".into(),
        template: "heat_template_version: 2015-10-15\nresources:\n  v:\n    type: OS::Heat::Value\n    properties:\n      value: {'Fn::Select': [0, [a]]}\n".into(),
        ..Inputs::default()
    };
    let a = analyse(&inputs);
    assert_eq!(
        a.errors,
        ["resources.v.properties.value.Fn::Select: The template version is invalid: The function Fn::Select is not supported in this version of HOT."]
    );
    // ... while 2014-10-16 still has it.
    let a = analyse(&Inputs {
        template: inputs.template.replace("2015-10-15", "2014-10-16"),
        ..inputs
    });
    assert!(a.is_ok(), "{:?}", a.errors);
}

#[test]
fn cfn_functions() {
    assert_eq!(cfn("{Ref: P}"), json!("abc"));
    assert_eq!(cfn("{Ref: srv}"), json!({"Ref": "srv"}));
    assert_eq!(cfn("{Ref: AWS::Region}"), json!("ap-southeast-1"));
    assert_eq!(cfn("{Ref: AWS::StackId}"), json!({"Ref": "AWS::StackId"}));
    assert_eq!(cfn("{'Fn::Join': ['-', [a, b]]}"), json!("a-b"));
    assert_eq!(cfn("{'Fn::Select': [1, [a, b]]}"), json!("b"));
    assert_eq!(cfn("{'Fn::Select': [5, [a, b]]}"), json!(""));
    assert_eq!(cfn("{'Fn::Split': [',', 'a,b']}"), json!(["a", "b"]));
    assert_eq!(cfn("{'Fn::Replace': [{'$x': X}, 'a $x']}"), json!("a X"));
    assert_eq!(cfn("{'Fn::Base64': abc}"), json!("abc"));
    assert_eq!(cfn("{'Fn::FindInMap': [M, k1, k2]}"), json!("found"));
    assert_eq!(error_of(&cfn("{'Fn::FindInMap': [M, nope, k2]}")), "KeyError: 'nope'");
    assert_eq!(cfn("{'Fn::GetAtt': [srv, PublicIp]}"), json!({"Fn::GetAtt": ["srv", "PublicIp"]}));
    assert_eq!(cfn("{'Fn::GetAZs': ''}"), json!({"Fn::GetAZs": ""}));
    assert_eq!(
        cfn("{'Fn::MemberListToMap': [Name, Value, ['.member.0.Name=key', '.member.0.Value=door']]}"),
        json!({"key": "door"})
    );
    assert!(error_of(&cfn("{Ref: nothere}"))
        .contains("The specified reference \"nothere\" (in unknown) is incorrect."));
}

#[test]
fn cfn_conditions() {
    let a = stack(
        "2010-09-09",
        "  Env: {Type: String, Default: prod}",
        "Conditions:\n  IsProd: {'Fn::Equals': [{Ref: Env}, prod]}\n  NotProd: {'Fn::Not': [IsProd]}\n  Any: {'Fn::Or': [IsProd, NotProd]}",
    );
    assert_eq!(a.conditions.get("IsProd"), Some(&true));
    assert_eq!(a.conditions.get("NotProd"), Some(&false));
    assert_eq!(a.conditions.get("Any"), Some(&true));
    assert_eq!(eval_in(&a, "{'Fn::If': [IsProd, a, b]}"), json!("a"));
}

#[test]
fn one_key_maps_that_are_not_functions_are_data() {
    // Fn::GetAtt is not a function in HOT.
    assert_eq!(hot("{'Fn::GetAtt': [srv, x]}"), json!({"Fn::GetAtt": ["srv", "x"]}));
}
