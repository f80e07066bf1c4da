//! Secrets (issue 7, item 5): a secret static input (a hidden parameter's value), a
//! secret output and the stack secret never appear in the agent's output, its event log,
//! `heat-sync status` (table or JSON) or error messages; every file the agent leaves
//! that holds one is readable by its owner only. Against ZooKeeper (HEAT_SYNC_ZK): the
//! agent runs from a plan with its own derived credentials (no stack secret), and a
//! session without the stack's credentials reads and writes nothing of it.

mod reliability_support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use heat_sync::client::{Client, WaitOptions};
use heat_sync::plan::{CoordinatorConfig, Credentials, ServerId, ServerPlan, ValueKey};
use reliability_support::{heat_sync, zk_from_env};
use serde_json::{json, Value};

const INPUT_SECRET: &str = "S3cr3t-input-7c1f";
const OUTPUT_SECRET: &str = "S3cr3t-output-9d2e";
const STACK_SECRET: &str = "S3cr3t-stack-4b8a";
const LIMIT: Duration = Duration::from_secs(120);

fn role() -> Value {
    json!({
        "name": "mysql",
        "timeout": 60,
        "run": "#!/bin/sh\nset -e\ntest \"$HEAT_SYNC_INPUT_MYSQL__ROOT_PASSWORD\" = \"$EXPECTED\"\nheat-sync put db_password \"$EXPECTED_OUT\"\nheat-sync put db_host 10.0.0.5\necho role done\n",
        "inputs": [{"path": ["mysql", "root_password"], "place": "resources.db.metadata.heat_sync.roles[0].inputs.mysql.root_password",
                    "source": {"kind": "static", "value": INPUT_SECRET, "secret": true}}],
        "outputs": [
            {"name": "db_password", "path": ["mysql", "password"], "secret": true},
            {"name": "db_host", "path": ["mysql", "bind_address"]}
        ]
    })
}

/// db's server plan; with ZooKeeper it carries db's own derived credentials, as Heat
/// renders them from HOT 2015-04-30 on (version 2), never the stack secret.
fn server_plan(address: &str, namespace: &str, credentials: Option<&Credentials>) -> Value {
    let mut plan = json!({
        "format": "heat-sync/server-plan",
        "version": ServerPlan::version_for(credentials),
        "server": {"resource": "db"},
        "tool": "script",
        "roles": [role()],
        "coordinator": {"address": address, "namespace": namespace}
    });
    if let Some(c) = credentials {
        plan["coordinator"]["credentials"] = serde_json::to_value(c).unwrap();
    }
    plan
}

fn stack_plan() -> Value {
    json!({"format": "heat-sync/stack-plan", "version": 1,
           "servers": [{"server": {"resource": "db"}, "type": "OS::Nova::Server", "tool": "script", "roles": [role()]}]})
}

fn all_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Runs the agent on `plan` (in `dir`), checks its output and its files: none shows a
/// secret, and those that hold one (`hidden` too: the plan's passwords) are 0600.
fn run_agent_and_check(dir: &Path, plan: &Value, hidden: &[&str]) {
    let plan_path = dir.join("plan.json");
    std::fs::write(&plan_path, plan.to_string()).unwrap();
    std::fs::set_permissions(&plan_path, std::fs::Permissions::from_mode(0o600)).unwrap();
    let work = dir.join("work");
    let run = heat_sync(
        &[
            "agent",
            "--server-plan",
            &plan_path.display().to_string(),
            "--work-dir",
            &work.display().to_string(),
            "--address",
            "127.0.0.1",
        ],
        &[("EXPECTED", INPUT_SECRET), ("EXPECTED_OUT", OUTPUT_SECRET)],
        None,
        LIMIT,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    run.no_crash();
    for s in [INPUT_SECRET, OUTPUT_SECRET, STACK_SECRET].iter().chain(hidden) {
        run.never_shows(s);
    }
    assert!(run.stdout.contains("******"), "the secret output is not shown masked: {run:#?}");

    // Files: those that hold a secret are the owner's alone; the event log and the
    // tool's output log hold none.
    let files = all_files(&work);
    assert!(!files.is_empty());
    for f in &files {
        let mode = std::fs::metadata(f).unwrap().permissions().mode() & 0o777;
        let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).to_string();
        let holds = [INPUT_SECRET, OUTPUT_SECRET, STACK_SECRET]
            .iter()
            .chain(hidden)
            .any(|s| text.contains(s));
        if holds {
            assert_eq!(mode & 0o077, 0, "{} holds a secret with mode {mode:o}", f.display());
        }
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        if name == "events.jsonl" || name == "output.log" {
            assert!(!holds, "{} shows a secret:\n{text}", f.display());
        }
    }
}

#[test]
fn secrets_stay_out_of_logs_status_and_other_users_files_embedded() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let address = format!("embedded://{}", store.display());
    let ns = "/heat-sync/secrets";
    let stack = dir.path().join("stack.json");
    std::fs::write(&stack, stack_plan().to_string()).unwrap();
    let run = heat_sync(
        &[
            "coordinator",
            "init",
            "--stack-plan",
            &stack.display().to_string(),
            "--coordinator",
            &address,
            "--namespace",
            ns,
        ],
        &[],
        None,
        LIMIT,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    run_agent_and_check(dir.path(), &server_plan(&address, ns, None), &[]);
    for args in [vec!["status"], vec!["status", "--json"]] {
        let mut a: Vec<&str> = args.clone();
        a.extend(["--coordinator", &address, "--namespace", ns]);
        let run = heat_sync(&a, &[], None, LIMIT);
        assert_eq!(run.code, Some(0), "{run:#?}");
        run.never_shows(OUTPUT_SECRET).never_shows(INPUT_SECRET);
        assert!(run.stdout.contains("10.0.0.5"), "status does not show the plain value: {run:#?}");
        assert!(run.stdout.contains("******"), "status does not mask the secret: {run:#?}");
    }
}

#[test]
fn secrets_and_the_stack_secret_stay_out_of_everything_zookeeper() {
    let Some(zk) = zk_from_env("security_secrets") else { return };
    let dir = tempfile::tempdir().unwrap();
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let ns = format!("/heat-sync/secrets-{}-{nanos}", std::process::id());
    let address = format!("zk://{zk}");
    let secret_file = dir.path().join("secret");
    std::fs::write(&secret_file, STACK_SECRET).unwrap();
    let stack = dir.path().join("stack.json");
    std::fs::write(&stack, stack_plan().to_string()).unwrap();
    let sf = secret_file.display().to_string();
    let run = heat_sync(
        &[
            "coordinator",
            "init",
            "--stack-plan",
            &stack.display().to_string(),
            "--coordinator",
            &address,
            "--namespace",
            &ns,
            "--secret-file",
            &sf,
        ],
        &[],
        None,
        LIMIT,
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    run.never_shows(STACK_SECRET);
    let creds = Credentials::derived(&ns, STACK_SECRET, "db");
    let plan = server_plan(&address, &ns, Some(&creds));
    assert!(!plan.to_string().contains(STACK_SECRET));
    let passwords = [creds.password.as_deref().unwrap(), creds.read_password.as_deref().unwrap()];
    run_agent_and_check(dir.path(), &plan, &passwords);
    for json in [false, true] {
        let mut a =
            vec!["status", "--coordinator", &address, "--namespace", &ns, "--secret-file", &sf];
        if json {
            a.push("--json");
        }
        let run = heat_sync(&a, &[], None, LIMIT);
        assert_eq!(run.code, Some(0), "{run:#?}");
        run.never_shows(OUTPUT_SECRET).never_shows(INPUT_SECRET).never_shows(STACK_SECRET);
    }
    // A wrong stack secret is refused without the secret (either one) in the message.
    let wrong = dir.path().join("wrong");
    std::fs::write(&wrong, "not-the-secret-1234").unwrap();
    let run = heat_sync(
        &[
            "status",
            "--coordinator",
            &address,
            "--namespace",
            &ns,
            "--secret-file",
            &wrong.display().to_string(),
        ],
        &[],
        None,
        LIMIT,
    );
    run.no_crash().never_shows("not-the-secret-1234").never_shows(STACK_SECRET);
    assert!(!run.stdout.contains(OUTPUT_SECRET));

    // Without credentials, or with another stack's, the values are out of reach.
    let key = ValueKey { server: ServerId::plain("db"), output: "db_password".into() };
    for creds in [None, Some("another-stacks-secret")] {
        let config = CoordinatorConfig {
            address: address.clone(),
            namespace: ns.clone(),
            credentials: creds.map(|s| Credentials::stack_secret("x", s)),
        };
        match Client::connect(&config, Some(ServerId::plain("db"))) {
            Err(e) => assert!(!e.to_string().contains(STACK_SECRET), "{e}"),
            Ok(c) => {
                let got = c.get(&key, &WaitOptions::new(Duration::from_secs(3)));
                assert!(got.is_err(), "read another stack's secret output with {creds:?}: {got:?}");
                let e = got.unwrap_err().to_string();
                assert!(!e.contains(OUTPUT_SECRET) && !e.contains(STACK_SECRET), "{e}");
                let put = c.put(&key, &json!("overwritten"));
                assert!(put.is_err(), "wrote another stack's value with {creds:?}");
            }
        }
    }
    let admin = Client::connect(
        &CoordinatorConfig {
            address: address.clone(),
            namespace: ns.clone(),
            credentials: Some(Credentials::stack_secret("admin", STACK_SECRET)),
        },
        None,
    )
    .unwrap();
    let v = admin.get(&key, &WaitOptions::new(Duration::from_secs(5))).unwrap();
    assert_eq!(
        (v.version, v.value),
        (1, json!(OUTPUT_SECRET)),
        "the secret output is intact for its own stack"
    );
    admin.remove_stack().unwrap();
}
