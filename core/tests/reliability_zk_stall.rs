//! A path to ZooKeeper that freezes (no reset, no answer) for a few seconds, shorter than
//! the session timeout: the zookeeper-client crate gives up on the connection with its own
//! error ("no response from connection in N ms"), reconnects within the same session, and
//! an operation caught in between must be retried, not failed, like one caught by a reset
//! connection. A loaded machine produces the same stall (seen here at load 20 on 2 cores).

mod reliability_support;

use std::time::{Duration, Instant};

use heat_sync::client::{Client, WaitOptions};
use heat_sync::plan::{CoordinatorConfig, Credentials, ServerId, ValueKey};
use reliability_support::{can_start_zookeeper, Ensemble, Proxy};
use serde_json::json;

#[test]
fn an_operation_caught_in_a_stalled_connection_is_retried() {
    if !can_start_zookeeper("reliability_zk_stall") {
        return;
    }
    let zk = Ensemble::start(1, 100);
    let proxy = Proxy::start(zk.addresses()[0]);
    let config = |hosts: String| CoordinatorConfig {
        address: format!("zk://{hosts}"),
        namespace: "/heat-sync/stall".into(),
        credentials: Some(Credentials::stack_secret("t", "s")),
    };
    let db =
        Client::connect(&config(proxy.addr().to_string()), Some(ServerId::plain("db"))).unwrap();
    let key = ValueKey { server: ServerId::plain("db"), output: "db_host".into() };
    proxy.stall();
    let started = Instant::now();
    let put = std::thread::scope(|s| {
        let h = s.spawn(|| db.put(&key, &json!("10.0.0.5")));
        std::thread::sleep(Duration::from_secs(4));
        proxy.heal();
        h.join().unwrap()
    });
    println!("put through a 4 s stall answered after {:?}: {put:?}", started.elapsed());
    assert_eq!(put.unwrap(), 1, "the put caught in the stall failed instead of being retried");
    let reader = Client::connect(&config(zk.connect_string()), None).unwrap();
    let got = reader.get(&key, &WaitOptions::new(Duration::from_secs(10))).unwrap();
    assert_eq!((got.version, got.value), (1, json!("10.0.0.5")));
}
