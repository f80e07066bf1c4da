//! The agent running script roles against an in-memory coordinator: inputs in the
//! environment and the inputs file, outputs from the outputs file, waits, failure
//! propagation, timeouts and resume after a restart.

mod agent_common;

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use agent_common::*;
use heat_sync::agent::events::{read_events, EventKind, EVENTS_FILE};
use heat_sync::agent::{Agent, Coordination, Rerun, RoleState, Wait};
use heat_sync::plan::*;
use serde_json::json;

fn key(server: &ServerId, output: &str) -> ValueKey {
    ValueKey { server: server.clone(), output: output.into() }
}

#[test]
fn script_gets_inputs_and_its_outputs_are_published() {
    let dir = tempfile::tempdir().unwrap();
    let db = ServerId::plain("db");
    let script = r#"#!/bin/sh
set -eu
test "$HEAT_SYNC_INPUT_MYSQL__PORT" = 3306
test "$HEAT_SYNC_INPUT_MYSQL__USERS" = '["app","ops"]'
test "$HEAT_SYNC_ROLE" = mysql
test "$HEAT_SYNC_SERVER" = db
test "$HEAT_SYNC_FIRST_ADDRESS" = 127.0.0.7
test "$(pwd)" = "$HEAT_SYNC_WORK_DIR"
test -x "$HEAT_SYNC_BIN"
grep -q '"port": 3306' "$HEAT_SYNC_INPUTS"
echo "configuring mysql on port $HEAT_SYNC_INPUT_MYSQL__PORT"
printf '{"mysql": {"bind_address": "%s", "password": "s3cret"}}' "$HEAT_SYNC_FIRST_ADDRESS" > "$HEAT_SYNC_OUTPUTS"
"#;
    let mut password = output("db_password", "mysql.password");
    password.secret = true;
    let plan = server_plan(
        db.clone(),
        Tool::Script,
        vec![script_role(
            "mysql",
            script,
            vec![
                static_input("mysql.port", json!(3306)),
                static_input("mysql.users", json!(["app", "ops"])),
            ],
            vec![output("db_host", "mysql.bind_address"), password],
        )],
    );
    let mem = Memory::default();
    let opts = options(dir.path(), &plan);
    let outcome = Agent::new(plan, opts, &mem).run().unwrap();
    assert_eq!(outcome.failed, None);
    assert_eq!(outcome.outputs["db_host"], json!("127.0.0.7"));
    assert_eq!(mem.versions(&key(&db, "db_host")), vec![json!("127.0.0.7")]);
    assert_eq!(mem.versions(&key(&db, "db_password")), vec![json!("s3cret")]);
    assert_eq!(mem.versions(&key(&db, "first_address")), vec![json!("127.0.0.7")]);
    assert_eq!(mem.versions(&key(&db, "name")), vec![json!("sim-db")]);
    assert_eq!(mem.role(&db, "mysql"), Some(RoleState::Done));
    assert_eq!(mem.alive(), 1);
    let states: Vec<_> = mem.role_log().into_iter().map(|(_, _, s)| s).collect();
    assert_eq!(states, vec![RoleState::Running, RoleState::Done]);
    // The script's output is kept, and the event log never holds the secret.
    let log = std::fs::read_to_string(dir.path().join("work/roles/mysql/output.log")).unwrap();
    assert!(log.contains("configuring mysql on port 3306"), "{log}");
    let events = std::fs::read_to_string(dir.path().join("work").join(EVENTS_FILE)).unwrap();
    assert!(!events.contains("s3cret"), "{events}");
    assert!(events.contains("******"), "{events}");
}

#[test]
fn a_role_waits_for_a_value_another_server_publishes_later() {
    let dir = tempfile::tempdir().unwrap();
    let db = ServerId::plain("db");
    let web = ServerId::plain("web");
    let plan = server_plan(
        web.clone(),
        Tool::Script,
        vec![script_role(
            "app",
            "printf '{\"app\": {\"url\": \"http://%s/\"}}' \"$HEAT_SYNC_INPUT_APP__DB_HOST\" > \"$HEAT_SYNC_OUTPUTS\"",
            vec![wait_input("app.db_host", db.clone(), "db_host", "mysql")],
            vec![output("url", "app.url")],
        )],
    );
    let mem = Arc::new(Memory::default());
    let publisher = {
        let mem = Arc::clone(&mem);
        let db = db.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(700));
            Coordination::publish(&*mem, &key(&db, "db_host"), &json!("10.0.0.5")).unwrap();
        })
    };
    let opts = options(dir.path(), &plan);
    let started = Instant::now();
    let outcome = Agent::new(plan, opts, &*mem).run().unwrap();
    publisher.join().unwrap();
    assert!(started.elapsed() >= Duration::from_millis(650));
    assert_eq!(outcome.failed, None);
    assert_eq!(mem.versions(&key(&web, "url")), vec![json!("http://10.0.0.5/")]);
    let events = read_events(&dir.path().join("work").join(EVENTS_FILE)).unwrap();
    let done = events.iter().find(|e| e.kind == EventKind::WaitDone).expect("a finished wait");
    assert_eq!(done.key.as_deref(), Some("db.db_host"));
    assert_eq!(done.from.as_deref(), Some("db/mysql"));
    assert!(done.took_ms.unwrap() >= 600, "{done:?}");
}

#[test]
fn a_failed_producer_ends_the_wait_at_once_and_the_failure_propagates() {
    let dir = tempfile::tempdir().unwrap();
    let db = ServerId::plain("db");
    let web = ServerId::plain("web");
    let mem = Memory::default();
    Coordination::fail_outputs(&mem, &db, "mysql", &["db_host".into()], "disk full").unwrap();
    let plan = server_plan(
        web.clone(),
        Tool::Script,
        vec![
            script_role(
                "app",
                "exit 0",
                vec![wait_input("app.db_host", db.clone(), "db_host", "mysql")],
                vec![],
            ),
            script_role("monitor", "exit 0", vec![], vec![output("dashboard", "m.url")]),
        ],
    );
    let opts = options(dir.path(), &plan);
    let started = Instant::now();
    let outcome = Agent::new(plan, opts, &mem).run().unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    let (role, error) = outcome.failed.expect("the role fails");
    assert_eq!(role, "app");
    assert!(error.contains("inputs.app.db_host") && error.contains("disk full"), "{error}");
    assert!(matches!(mem.role(&web, "app"), Some(RoleState::Failed(e)) if e.contains("disk full")));
    assert!(
        matches!(mem.role(&web, "monitor"), Some(RoleState::Failed(e)) if e.contains("web/app failed")),
        "{:?}",
        mem.role(&web, "monitor")
    );
    // A consumer of the never-run role's output stops at once with the reason.
    let e = mem
        .wait(
            &key(&web, "dashboard"),
            &Producer { server: web.clone(), role: Some("monitor".into()) },
            &Wait {
                timeout: Duration::from_secs(5),
                progress_every: Duration::from_secs(1),
                progress: &|_| {},
            },
        )
        .unwrap_err();
    assert!(e.to_string().contains("not run: web/app failed before it"), "{e}");
}

#[test]
fn a_failing_script_fails_its_role_with_its_last_output() {
    let dir = tempfile::tempdir().unwrap();
    let plan = server_plan(
        ServerId::plain("db"),
        Tool::Script,
        vec![script_role("mysql", "echo 'cannot bind 3306' >&2; exit 3", vec![], vec![])],
    );
    let mem = Memory::default();
    let opts = options(dir.path(), &plan);
    let outcome = Agent::new(plan, opts, &mem).run().unwrap();
    let (_, error) = outcome.failed.unwrap();
    assert!(error.contains("exit status: 3") && error.contains("cannot bind 3306"), "{error}");
}

#[test]
fn an_output_never_written_fails_the_role_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let plan = server_plan(
        ServerId::plain("db"),
        Tool::Script,
        vec![script_role("mysql", "true", vec![], vec![output("db_host", "mysql.bind_address")])],
    );
    let mem = Memory::default();
    let opts = options(dir.path(), &plan);
    let (_, error) = Agent::new(plan, opts, &mem).run().unwrap().failed.unwrap();
    assert!(error.contains("db_host") && error.contains("mysql.bind_address"), "{error}");
}

#[test]
fn a_script_past_its_timeout_is_killed() {
    let dir = tempfile::tempdir().unwrap();
    let mut role = script_role("slow", "sleep 30", vec![], vec![]);
    role.timeout = 1;
    let plan = server_plan(ServerId::plain("db"), Tool::Script, vec![role]);
    let mem = Memory::default();
    let opts = options(dir.path(), &plan);
    let started = Instant::now();
    let (_, error) = Agent::new(plan, opts, &mem).run().unwrap().failed.unwrap();
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    assert!(error.contains("killed"), "{error}");
}

#[test]
fn a_wait_past_the_role_timeout_names_what_and_whom() {
    let dir = tempfile::tempdir().unwrap();
    let mut role = script_role(
        "app",
        "true",
        vec![wait_input("app.db_host", ServerId::plain("db"), "db_host", "mysql")],
        vec![],
    );
    role.timeout = 1;
    let plan = server_plan(ServerId::plain("web"), Tool::Script, vec![role]);
    let mem = Memory::default();
    let opts = options(dir.path(), &plan);
    let (_, error) = Agent::new(plan, opts, &mem).run().unwrap().failed.unwrap();
    assert!(error.contains("db.db_host") && error.contains("db/mysql"), "{error}");
}

#[test]
fn a_restarted_agent_does_not_rerun_finished_roles_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let db = ServerId::plain("db");
    let counter = dir.path().join("runs");
    let script = format!(
        "echo run >> {0}\nprintf '{{\"n\": %s}}' $(wc -l < {0}) > \"$HEAT_SYNC_OUTPUTS\"",
        counter.display()
    );
    let plan = server_plan(
        db.clone(),
        Tool::Script,
        vec![script_role("mysql", &script, vec![], vec![output("runs", "n")])],
    );
    let mem = Memory::default();
    let mut opts = options(dir.path(), &plan);
    Agent::new(plan.clone(), opts.clone(), &mem).run().unwrap();
    // A fresh store after the restart still gets the finished role's outputs again.
    let fresh = Memory::default();
    let outcome = Agent::new(plan.clone(), opts.clone(), &fresh).run().unwrap();
    assert_eq!(outcome.failed, None);
    assert_eq!(std::fs::read_to_string(&counter).unwrap().lines().count(), 1);
    assert_eq!(fresh.versions(&key(&db, "runs")), vec![json!(1)]);
    assert_eq!(fresh.role(&db, "mysql"), Some(RoleState::Done));
    // The same store sees no duplicate version.
    Agent::new(plan.clone(), opts.clone(), &mem).run().unwrap();
    assert_eq!(mem.versions(&key(&db, "runs")), vec![json!(1)]);
    // Asked to, it runs again, and the new value is a new version.
    opts.rerun = Rerun::Roles(vec!["mysql".into()]);
    Agent::new(plan.clone(), opts.clone(), &mem).run().unwrap();
    assert_eq!(std::fs::read_to_string(&counter).unwrap().lines().count(), 2);
    assert_eq!(mem.versions(&key(&db, "runs")), vec![json!(1), json!(2)]);
    opts.rerun = Rerun::Roles(vec!["nope".into()]);
    let e = Agent::new(plan, opts, &mem).run().unwrap_err();
    assert!(e.to_string().contains("--rerun nope"), "{e}");
}

/// An input whose expression reads a published value inside `str_replace`.
fn expression_input(p: &str, db: &ServerId, expression: serde_json::Value) -> PlanInput {
    let wait = wait_input(p, db.clone(), "db_host", "mysql").source;
    PlanInput {
        path: path(p),
        place: format!("resources.web.metadata.heat_sync.roles[0].inputs.{p}"),
        source: InputSource::Expression {
            template_version: "heat_template_version.2016-10-14".into(),
            expression,
            args: vec![wait, InputSource::Static { value: json!("wp"), secret: false }],
        },
    }
}

#[test]
fn an_expression_input_is_evaluated_once_its_value_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let db = ServerId::plain("db");
    let web = ServerId::plain("web");
    let e = json!({"str_replace": {"template": "mysql://$h/$d", "params": {
        "$h": {"get_attr": ["heat_sync_args", "0"]}, "$d": {"get_attr": ["heat_sync_args", "1"]}}}});
    let plan = server_plan(
        web.clone(),
        Tool::Script,
        vec![script_role(
            "app",
            "printf '{\"app\": {\"url\": \"%s\"}}' \"$HEAT_SYNC_INPUT_APP__DB_URL\" > \"$HEAT_SYNC_OUTPUTS\"",
            vec![expression_input("app.db_url", &db, e)],
            vec![output("url", "app.url")],
        )],
    );
    let mem = Arc::new(Memory::default());
    let publisher = {
        let mem = Arc::clone(&mem);
        let db = db.clone();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));
            Coordination::publish(&*mem, &key(&db, "db_host"), &json!("10.0.0.5")).unwrap();
        })
    };
    let opts = options(dir.path(), &plan);
    let outcome = Agent::new(plan, opts, &*mem).run().unwrap();
    publisher.join().unwrap();
    assert_eq!(outcome.failed, None);
    assert_eq!(mem.versions(&key(&web, "url")), vec![json!("mysql://10.0.0.5/wp")]);
}

#[test]
fn an_expression_that_heat_would_refuse_fails_its_role_naming_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = ServerId::plain("db");
    let mem = Memory::default();
    Coordination::publish(&mem, &key(&db, "db_host"), &json!(42)).unwrap();
    // list_join over a number: Heat's TypeError.
    let e = json!({"list_join": [",", {"get_attr": ["heat_sync_args", "0"]}]});
    let plan = server_plan(
        ServerId::plain("web"),
        Tool::Script,
        vec![script_role("app", "exit 0", vec![expression_input("app.hosts", &db, e)], vec![])],
    );
    let opts = options(dir.path(), &plan);
    let outcome = Agent::new(plan, opts, &mem).run().unwrap();
    let (role, error) = outcome.failed.expect("the role fails");
    assert_eq!(role, "app");
    assert!(
        error.starts_with("resources.web.metadata.heat_sync.roles[0].inputs.app.hosts: evaluating the expression failed: TypeError"),
        "{error}"
    );
}
