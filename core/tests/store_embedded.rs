//! The embedded store through the public client: exchange between threads and between
//! processes, idempotent versioned publication, gathers, failure propagation,
//! interrupts, liveness and status.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use heat_sync::client::{Client, WaitOptions};
use heat_sync::plan::{CoordinatorConfig, ServerId, ValueKey};
use heat_sync::protocol::RoleStatus;
use heat_sync::Error;
use serde_json::json;

fn config(dir: &tempfile::TempDir) -> CoordinatorConfig {
    CoordinatorConfig {
        address: format!("embedded://{}", dir.path().display()),
        namespace: "/heat-sync/test".into(),
        credentials: None,
    }
}

fn key(server: ServerId, output: &str) -> ValueKey {
    ValueKey { server, output: output.into() }
}

#[test]
fn a_blocked_get_returns_the_value_published_by_another_client() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let db = Client::connect(&cfg, Some(ServerId::plain("db"))).unwrap();
    let web = Client::connect(&cfg, Some(ServerId::plain("web"))).unwrap();
    let k = key(ServerId::plain("db"), "db_host");
    let waiter = std::thread::spawn(move || {
        web.get(&k, &WaitOptions::new(Duration::from_secs(10))).unwrap()
    });
    std::thread::sleep(Duration::from_millis(200));
    let published_at = Instant::now();
    assert_eq!(db.put(&key(ServerId::plain("db"), "db_host"), &json!("10.0.0.5")).unwrap(), 1);
    let got = waiter.join().unwrap();
    assert!(
        published_at.elapsed() < Duration::from_secs(1),
        "delivered by a watch, not a slow poll"
    );
    assert_eq!((got.version, got.value), (1, json!("10.0.0.5")));
}

#[test]
fn publication_is_idempotent_and_versioned_with_change_notification() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let db = Client::connect(&cfg, Some(ServerId::plain("db"))).unwrap();
    let k = key(ServerId::plain("db"), "password");
    assert_eq!(db.put_changed(&k, &json!({"a": 1})).unwrap(), (1, true));
    assert_eq!(
        db.put_changed(&k, &json!({"a": 1})).unwrap(),
        (1, false),
        "same content: no new version"
    );
    let reader = Client::connect(&cfg, None).unwrap();
    let first = reader.get(&k, &WaitOptions::new(Duration::from_secs(5))).unwrap();
    assert_eq!(first.version, 1);
    let k2 = k.clone();
    let watcher = std::thread::spawn(move || {
        reader.changed(&k2, 1, &WaitOptions::new(Duration::from_secs(10))).unwrap()
    });
    std::thread::sleep(Duration::from_millis(100));
    assert_eq!(db.put_changed(&k, &json!({"a": 2})).unwrap(), (2, true));
    let changed = watcher.join().unwrap();
    assert_eq!((changed.version, changed.value), (2, json!({"a": 2})));
}

#[test]
fn gathers_wait_for_every_member_in_index_order() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let lb = Client::connect(&cfg, Some(ServerId::plain("lb"))).unwrap();
    let members: Vec<Client> = (0..3)
        .map(|i| Client::connect(&cfg, Some(ServerId::member("web", i.to_string()))).unwrap())
        .collect();
    let gather = std::thread::spawn(move || {
        lb.gather("web", "url", Some(3), &WaitOptions::new(Duration::from_secs(10)))
    });
    for (i, m) in members.iter().enumerate().rev() {
        m.put(
            &key(ServerId::member("web", i.to_string()), "url"),
            &json!(format!("http://web{i}")),
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(30));
    }
    let all = gather.join().unwrap().unwrap();
    let urls: Vec<_> = all.iter().map(|p| p.value.clone()).collect();
    assert_eq!(urls, [json!("http://web0"), json!("http://web1"), json!("http://web2")]);
    // An AutoScalingGroup gather: the current members, refreshed on change.
    let admin = Client::connect(&cfg, None).unwrap();
    let now = admin.gather("web", "url", None, &WaitOptions::new(Duration::from_secs(5))).unwrap();
    assert_eq!(now.len(), 3);
    let extra = Client::connect(&cfg, Some(ServerId::member("web", "10"))).unwrap();
    let before = now.clone();
    let refresh = std::thread::spawn(move || {
        admin.gather_changed(
            "web",
            "url",
            None,
            &before,
            &WaitOptions::new(Duration::from_secs(10)),
        )
    });
    std::thread::sleep(Duration::from_millis(100));
    extra.put(&key(ServerId::member("web", "10"), "url"), &json!("http://web10")).unwrap();
    let after = refresh.join().unwrap().unwrap();
    assert_eq!(
        after.iter().map(|p| p.key.server.to_string()).collect::<Vec<_>>(),
        ["web.0", "web.1", "web.2", "web.10"]
    );
}

#[test]
fn a_failed_producer_ends_waits_at_once_with_its_error() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let db = Client::connect(&cfg, Some(ServerId::plain("db"))).unwrap();
    let web = Client::connect(&cfg, Some(ServerId::plain("web"))).unwrap();
    let k = key(ServerId::plain("db"), "db_host");
    let waiter = std::thread::spawn(move || {
        let start = Instant::now();
        (web.get(&k, &WaitOptions::new(Duration::from_secs(30))), start.elapsed())
    });
    std::thread::sleep(Duration::from_millis(100));
    db.fail_outputs("mysql", &["db_host".into()], "recipe mysql::server failed").unwrap();
    let (result, took) = waiter.join().unwrap();
    let e = result.unwrap_err();
    assert!(took < Duration::from_secs(5));
    assert_eq!(
        e.to_string(),
        "db.db_host from db/mysql will not come: recipe mysql::server failed"
    );
    // A re-run that succeeds replaces the failure with a new version.
    assert_eq!(db.put(&key(ServerId::plain("db"), "db_host"), &json!("h")).unwrap(), 2);
}

#[test]
fn waits_time_out_and_can_be_interrupted_locally() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let web = Client::connect(&cfg, Some(ServerId::plain("web"))).unwrap();
    let k = key(ServerId::plain("db"), "db_host");
    let producer =
        heat_sync::plan::Producer { server: ServerId::plain("db"), role: Some("mysql".into()) };
    let progress = std::sync::Mutex::new(Vec::new());
    let options = WaitOptions::new(Duration::from_millis(300))
        .producer(&producer)
        .progress(Duration::from_millis(100), |p| progress.lock().unwrap().push(p.to_string()));
    let e = web.get(&k, &options).unwrap_err();
    assert!(matches!(e, Error::Timeout(_)), "{e}");
    assert_eq!(e.to_string(), "timed out after 0 s waiting for db.db_host from db/mysql");
    drop(options);
    let lines = progress.into_inner().unwrap();
    assert!(
        !lines.is_empty() && lines[0].starts_with("waiting 0 s for db.db_host from db/mysql"),
        "{lines:?}"
    );

    let stop = Arc::new(AtomicBool::new(false));
    let s = Arc::clone(&stop);
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(150));
        s.store(true, Ordering::SeqCst);
    });
    let start = Instant::now();
    let e = web
        .get(
            &k,
            &WaitOptions::new(Duration::from_secs(30)).interrupt(|| stop.load(Ordering::SeqCst)),
        )
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(2));
    assert_eq!(e.to_string(), "interrupted while waiting for db.db_host");
}

#[test]
fn role_status_liveness_and_status_view() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let db = Client::connect(&cfg, Some(ServerId::plain("db"))).unwrap();
    db.announce_alive().unwrap();
    let me = ServerId::plain("db");
    assert_eq!(db.role_status(&me, "mysql").unwrap(), None);
    db.set_role_status(&me, "mysql", &RoleStatus::Running).unwrap();
    db.set_role_status(&me, "mysql", &RoleStatus::Done).unwrap();
    assert_eq!(db.role_status(&me, "mysql").unwrap(), Some(RoleStatus::Done));
    db.put(&key(me.clone(), "db_host"), &json!("10.0.0.5")).unwrap();
    let admin = Client::connect(&cfg, None).unwrap();
    let status = admin.status().unwrap();
    assert_eq!(status.alive, ["db"]);
    assert_eq!(status.roles.len(), 1);
    assert_eq!(status.values[0].key, "db.db_host");
    assert_eq!(status.values[0].value, Some(json!("******")), "no plan: no value is shown");
    drop(db);
    // The session's lock is released when it closes, but a process another test spawns
    // at that moment holds a copy of every descriptor until its exec closes them (the
    // fork/exec window), so liveness may end a moment later: poll, bounded.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    loop {
        let status = admin.status().unwrap();
        if status.alive.is_empty() {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "liveness ends with the session");
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn processes_exchange_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(&dir);
    let plan = |server: &str, role: &str| {
        let text = json!({
            "format": "heat-sync/server-plan", "version": 1,
            "server": {"resource": server}, "tool": "script",
            "roles": [{"name": role, "timeout": 20,
                "inputs": [{"path": ["app", "db_host"], "place": "resources.web.metadata.heat_sync.roles[0].inputs.app.db_host",
                            "source": {"kind": "wait", "key": {"server": {"resource": "db"}, "output": "db_host"},
                                       "producer": {"server": {"resource": "db"}, "role": "mysql"}}}],
                "outputs": [{"name": "db_host", "path": ["mysql", "bind_address"]}]}],
            "coordinator": {"address": cfg.address, "namespace": cfg.namespace}
        });
        let path = dir.path().join(format!("{server}.json"));
        std::fs::write(&path, text.to_string()).unwrap();
        path
    };
    let web_plan = plan("web", "wordpress");
    let db_plan = plan("db", "mysql");
    let exe = env!("CARGO_BIN_EXE_heat-sync");
    // The reader blocks in its own process until another process publishes.
    let child = Command::new(exe)
        .args(["get", "app.db_host", "--timeout", "20", "--server-plan"])
        .arg(&web_plan)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let put = Command::new(exe)
        .args(["put", "db_host", "10.1.2.3", "--server-plan"])
        .arg(&db_plan)
        .output()
        .unwrap();
    assert!(put.status.success(), "{}", String::from_utf8_lossy(&put.stderr));
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), "10.1.2.3\n");
    let bad = Command::new(exe)
        .args(["get", "no.such", "--server-plan"])
        .arg(&web_plan)
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("no.such: not a declared input of web"));
}
