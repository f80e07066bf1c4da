//! `heat-sync simulate` end to end: real agent processes on the embedded store, from a
//! hand-written stack plan (a database, a ResourceGroup of two app servers, a load
//! balancer that gathers them) and from templates.

mod simulate_common;

use std::time::Duration;

use heat_sync::plan::*;
use serde_json::json;
use simulate_common::*;

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
        "db: signalled Heat: SUCCESS (HTTP 200)",
        "4 of 4 servers signalled SUCCESS: the stack would be CREATE_COMPLETE",
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
    assert!(stdout.contains("the stack would be CREATE_FAILED:"), "{stdout}");
    assert!(stdout.contains("  db: heat-sync: db/mysql failed: script exit status: 1"), "{stdout}");
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

fn simulate_template(
    dir: &std::path::Path,
    template: &str,
    extra: &[&str],
) -> std::process::Output {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    std::process::Command::new(env!("CARGO_BIN_EXE_heat-sync"))
        .arg("simulate")
        .arg(root.join(template))
        .arg("--work-dir")
        .arg(dir.join("run"))
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn the_three_tier_example_prints_its_stack_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out = simulate_template(
        dir.path(),
        "examples/three-tier/template.yaml",
        &["--param", "web_count=2"],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("simulating three-tier: 4 servers"), "{stdout}");
    // Run-time expressions, evaluated by the agents once their values arrived: db's
    // address and port with the compile-time app name and the Heat-resolved stack name;
    // the gather of the web servers' URLs joined.
    for line in [
        "[web.1/app] app: connecting to postgres://shop@127.0.0.2:5432/shop?application_name=three-tier (password of 24 characters)",
        "[lb/haproxy] haproxy: balancing over http://web-0.shop.example:8080/ http://web-1.shop.example:8080/",
        "web.0/app: got db.db_port from db/postgres",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    let outputs: Vec<&str> = stdout.lines().skip_while(|l| *l != "stack outputs:").collect();
    assert_eq!(
        outputs[1..4],
        [
            "  frontend: http://lb.example:80/",
            r#"  backends: ["http://web-0.shop.example:8080/","http://web-1.shop.example:8080/"]"#,
            "  first_backend: http://web-0.shop.example:8080/",
        ],
        "{stdout}"
    );
    // The generated password never shows.
    let state =
        std::fs::read_to_string(dir.path().join("run/servers/db/agent/state.json")).unwrap();
    let state: serde_json::Value = serde_json::from_str(&state).unwrap();
    let password = state["finished"]["postgres"]["outputs"]["db_password"].as_str().unwrap();
    assert_eq!(password.len(), 24);
    assert!(!stdout.contains(password) && !stderr.contains(password));
}

#[test]
fn a_deadlocked_template_is_refused_with_the_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let out = simulate_template(dir.path(), "examples/deadlock/template.yaml", &[]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("deadlock: web/wordpress waits for db.db_host from db/mysql"),
        "{stderr}"
    );
    assert!(!dir.path().join("run").exists(), "nothing may start");
}
