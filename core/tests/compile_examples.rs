//! `heat-sync compile`: the examples compile to templates that Heat 27 accepts (the
//! oracle, `--strict`), whose user-data's cloud-config passes cloud-init's own schema
//! check, in which coordinated servers do not depend on each other; snapshots of the
//! output; the old-version and CFN paths; user-data kept; simulate's concrete plans.

mod compile_util;

use std::collections::BTreeSet;
use std::process::Command;

use compile_util::{example, inputs, oracle, snapshot};
use heat_sync::compile::{compile, simulate_plans, Compiled, Options, SimulateOptions};
use heat_sync::plan::{expression, Credentials, InputSource, ServerId};
use heat_sync::Value;

fn compiled(name: &str) -> Compiled {
    compile(
        &example(name),
        &Options { coordinator: Some("zk://10.0.0.2:2181/heat-sync".into()), ..Options::default() },
    )
    .unwrap()
}

/// Heat's answer has no error, and no edge between two of `servers`.
fn heat_accepts(text: &str, ext: &str, servers: &[&str]) {
    let Some(o) = oracle(text, ext, &[]) else { return };
    assert_eq!(o["errors"], serde_json::json!([]), "{o:#}");
    assert_eq!(o["strict_errors"], serde_json::json!([]), "{o:#}");
    for msg in o["strict_needs_cloud"].as_array().unwrap() {
        assert!(msg.as_str().unwrap().contains("offline"), "{msg}");
    }
    for e in o["edges"].as_array().unwrap() {
        let (a, b) = (e[0].as_str().unwrap(), e[1].as_str().unwrap());
        assert!(
            !(servers.contains(&a) && servers.contains(&b)),
            "Heat orders {a} after {b}: {o:#}"
        );
    }
}

/// Every user-data of the compiled template (the str_replace template text).
fn user_data(t: &Value) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == "user_data" || k == "UserData" {
                        let text = x
                            .pointer("/str_replace/template")
                            .or_else(|| x.pointer("/Fn::Base64/Fn::Replace/1"))
                            .or_else(|| x.pointer("/Fn::Replace/1"))
                            .unwrap_or(x);
                        out.push(text.as_str().unwrap().to_string());
                    } else {
                        walk(x, out);
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(t, &mut out);
    out
}

/// The `#cloud-config` part of a multipart user-data, tokens replaced by placeholders
/// (a JSON token stands for a whole input source, a count token for a number).
fn cloud_config_part(ud: &str) -> String {
    let start = ud.find("#cloud-config").expect("a cloud-config part");
    let end = ud[start..].find("\n--==heat-sync-boundary==").map_or(ud.len(), |e| start + e);
    let mut text = ud[start..end].to_string();
    while let Some(i) = text.find("@@heat_sync_v") {
        let j = i + text[i + 2..].find("@@").unwrap() + 4;
        text.replace_range(i..j, r#"{"kind": "static", "value": "placeholder"}"#);
    }
    // A group's member count, a number once Heat has filled it in.
    while let Some(i) = text.find("@@heat_sync_count_") {
        let j = i + text[i + 2..].find("@@").unwrap() + 4;
        text.replace_range(i..j, "3");
    }
    text.replace("@@heat_sync_", "placeholder_")
}

fn cloud_init_schema(cfg: &str) {
    let Ok(version) = Command::new("cloud-init").arg("--version").output() else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "cloud-init is not installed");
        eprintln!("skipped: cloud-init is not installed");
        return;
    };
    assert!(version.status.success());
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("user-data.cfg");
    std::fs::write(&f, cfg).unwrap();
    let out = Command::new("cloud-init").args(["schema", "-c"]).arg(&f).output().unwrap();
    let text =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && text.contains("Valid cloud-config"),
        "cloud-init schema:\n{text}\n---\n{cfg}"
    );
    // The plan inside is JSON once Heat has filled it in.
    let doc: serde_yaml::Value = serde_yaml::from_str(cfg).unwrap();
    let plan = doc["write_files"][0]["content"].as_str().unwrap();
    let plan: Value =
        serde_json::from_str(plan).unwrap_or_else(|e| panic!("plan is not JSON: {e}\n{plan}"));
    assert_eq!(plan["format"], "heat-sync/server-plan");
    assert_eq!(doc["write_files"][0]["permissions"].as_str(), Some("0600"));
}

#[test]
fn examples_compile_to_templates_heat_accepts() {
    for (name, servers) in
        [("wordpress", &["db", "web"][..]), ("three-tier", &["db", "web", "lb"][..])]
    {
        let c = compiled(name);
        snapshot(&format!("compile_{name}.yaml"), &c.template_text);
        snapshot(&format!("compile_{name}.plan.json"), &(c.stack_plan.to_json() + "\n"));
        heat_accepts(&c.template_text, "yaml", servers);
        let uds = user_data(&c.template);
        assert_eq!(uds.len(), servers.len());
        for ud in uds {
            cloud_init_schema(&cloud_config_part(&ud));
            agent_service(&cloud_config_part(&ud));
        }
    }
}

/// The cloud-config installs the agent as an enabled systemd service (so it comes back
/// after a reboot) whose unit systemd's own parser accepts without a warning.
fn agent_service(cfg: &str) {
    let doc: serde_yaml::Value = serde_yaml::from_str(cfg).unwrap();
    let unit = &doc["write_files"][1];
    assert_eq!(unit["path"].as_str(), Some(heat_sync::compile::userdata::UNIT_PATH));
    assert_eq!(unit["permissions"].as_str(), Some("0644"));
    let runcmd = doc["runcmd"].as_sequence().unwrap();
    let start = runcmd.last().unwrap().as_str().unwrap();
    assert!(start.contains("systemctl enable --now --no-block heat-sync-agent.service"), "{start}");
    let text = unit["content"].as_str().unwrap();
    for line in ["Restart=on-failure", "WantedBy=multi-user.target", "RestartPreventExitStatus=1"] {
        assert!(text.lines().any(|l| l == line), "{line} missing:\n{text}");
    }
    let Ok(out) = Command::new("systemd-analyze").arg("--version").output() else {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "systemd-analyze is not installed");
        eprintln!("skipped: systemd-analyze is not installed");
        return;
    };
    assert!(out.status.success());
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("heat-sync-agent.service");
    std::fs::write(&f, text).unwrap();
    let out = Command::new("systemd-analyze").arg("verify").arg(&f).output().unwrap();
    let said =
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success() && said.trim().is_empty(),
        "systemd-analyze verify:\n{said}\n---\n{text}"
    );
}

#[test]
fn systemd_analyze_verify_reports_a_bad_unit() {
    if Command::new("systemd-analyze").arg("--version").output().is_err() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.service");
    std::fs::write(&f, "[Service]\nExecStart=/usr/bin/env true\nRestart=sometimes\n").unwrap();
    let out = Command::new("systemd-analyze").arg("verify").arg(&f).output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).trim().is_empty(),
        "no complaint about Restart=sometimes"
    );
}

#[test]
fn cloud_init_schema_check_rejects_a_bad_cloud_config() {
    if Command::new("cloud-init").arg("--version").output().is_err() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.cfg");
    std::fs::write(&f, "#cloud-config\nwrite_files:\n  - permissions: 600\n").unwrap();
    let out = Command::new("cloud-init").args(["schema", "-c"]).arg(&f).output().unwrap();
    assert!(!out.status.success(), "cloud-init accepted a write_files entry without path");
}

#[test]
fn compiled_template_keeps_metadata_and_hidden_parameters() {
    let c = compiled("wordpress");
    let text = &c.template_text;
    assert!(!text.contains("heat_sync:"), "heat_sync sections are removed");
    // The hidden parameter reaches the user-data as get_param, never as its value.
    let params =
        c.template.pointer("/resources/db/properties/user_data/str_replace/params").unwrap();
    let hidden = params
        .as_object()
        .unwrap()
        .values()
        .find(|v| v["value"] == serde_json::json!({"get_param": "db_password"}))
        .unwrap();
    assert_eq!(hidden["secret"], true);
    assert_eq!(c.template["parameters"]["heat_sync_secret"]["hidden"], true);
    assert_eq!(
        c.template["parameters"]["heat_sync_coordinator"]["default"],
        "zk://10.0.0.2:2181/heat-sync"
    );
    let ud = user_data(&c.template).join("\n");
    assert!(!ud.contains("change-me"));
    // Stack outputs read the wait condition (through the values stack in this version).
    assert_eq!(
        c.template["outputs"]["site"]["value"],
        serde_json::json!({"get_attr": ["heat_sync_values", "outputs", "web_url"]})
    );
}

#[test]
fn values_stack_takes_the_signal_data_apart() {
    let c = compiled("three-tier");
    let nested =
        c.template["resources"]["heat_sync_values"]["properties"]["template"].as_str().unwrap();
    // The wait conditions' `data` as Heat gives it: a JSON string of {signal id: data}.
    let lb = r#"lb_heat_sync_wait={"lb": {"frontend": "http://lb/"}}"#;
    let web = r#"web_heat_sync_wait={"web.1": {"url": "u1"}, "web.0": {"url": "u0"}, "web.2": {"url": "u2"}}"#;
    let Some(o) = oracle(nested, "json", &["-P", lb, "-P", web, "--resolve"]) else { return };
    assert_eq!(o["errors"], serde_json::json!([]), "{o:#}");
    let outputs = &o["resolved"]["outputs"];
    assert_eq!(outputs["lb_frontend"]["value"], "http://lb/", "{o:#}");
    assert_eq!(outputs["web.0_url"]["value"], "u0");
    assert_eq!(outputs["web.2_url"]["value"], "u2");
}

const OLD_AND_CFN: &[(&str, &str, &str)] = &[
    ("hot-2014", "yaml", "heat_template_version: 2014-10-16
parameters:
  key: {type: string, default: k}
resources:
  db:
    type: OS::Nova::Server
    properties:
      image: i
      flavor: f
      key_name: {get_param: key}
      user_data: |
        #!/bin/sh
        echo hello from the author
    metadata:
      owner: ops
      heat_sync:
        tool: script
        roles: [{name: m, run: 'heat-sync put h x', outputs: {h: h}}]
  web:
    type: OS::Nova::Server
    properties: {image: i, flavor: f}
    metadata:
      heat_sync:
        tool: script
        roles: [{name: w, run: 'true', inputs: {h: {get_attr: [db, h]}, k: {get_param: key}}, outputs: {url: u}}]
  note:
    type: OS::Heat::Value
    properties: {value: {get_attr: [web, url]}}
outputs:
  site: {value: {get_attr: [web, url]}}
"),
    ("cfn", "json", r##"{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Parameters": {"Pw": {"Type": "String", "NoEcho": "true", "Default": "x"}},
  "Resources": {
    "Db": {"Type": "AWS::EC2::Instance",
           "Properties": {"ImageId": "i", "InstanceType": "m1.small", "UserData": {"Fn::Base64": "#!/bin/sh\necho author\n"}},
           "Metadata": {"heat_sync": {"tool": "script", "roles": [{"name": "m", "run": "true", "inputs": {"pw": {"Ref": "Pw"}}, "outputs": {"h": "h"}}]}}},
    "Web": {"Type": "OS::Nova::Server",
            "Properties": {"image": "i", "flavor": "f"},
            "Metadata": {"heat_sync": {"tool": "script", "roles": [{"name": "w", "run": "true", "inputs": {"h": {"Fn::GetAtt": ["Db", "h"]}}, "outputs": {"url": "u"}}]}}}
  },
  "Outputs": {"Site": {"Value": {"Fn::GetAtt": ["Web", "url"]}}}
}"##),
];

#[test]
fn old_hot_and_cfn_read_the_wait_condition_with_fn_select() {
    for (name, ext, text) in OLD_AND_CFN {
        let c = compile(&inputs(&format!("{name}.{ext}"), text), &Options::default()).unwrap();
        snapshot(&format!("compile_{name}.{ext}"), &c.template_text);
        let servers: &[&str] = if *ext == "json" { &["Db", "Web"] } else { &["db", "web"] };
        heat_accepts(&c.template_text, ext, servers);
        let site = if *ext == "json" {
            &c.template["Outputs"]["Site"]["Value"]
        } else {
            &c.template["outputs"]["site"]["value"]
        };
        assert!(
            site.to_string().starts_with(r#"{"Fn::Select":["url",{"Fn::Select":["#),
            "{name}: {site}"
        );
        if *ext == "yaml" {
            // Other metadata kept; the author's user-data kept as a part.
            assert_eq!(
                c.template["resources"]["db"]["metadata"],
                serde_json::json!({"owner": "ops"})
            );
            let ud = user_data(&c.template)[0].clone();
            assert!(ud.contains("#!/bin/sh\necho hello from the author\n"), "{ud}");
            cloud_init_schema(&cloud_config_part(&ud));
        } else {
            let ud = user_data(&c.template)[0].clone();
            assert!(ud.starts_with("#!/bin/sh\n") && ud.contains("echo author"), "{ud}");
        }
    }
}

#[test]
fn refuses_templates_with_check_errors() {
    let e = compile(&example("deadlock"), &Options::default()).unwrap_err();
    assert!(
        e.to_string().contains("deadlock: web/wordpress waits for db.db_host from db/mysql"),
        "{e}"
    );
}

#[test]
fn simulate_plans_expand_members_and_resolve_locally() {
    let c = compiled("three-tier");
    let plans = simulate_plans(
        &c,
        &SimulateOptions {
            address: "embedded:///tmp/x".into(),
            stack_id: "sim-1".into(),
            stack_name: "sim".into(),
            secret: Some("s3cret".into()),
        },
    )
    .unwrap();
    let ids: Vec<String> = plans.iter().map(|p| p.server.to_string()).collect();
    assert_eq!(ids, ["db", "web.0", "web.1", "web.2", "lb"]);
    let web1 = &plans[2];
    assert!(web1.roles[0].run.as_deref().unwrap().contains("http://web-1."), "%index% replaced");
    assert_eq!(web1.coordinator.namespace, "/heat-sync/sim-1");
    // The group's own derived credentials (shared by its members), never the secret.
    let creds = web1.coordinator.credentials.as_ref().unwrap();
    assert_eq!(creds, &Credentials::derived("/heat-sync/sim-1", "s3cret", "web"));
    assert_eq!(web1.version, 2);
    assert!(!web1.to_json().contains("s3cret"));
    assert!(web1.signal.is_none());
    let keys: BTreeSet<String> = web1.roles[0]
        .inputs
        .iter()
        .flat_map(|i| i.source.awaited())
        .filter_map(|s| match s {
            InputSource::Wait { key, .. } => Some(key.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(
        keys,
        ["db.db_password", "db.db_port", "db.first_address"]
            .into_iter()
            .map(String::from)
            .collect()
    );
    // The run-time expression: its compile-time part is known, its Heat part (the stack
    // name) resolved locally; the server evaluates it once db's values arrive.
    let db_url = web1.roles[0].inputs.iter().find(|i| i.path == ["db_url"]).unwrap();
    let InputSource::Expression { template_version, args, .. } = &db_url.source else {
        panic!("{db_url:?}")
    };
    assert_eq!(template_version, "heat_template_version.2016-10-14");
    assert!(matches!(&args[2], InputSource::Static { value, .. } if value == "shop"));
    assert!(matches!(&args[3], InputSource::Static { value, .. } if value == "sim"));
    let url = expression::resolve::<heat_sync::Error>(&db_url.place, &db_url.source, &mut |s| {
        Ok(match s {
            InputSource::Wait { key, .. } if key.output == "db_port" => serde_json::json!(5432),
            _ => serde_json::json!("10.0.0.9"),
        })
    });
    assert_eq!(url.unwrap(), "postgres://shop@10.0.0.9:5432/shop?application_name=sim");
    let lb = &plans[4];
    let InputSource::Expression { args, .. } = &lb.roles[0].inputs[0].source else { panic!() };
    assert!(
        matches!(&args[..], [InputSource::Gather { group, count: Some(3), .. }] if group == "web")
    );
    // Every static value is concrete: no token is left.
    for p in &plans {
        assert!(!p.to_json().contains("@@heat_sync"), "{}", p.to_json());
        assert_eq!(ServerId::plain("x").member, None);
    }
}

const ASG: &str = "heat_template_version: 2018-08-31
parameters:
  size: {type: number, default: 2}
resources:
  pool:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 1
      max_size: 4
      desired_capacity: {get_param: size}
      resource:
        type: OS::Nova::Server
        properties: {image: i, flavor: f}
        metadata:
          heat_sync:
            tool: script
            roles: [{name: worker, run: 'heat-sync put ready yes', outputs: {ready: ready}}]
  head:
    type: OS::Nova::Server
    properties:
      image: i
      flavor: f
      user_data:
        str_replace:
          template: \"#!/bin/sh\\necho $who\\n\"
          params: {$who: {get_param: size}}
    metadata:
      heat_sync:
        tool: script
        roles: [{name: boss, run: 'true', inputs: {workers: {get_attr: [pool, ready]}}}]
";

#[test]
fn autoscaling_group_members_name_themselves_at_boot() {
    let c = compile(&inputs("asg.yaml", ASG), &Options::default()).unwrap();
    snapshot("compile_asg.yaml", &c.template_text);
    heat_accepts(&c.template_text, "yaml", &["pool", "head"]);
    // The wait condition counts the group's desired capacity, as the template writes it.
    assert_eq!(
        c.template["resources"]["pool_heat_sync_wait"]["properties"]["count"],
        serde_json::json!({"get_param": "size"})
    );
    let uds = user_data(&c.template);
    let pool = uds.iter().find(|u| u.contains("@HEAT_SYNC_INSTANCE@")).unwrap();
    assert!(
        pool.contains("s/@HEAT_SYNC_INSTANCE@/$(cat /var/lib/cloud/data/instance-id)/g"),
        "{pool}"
    );
    cloud_init_schema(&cloud_config_part(pool));
    // The author's user-data is a Heat expression: kept through a token.
    let head = c
        .template
        .pointer("/resources/head/properties/user_data/str_replace/params/@@heat_sync_user_data@@")
        .unwrap();
    assert!(head.get("str_replace").is_some());
    let InputSource::Gather { count, .. } = &c.stack_plan.servers[1].roles[0].inputs[0].source
    else {
        panic!()
    };
    assert_eq!(*count, None, "an AutoScalingGroup gathers its current members");
}

/// `n` coordinated servers, each reading the previous one's output.
fn fleet(n: usize) -> String {
    let mut t = String::from("heat_template_version: 2018-08-31\nresources:\n");
    for i in 0..n {
        let input = if i == 0 {
            String::new()
        } else {
            format!(", inputs: {{up: {{get_attr: [s{}, out]}}}}", i - 1)
        };
        t.push_str(&format!(
            "  s{i}:\n    type: OS::Nova::Server\n    properties: {{image: debian-12, flavor: m1.small}}\n    metadata:\n      heat_sync:\n        tool: script\n        roles: [{{name: r, run: \"heat-sync put out {i}\", outputs: {{out: out}}{input}}}]\n"
        ));
    }
    t
}

#[test]
fn warns_when_the_compiled_template_is_over_heats_size_limit() {
    let compile_fleet =
        |n: usize| compile(&inputs("fleet.yaml", &fleet(n)), &Options::default()).unwrap();
    let small = compile_fleet(10);
    assert!(small.template_text.len() < 524_288);
    assert!(small.warnings.iter().all(|w| w.code.as_str() != "template-too-large"));

    let large = compile_fleet(150);
    let size = large.template_text.len();
    assert!(size > 524_288, "{size}");
    let w: Vec<_> =
        large.warnings.iter().filter(|w| w.code.as_str() == "template-too-large").collect();
    assert_eq!(w.len(), 1, "{:?}", large.warnings);
    assert_eq!(w[0].place, "fleet.yaml");
    assert!(w[0].message.contains(&format!("is {size} bytes")), "{}", w[0].message);
    assert!(w[0].message.contains("max_template_size"), "{}", w[0].message);
}

#[test]
fn parameter_values_given_at_stack_create_reach_the_servers() {
    // `release` has a default; `tag` is built from it. Both are known at compile time
    // (check shows them static), but a stack created with another `release` must hand
    // that one to the role, as Heat hands it to every other resource.
    let template = r#"
heat_template_version: 2018-08-31
parameters:
  release: {type: string, default: "1.0"}
resources:
  app:
    type: OS::Nova::Server
    properties: {image: debian-12, flavor: m1.small}
    metadata:
      heat_sync:
        tool: script
        roles:
          - name: deploy
            run: "true"
            inputs:
              release: {get_param: release}
              tag: {list_join: ["-", [app, {get_param: release}]]}
              fixed: a-b
"#;
    let compiled = compile(&inputs("release.yaml", template), &Options::default()).unwrap();
    let sources: Vec<&InputSource> =
        compiled.server_plans[0].roles[0].inputs.iter().map(|i| &i.source).collect();
    // Parameter-derived inputs are tokens Heat fills in; the literal one stays a value.
    let token = |s: &InputSource| match s {
        InputSource::Static { value: Value::String(v), .. } => v.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(token(sources[0]), "@@heat_sync_v0@@");
    assert_eq!(token(sources[1]), "@@heat_sync_v1@@");
    assert_eq!(token(sources[2]), "a-b");
    let params =
        compiled.template.pointer("/resources/app/properties/user_data/str_replace/params");
    let params = params.expect("user-data substitutes the tokens");
    // (HOT 2016-10-14 on: Heat writes each token's whole source as JSON.)
    assert_eq!(params["@@heat_sync_v0@@"]["value"], serde_json::json!({"get_param": "release"}));
    assert_eq!(
        params["@@heat_sync_v1@@"]["value"],
        serde_json::json!({"list_join": ["-", ["app", {"get_param": "release"}]]})
    );
    // check shows what is known now; a local run uses the values compile was given.
    let classes: Vec<&str> = compiled.analysis.resolved[0][0].iter().map(|r| r.class()).collect();
    assert_eq!(classes, ["static", "heat", "static"]);
    let local = simulate_plans(
        &compiled,
        &SimulateOptions {
            address: "127.0.0.1:2181".into(),
            stack_id: "sid".into(),
            stack_name: "s".into(),
            secret: None,
        },
    )
    .unwrap();
    let values: Vec<String> = local[0].roles[0].inputs.iter().map(|i| token(&i.source)).collect();
    assert_eq!(values, ["1.0", "app-1.0", "a-b"]);
}

#[test]
fn a_group_count_from_parameters_is_the_one_the_stack_is_created_with() {
    // three-tier: `web` is a ResourceGroup of `web_count` (default 3) members and `lb`
    // gathers their URLs. A stack created with another web_count must have its wait
    // condition count that many signals and its gather wait for that many members.
    let compiled = compiled("three-tier");
    let t = &compiled.template;
    let wait = t["resources"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| {
            r["type"] == "OS::Heat::WaitCondition"
                && r["properties"]["handle"]["get_resource"]
                    .as_str()
                    .is_some_and(|h| h.starts_with("web"))
        })
        .expect("web's wait condition");
    assert_eq!(wait["properties"]["count"], serde_json::json!({"get_param": "web_count"}));
    let lb = user_data(&t["resources"]["lb"]).pop().unwrap();
    assert!(lb.contains(r#""kind":"gather","group":"web","output":"url","role":"app","count":@@heat_sync_count_"#), "{lb}");
    let params = &t["resources"]["lb"]["properties"]["user_data"]["str_replace"]["params"];
    let token = params.as_object().unwrap().keys().find(|k| k.starts_with("@@heat_sync_count_"));
    assert_eq!(params[token.unwrap()], serde_json::json!({"get_param": "web_count"}));
    // The typed plan keeps the count known at compile time, which simulate runs with.
    let lb_plan = compiled.server_plans.iter().find(|p| p.server.resource == "lb").unwrap();
    let source = &lb_plan.roles[0].inputs[0].source;
    let text = serde_json::to_string(source).unwrap();
    assert!(text.contains(r#""count":3"#), "{text}");
}

#[test]
fn a_conditional_server_has_its_wait_condition_under_the_same_condition() {
    let template = compile_util::CONDITIONAL_SERVER;
    let c = compile(&inputs("cond.yaml", template), &Options::default()).unwrap();
    let r = &c.template["resources"];
    // Created with with_cache false, Heat boots no cache and creates no wait for it.
    assert_eq!(r["cache_heat_sync_handle"]["condition"], "cache_on");
    assert_eq!(r["cache_heat_sync_wait"]["condition"], "cache_on");
    assert!(r["web_heat_sync_wait"].get("condition").is_none());
    heat_accepts(&c.template_text, "yaml", &["cache", "web"]);
    let Some(o) = oracle(&c.template_text, "yaml", &[]) else { return };
    let disabled: Vec<&str> =
        o["disabled_resources"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(disabled.contains(&"cache_heat_sync_wait"), "{o:#}");
}

#[test]
fn a_stack_output_gathering_a_group_of_parameter_count_is_a_warning() {
    let compiled = compiled("three-tier");
    let w: Vec<String> = compiled
        .warnings
        .iter()
        .filter(|w| w.code.as_str() == "fixed-gather-count")
        .map(|w| w.to_string())
        .collect();
    assert_eq!(
        w,
        ["warning: outputs.backends.value: Heat lists 3 members of web.url, the count known \
             at compile time: a stack created with another count for web (its count is \
             {\"get_param\":\"web_count\"}) still lists 3 (the gathers of heat_sync inputs follow \
             the count the stack is created with) [fixed-gather-count]"]
    );
}
