//! Value exchange through ZooKeeper: heat-sync's client beside a plain zookeeper-client
//! baseline doing the same work (create; exists with a watch; getData), in the same run.
//!
//! - latency: a waiter blocked in another process, then one publish; the time until the
//!   waiter holds the value (and has said so on a pipe, the same for both sides);
//!   p50 and p99 printed at the end;
//! - throughput: 1, 8 and 64 concurrent pairs (publisher here, waiter in another
//!   process), each pair exchanging a sequence of values;
//! - ZooKeeper operations per exchanged value, counted by the client.
//!
//! Both sides use one session per publisher and per waiter, each on its own thread with
//! a single-threaded runtime, so the comparison measures what heat-sync adds.
//!
//! Run: `scripts/zk start standalone` then
//! `HEAT_SYNC_ZK=$(scripts/zk address standalone) cargo bench -p heat-sync-benches --bench exchange`.
//! Without HEAT_SYNC_ZK the benchmark says so and does nothing.

// criterion_group! and criterion_main! define undocumented functions.
#![allow(missing_docs)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use heat_sync::client::{Client, WaitOptions};
use heat_sync::plan::{CoordinatorConfig, ServerId, ValueKey};
use serde_json::json;
use zookeeper_client as zkc;

const WAITER_ENV: &str = "HEAT_SYNC_BENCH_WAITER";
const VALUES_PER_PAIR: usize = 20;
/// How long a waiter is given to block before the publish (excluded from the timing).
const ARM: Duration = Duration::from_millis(3);

fn zk() -> Option<String> {
    std::env::var("HEAT_SYNC_ZK").ok().filter(|s| !s.is_empty())
}

fn config(hosts: &str, namespace: &str) -> CoordinatorConfig {
    CoordinatorConfig {
        address: format!("zk://{hosts}"),
        namespace: namespace.into(),
        credentials: None,
    }
}

fn key(pair: usize, seq: usize) -> ValueKey {
    ValueKey { server: ServerId::plain(format!("p{pair}")), output: format!("k{seq}") }
}

fn base_path(root: &str, pair: usize, seq: usize) -> String {
    format!("{root}/p{pair}-k{seq}")
}

fn unique(tag: &str) -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{tag}-{}-{nanos}", std::process::id())
}

/// One plain zookeeper-client session on its own single-threaded runtime.
struct Plain {
    rt: tokio::runtime::Runtime,
    client: zkc::Client,
}

impl Plain {
    fn connect(hosts: &str) -> Plain {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let connector = zkc::Client::connector().with_session_timeout(Duration::from_secs(10));
        let client = rt.block_on(connector.connect(hosts)).unwrap();
        Plain { rt, client }
    }

    fn create(&self, path: &str) {
        let opts = zkc::CreateMode::Persistent.with_acls(zkc::Acls::anyone_all());
        self.rt.block_on(self.client.create(path, b"\"v\"", &opts)).unwrap();
    }

    /// exists with a watch; when absent, the watch firing; then getData.
    fn wait(&self, path: &str) -> Vec<u8> {
        self.rt.block_on(async {
            let (stat, watcher) = self.client.check_and_watch_stat(path).await.unwrap();
            if stat.is_none() {
                watcher.changed().await;
            }
            self.client.get_data(path).await.unwrap().0
        })
    }
}

// ---- the waiter process ------------------------------------------------------------

/// Commands on stdin, one per line:
/// `hs LAT NS SEQ` / `zk LAT ROOT SEQ`: wait for one value, print `got`;
/// `hs BATCH NS PAIRS` / `zk BATCH ROOT PAIRS`: connect PAIRS sessions, print `ready`,
/// wait for VALUES_PER_PAIR values on each, print `done OPS`.
fn waiter(hosts: &str) {
    let plain = Plain::connect(hosts);
    let mut hs: Option<(String, Client)> = None;
    let mut out = std::io::stdout();
    for line in std::io::stdin().lock().lines() {
        let line = line.unwrap();
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["hs", "LAT", ns, seq] => {
                if hs.as_ref().map_or(true, |(n, _)| n != ns) {
                    let c = Client::connect(&config(hosts, ns), Some(ServerId::plain("waiter")))
                        .unwrap();
                    hs = Some((ns.to_string(), c));
                }
                let client = &hs.as_ref().unwrap().1;
                client
                    .get(&key(0, seq.parse().unwrap()), &WaitOptions::new(Duration::from_secs(30)))
                    .unwrap();
                writeln!(out, "got").unwrap();
            }
            ["zk", "LAT", root, seq] => {
                plain.wait(&base_path(root, 0, seq.parse().unwrap()));
                writeln!(out, "got").unwrap();
            }
            ["hs", "BATCH", ns, pairs] => {
                let pairs: usize = pairs.parse().unwrap();
                let clients: Vec<Client> = (0..pairs)
                    .map(|p| {
                        Client::connect(&config(hosts, ns), Some(ServerId::plain(format!("w{p}"))))
                            .unwrap()
                    })
                    .collect();
                let before: u64 = clients.iter().map(|c| c.operations().unwrap()).sum();
                writeln!(out, "ready").unwrap();
                out.flush().unwrap();
                let threads: Vec<_> = clients
                    .iter()
                    .enumerate()
                    .map(|(p, c)| {
                        let c = c.clone();
                        std::thread::spawn(move || {
                            for s in 0..VALUES_PER_PAIR {
                                c.get(&key(p, s), &WaitOptions::new(Duration::from_secs(60)))
                                    .unwrap();
                            }
                        })
                    })
                    .collect();
                threads.into_iter().for_each(|t| t.join().unwrap());
                let after: u64 = clients.iter().map(|c| c.operations().unwrap()).sum();
                writeln!(out, "done {}", after - before).unwrap();
            }
            ["zk", "BATCH", root, pairs] => {
                let pairs: usize = pairs.parse().unwrap();
                let sessions: Vec<Plain> = (0..pairs).map(|_| Plain::connect(hosts)).collect();
                writeln!(out, "ready").unwrap();
                out.flush().unwrap();
                let threads: Vec<_> = sessions
                    .into_iter()
                    .enumerate()
                    .map(|(p, session)| {
                        let root = root.to_string();
                        std::thread::spawn(move || {
                            for s in 0..VALUES_PER_PAIR {
                                session.wait(&base_path(&root, p, s));
                            }
                        })
                    })
                    .collect();
                threads.into_iter().for_each(|t| t.join().unwrap());
                writeln!(out, "done {}", pairs * VALUES_PER_PAIR * 2).unwrap();
            }
            _ => panic!("waiter: unknown command {line:?}"),
        }
        out.flush().unwrap();
    }
}

struct Waiter {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Waiter {
    fn spawn(hosts: &str) -> Waiter {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env(WAITER_ENV, hosts)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Waiter { child, stdin, stdout }
    }

    fn send(&mut self, line: &str) {
        writeln!(self.stdin, "{line}").unwrap();
        self.stdin.flush().unwrap();
    }

    fn recv(&mut self) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim().to_string()
    }
}

impl Drop for Waiter {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- the publisher side --------------------------------------------------------------

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn latency(c: &mut Criterion, hosts: &str, report: &Mutex<Vec<String>>) {
    let mut group = c.benchmark_group("exchange/latency");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_millis(500));
    let mut samples: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];

    // Baseline: plain zookeeper-client.
    let plain = Plain::connect(hosts);
    let root = format!("/bench-{}", unique("lat"));
    plain.create(&root);
    let mut waiter = Waiter::spawn(hosts);
    let mut seq = 0usize;
    group.bench_function(BenchmarkId::new("plain zookeeper-client", "create+watch+read"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                waiter.send(&format!("zk LAT {root} {seq}"));
                std::thread::sleep(ARM);
                let start = Instant::now();
                plain.create(&base_path(&root, 0, seq));
                assert_eq!(waiter.recv(), "got");
                let took = start.elapsed();
                samples[0].push(took);
                total += took;
                seq += 1;
            }
            total
        })
    });
    drop(waiter);

    // heat-sync.
    let ns = format!("/heat-sync/{}", unique("lat"));
    let publisher = Client::connect(&config(hosts, &ns), Some(ServerId::plain("p0"))).unwrap();
    let mut waiter = Waiter::spawn(hosts);
    // Open the waiter's session first (excluded from the timing).
    publisher.put(&key(0, 999_999), &json!("warm")).unwrap();
    waiter.send(&format!("hs LAT {ns} 999999"));
    assert_eq!(waiter.recv(), "got");
    let mut seq = 0usize;
    let before = publisher.operations().unwrap();
    group.bench_function(BenchmarkId::new("heat-sync", "put+get"), |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                waiter.send(&format!("hs LAT {ns} {seq}"));
                std::thread::sleep(ARM);
                let start = Instant::now();
                publisher.put(&key(0, seq), &json!("v")).unwrap();
                assert_eq!(waiter.recv(), "got");
                let took = start.elapsed();
                samples[1].push(took);
                total += took;
                seq += 1;
            }
            total
        })
    });
    let publisher_ops = publisher.operations().unwrap() - before;
    group.finish();
    let (b50, b99) = (percentile(&mut samples[0], 0.5), percentile(&mut samples[0], 0.99));
    let (h50, h99) = (percentile(&mut samples[1], 0.5), percentile(&mut samples[1], 0.99));
    let mut r = report.lock().unwrap();
    r.push(format!(
        "latency p50: heat-sync {h50:?}, baseline {b50:?} ({:.2}x; target <= 1.2x)",
        h50.as_secs_f64() / b50.as_secs_f64()
    ));
    r.push(format!(
        "latency p99: heat-sync {h99:?}, baseline {b99:?} ({:.2}x)",
        h99.as_secs_f64() / b99.as_secs_f64()
    ));
    r.push(format!("publisher operations per value: {:.2}", publisher_ops as f64 / seq as f64));
}

fn throughput(c: &mut Criterion, hosts: &str, report: &Mutex<Vec<String>>) {
    let mut group = c.benchmark_group("exchange/throughput");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_millis(500));
    for pairs in [1usize, 8, 64] {
        let values = (pairs * VALUES_PER_PAIR) as u64;
        group.throughput(Throughput::Elements(values));
        let mut rates = [0f64; 2];

        let publishers: Vec<Arc<Plain>> =
            (0..pairs).map(|_| Arc::new(Plain::connect(hosts))).collect();
        let mut waiter = Waiter::spawn(hosts);
        let (mut spent, mut count) = (Duration::ZERO, 0u64);
        group.bench_function(BenchmarkId::new("plain zookeeper-client", pairs), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let root = format!("/bench-{}", unique("tp"));
                    publishers[0].create(&root);
                    waiter.send(&format!("zk BATCH {root} {pairs}"));
                    assert_eq!(waiter.recv(), "ready");
                    let start = Instant::now();
                    let threads: Vec<_> = publishers
                        .iter()
                        .enumerate()
                        .map(|(p, session)| {
                            let (session, root) = (Arc::clone(session), root.clone());
                            std::thread::spawn(move || {
                                for s in 0..VALUES_PER_PAIR {
                                    session.create(&base_path(&root, p, s));
                                }
                            })
                        })
                        .collect();
                    threads.into_iter().for_each(|t| t.join().unwrap());
                    assert!(waiter.recv().starts_with("done"));
                    total += start.elapsed();
                }
                spent += total;
                count += iters * values;
                total
            })
        });
        rates[0] = count as f64 / spent.as_secs_f64();
        drop(waiter);
        drop(publishers);

        let mut waiter = Waiter::spawn(hosts);
        let (mut spent, mut count, mut ops) = (Duration::ZERO, 0u64, 0u64);
        group.bench_function(BenchmarkId::new("heat-sync", pairs), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    // A fresh namespace per batch: every value is a first publication.
                    let ns = format!("/heat-sync/{}", unique("tp"));
                    let batch: Vec<Client> = (0..pairs)
                        .map(|p| {
                            Client::connect(
                                &config(hosts, &ns),
                                Some(ServerId::plain(format!("p{p}"))),
                            )
                            .unwrap()
                        })
                        .collect();
                    let before: u64 = batch.iter().map(|c| c.operations().unwrap()).sum();
                    waiter.send(&format!("hs BATCH {ns} {pairs}"));
                    assert_eq!(waiter.recv(), "ready");
                    let start = Instant::now();
                    let threads: Vec<_> = batch
                        .iter()
                        .enumerate()
                        .map(|(p, c)| {
                            let c = c.clone();
                            std::thread::spawn(move || {
                                for s in 0..VALUES_PER_PAIR {
                                    c.put(&key(p, s), &json!("v")).unwrap();
                                }
                            })
                        })
                        .collect();
                    threads.into_iter().for_each(|t| t.join().unwrap());
                    let done = waiter.recv();
                    total += start.elapsed();
                    let waiter_ops: u64 = done.strip_prefix("done ").unwrap().parse().unwrap();
                    let after: u64 = batch.iter().map(|c| c.operations().unwrap()).sum();
                    ops += after - before + waiter_ops;
                }
                spent += total;
                count += iters * values;
                total
            })
        });
        rates[1] = count as f64 / spent.as_secs_f64();
        report.lock().unwrap().push(format!(
            "throughput {pairs:>2} pairs: heat-sync {:.0}/s, baseline {:.0}/s ({:.2}x; target >= 0.8x); \
             ZooKeeper operations per value {:.2} (target <= 3)",
            rates[1],
            rates[0],
            rates[1] / rates[0],
            ops as f64 / count as f64
        ));
    }
    group.finish();
}

fn main() {
    if let Ok(hosts) = std::env::var(WAITER_ENV) {
        return waiter(&hosts);
    }
    let Some(hosts) = zk() else {
        eprintln!(
            "exchange benchmark skipped: HEAT_SYNC_ZK is not set \
             (scripts/zk start standalone; export HEAT_SYNC_ZK=$(scripts/zk address standalone))"
        );
        return;
    };
    let report = Mutex::new(Vec::new());
    let mut c = Criterion::default().configure_from_args();
    latency(&mut c, &hosts, &report);
    throughput(&mut c, &hosts, &report);
    c.final_summary();
    println!("\nexchange summary (same run, same ZooKeeper):");
    for line in report.lock().unwrap().iter() {
        println!("  {line}");
    }
}
