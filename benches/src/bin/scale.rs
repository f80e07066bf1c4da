//! The scale run (issue 7, item 2; docs/reliability.md): N real `heat-sync agent`
//! processes exchanging V values each through a ZooKeeper ensemble. A runner, not a
//! timed test: it prints wall time, ZooKeeper operations per value and the agents' peak
//! memory, and fails (exit 1) when a value is lost or wrong.
//!
//! ```text
//! scripts/zk start ensemble
//! cargo build --release -p heat-sync -p heat-sync-benches
//! target/release/scale --hosts "$(scripts/zk address ensemble)" [--agents 1000] [--values 10]
//! ```
//!
//! Agent i has two script roles: `publish` writes its V outputs `v0..` at once (one file,
//! no process per value), `consume` takes agent i-1's V values as inputs. Every value is
//! read back afterwards (version 1, the right content). ZooKeeper operations are the
//! ensemble's own count (`mntr` zk_packets_received, every member, before and after), so
//! they include session set-up, pings, liveness and role records: an upper bound on the
//! cost per value. Peak memory is each agent's VmHWM, sampled every 50 ms from its start until it exits
//! (an agent shorter than one sample is missed; the count of agents sampled is printed).

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use heat_sync::client::{Client, WaitOptions};
use heat_sync::plan::{CoordinatorConfig, Credentials, ServerId, ValueKey};
use serde_json::json;

struct Options {
    hosts: String,
    agents: usize,
    values: usize,
    heat_sync: PathBuf,
}

fn options() -> Result<Options, String> {
    let mut o = Options {
        hosts: String::new(),
        agents: 1000,
        values: 10,
        heat_sync: PathBuf::from("target/release/heat-sync"),
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--hosts" => o.hosts = value()?,
            "--agents" => o.agents = value()?.parse().map_err(|e| format!("--agents: {e}"))?,
            "--values" => o.values = value()?.parse().map_err(|e| format!("--values: {e}"))?,
            "--heat-sync" => o.heat_sync = PathBuf::from(value()?),
            _ => return Err(format!("unknown argument {a}")),
        }
    }
    if o.hosts.is_empty() {
        return Err("--hosts 127.0.0.1:PORT,... is required (scripts/zk address ensemble)".into());
    }
    if o.agents < 2 {
        return Err("--agents must be at least 2".into());
    }
    Ok(o)
}

/// The sum of `zk_packets_received` over every member.
fn packets(hosts: &str) -> u64 {
    hosts
        .split(',')
        .filter_map(|h| {
            let mut s = TcpStream::connect(h).ok()?;
            s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
            s.write_all(b"mntr").ok()?;
            let mut out = String::new();
            s.read_to_string(&mut out).ok()?;
            out.lines()
                .find_map(|l| l.strip_prefix("zk_packets_received"))
                .and_then(|v| v.trim().parse::<u64>().ok())
        })
        .sum()
}

fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches(" kB")
        .trim()
        .parse()
        .ok()
}

fn main() -> ExitCode {
    let o = match options() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("scale: {e}");
            return ExitCode::from(2);
        }
    };
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let namespace = format!("/heat-sync/scale-{}-{nanos}", std::process::id());
    let dir = std::env::temp_dir().join(format!("heat-sync-scale-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = CoordinatorConfig {
        address: format!("zk://{}", o.hosts),
        namespace: namespace.clone(),
        credentials: Some(Credentials::stack_secret("scale", "scale-secret")),
    };
    let server = |i: usize| ServerId::member("node", i.to_string());
    let (n, v) = (o.agents, o.values);
    let outputs: Vec<_> =
        (0..v).map(|k| json!({"name": format!("v{k}"), "path": [format!("v{k}")]})).collect();
    let publish = {
        let fields: Vec<String> =
            (0..v).map(|k| format!("\"v{k}\":\"$HEAT_SYNC_SERVER-{k}\"")).collect();
        format!(
            "#!/bin/sh\nprintf '%s' \"{{{}}}\" > \"$HEAT_SYNC_OUTPUTS\"\n",
            fields.join(",").replace('"', "\\\"")
        )
    };

    // Peak memory: every agent's VmHWM, sampled from its start until it exits.
    let pids: Arc<Mutex<Vec<u32>>> = Arc::default();
    let peaks: Arc<Mutex<HashMap<u32, u64>>> = Arc::default();
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (pids, peaks, sampling) = (pids.clone(), peaks.clone(), sampling.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                let live: Vec<u32> = pids.lock().unwrap().clone();
                for pid in live {
                    if let Some(kib) = peak_kib(pid) {
                        let mut p = peaks.lock().unwrap();
                        let e = p.entry(pid).or_default();
                        *e = (*e).max(kib);
                    }
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };

    let before = packets(&o.hosts);
    let started = Instant::now();
    let mut agents: Vec<Child> = Vec::with_capacity(n);
    for i in 0..n {
        let prev = (i + n - 1) % n;
        let inputs: Vec<_> = (0..v)
            .map(|k| json!({"path": ["in", format!("v{k}")], "place": format!("node.{i}.consume.in.v{k}"),
                            "source": {"kind": "wait", "key": {"server": server(prev), "output": format!("v{k}")},
                                       "producer": {"server": server(prev), "role": "publish"}}}))
            .collect();
        let plan = json!({
            "format": "heat-sync/server-plan", "version": 1, "server": server(i), "tool": "script",
            "roles": [
                {"name": "publish", "timeout": 1800, "run": publish, "outputs": outputs},
                {"name": "consume", "timeout": 1800, "run": "#!/bin/sh\nexit 0\n", "inputs": inputs}
            ],
            "coordinator": config,
        });
        let plan_path = dir.join(format!("plan{i}.json"));
        std::fs::write(&plan_path, plan.to_string()).unwrap();
        let log = std::fs::File::create(dir.join(format!("agent{i}.log"))).unwrap();
        let child = Command::new(&o.heat_sync)
            .arg("agent")
            .arg("--server-plan")
            .arg(&plan_path)
            .arg("--work-dir")
            .arg(dir.join(format!("work{i}")))
            .args([
                "--address",
                "127.0.0.1",
                "--name",
                &format!("node-{i}"),
                "--progress-interval",
                "60",
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn();
        match child {
            Ok(c) => {
                pids.lock().unwrap().push(c.id());
                agents.push(c)
            }
            Err(e) => {
                eprintln!("scale: starting agent {i}: {e}");
                for a in &mut agents {
                    let _ = a.kill();
                }
                return ExitCode::from(2);
            }
        }
    }
    let spawned = started.elapsed();

    let mut failed = Vec::new();
    let mut running: Vec<(usize, Child)> = agents.into_iter().enumerate().collect();
    let deadline = Instant::now() + Duration::from_secs(1800);
    while !running.is_empty() {
        let mut still = Vec::with_capacity(running.len());
        for (i, mut c) in running {
            match c.try_wait() {
                Ok(Some(status)) if status.success() => {}
                Ok(Some(status)) => failed.push(format!("agent {i}: {status}")),
                _ if Instant::now() > deadline => {
                    let _ = c.kill();
                    failed.push(format!("agent {i}: still running after 30 min"));
                }
                _ => still.push((i, c)),
            }
        }
        running = still;
        std::thread::sleep(Duration::from_millis(100));
    }
    let wall = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    let after = packets(&o.hosts);

    // Every value, read back: version 1, the right content.
    let admin = Client::connect(&config, None).expect("connect to read the values back");
    let mut wrong = 0usize;
    for i in 0..n {
        for k in 0..v {
            let key = ValueKey { server: server(i), output: format!("v{k}") };
            match admin.get(&key, &WaitOptions::new(Duration::from_secs(5))) {
                Ok(p) if p.version == 1 && p.value == json!(format!("node.{i}-{k}")) => {}
                other => {
                    wrong += 1;
                    if wrong <= 5 {
                        eprintln!("scale: node.{i}.v{k}: {other:?}");
                    }
                }
            }
        }
    }
    let _ = admin.remove_stack();

    let mut kib: Vec<u64> = peaks.lock().unwrap().values().copied().collect();
    kib.sort_unstable();
    let values = (n * v) as f64;
    println!("agents {n}, values per agent {v}, values exchanged {}", n * v);
    println!("spawned in {spawned:.2?}, wall time {wall:.2?}");
    println!(
        "ZooKeeper packets received {} ({:.1} per value, sessions, pings, liveness and role records included)",
        after.saturating_sub(before),
        after.saturating_sub(before) as f64 / values
    );
    if !kib.is_empty() {
        println!(
            "agent peak RSS (VmHWM): median {:.1} MiB, max {:.1} MiB over {} agents",
            kib[kib.len() / 2] as f64 / 1024.0,
            kib[kib.len() - 1] as f64 / 1024.0,
            kib.len()
        );
    }
    println!("failed agents {}, wrong or missing values {wrong}", failed.len());
    for f in failed.iter().take(5) {
        eprintln!("scale: {f}");
    }
    if failed.is_empty() && wrong == 0 {
        let _ = std::fs::remove_dir_all(&dir);
        ExitCode::SUCCESS
    } else {
        eprintln!("scale: logs kept in {}", dir.display());
        ExitCode::from(1)
    }
}
