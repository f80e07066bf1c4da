//! Values exchanged through a real ZooKeeper (HEAT_SYNC_ZK): blocking reads, versions and
//! change notification, gathers, failure propagation, operation counts, status, the CLI
//! across processes, and ACL isolation between stacks and between servers (with the
//! stack secret and with the derived per-server credentials of docs/security.md).

mod zk_common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use heat_sync::client::{Client, WaitOptions};
use heat_sync::plan::{Credentials, ServerId, StackPlan, ValueKey};
use heat_sync::protocol::RoleStatus;
use serde_json::json;
use zk_common::*;

fn key(server: ServerId, output: &str) -> ValueKey {
    ValueKey { server, output: output.into() }
}

fn wait(secs: u64) -> WaitOptions<'static> {
    WaitOptions::new(Duration::from_secs(secs))
}

#[test]
fn a_blocked_read_gets_the_value_in_three_operations() {
    let Some(zk) = zk() else { return };
    let cfg = config(&zk, &namespace("exchange"), None);
    let db = Client::connect(&cfg, Some(ServerId::plain("db"))).unwrap();
    let web = Client::connect(&cfg, Some(ServerId::plain("web"))).unwrap();
    let (db_ops, web_ops) = (db.operations().unwrap(), web.operations().unwrap());
    let k = key(ServerId::plain("db"), "db_host");
    let w = web.clone();
    let waiter = std::thread::spawn(move || w.get(&k, &wait(10)).unwrap());
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    assert_eq!(db.put(&key(ServerId::plain("db"), "db_host"), &json!("10.0.0.5")).unwrap(), 1);
    let got = waiter.join().unwrap();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!((got.version, got.value), (1, json!("10.0.0.5")));
    let ops = (db.operations().unwrap() - db_ops) + (web.operations().unwrap() - web_ops);
    assert_eq!(ops, 3, "create + exists (watch) + getData (watch)");
    // Re-publishing the same content is a no-op; a new content is version 2, which a
    // change notification delivers.
    assert_eq!(
        db.put_changed(&key(ServerId::plain("db"), "db_host"), &json!("10.0.0.5")).unwrap(),
        (1, false)
    );
    let w = web.clone();
    let notified = std::thread::spawn(move || {
        w.changed(&key(ServerId::plain("db"), "db_host"), 1, &wait(10)).unwrap()
    });
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(db.put(&key(ServerId::plain("db"), "db_host"), &json!("10.0.0.6")).unwrap(), 2);
    let n = notified.join().unwrap();
    assert_eq!((n.version, n.value), (2, json!("10.0.0.6")));
    // A late reader gets the current version at once.
    let late = Client::connect(&cfg, None)
        .unwrap()
        .get(&key(ServerId::plain("db"), "db_host"), &wait(5))
        .unwrap();
    assert_eq!(late.version, 2);
}

#[test]
fn gathers_failures_roles_and_status() {
    let Some(zk) = zk() else { return };
    let ns = namespace("gather");
    let cfg = config(&zk, &ns, None);
    let lb = Client::connect(&cfg, Some(ServerId::plain("lb"))).unwrap();
    let members: Vec<Client> = (0..3)
        .map(|i| Client::connect(&cfg, Some(ServerId::member("web", i.to_string()))).unwrap())
        .collect();
    let l = lb.clone();
    let gather = std::thread::spawn(move || l.gather("web", "url", Some(3), &wait(10)).unwrap());
    for (i, m) in members.iter().enumerate().rev() {
        m.put(&key(ServerId::member("web", i.to_string()), "url"), &json!(i)).unwrap();
    }
    let all: Vec<_> = gather.join().unwrap().into_iter().map(|p| p.value).collect();
    assert_eq!(all, [json!(0), json!(1), json!(2)]);
    let asg = lb.gather("web", "url", None, &wait(5)).unwrap();
    assert_eq!(asg.len(), 3);

    let db = Client::connect(&cfg, Some(ServerId::plain("db"))).unwrap();
    let l = lb.clone();
    let failing =
        std::thread::spawn(move || l.get(&key(ServerId::plain("db"), "password"), &wait(30)));
    std::thread::sleep(Duration::from_millis(200));
    db.set_role_status(
        &ServerId::plain("db"),
        "mysql",
        &RoleStatus::Failed { error: "exit 3".into() },
    )
    .unwrap();
    db.fail_outputs("mysql", &["password".into()], "exit 3").unwrap();
    let e = failing.join().unwrap().unwrap_err();
    assert_eq!(e.to_string(), "db.password from db/mysql will not come: exit 3");

    db.announce_alive().unwrap();
    let status = Client::connect(&cfg, None).unwrap().status().unwrap();
    assert_eq!(status.alive, ["db"]);
    assert!(status
        .roles
        .iter()
        .any(|r| r.server == "db" && matches!(r.status, RoleStatus::Failed { .. })));
    assert_eq!(status.values.iter().filter(|v| v.key.starts_with("web.")).count(), 3);
    Client::connect(&cfg, None).unwrap().remove_stack().unwrap();
    assert!(Client::connect(&cfg, None).unwrap().status().unwrap().values.is_empty());
}

#[test]
fn processes_exchange_through_the_cli_over_zookeeper() {
    let Some(zk) = zk() else { return };
    let ns = namespace("cli");
    let exe = env!("CARGO_BIN_EXE_heat-sync");
    let address = format!("zk://{zk}");
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "stack-secret\n").unwrap();
    let plan = dir.path().join("db.json");
    let text = json!({
        "format": "heat-sync/server-plan", "version": 1, "server": {"resource": "db"}, "tool": "script",
        "roles": [{"name": "mysql", "timeout": 30, "outputs": [{"name": "db_host", "path": ["mysql", "bind_address"]}]}],
        "coordinator": {"address": address, "namespace": ns, "credentials": {"user": "db", "secret": "stack-secret"}}
    });
    std::fs::write(&plan, text.to_string()).unwrap();
    let reader = Command::new(exe)
        .args([
            "get",
            "--key",
            "db.db_host",
            "--timeout",
            "30",
            "--coordinator",
            &address,
            "--namespace",
            &ns,
            "--secret-file",
        ])
        .arg(&secret)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let put = Command::new(exe)
        .args(["put", "db_host", "10.9.8.7", "--server-plan"])
        .arg(&plan)
        .env_remove("HEAT_SYNC_ROLE")
        .output()
        .unwrap();
    assert!(put.status.success(), "{}", String::from_utf8_lossy(&put.stderr));
    let out = reader.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "10.9.8.7\n");
    // Without the stack secret the namespace cannot even be read.
    let denied = Command::new(exe)
        .args([
            "get",
            "--key",
            "db.db_host",
            "--timeout",
            "2",
            "--coordinator",
            &address,
            "--namespace",
            &ns,
        ])
        .output()
        .unwrap();
    assert_eq!(denied.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&denied.stderr).contains("permission denied"),
        "{}",
        String::from_utf8_lossy(&denied.stderr)
    );
}

#[test]
fn one_stack_cannot_read_or_write_another_and_a_server_writes_only_its_own_values() {
    let Some(zk) = zk() else { return };
    let ns_a = namespace("acl-a");
    let ns_b = namespace("acl-b");
    let plan: StackPlan = StackPlan::from_json(
        "plan",
        &json!({"format": "heat-sync/stack-plan", "version": 1, "servers": [
            {"server": {"resource": "db"}, "type": "OS::Nova::Server", "roles": []},
            {"server": {"resource": "web"}, "type": "OS::Nova::Server", "roles": []}]})
        .to_string(),
    )
    .unwrap();
    for (ns, secret) in [(&ns_a, "secret-a"), (&ns_b, "secret-b")] {
        Client::connect(&config(&zk, ns, Some(secret)), None).unwrap().init_stack(&plan).unwrap();
        let db =
            Client::connect(&config(&zk, ns, Some(secret)), Some(ServerId::plain("db"))).unwrap();
        db.put(&key(ServerId::plain("db"), "db_host"), &json!(format!("host of {ns}"))).unwrap();
    }
    let k = key(ServerId::plain("db"), "db_host");
    // Stack A's credentials on stack B's namespace: no read, no write.
    let intruder = Client::connect(&config(&zk, &ns_b, Some("secret-a")), None);
    let denied = match intruder {
        Err(e) => e.to_string(),
        Ok(c) => {
            let read = c.get(&k, &wait(2)).unwrap_err().to_string();
            assert!(read.contains("permission denied"), "{read}");
            c.status().unwrap_err().to_string()
        }
    };
    assert!(denied.contains("permission denied"), "{denied}");
    let writer =
        Client::connect(&config(&zk, &ns_b, Some("secret-a")), Some(ServerId::plain("db")));
    let e = match writer {
        Err(e) => e.to_string(),
        Ok(c) => c.put(&k, &json!("evil")).unwrap_err().to_string(),
    };
    assert!(e.contains("permission denied"), "{e}");
    // No credentials at all: nothing.
    let e = match Client::connect(&config(&zk, &ns_a, None), None) {
        Err(e) => e.to_string(),
        Ok(c) => c.get(&k, &wait(2)).unwrap_err().to_string(),
    };
    assert!(e.contains("permission denied"), "{e}");
    // Within stack A: web reads db's value but cannot overwrite it.
    let web = Client::connect(&config(&zk, &ns_a, Some("secret-a")), Some(ServerId::plain("web")))
        .unwrap();
    assert_eq!(web.get(&k, &wait(5)).unwrap().value, json!(format!("host of {ns_a}")));
    let e = web.put(&k, &json!("evil")).unwrap_err().to_string();
    assert!(e.contains("permission denied"), "{e}");
    let e = web
        .set_role_status(&ServerId::plain("db"), "mysql", &RoleStatus::Done)
        .unwrap_err()
        .to_string();
    assert!(e.contains("permission denied"), "{e}");
    assert_eq!(web.get(&k, &wait(5)).unwrap().version, 1, "the value is intact");
    // The administrator (stack secret) removes the whole namespace.
    for (ns, secret) in [(&ns_a, "secret-a"), (&ns_b, "secret-b")] {
        Client::connect(&config(&zk, ns, Some(secret)), None).unwrap().remove_stack().unwrap();
    }
}

/// A server session with the derived credentials its plan carries (HOT 2015-04-30 on).
fn derived(zk: &str, ns: &str, secret: &str, server: ServerId) -> Client {
    let mut cfg = config(zk, ns, None);
    cfg.credentials = Some(Credentials::derived(ns, secret, &server.resource));
    Client::connect(&cfg, Some(server)).unwrap()
}

fn denied(r: heat_sync::Result<impl std::fmt::Debug>, what: &str) {
    let e = r.expect_err(what).to_string();
    assert!(e.contains("permission denied"), "{what}: {e}");
}

#[test]
fn derived_credentials_write_only_their_own_nodes_and_the_admin_removes_everything() {
    let Some(zk) = zk() else { return };
    let (ns, other) = (namespace("derived"), namespace("derived-other"));
    let plan = StackPlan::from_json(
        "plan",
        &json!({"format": "heat-sync/stack-plan", "version": 1, "servers": [
            {"server": {"resource": "db"}, "type": "OS::Nova::Server", "roles": []},
            {"server": {"resource": "web"}, "type": "OS::Nova::Server", "roles": []},
            {"server": {"resource": "pool"}, "type": "OS::Nova::Server", "roles": [],
             "group": {"type": "OS::Heat::AutoScalingGroup"}}]})
        .to_string(),
    )
    .unwrap();
    let admin = Client::connect(&config(&zk, &ns, Some("secret-a")), None).unwrap();
    admin.init_stack(&plan).unwrap();
    Client::connect(&config(&zk, &other, Some("secret-b")), None)
        .unwrap()
        .init_stack(&plan)
        .unwrap();

    let db = derived(&zk, &ns, "secret-a", ServerId::plain("db"));
    let web = derived(&zk, &ns, "secret-a", ServerId::plain("web"));
    // An AutoScalingGroup member names itself at boot and makes its own directories.
    let member = derived(&zk, &ns, "secret-a", ServerId::member("pool", "i-42"));
    let db_host = key(ServerId::plain("db"), "db_host");
    db.put(&db_host, &json!("10.0.0.5")).unwrap();
    db.announce_alive().unwrap();
    db.set_role_status(&ServerId::plain("db"), "mysql", &RoleStatus::Done).unwrap();
    member.put(&key(ServerId::member("pool", "i-42"), "ready"), &json!(true)).unwrap();
    web.put(&key(ServerId::plain("web"), "url"), &json!("http://web/")).unwrap();

    // web reads db's value and the whole namespace, but writes nothing of db's.
    assert_eq!(web.get(&db_host, &wait(5)).unwrap().value, json!("10.0.0.5"));
    denied(web.put(&db_host, &json!("evil")), "web overwrites db.db_host");
    denied(web.put(&key(ServerId::plain("db"), "new"), &json!("evil")), "web adds db.new");
    denied(
        web.set_role_status(&ServerId::plain("db"), "mysql", &RoleStatus::Done),
        "web rewrites db's role status",
    );
    denied(web.put(&key(ServerId::member("pool", "i-7"), "ready"), &json!(1)), "web as a member");
    denied(web.init_stack(&plan), "web rewrites the stack plan");
    denied(web.remove_stack(), "web removes the stack");
    assert_eq!(web.get(&db_host, &wait(5)).unwrap().version, 1, "db.db_host is intact");
    // Another stack's server, with its own derived credentials, gets nothing.
    let mut intruder = config(&zk, &ns, None);
    intruder.credentials = Some(Credentials::derived(&other, "secret-b", "db"));
    match Client::connect(&intruder, Some(ServerId::plain("db"))) {
        Err(e) => assert!(e.to_string().contains("permission denied"), "{e}"),
        Ok(c) => {
            denied(c.get(&db_host, &wait(2)), "another stack's server reads");
            denied(c.put(&db_host, &json!("evil")), "another stack's server writes");
        }
    }

    // The administrator reads everything and removes what every server created.
    let status = admin.status().unwrap();
    assert_eq!(status.alive, ["db"]);
    let keys: Vec<(&str, Option<u64>)> =
        status.values.iter().map(|v| (v.key.as_str(), v.version)).collect();
    assert!(keys.contains(&("pool.i-42.ready", Some(1))), "{keys:?}");
    admin.remove_stack().unwrap();
    let left = Client::connect(&config(&zk, &ns, Some("secret-a")), None).unwrap();
    assert!(left.status().unwrap().values.is_empty(), "the namespace is gone");
    left.remove_stack().unwrap();
    Client::connect(&config(&zk, &other, Some("secret-b")), None).unwrap().remove_stack().unwrap();
}

#[test]
fn without_coordinator_init_servers_make_the_namespace_and_the_admin_still_removes_it() {
    let Some(zk) = zk() else { return };
    // Servers first (they make the shared directories), or an administrative session
    // first (it makes them, as the Python client's does), then the servers.
    for admin_first in [false, true] {
        let ns = namespace("unseeded");
        let early =
            admin_first.then(|| Client::connect(&config(&zk, &ns, Some("s")), None).unwrap());
        let db = derived(&zk, &ns, "s", ServerId::plain("db"));
        let web = derived(&zk, &ns, "s", ServerId::member("web", "0"));
        db.put(&key(ServerId::plain("db"), "h"), &json!(1)).unwrap();
        web.put(&key(ServerId::member("web", "0"), "u"), &json!(2)).unwrap();
        denied(web.put(&key(ServerId::plain("db"), "h"), &json!(3)), "web overwrites db.h");
        assert_eq!(web.get(&key(ServerId::plain("db"), "h"), &wait(5)).unwrap().value, json!(1));
        let admin =
            early.unwrap_or_else(|| Client::connect(&config(&zk, &ns, Some("s")), None).unwrap());
        assert_eq!(admin.status().unwrap().values.len(), 2, "admin first: {admin_first}");
        admin.remove_stack().unwrap();
        assert!(admin.status().unwrap().values.is_empty());
        admin.remove_stack().unwrap();
    }
}
