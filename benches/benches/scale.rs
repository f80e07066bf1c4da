//! Scale: many agent processes exchanging values through a ZooKeeper ensemble.
//!
//! N processes (default 1,000; `HEAT_SYNC_SCALE_AGENTS`), each with its own session,
//! publish 10 values each and wait for the 10 values of their neighbour in a ring, so
//! every value is exchanged once across processes. Reports the wall time, the ZooKeeper
//! operations per exchanged value (exchange only, and including each session's setup),
//! and each agent process's peak resident memory (VmHWM; target 15 MiB or less).
//!
//! Run: `scripts/zk start ensemble` then
//! `HEAT_SYNC_ZK=$(scripts/zk address ensemble) cargo bench -p heat-sync-benches --bench scale`.
//! Without HEAT_SYNC_ZK the benchmark says so and does nothing.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use heat_sync::client::{Client, WaitOptions};
use heat_sync::plan::{CoordinatorConfig, ServerId, ValueKey};
use serde_json::json;

const AGENT_ENV: &str = "HEAT_SYNC_SCALE_AGENT";
const VALUES: usize = 10;

fn key(agent: usize, seq: usize) -> ValueKey {
    ValueKey { server: ServerId::member("agent", agent.to_string()), output: format!("v{seq}") }
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// One agent: `HEAT_SYNC_SCALE_AGENT=index/count/hosts/namespace`.
fn agent(spec: &str) {
    let mut parts = spec.splitn(4, '/');
    let index: usize = parts.next().unwrap().parse().unwrap();
    let count: usize = parts.next().unwrap().parse().unwrap();
    let hosts = parts.next().unwrap();
    let namespace = format!("/{}", parts.next().unwrap());
    let config = CoordinatorConfig {
        address: format!("zk://{hosts}"),
        namespace,
        credentials: Some(heat_sync::plan::Credentials::stack_secret("scale", "scale-secret")),
    };
    let client =
        Client::connect(&config, Some(ServerId::member("agent", index.to_string()))).unwrap();
    client.announce_alive().unwrap();
    let after_setup = client.operations().unwrap();
    for seq in 0..VALUES {
        client.put(&key(index, seq), &json!(format!("{index}:{seq}"))).unwrap();
    }
    let neighbour = (index + 1) % count;
    for seq in 0..VALUES {
        let got =
            client.get(&key(neighbour, seq), &WaitOptions::new(Duration::from_secs(600))).unwrap();
        assert_eq!(got.value, json!(format!("{neighbour}:{seq}")));
    }
    let total = client.operations().unwrap();
    println!("ok {} {} {}", total - after_setup, total, peak_rss_kib());
}

fn main() {
    if let Ok(spec) = std::env::var(AGENT_ENV) {
        return agent(&spec);
    }
    let Some(hosts) = std::env::var("HEAT_SYNC_ZK").ok().filter(|s| !s.is_empty()) else {
        eprintln!("scale benchmark skipped: HEAT_SYNC_ZK is not set (scripts/zk start ensemble; export HEAT_SYNC_ZK=$(scripts/zk address ensemble))");
        return;
    };
    let count: usize =
        std::env::var("HEAT_SYNC_SCALE_AGENTS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let namespace = format!("heat-sync/scale-{nanos}");
    let exe = std::env::current_exe().unwrap();
    let start = Instant::now();
    let mut children = Vec::with_capacity(count);
    for index in 0..count {
        let child = Command::new(&exe)
            .env(AGENT_ENV, format!("{index}/{count}/{hosts}/{namespace}"))
            .stdout(Stdio::piped())
            .spawn()
            .expect("an agent process starts");
        children.push(child);
        // Servers boot over a few seconds, not in the same millisecond.
        std::thread::sleep(Duration::from_millis(3));
    }
    let (mut exchange_ops, mut all_ops, mut peaks, mut failed) = (0u64, 0u64, Vec::new(), 0usize);
    for mut child in children {
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let status = child.wait().unwrap();
        let words: Vec<u64> =
            line.split_whitespace().skip(1).filter_map(|w| w.parse().ok()).collect();
        if !status.success() || words.len() != 3 {
            failed += 1;
            continue;
        }
        exchange_ops += words[0];
        all_ops += words[1];
        peaks.push(words[2]);
    }
    let wall = start.elapsed();
    let values = (count * VALUES) as f64;
    peaks.sort_unstable();
    let max = peaks.last().copied().unwrap_or(0);
    let median = peaks.get(peaks.len() / 2).copied().unwrap_or(0);
    println!("scale: {count} agent processes, {VALUES} values each, through {hosts}");
    println!("  finished: {} ok, {failed} failed; wall time {wall:.2?}", count - failed);
    println!(
        "  ZooKeeper operations per exchanged value: {:.2} (exchange), {:.2} (with session setup)",
        exchange_ops as f64 / values,
        all_ops as f64 / values
    );
    println!("  peak resident memory per agent process: median {:.1} MiB, max {:.1} MiB (target <= 15 MiB)", median as f64 / 1024.0, max as f64 / 1024.0);
    // Leave nothing behind: remove the namespace.
    let config = CoordinatorConfig {
        address: format!("zk://{hosts}"),
        namespace: format!("/{namespace}"),
        credentials: Some(heat_sync::plan::Credentials::stack_secret("scale", "scale-secret")),
    };
    Client::connect(&config, None).and_then(|c| c.remove_stack()).unwrap();
    assert_eq!(failed, 0, "every agent finished");
}
