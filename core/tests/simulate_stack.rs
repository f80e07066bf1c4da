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
