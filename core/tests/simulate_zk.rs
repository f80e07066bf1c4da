//! `heat-sync simulate --coordinator zk://...` against a real ZooKeeper (HEAT_SYNC_ZK):
//! the stack runs with a fresh stack secret (ACLs on), and a run where every role
//! finished leaves no namespace behind.

mod simulate_common;
mod zk_common;

use simulate_common::*;

#[test]
fn three_tier_over_zookeeper() {
    let Some(hosts) = zk_common::zk() else { return };
    let dir = tempfile::tempdir().unwrap();
    let chroot = format!("/simulate-{}", std::process::id());
    let coordinator = format!("zk://{hosts}{chroot}");
    let (out, _) = simulate(dir.path(), &three_tier(DB_OK), &["--coordinator", &coordinator]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("lb/haproxy: got app.endpoint from every member of app/app"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("on {coordinator}")), "{stdout}");
    // The namespace is gone: a fresh look at it finds no stack plan.
    let plan = std::fs::read_to_string(dir.path().join("run/servers/db/server-plan.json")).unwrap();
    let plan = heat_sync::plan::ServerPlan::from_json("db", &plan).unwrap();
    let admin = heat_sync::client::Client::connect(&plan.coordinator, None).unwrap();
    assert!(admin.stack_plan().unwrap().is_none());
}
