//! Bad input through the command line (issue 7, item 4): malformed plan files,
//! coordinator addresses, namespaces and credentials each get an error naming the place,
//! exit status 2 (usage, input/output) or 1 (a run that failed), no panic, no backtrace;
//! and a rejected request writes nothing to the coordinator.

mod reliability_support;

use std::path::Path;
use std::time::Duration;

use reliability_support::{heat_sync, Run};
use serde_json::{json, Value};

const LIMIT: Duration = Duration::from_secs(60);

/// A server plan the agent accepts: one script role, the embedded store in `store`.
fn server_plan(store: &Path) -> Value {
    json!({
        "format": "heat-sync/server-plan",
        "version": 1,
        "server": {"resource": "db"},
        "tool": "script",
        "roles": [{
            "name": "mysql",
            "run": "#!/bin/sh\nheat-sync put db_host 10.0.0.5\n",
            "timeout": 30,
            "inputs": [],
            "outputs": [{"name": "db_host", "path": ["mysql", "bind_address"]}]
        }],
        "coordinator": {"address": format!("embedded://{}", store.display()), "namespace": "/heat-sync/s1"}
    })
}

fn stack_plan() -> Value {
    json!({
        "format": "heat-sync/stack-plan",
        "version": 1,
        "servers": [{"server": {"resource": "db"}, "type": "OS::Nova::Server", "tool": "script",
                     "roles": [{"name": "mysql", "run": "true", "timeout": 30,
                                "outputs": [{"name": "db_host", "path": ["mysql", "bind_address"]}]}]}]
    })
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// Every file under `dir`, as relative paths (what a store directory holds).
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p.strip_prefix(dir).unwrap().display().to_string());
        }
    }
    out.sort();
    out
}

/// Asserts a clean refusal (exit 1 or 2, no crash) whose stderr names `needle`.
fn refused_naming(run: &Run, needle: &str) {
    run.no_crash();
    assert!(matches!(run.code, Some(1 | 2)), "{needle:?}: {run:#?}");
    assert!(run.stderr.contains(needle), "{needle:?} not named: {run:#?}");
}

fn coordinator_init(plan: &str, address: &str) -> Run {
    heat_sync(
        &[
            "coordinator",
            "init",
            "--stack-plan",
            plan,
            "--coordinator",
            address,
            "--namespace",
            "/heat-sync/s1",
        ],
        &[],
        None,
        LIMIT,
    )
}

fn agent(plan: &str, work: &Path) -> Run {
    heat_sync(
        &[
            "agent",
            "--server-plan",
            plan,
            "--work-dir",
            &work.display().to_string(),
            "--address",
            "127.0.0.1",
        ],
        &[],
        None,
        LIMIT,
    )
}

#[test]
fn agent_refuses_malformed_server_plans_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let work = dir.path().join("work");
    let good = server_plan(&store);
    let mut cases: Vec<(&str, String, &str)> = vec![
        ("empty.json", String::new(), "not a valid heat-sync/server-plan"),
        ("garbage.json", "\u{0}\u{1}{{{".into(), "not a valid heat-sync/server-plan"),
        ("truncated.json", good.to_string()[..40].to_string(), "not a valid heat-sync/server-plan"),
        ("list.json", "[1, 2]".into(), "format"),
        ("yaml.json", "format: heat-sync/server-plan\nversion: 1\n".into(), "not a valid"),
    ];
    let mut variant = |name: &'static str, edit: &dyn Fn(&mut Value), needle: &'static str| {
        let mut v = good.clone();
        edit(&mut v);
        cases.push((name, v.to_string(), needle));
    };
    variant(
        "stack-format.json",
        &|v| v["format"] = json!("heat-sync/stack-plan"),
        "format is \"heat-sync/stack-plan\"",
    );
    variant("version3.json", &|v| v["version"] = json!(3), "plan version 3 is not supported");
    variant("version-string.json", &|v| v["version"] = json!("1"), "version");
    variant("no-roles.json", &|v| drop(v.as_object_mut().unwrap().remove("roles")), "roles");
    variant(
        "timeout-negative.json",
        &|v| v["roles"][0]["timeout"] = json!(-5),
        "roles[0].timeout: invalid value",
    );
    variant(
        "timeout-huge.json",
        &|v| v["roles"][0]["timeout"] = json!(1e300),
        "roles[0].timeout: invalid type",
    );
    variant("bad-tool.json", &|v| v["tool"] = json!("puppet"), "puppet");
    variant(
        "bad-source.json",
        &|v| {
            v["roles"][0]["inputs"] =
                json!([{"path": ["a"], "place": "p", "source": {"kind": "telepathy"}}])
        },
        "roles[0].inputs[0].source.kind: unknown variant `telepathy`",
    );
    variant(
        "half-credentials.json",
        &|v| v["coordinator"]["credentials"] = json!({"user": "db", "password": "p"}),
        "coordinator.credentials: needs `secret`, or both `password` and `read_password`",
    );
    variant(
        "relative-namespace.json",
        &|v| v["coordinator"]["namespace"] = json!("heat-sync/s1"),
        "coordinator.namespace",
    );
    variant(
        "empty-namespace.json",
        &|v| v["coordinator"]["namespace"] = json!(""),
        "coordinator.namespace",
    );
    for (name, text, needle) in cases {
        let path = write(dir.path(), name, &text);
        agent(&path, &work).refused(2, needle).refused(2, &path);
    }
    agent(&dir.path().join("missing.json").display().to_string(), &work).refused(2, "missing.json");
    assert!(
        files_under(&store).is_empty(),
        "a refused plan wrote to the store: {:?}",
        files_under(&store)
    );
}

#[test]
fn bad_coordinator_addresses_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let work = dir.path().join("work");
    for address in reliability_support::bad_addresses() {
        let address = address.as_str();
        let mut plan = server_plan(&dir.path().join("store"));
        plan["coordinator"]["address"] = json!(address);
        let path = write(dir.path(), "plan.json", &plan.to_string());
        refused_naming(&agent(&path, &work), &format!("{address:?}"));

        // The same address on the command line (an empty one is no address).
        let args = ["status", "--coordinator", address, "--namespace", "/heat-sync/s1"];
        let named =
            if address.is_empty() { "--coordinator".into() } else { format!("{address:?}") };
        refused_naming(&heat_sync(&args, &[], None, LIMIT), &named);
    }
}

#[test]
fn an_unreachable_coordinator_is_an_error_in_bounded_time() {
    let dir = tempfile::tempdir().unwrap();
    let port = reliability_support::free_port();
    let address = format!("zk://127.0.0.1:{port}");
    let started = std::time::Instant::now();
    let run = heat_sync(
        &["status", "--coordinator", &address, "--namespace", "/heat-sync/s1"],
        &[],
        None,
        Duration::from_secs(180),
    );
    run.no_crash();
    assert!(matches!(run.code, Some(1 | 2)), "{run:#?}");
    assert!(run.stderr.contains(&format!("127.0.0.1:{port}")), "address not named: {run:#?}");
    eprintln!("unreachable coordinator refused after {:?}", started.elapsed());
    drop(dir);
}

#[test]
fn bad_namespaces_and_credentials_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let address = format!("embedded://{}", store.display());
    for ns in ["", "relative", "/heat-sync/a//b", "/heat-sync/../other"] {
        let run =
            heat_sync(&["status", "--coordinator", &address, "--namespace", ns], &[], None, LIMIT);
        run.no_crash();
        assert!(matches!(run.code, Some(1 | 2)), "{ns:?}: {run:#?}");
    }
    let missing = dir.path().join("no-secret");
    heat_sync(
        &[
            "status",
            "--coordinator",
            &address,
            "--namespace",
            "/heat-sync/s1",
            "--secret-file",
            &missing.display().to_string(),
        ],
        &[],
        None,
        LIMIT,
    )
    .refused(2, "no-secret");
    assert!(files_under(&store).is_empty(), "{:?}", files_under(&store));
}

#[test]
fn coordinator_init_with_a_bad_stack_plan_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir_all(&store).unwrap();
    let address = format!("embedded://{}", store.display());
    let good = stack_plan();
    let mut bad_version = good.clone();
    bad_version["version"] = json!(7);
    let mut bad_servers = good.clone();
    bad_servers["servers"] = json!({"db": 1});
    for (name, text, needle) in [
        ("empty.json", String::new(), "not a valid heat-sync/stack-plan"),
        ("server.json", server_plan(&store).to_string(), "format is \"heat-sync/server-plan\""),
        ("v7.json", bad_version.to_string(), "plan version 7"),
        ("servers.json", bad_servers.to_string(), "servers"),
    ] {
        let path = write(dir.path(), name, &text);
        coordinator_init(&path, &address).refused(2, &path).refused(2, needle);
    }
    assert!(files_under(&store).is_empty(), "a refused init wrote: {:?}", files_under(&store));

    // The good plan is accepted (so the refusals above were about the plans).
    let path = write(dir.path(), "good.json", &good.to_string());
    let run = coordinator_init(&path, &address);
    assert_eq!(run.code, Some(0), "{run:#?}");
    assert!(!files_under(&store).is_empty());
}

#[test]
fn get_and_put_refuse_bad_requests_without_writing() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let plan = write(dir.path(), "plan.json", &server_plan(&store).to_string());
    // No coordinator at all.
    heat_sync(&["get", "--key", "db.db_host"], &[], None, LIMIT).refused(2, "no coordinator");
    heat_sync(&["put", "db_host", "x"], &[], None, LIMIT).refused(2, "--server-plan");
    // An output the server does not declare, bad JSON, a key that is not
    // server.output, an input the server does not declare.
    for (args, needle) in [
        (vec!["put", "--server-plan", &plan, "no_such_output", "x"], "no_such_output"),
        (vec!["put", "--server-plan", &plan, "--json", "db_host", "{not json"], ""),
        (vec!["get", "--server-plan", &plan, "--key", "nodot", "--timeout", "1"], "nodot"),
        (vec!["get", "--server-plan", &plan, "no.such.input", "--timeout", "1"], "no.such.input"),
    ] {
        refused_naming(&heat_sync(&args, &[], None, LIMIT), needle);
    }
    let values: Vec<String> = files_under(&store)
        .into_iter()
        .filter(|f| f.contains("values/") && f.matches('/').count() >= 4)
        .collect();
    assert!(values.is_empty(), "a refused put published: {values:?}");
}
