//! `heat-sync check`: every problem it reports, its place and message, and the exit codes.

mod compile_util;

use std::process::Command;

use compile_util::{example, inputs, root, snapshot};
use heat_sync::dataflow::{check, Code, Problem, Severity};

fn problems(yaml: &str) -> Vec<Problem> {
    check(&inputs("t.yaml", yaml)).unwrap()
}

fn only(yaml: &str, code: Code) -> Problem {
    let ps = problems(yaml);
    let hits: Vec<&Problem> = ps.iter().filter(|p| p.code == code).collect();
    assert_eq!(hits.len(), 1, "expected one {code:?} in {ps:#?}");
    hits[0].clone()
}

/// A two-server template: `db` with `db_roles`, `web` with `web_roles` (YAML lists).
fn two(db_roles: &str, web_roles: &str) -> String {
    format!(
        "heat_template_version: 2016-10-14
parameters:
  pw: {{type: string, hidden: true, default: hunter2}}
  n: {{type: number, default: 2}}
resources:
  net: {{type: OS::Neutron::Net}}
  db:
    type: OS::Nova::Server
    properties: {{image: i, flavor: f}}
    metadata:
      heat_sync:
        roles: {db_roles}
  web:
    type: OS::Nova::Server
    properties: {{image: i, flavor: f}}
    metadata:
      heat_sync:
        roles: {web_roles}
outputs:
  site: {{value: {{get_attr: [web, url]}}}}
"
    )
}

#[test]
fn deadlock_example_is_named_hop_by_hop() {
    let ps = check(&example("deadlock")).unwrap();
    assert_eq!(ps.len(), 1, "{ps:#?}");
    assert_eq!(
        ps[0].to_string(),
        "resources.web.metadata.heat_sync.roles[0].inputs.wordpress.db.host: deadlock: web/wordpress waits for db.db_host from db/mysql, which waits for web.url from web/wordpress [deadlock]"
    );
}

#[test]
fn deadlock_through_role_order() {
    let t = two(
        "[{name: a1, inputs: {x: {get_attr: [web, url]}}}, {name: a2, outputs: {db_host: h}}]",
        "[{name: w, inputs: {h: {get_attr: [db, db_host]}}, outputs: {url: u}}]",
    );
    let p = only(&t, Code::Deadlock);
    assert_eq!(
        p.message,
        "deadlock: db/a1 waits for web.url from web/w, which waits for db.db_host from db/a2, which runs after db/a1"
    );
    assert_eq!(p.place, "resources.db.metadata.heat_sync.roles[0].inputs.x");
}

#[test]
fn a_role_reading_a_later_role_of_its_own_server_deadlocks() {
    let t = two(
        "[{name: a1, inputs: {x: {get_attr: [db, y]}}, outputs: {z: z}}, {name: a2, outputs: {y: y}}]",
        "[{name: w, inputs: {z: {get_attr: [db, z]}}, outputs: {url: u}}]",
    );
    let p = only(&t, Code::Deadlock);
    assert_eq!(p.message, "deadlock: db/a1 waits for db.y from db/a2, which runs after db/a1");
}

#[test]
fn earlier_roles_and_agent_attributes_never_deadlock() {
    // db waits for web's first_address (published at boot), web for db's output.
    let t = two(
        "[{name: a1, outputs: {y: y}}, {name: a2, inputs: {x: {get_attr: [db, y]}, w: {get_attr: [web, first_address]}}, outputs: {db_host: h}}]",
        "[{name: w, inputs: {h: {get_attr: [db, db_host]}}, outputs: {url: u}}]",
    );
    assert!(problems(&t).is_empty(), "{:#?}", problems(&t));
}

#[test]
fn unknown_output_names_its_place_and_suggests() {
    let t = two(
        "[{name: mysql, outputs: {db_host: h}}]",
        "[{name: wordpress, inputs: {wordpress.db.host: {get_attr: [db, db_hots]}}, outputs: {url: u}}]",
    );
    let p = only(&t, Code::UnknownOutput);
    assert_eq!(
        format!("{}: {}", p.place, p.message),
        "resources.web.metadata.heat_sync.roles[0].inputs.wordpress.db.host: db has no output db_hots (did you mean db_host?)"
    );
}

#[test]
fn unknown_output_in_stack_outputs() {
    let t = two(
        "[{name: m, outputs: {db_host: h}}]",
        "[{name: w, inputs: {h: {get_attr: [db, db_host]}}, outputs: {uri: u}}]",
    );
    let p = only(&t, Code::UnknownOutput);
    assert_eq!(p.place, "outputs.site.value");
    assert_eq!(p.message, "web has no output url (did you mean uri?)");
}

#[test]
fn unknown_resource() {
    let t = two(
        "[{name: m, outputs: {db_host: h}}]",
        "[{name: w, inputs: {h: {get_attr: [dbb, db_host]}}, outputs: {url: u}}]",
    );
    let ps = problems(&t);
    let p = ps.iter().find(|p| p.code == Code::UnknownResource).unwrap();
    assert_eq!(p.message, "there is no resource dbb (did you mean db?)");
}

#[test]
fn duplicate_role_names() {
    let t = two(
        "[{name: m, outputs: {db_host: h}}, {name: m}]",
        "[{name: w, inputs: {h: {get_attr: [db, db_host]}}, outputs: {url: u}}]",
    );
    let p = only(&t, Code::DuplicateRole);
    assert_eq!(p.place, "resources.db.metadata.heat_sync.roles[1].name");
}

#[test]
fn duplicate_output_names() {
    let t = two(
        "[{name: m, outputs: {db_host: h}}, {name: n, outputs: {db_host: g}}]",
        "[{name: w, inputs: {h: {get_attr: [db, db_host]}}, outputs: {url: u}}]",
    );
    only(&t, Code::DuplicateOutput);
}

#[test]
fn path_bound_inside_a_parent_map() {
    let t = two(
        "[{name: m, inputs: {a.b: {c: 1, d: 2}, a.b.c: 3, a.b.e: 4}, outputs: {db_host: h}}]",
        "[{name: w, inputs: {h: {get_attr: [db, db_host]}, x: {get_param: pw}, x.y: 1}, outputs: {url: u}}]",
    );
    let ps: Vec<Problem> =
        problems(&t).into_iter().filter(|p| p.code == Code::DuplicatePath).collect();
    assert_eq!(ps.len(), 2, "{ps:#?}");
    assert_eq!(ps[0].place, "resources.db.metadata.heat_sync.roles[0].inputs.a.b.c");
    assert_eq!(
        ps[0].message,
        "node attribute a.b.c is bound twice in role m (also inside the value bound to a.b)"
    );
    // A parent bound to an expression may hold any key: the child overlaps it.
    assert_eq!(ps[1].place, "resources.web.metadata.heat_sync.roles[0].inputs.x.y");
}

#[test]
fn escaped_dots_are_one_key() {
    let t = two(
        "[{name: m, inputs: {'nginx.sites.example\\.com.root': /srv, nginx.sites.example.com: x}, outputs: {db_host: [a, b.c, 0]}}]",
        "[{name: w, inputs: {h: {get_attr: [db, db_host]}}, outputs: {url: u}}]",
    );
    assert!(problems(&t).is_empty(), "{:#?}", problems(&t));
}

#[test]
fn unread_output_is_a_warning() {
    let t = two(
        "[{name: m, outputs: {db_host: h, spare: s}}]",
        "[{name: w, inputs: {h: {get_attr: [db, db_host]}}, outputs: {url: u}}]",
    );
    let p = only(&t, Code::UnreadOutput);
    assert_eq!(p.severity, Severity::Warning);
    assert_eq!(p.place, "resources.db.metadata.heat_sync.roles[0].outputs.spare");
}

#[test]
fn heat_attribute_of_a_coordinated_server_serializes_boot() {
    let t = two("[{name: m, outputs: {db_host: h}}]", "[{name: w, inputs: {h: {get_attr: [db, db_host]}, n: {get_attr: [db, networks]}}, outputs: {url: u}}]");
    let p = only(&t, Code::SerializedBoot);
    assert_eq!(p.severity, Severity::Warning);
    assert!(
        p.message.starts_with(
            "attribute networks of db is resolved by Heat, so web boots only after db is created"
        ),
        "{}",
        p.message
    );
}

#[test]
fn run_time_values_inside_pure_functions_are_runtime_inputs() {
    let t = two(
        "[{name: m, outputs: {db_host: h, db_name: d}}]",
        "[{name: w, inputs: {url: {str_replace: {template: 'mysql://$h/$d?s=$s', params: {$h: {get_attr: [db, db_host]}, $d: {get_attr: [db, db_name]}, $s: {get_param: pw}}}}, both: {list_join: [',', [{get_attr: [db, first_address]}, {get_resource: net}]]}}, outputs: {url: u}}]",
    );
    assert_eq!(problems(&t), []);
    let g = heat_sync::dataflow::graph_json(&inputs("t.yaml", &t)).unwrap();
    assert!(!g.to_string().contains("hunter2"));
    let url = &g["inputs"][0];
    assert_eq!(url["class"], "runtime");
    assert_eq!(
        url["source"]["from"],
        serde_json::json!(["db.db_host from db/m", "db.db_name from db/m"])
    );
    assert_eq!(
        url["source"]["expression"]["str_replace"]["params"]["$s"],
        serde_json::json!({"get_param": "pw"})
    );
    assert_eq!(
        g["inputs"][1]["source"]["from"],
        serde_json::json!(["db.first_address from db (agent)"])
    );
    // One edge per role output read: both of db's outputs reach web/w.
    let values: Vec<&str> =
        g["edges"].as_array().unwrap().iter().map(|e| e["value"].as_str().unwrap()).collect();
    assert_eq!(values, ["db.db_host", "db.db_name"]);
}

#[test]
fn a_deadlock_through_an_expression_is_found() {
    let t = two(
        "[{name: m, inputs: {peer: {list_join: ['', ['http://', {get_attr: [web, url]}]]}}, outputs: {db_host: h}}]",
        "[{name: w, inputs: {h: {str_replace: {template: x$h, params: {$h: {get_attr: [db, db_host]}}}}}, outputs: {url: u}}]",
    );
    let p = only(&t, Code::Deadlock);
    assert_eq!(
        p.message,
        "deadlock: db/m waits for web.url from web/w, which waits for db.db_host from db/m"
    );
}

#[test]
fn run_time_values_under_functions_heat_resolves_are_refused() {
    let t = two(
        "[{name: m, outputs: {db_host: h, key: k}}]",
        "[{name: w, inputs: {
            a: {get_param: [pw, {get_attr: [db, key]}]},
            b: {if: [true, {get_attr: [db, db_host]}, none]},
            c: {list_join: [',', [{get_attr: [db, db_host, 0]}]]},
            d: {list_join: {get_attr: [db, db_host]}}},
          outputs: {url: u}}]",
    );
    let got: Vec<String> = problems(&t)
        .iter()
        .filter(|p| p.code == Code::UnsupportedInput)
        .map(|p| format!("{}: {}", p.place, p.message))
        .collect();
    let at = "resources.web.metadata.heat_sync.roles[0].inputs";
    assert_eq!(got, [
        format!("{at}.a: get_param is resolved by Heat before the servers boot, so its arguments cannot be run-time values"),
        format!("{at}.b: if is decided by the template's conditions, which only Heat knows; put the run-time value in both branches' own inputs instead"),
        format!("{at}.c.list_join[1][0]: an attribute path after the run-time value db.db_host is not supported: publish the part you need as its own output"),
        format!("{at}.d: this expression reads run-time values, so the server evaluates it, and it cannot: list_join: Incorrect arguments to \"list_join\" should be: \"list_join\" : [ \" \", [ \"str1\", \"str2\"] ...]"),
    ]);
}

#[test]
fn malformed_metadata_is_named() {
    let t = "heat_template_version: 2016-10-14
resources:
  vol:
    type: OS::Cinder::Volume
    metadata: {heat_sync: {roles: []}}
  s:
    type: OS::Nova::Server
    metadata:
      heat_sync:
        tool: ansible
        color: blue
        roles:
          - {name: a, run: 'echo', outputs: {first_address: x}}
          - {name: b/c}
          - {name: d, inputs: {'a..b': 1}, timeout: -3}
";
    let ps = problems(t);
    let got: Vec<String> = ps.iter().map(|p| format!("{}: {}", p.place, p.message)).collect();
    let want = [
        "resources.s.metadata.heat_sync.color: unknown key \"color\" (heat_sync takes `tool` and `roles`)",
        "resources.s.metadata.heat_sync.roles[0].outputs.first_address: first_address is published by the agent itself; choose another output name",
        "resources.s.metadata.heat_sync.roles[0].run: `run` is for tool script; a chef role has a run_list",
        "resources.s.metadata.heat_sync.roles[1].name: a role name is a non-empty string without `/`, not \"b/c\"",
        "resources.s.metadata.heat_sync.roles[2].inputs.a..b: path \"a..b\" has an empty key (write a dot inside a key as `\\.`)",
        "resources.s.metadata.heat_sync.roles[2].timeout: timeout is a positive number of seconds, not -3",
        "resources.s.metadata.heat_sync.tool: tool must be `chef` or `script`, not \"ansible\"",
        "resources.vol.metadata.heat_sync: heat_sync is read only on OS::Nova::Server and AWS::EC2::Instance (or a group of them), not on OS::Cinder::Volume",
    ];
    assert_eq!(got, want);
    assert!(ps.iter().all(|p| p.code == Code::InvalidMetadata));
}

const GROUPS: &str = "heat_template_version: 2016-10-14
resources:
  web:
    type: OS::Heat::ResourceGroup
    properties:
      count: 2
      resource_def:
        type: OS::Nova::Server
        properties: {image: i, flavor: f}
        metadata:
          heat_sync:
            roles: [{name: app, outputs: {url: u}}]
  pool:
    type: OS::Heat::AutoScalingGroup
    properties:
      min_size: 1
      max_size: 3
      resource:
        type: OS::Nova::Server
        properties: {image: i, flavor: f}
        metadata:
          heat_sync:
            roles: [{name: worker, outputs: {ready: r}}]
  lb:
    type: OS::Nova::Server
    properties: {image: i, flavor: f}
    metadata:
      heat_sync:
        roles:
          - name: haproxy
            inputs:
              all: {get_attr: [web, url]}
              first: {get_attr: [web, resource.1, url]}
              workers: {get_attr: [pool, ready]}
              bad: {get_attr: [web, resource.2, url]}
              worse: {get_attr: [pool, resource.0, ready]}
";

#[test]
fn group_members_and_gathers() {
    let ps = problems(GROUPS);
    let got: Vec<String> = ps.iter().map(|p| format!("{}: {}", p.place, p.message)).collect();
    assert_eq!(got, [
        "resources.lb.metadata.heat_sync.roles[0].inputs.bad: web has 2 members: there is no resource.2",
        "resources.lb.metadata.heat_sync.roles[0].inputs.worse: pool is an AutoScalingGroup: its members have no fixed index (resource.0 is an error), gather with [pool, OUTPUT]",
    ]);
    let g = heat_sync::dataflow::graph_json(&inputs("t.yaml", GROUPS)).unwrap();
    let classes: Vec<(&str, &str)> = g["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["class"].as_str().unwrap(), i["source"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(
        classes[..3],
        [
            ("runtime", "web.url from every web/app"),
            ("runtime", "web.1.url from web/app"),
            ("runtime", "pool.ready from every pool/worker"),
        ]
    );
}

#[test]
fn classification_static_heat_runtime_and_hidden_values_never_shown() {
    let t = two(
        "[{name: m, inputs: {lit: 3, p: {get_param: n}, s: {get_param: pw}, net: {get_resource: net}, addr: {get_attr: [web, first_address]}}, outputs: {db_host: h}}]",
        "[{name: w, inputs: {h: {get_attr: [db, db_host]}}, outputs: {url: u}}]",
    );
    let g = heat_sync::dataflow::graph_json(&inputs("t.yaml", &t)).unwrap();
    let text = g.to_string();
    assert!(!text.contains("hunter2"), "{text}");
    let got: Vec<(String, String)> = g["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["class"].as_str().unwrap().to_string(), i["source"].to_string()))
        .collect();
    assert_eq!(
        got,
        [
            ("static".into(), "3".into()),
            ("static".into(), "2".into()),
            ("heat".into(), r#"{"get_param":"pw"}"#.into()),
            ("heat".into(), r#"{"get_resource":"net"}"#.into()),
            ("runtime".into(), r#""web.first_address from web (agent)""#.into()),
            ("runtime".into(), r#""db.db_host from db/m""#.into()),
        ]
    );
    assert_eq!(g["edges"].as_array().unwrap().len(), 1);
    assert_eq!(
        g["edges"][0],
        serde_json::json!({"from": "db/m", "to": "web/w", "kind": "value", "value": "db.db_host"})
    );
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_heat-sync"))
        .current_dir(root())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn cli_exit_codes_and_formats() {
    let (code, _, err) = run(&["check", "examples/deadlock/template.yaml"]);
    assert_eq!(code, 1, "{err}");
    snapshot("check_deadlock.txt", &err);
    let (code, out, _) = run(&["check", "examples/deadlock/template.yaml", "--format", "json"]);
    assert_eq!(code, 1);
    snapshot("check_deadlock.json", &out);
    for ex in ["wordpress", "three-tier"] {
        let (code, out, err) = run(&["check", &format!("examples/{ex}/template.yaml")]);
        assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""), "{ex}");
    }
    let (code, _, err) = run(&["check", "examples/nope.yaml"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(&["check", "examples/deadlock/template.yaml", "--format", "xml"]);
    assert_eq!(code, 2);
}

#[test]
fn cli_warnings_alone_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.yaml");
    std::fs::write(
        &t,
        two(
            "[{name: m, outputs: {db_host: h, spare: s}}]",
            "[{name: w, inputs: {h: {get_attr: [db, db_host]}}, outputs: {url: u}}]",
        ),
    )
    .unwrap();
    let (code, _, err) = run(&["check", t.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert_eq!(err.trim(), "warning: resources.db.metadata.heat_sync.roles[0].outputs.spare: nobody reads db.spare (no input, resource or stack output uses it) [unread-output]");
}

#[test]
fn cli_graph_dataflow_formats() {
    let (code, out, _) = run(&["graph", "--dataflow", "examples/three-tier/template.yaml"]);
    assert_eq!(code, 0);
    snapshot("graph_dataflow_three-tier.json", &out);
    let (code, out, _) =
        run(&["graph", "--dataflow", "--format", "dot", "examples/three-tier/template.yaml"]);
    assert_eq!(code, 0);
    snapshot("graph_dataflow_three-tier.dot", &out);
    let (code, out, _) =
        run(&["graph", "--dataflow", "--format", "svg", "examples/wordpress/template.yaml"]);
    assert_eq!(code, 0);
    assert!(out.contains("<svg") && out.contains("web/wordpress"), "{out}");
    let (code, _, err) = run(&["graph", "--dataflow", "examples/deadlock/template.yaml"]);
    assert_eq!(code, 1);
    assert!(err.contains("deadlock: web/wordpress waits for db.db_host"), "{err}");
}

#[test]
fn heat_rejections_are_problems_with_heat_messages() {
    let roles = |body: &str| {
        two(
            "[{name: mysql, run_list: ['recipe[m]'], outputs: {db_host: mysql.host}}]",
            &format!("[{{name: wp, run_list: ['recipe[w]'], inputs: {{wp.db: {{get_attr: [db, db_host]}}}}, outputs: {{url: wp.url}}}}]\n  extra:\n{body}"),
        )
    };
    // A function the version does not have (Fn::GetAZs is CFN only).
    let p = only(
        &roles("    type: OS::Heat::Value\n    properties: {value: {'Fn::GetAZs': ''}}"),
        Code::InvalidTemplate,
    );
    assert_eq!(p.severity, Severity::Error);
    assert!(p.message.starts_with("Heat rejects the template: "), "{p:?}");
    assert!(p.message.contains("Fn::GetAZs"), "{p:?}");
    // Bad function arguments: Heat's place and message.
    let p = only(
        &roles("    type: OS::Heat::Value\n    properties: {value: {list_join: 7}}"),
        Code::InvalidTemplate,
    );
    assert_eq!(p.place, "resources.extra.properties.value.list_join", "{p:?}");
    // An unknown resource type: the template is the place.
    let p = only(&roles("    type: OS::Nova::Servr"), Code::InvalidTemplate);
    assert_eq!(p.place, "t.yaml");
    assert!(p.message.contains("OS::Nova::Servr"), "{p:?}");
    // A hidden parameter's value Heat would quote is masked.
    let ps = problems(&roles(
        "    type: OS::Heat::Value\n    properties: {value: {get_param: [pw, x]}}",
    ));
    assert!(ps.iter().all(|p| !p.message.contains("hunter2")), "{ps:#?}");
    // Parameter values come at stack creation: one without a value is no rejection.
    let no_default =
        roles("    type: OS::Heat::Value\n    properties: {value: {get_param: region}}")
            .replace("parameters:\n", "parameters:\n  region: {type: string}\n");
    assert!(problems(&no_default).iter().all(|p| p.code != Code::InvalidTemplate));
    // References between coordinated servers in heat_sync sections are run-time waits,
    // not Heat dependencies, and role outputs are attributes: a clean template stays clean.
    assert!(problems(&roles(
        "    type: OS::Heat::Value\n    properties: {value: {get_attr: [db, db_host]}}"
    ))
    .iter()
    .all(|p| p.code != Code::InvalidTemplate));
}

#[test]
fn compile_refuses_what_heat_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(
        &path,
        "heat_template_version: 2016-10-14\nresources:\n  db:\n    type: OS::Nova::Server\n    \
         properties: {image: i, flavor: f}\n    metadata:\n      heat_sync:\n        tool: script\n        roles: \
         [{name: m, run: 'true'}]\n  v:\n    type: OS::Heat::Value\n    properties: {value: \
         {list_join: 7}}\n",
    )
    .unwrap();
    let out = dir.path().join("out.yaml");
    let (code, stdout, err) =
        run(&["compile", path.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(code, 1, "{stdout}{err}");
    assert!(err.contains("resources.v.properties.value.list_join"), "{err}");
    assert!(err.contains("[invalid-template]"), "{err}");
    assert!(!out.exists(), "nothing is written for a template Heat rejects");
}

#[test]
fn waiting_for_a_conditional_server_is_a_warning() {
    let t = compile_util::CONDITIONAL_SERVER;
    let p = only(t, Code::ConditionalProducer);
    assert_eq!(p.severity, Severity::Warning);
    assert_eq!(
        p.to_string(),
        "warning: resources.web.metadata.heat_sync.roles[0].inputs.cache: web/app waits for cache, which \
         exists only when condition cache_on is true: created with it false, the role waits \
         until its timeout [conditional-producer]"
    );
    // Without the condition, nothing to say.
    let plain = t.replace("    condition: cache_on\n", "");
    assert!(problems(&plain).iter().all(|p| p.code != Code::ConditionalProducer));
}
