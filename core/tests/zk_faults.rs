//! Faults with a real ZooKeeper: a client cut off for longer than its session timeout
//! (a local TCP proxy) and healed; the ensemble leader and a follower killed mid-run
//! with ten simulated servers exchanging values. Each scenario prints its recovery time.

mod zk_common;

use std::time::{Duration, Instant};

use heat_sync::client::{Client, WaitOptions};
use heat_sync::plan::{ServerId, ValueKey};
use serde_json::json;
use zk_common::*;

fn key(i: usize, output: &str) -> ValueKey {
    ValueKey { server: ServerId::member("node", i.to_string()), output: output.into() }
}

#[test]
fn a_session_expired_behind_a_partition_is_rebuilt_and_every_wait_re_armed() {
    let Some(zk) = zk() else { return };
    // Short sessions so the partition outlives them (the server allows 1 s and more).
    std::env::set_var("HEAT_SYNC_ZK_SESSION_TIMEOUT_MS", "1500");
    let upstream = zk.split(',').next().unwrap();
    let proxy = Proxy::start(upstream);
    let ns = namespace("expiry");
    let cut_off =
        Client::connect(&config(&proxy.address, &ns, Some("s")), Some(ServerId::plain("web")))
            .unwrap();
    cut_off.announce_alive().unwrap();
    let db = Client::connect(&config(&zk, &ns, Some("s")), Some(ServerId::plain("db"))).unwrap();
    let k = ValueKey { server: ServerId::plain("db"), output: "db_host".into() };
    let waiter = {
        let (c, k) = (cut_off.clone(), k.clone());
        std::thread::spawn(move || c.get(&k, &WaitOptions::new(Duration::from_secs(60))))
    };
    std::thread::sleep(Duration::from_millis(300));
    proxy.cut();
    std::thread::sleep(Duration::from_millis(500));
    db.put(&k, &json!("published during the partition")).unwrap();
    std::thread::sleep(Duration::from_secs(4)); // longer than the session timeout
    let healed = Instant::now();
    proxy.heal();
    let got = waiter.join().unwrap().unwrap();
    println!("session expiry: value delivered {:?} after the partition healed", healed.elapsed());
    assert_eq!((got.version, got.value), (1, json!("published during the partition")));
    // The rebuilt session re-announced the agent and can still publish its own values.
    let admin = Client::connect(&config(&zk, &ns, Some("s")), None).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while !admin.status().unwrap().alive.contains(&"web".to_string()) {
        assert!(Instant::now() < deadline, "liveness not re-created after the session rebuild");
        std::thread::sleep(Duration::from_millis(100));
    }
    let own = ValueKey { server: ServerId::plain("web"), output: "url".into() };
    assert_eq!(cut_off.put(&own, &json!("http://web")).unwrap(), 1);
    admin.remove_stack().unwrap();
}

/// Ten servers in a ring: server i publishes `a` at once, then waits for server i-1's
/// `a` and publishes `b` derived from it; `fault` runs after the first half published.
fn ring(hosts: &str, fault: impl FnOnce()) -> Duration {
    const N: usize = 10;
    let ns = namespace("ring");
    let clients: Vec<Client> = (0..N)
        .map(|i| {
            Client::connect(
                &config(hosts, &ns, Some("ring")),
                Some(ServerId::member("node", i.to_string())),
            )
            .unwrap()
        })
        .collect();
    let threads: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let c = c.clone();
            std::thread::spawn(move || {
                if i < N / 2 {
                    c.put(&key(i, "a"), &json!(i)).unwrap();
                }
                let prev = c
                    .get(&key((i + N - 1) % N, "a"), &WaitOptions::new(Duration::from_secs(90)))
                    .unwrap();
                c.put(&key(i, "b"), &json!(format!("{i} saw {}", prev.value))).unwrap();
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    fault();
    let start = Instant::now();
    for (i, c) in clients.iter().enumerate().skip(N / 2) {
        c.put(&key(i, "a"), &json!(i)).unwrap();
    }
    for t in threads {
        t.join().unwrap();
    }
    let recovered = start.elapsed();
    let reader = Client::connect(&config(hosts, &ns, Some("ring")), None).unwrap();
    for i in 0..N {
        let a = reader.get(&key(i, "a"), &WaitOptions::new(Duration::from_secs(10))).unwrap();
        let b = reader.get(&key(i, "b"), &WaitOptions::new(Duration::from_secs(10))).unwrap();
        assert_eq!((a.version, a.value), (1, json!(i)), "value intact, one version");
        assert_eq!((b.version, b.value), (1, json!(format!("{i} saw {}", (i + N - 1) % N))));
    }
    reader.remove_stack().unwrap();
    recovered
}

#[test]
fn the_ensemble_leader_or_a_follower_killed_mid_run_loses_nothing() {
    if zk().is_none() {
        return;
    }
    /// Stops the ensemble even when the test fails.
    struct Stop;
    impl Drop for Stop {
        fn drop(&mut self) {
            let _ = std::process::Command::new(repo().join("scripts/zk"))
                .args(["stop", "ensemble"])
                .status();
        }
    }
    scripts_zk(&["start", "ensemble"]);
    let _stop = Stop;
    let hosts = scripts_zk(&["address", "ensemble"]);
    let leader = scripts_zk(&["leader", "ensemble"]);
    let took = ring(&hosts, || scripts_zk(&["stop-member", "ensemble", &leader]).truncate(0));
    println!("leader {leader} killed mid-run: every role done {took:?} after the kill");
    scripts_zk(&["start-member", "ensemble", &leader]);
    let leader = scripts_zk(&["leader", "ensemble"]);
    let follower = if leader == "1" { "2" } else { "1" };
    let took = ring(&hosts, || scripts_zk(&["stop-member", "ensemble", follower]).truncate(0));
    println!("follower {follower} killed mid-run: every role done {took:?} after the kill");
    scripts_zk(&["start-member", "ensemble", follower]);
}

#[test]
fn a_restarted_agent_takes_over_its_liveness_and_a_closed_one_is_gone_at_once() {
    let Some(zk) = zk() else { return };
    std::env::set_var("HEAT_SYNC_ZK_SESSION_TIMEOUT_MS", "1500");
    let ns = namespace("live");
    let proxy = Proxy::start(zk.split(',').next().unwrap());
    let web = ServerId::plain("web");
    // The first agent is killed: its session lingers until it times out.
    let killed =
        Client::connect(&config(&proxy.address, &ns, Some("s")), Some(web.clone())).unwrap();
    killed.announce_alive().unwrap();
    proxy.cut();
    let restarted = Client::connect(&config(&zk, &ns, Some("s")), Some(web.clone())).unwrap();
    restarted.announce_alive().unwrap();
    std::thread::sleep(Duration::from_secs(3)); // the old session expires meanwhile
    let admin = Client::connect(&config(&zk, &ns, Some("s")), None).unwrap();
    assert_eq!(
        admin.status().unwrap().alive,
        ["web"],
        "the restarted agent's liveness survives the old session"
    );
    drop(killed);
    drop(restarted);
    let start = Instant::now();
    assert!(admin.status().unwrap().alive.is_empty(), "a closed session's liveness goes at once");
    println!("liveness gone {:?} after close", start.elapsed());
    admin.remove_stack().unwrap();
}
