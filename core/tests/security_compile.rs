//! Compile and secrets (issue 7, item 5): a hidden parameter's value given on the command
//! line never lands in the compiled template, the stack plan or any message; the stack
//! secret is a hidden parameter of the generated template; each server's user-data
//! carries its own plan only (no other server's roles); and from HOT 2015-04-30 on, the
//! user-data Heat renders holds that server's own derived credentials, never the stack
//! secret (Heat's own engine computes them, the oracle with `--markers`).

mod compile_util;
mod reliability_support;

use std::path::Path;
use std::time::Duration;

use heat_sync::compile::{compile, Options};
use heat_sync::dataflow::Code;
use heat_sync::plan::{Credentials, ServerPlan};
use reliability_support::heat_sync;
use serde_json::Value;

const HIDDEN: &str = "Hunter2-hidden-5e3a";

#[test]
fn hidden_values_stay_out_of_the_compiled_template_and_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let template =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/wordpress/template.yaml");
    let out = dir.path().join("compiled.yaml");
    let plan = dir.path().join("plan.json");
    let run = heat_sync(
        &[
            "compile",
            &template.display().to_string(),
            "--param",
            &format!("db_password={HIDDEN}"),
            "-o",
            &out.display().to_string(),
            "--plan-out",
            &plan.display().to_string(),
            "--coordinator",
            "zk://127.0.0.1:2181/heat-sync",
        ],
        &[],
        None,
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    run.no_crash().never_shows(HIDDEN);
    let compiled = std::fs::read_to_string(&out).unwrap();
    let stack_plan = std::fs::read_to_string(&plan).unwrap();
    assert!(!compiled.contains(HIDDEN), "the compiled template holds the hidden value");
    assert!(!stack_plan.contains(HIDDEN), "the stack plan holds the hidden value");

    let t: serde_yaml::Value = serde_yaml::from_str(&compiled).unwrap();
    let secret = &t["parameters"]["heat_sync_secret"];
    assert_eq!(
        secret["hidden"],
        serde_yaml::Value::Bool(true),
        "heat_sync_secret is not hidden: {secret:?}"
    );
    assert!(secret.get("default").is_none(), "heat_sync_secret has a default: {secret:?}");

    // Each server's user-data names its own roles only.
    let user_data = |server: &str| {
        serde_yaml::to_string(&t["resources"][server]["properties"]["user_data"]).unwrap()
    };
    let (db, web) = (user_data("db"), user_data("web"));
    assert!(
        db.contains("recipe[mysql::server]") && !db.contains("recipe[wordpress]"),
        "db's user-data carries web's roles"
    );
    assert!(
        web.contains("recipe[wordpress]") && !web.contains("recipe[mysql::server]"),
        "web's user-data carries db's roles"
    );
    assert!(!web.contains("server_root_password"), "web's user-data carries db's (secret) input");
}

const STACK_SECRET: &str = "Stack-s3cret-for-heat-1d7b";

/// An AutoScalingGroup (whose members name themselves at boot) and a plain server.
const ASG: &str = "heat_template_version: 2018-08-31
resources:
  pool:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 1
      max_size: 4
      resource:
        type: OS::Nova::Server
        properties: {image: i, flavor: f}
        metadata:
          heat_sync:
            tool: script
            roles: [{name: worker, run: 'heat-sync put ready yes', outputs: {ready: ready}}]
  head:
    type: OS::Nova::Server
    properties: {image: i, flavor: f}
    metadata:
      heat_sync:
        tool: script
        roles: [{name: boss, run: 'true', inputs: {workers: {get_attr: [pool, ready]}}}]
";

/// Every server plan in the resolved user-data of a compiled template, as Heat's engine
/// renders it (the oracle's `--markers` resolution), with the resource it belongs to and
/// the whole user-data text.
fn rendered_plans(text: &str, params: &[&str]) -> Option<Vec<(String, ServerPlan, String)>> {
    let mut args = vec!["--markers"];
    for p in params {
        args.extend(["-P", p]);
    }
    let o = compile_util::oracle(text, "yaml", &args)?;
    assert_eq!(o["errors"], serde_json::json!([]), "Heat refused the template: {o}");
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if s.contains("heat-sync/server-plan") => out.push(s.clone()),
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            Value::Object(m) => m.values().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    let mut plans = Vec::new();
    let resources = o["resolved_markers"]["resources"].as_object().expect("markers resolved");
    for (name, r) in resources {
        let mut texts = Vec::new();
        walk(&r["properties"], &mut texts);
        for user_data in texts {
            let start = user_data.find("{\"format\":\"heat-sync/server-plan\"").unwrap();
            let line = user_data[start..].lines().next().unwrap();
            let plan = ServerPlan::from_json(name, line).unwrap_or_else(|e| panic!("{e}: {line}"));
            plans.push((name.clone(), plan, user_data));
        }
    }
    Some(plans)
}

#[test]
fn heat_gives_each_server_its_own_credentials_and_never_the_stack_secret() {
    let secret = format!("heat_sync_secret={STACK_SECRET}");
    let coordinator = "heat_sync_coordinator=zk://127.0.0.1:2181/heat-sync";
    for (example, servers, hidden) in [
        ("wordpress", &["db", "web"][..], Some("db_password=x")),
        ("three-tier", &["db", "lb", "web"], None),
        ("autoscaling", &["head", "pool"], None),
    ] {
        let mut params = vec![secret.as_str(), coordinator];
        params.extend(hidden);
        let inputs = match example {
            "autoscaling" => compile_util::inputs("asg.yaml", ASG),
            _ => compile_util::example(example),
        };
        let compiled = compile(&inputs, &Options::default()).unwrap();
        assert!(!compiled.warnings.iter().any(|w| w.code == Code::SharedStackSecret));
        let Some(plans) = rendered_plans(&compiled.template_text, &params) else { return };
        let mut seen: Vec<&str> = plans.iter().map(|(n, _, _)| n.as_str()).collect();
        seen.sort();
        assert_eq!(seen, servers, "{example}: one plan per coordinated resource");
        for (name, plan, user_data) in &plans {
            assert!(
                !user_data.contains(STACK_SECRET),
                "{example}/{name}: user-data holds the stack secret"
            );
            assert_eq!(plan.version, 2, "{example}/{name}");
            // What Heat computed is what the administrator derives in Rust (offline the
            // stack id is Heat's `None`).
            let ns = &plan.coordinator.namespace;
            assert_eq!(ns, "/heat-sync/None");
            let got = plan.coordinator.credentials.as_ref().unwrap();
            assert_eq!(got, &Credentials::derived(ns, STACK_SECRET, name), "{example}/{name}");
        }
        // Each server's password differs; the read password is the stack's.
        let creds: Vec<&Credentials> =
            plans.iter().map(|(_, p, _)| p.coordinator.credentials.as_ref().unwrap()).collect();
        assert!(creds.windows(2).all(|w| w[0].password != w[1].password));
        assert!(creds.windows(2).all(|w| w[0].read_password == w[1].read_password));
    }
}

#[test]
fn templates_without_digest_carry_the_stack_secret_and_say_so() {
    let text = "heat_template_version: 2014-10-16
resources:
  db:
    type: OS::Nova::Server
    properties: {image: i, flavor: f}
    metadata:
      heat_sync:
        tool: script
        roles: [{name: m, run: 'true'}]
";
    let compiled = compile(&compile_util::inputs("old.yaml", text), &Options::default()).unwrap();
    let w = compiled.warnings.iter().find(|w| w.code == Code::SharedStackSecret);
    let w = w.expect("a warning about the shared stack secret");
    assert_eq!(w.place, "heat_template_version");
    assert!(w.message.contains("2015-04-30"), "{w}");
    let secret = format!("heat_sync_secret={STACK_SECRET}");
    let Some(plans) =
        rendered_plans(&compiled.template_text, &[&secret, "heat_sync_coordinator=zk://h:1"])
    else {
        return;
    };
    let (_, plan, _) = &plans[0];
    assert_eq!(plan.version, 1);
    assert_eq!(plan.coordinator.credentials, Some(Credentials::stack_secret("db", STACK_SECRET)));
}
