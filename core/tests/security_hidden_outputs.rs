//! Hidden parameter values never appear in what the template commands print
//! (contracts.md: every output of heat-sync shows them as `******`): `graph` in json,
//! dot and svg, with the values a hidden parameter passes on (a nested stack's
//! `parameters`, a resource property, a string built around it, an output) masked in
//! `resolved`; `graph --dataflow` and `check` in every format; a value Heat cannot type.

mod reliability_support;

use std::path::Path;
use std::time::Duration;

use reliability_support::{heat_sync, Run};
use serde_json::Value;

const LIMIT: Duration = Duration::from_secs(60);
const SECRET: &str = "Sup3rS3cretValue";
const NUMBER: &str = "424242";

/// A template Heat accepts whose hidden values flow into resource properties, a nested
/// stack's parameters, built strings, digests and an output.
const TEMPLATE: &str = r#"heat_template_version: 2016-10-14
parameters:
  db_password: {type: string, hidden: true}
  db_user: {type: string, default: app}
  pin: {type: number, hidden: true, default: 424242}
resources:
  nested:
    type: OS::Heat::Stack
    properties:
      template: {get_file: child.yaml}
      parameters:
        password: {get_param: db_password}
        url: {str_replace: {template: "mysql://U:P@db", params: {U: {get_param: db_user}, P: {get_param: db_password}}}}
        joined: {list_join: ["-", [{get_param: db_password}, {get_attr: [db, first_address]}]]}
        digest: {digest: [sha256, {get_param: db_password}]}
        split: {str_split: ["3", {get_param: db_password}]}
        pin: {get_param: pin}
  db:
    type: OS::Nova::Server
    properties:
      image: debian-12
      flavor: m1.small
      admin_pass: {get_param: db_password}
      metadata: {pw: {get_param: db_password}, literal: plain}
outputs:
  dsn: {value: {list_join: ["", ["pw=", {get_param: db_password}]]}}
"#;

const CHILD: &str = "heat_template_version: 2016-10-14\nparameters:\n  password: {type: string}\n  url: {type: string}\n  joined: {type: string}\n  digest: {type: string}\n  split: {type: comma_delimited_list}\n  pin: {type: number}\nresources: {}\n";

fn shows_nothing_hidden(run: &Run, what: &str) {
    run.no_crash();
    for secret in [SECRET, NUMBER, "S3cret"] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "{what} shows {secret:?}:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
}

fn write_templates(dir: &Path) -> (String, String) {
    std::fs::write(dir.join("t.yaml"), TEMPLATE).unwrap();
    std::fs::write(dir.join("child.yaml"), CHILD).unwrap();
    (
        dir.join("t.yaml").display().to_string(),
        format!("child.yaml={}", dir.join("child.yaml").display()),
    )
}

#[test]
fn graph_masks_every_value_derived_from_a_hidden_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let (t, file) = write_templates(dir.path());
    let param = format!("db_password={SECRET}");
    let args = ["graph", t.as_str(), "--file", file.as_str(), "--param", param.as_str()];
    let run = heat_sync(&args, &[], None, LIMIT);
    assert_eq!(run.code, Some(0), "{run:#?}");
    shows_nothing_hidden(&run, "graph --format json");
    let answer: Value = serde_json::from_str(&run.stdout).unwrap();
    let nested = &answer["resolved"]["resources"]["nested"]["properties"]["parameters"];
    assert_eq!(nested["password"], "******");
    assert_eq!(nested["url"], "mysql://app:******@db", "the hidden part of a string is masked");
    assert_eq!(nested["joined"]["list_join"][1][0], "******", "inside a run-time call too");
    assert_eq!(nested["joined"]["list_join"][1][1]["get_attr"][0], "db");
    assert_eq!(nested["digest"], "******", "a value computed from a hidden one is masked whole");
    assert_eq!(nested["split"], "******");
    assert_eq!(nested["pin"], "******");
    let db = &answer["resolved"]["resources"]["db"]["properties"];
    assert_eq!(db["admin_pass"], "******");
    assert_eq!(db["metadata"]["pw"], "******");
    assert_eq!(db["metadata"]["literal"], "plain", "values not derived from one are shown");
    assert_eq!(db["image"], "debian-12");
    assert_eq!(answer["resolved"]["outputs"]["dsn"]["value"], "pw=******");
    assert_eq!(answer["parameters"]["db_password"], "******");
    assert_eq!(answer["parameters"]["db_user"], "app");

    for format in ["dot", "svg"] {
        let mut args = args.to_vec();
        args.extend(["--format", format]);
        let run = heat_sync(&args, &[], None, LIMIT);
        assert_eq!(run.code, Some(0), "{run:#?}");
        shows_nothing_hidden(&run, &format!("graph --format {format}"));
    }
}

#[test]
fn a_hidden_value_heat_cannot_type_is_not_quoted_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.yaml");
    std::fs::write(
        &path,
        "heat_template_version: 2016-10-14\nparameters:\n  pin: {type: number, hidden: true}\nresources: {}\n",
    )
    .unwrap();
    let p = path.display().to_string();
    let param = format!("pin={SECRET}");
    for args in [
        vec!["graph", p.as_str()],
        vec!["check", p.as_str()],
        vec!["check", p.as_str(), "--format", "json"],
        vec!["compile", p.as_str(), "-o", "/dev/null"],
    ] {
        let mut args = args.clone();
        args.extend(["--param", param.as_str()]);
        let run = heat_sync(&args, &[], None, LIMIT);
        assert!(matches!(run.code, Some(1 | 2)), "{args:?} accepted a number {SECRET:?}: {run:#?}");
        shows_nothing_hidden(&run, &args.join(" "));
        assert!(run.stderr.contains("******"), "{args:?}: {run:#?}");
    }
}

#[test]
fn dataflow_and_check_show_no_hidden_value() {
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/wordpress/template.yaml");
    let t = example.display().to_string();
    let param = format!("db_password={SECRET}");
    for args in [
        vec!["graph", "--dataflow", "--format", "json"],
        vec!["graph", "--dataflow", "--format", "dot"],
        vec!["graph", "--dataflow", "--format", "svg"],
        vec!["check"],
        vec!["check", "--format", "json"],
    ] {
        let mut args = args.clone();
        args.extend([t.as_str(), "--param", param.as_str()]);
        let run = heat_sync(&args, &[], None, LIMIT);
        assert_eq!(run.code, Some(0), "{run:#?}");
        shows_nothing_hidden(&run, &args.join(" "));
    }
}
