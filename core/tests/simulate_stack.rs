//! `heat-sync simulate` end to end: real agent processes on the embedded store, from a
//! hand-written stack plan (a database, a ResourceGroup of two app servers, a load
//! balancer that gathers them) and from templates.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use heat_sync::plan::*;
use serde_json::json;

fn input(path: &str, source: InputSource) -> PlanInput {
    PlanInput {
        path: heat_sync::agent::context::parse_path(path),
        place: format!("inputs.{path}"),
        source,
    }
}

fn role(name: &str, run: &str, inputs: Vec<PlanInput>, outputs: &[(&str, &str)]) -> PlanRole {
    PlanRole {
        name: name.into(),
        run_list: vec![],
        run: Some(run.into()),
        timeout: 60,
        inputs,
        outputs: outputs
            .iter()
            .map(|(n, p)| PlanOutput {
                name: n.to_string(),
                path: heat_sync::agent::context::parse_path(p),
                publish: Publish::OnFinish,
                secret: *n == "db_password",
            })
            .collect(),
    }
}

fn server(name: &str, group: Option<u64>, tool: Tool, roles: Vec<PlanRole>) -> StackServer {
    StackServer {
        server: ServerId::plain(name),
        resource_type: "OS::Nova::Server".into(),
        group: group
            .map(|n| GroupInfo { group_type: "OS::Heat::ResourceGroup".into(), count: Some(n) }),
        tool,
        roles,
    }
}

/// db generates a password (after a short pause, so others visibly wait), each app
/// server waits for it and the db address, and the load balancer gathers the app
/// servers' addresses.
fn three_tier(db_script: &str) -> StackPlan {
    let wait = |server: &str, output: &str, role: Option<&str>| InputSource::Wait {
        key: ValueKey { server: ServerId::plain(server), output: output.into() },
        producer: Producer { server: ServerId::plain(server), role: role.map(str::to_string) },
    };
    StackPlan {
        format: STACK_PLAN_FORMAT.into(),
        version: PLAN_VERSION,
        servers: vec![
            server(
                "db",
                None,
                Tool::Script,
                vec![role(
                    "mysql",
                    db_script,
                    vec![input(
                        "mysql.port",
                        InputSource::Static { value: json!(3306), secret: false },
                    )],
                    &[("db_password", "mysql.password"), ("db_port", "mysql.port")],
                )],
            ),
            server(
                "app",
                Some(2),
                Tool::Script,
                vec![role(
                    "app",
                    r#"#!/bin/sh
set -eu
test -n "$HEAT_SYNC_INPUT_APP__DB__PASSWORD"
echo "app $HEAT_SYNC_SERVER connects to $HEAT_SYNC_INPUT_APP__DB__HOST:$HEAT_SYNC_INPUT_APP__DB__PORT as $HEAT_SYNC_INPUT_APP__NAME"
printf '{"app": {"endpoint": "%s:8080"}}' "$HEAT_SYNC_FIRST_ADDRESS" > "$HEAT_SYNC_OUTPUTS"
"#,
                    vec![
                        input("app.db.host", wait("db", "first_address", None)),
                        input("app.db.port", wait("db", "db_port", Some("mysql"))),
                        input("app.db.password", wait("db", "db_password", Some("mysql"))),
                        input(
                            "app.name",
                            InputSource::Static { value: json!("app-%index%"), secret: false },
                        ),
                    ],
                    &[("endpoint", "app.endpoint")],
                )],
            ),
            server(
                "lb",
                None,
                Tool::Script,
                vec![role(
                    "haproxy",
                    r#"echo "balancing $HEAT_SYNC_INPUT_HAPROXY__BACKENDS"
printf '{"haproxy": {"backends": %s}}' "$HEAT_SYNC_INPUT_HAPROXY__BACKENDS" > "$HEAT_SYNC_OUTPUTS""#,
                    vec![input(
                        "haproxy.backends",
                        InputSource::Gather {
                            group: "app".into(),
                            output: "endpoint".into(),
                            role: Some("app".into()),
                            count: Some(2),
                        },
                    )],
                    &[("backends", "haproxy.backends")],
                )],
            ),
        ],
    }
}

const DB_OK: &str = r#"sleep 1
printf '{"mysql": {"password": "%s", "port": 3306}}' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$HEAT_SYNC_OUTPUTS""#;

fn simulate(dir: &Path, plan: &StackPlan, extra: &[&str]) -> (Output, Duration) {
    let file = dir.join("stack-plan.json");
    std::fs::write(&file, plan.to_json()).unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_heat-sync"))
        .arg("simulate")
        .arg("--stack-plan")
        .arg(&file)
        .arg("--work-dir")
        .arg(dir.join("run"))
        .args(extra)
        .output()
        .unwrap();
    (out, started.elapsed())
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

#[test]
fn three_tier_runs_to_completion_with_waits_on_the_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let svg = dir.path().join("timeline.svg");
    let (out, _) = simulate(dir.path(), &three_tier(DB_OK), &["--timeline", svg.to_str().unwrap()]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    for line in [
        "db/mysql: started",
        "app.1/app: got db.db_password from db/mysql",
        "lb/haproxy: got app.endpoint from every member of app/app",
        "db/mysql: published db.db_password = ******",
        "every role of every server finished",
        "[app.0/app] app app.0 connects to 127.0.0.2:3306 as app-0",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    // The load balancer got both app servers' endpoints, in member order.
    let state =
        std::fs::read_to_string(dir.path().join("run/servers/lb/agent/state.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(
        state["finished"]["haproxy"]["outputs"]["backends"],
        json!(["127.0.0.3:8080", "127.0.0.4:8080"])
    );
    // The timeline table shows the app servers waiting about a second for the password.
    let table: Vec<&str> = stdout.lines().skip_while(|l| !l.starts_with("timeline of")).collect();
    let app = table.iter().find(|l| l.starts_with("app.0/app")).expect("a timeline row");
    assert!(app.contains("db.db_port") || app.contains("db.first_address"), "{app}");
    let waited = table.iter().any(|l| l.contains("db.db_password") && l.contains("db/mysql"));
    assert!(waited, "{}", table.join("\n"));
    let svg = std::fs::read_to_string(svg).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("lb/haproxy"), "{svg}");
    assert!(!stdout.contains(&state["finished"].to_string()));
}

#[test]
fn a_failed_role_stops_its_consumers_at_once_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let (out, took) =
        simulate(dir.path(), &three_tier("echo 'mysqld: out of disk' >&2; exit 1"), &[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(stderr.contains("db/mysql failed") && stderr.contains("out of disk"), "{stderr}");
    // The app servers and the load balancer fail on the propagated error, long before
    // their 60 s timeouts.
    assert!(
        stderr.contains("app.0/app failed") && stderr.contains("lb/haproxy failed"),
        "{stderr}"
    );
    assert!(took < Duration::from_secs(30), "{took:?}");
}

#[test]
fn chef_servers_without_chef_solo_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut plan = three_tier(DB_OK);
    plan.servers[0].tool = Tool::Chef;
    let (out, _) = simulate(dir.path(), &plan, &["--chef-solo", "/nonexistent/chef-solo"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("servers db use tool chef") && stderr.contains("chef-solo"),
        "{stderr}"
    );
}
