//! Faults with real agent processes (`heat-sync agent`) over a three-member ZooKeeper
//! ensemble this test owns (issue 7, item 1). Ten servers exchange values in a ring:
//! server i's role `first` publishes `a`, its role `second` waits for server i-1's `a`
//! and publishes `b` from it. Each scenario ends with every role done, every value
//! intact at version 1 (a restart republishes idempotently, so no version carries two
//! contents) and prints its recovery time.
//!
//! The client-level versions of the leader and follower kills and of session expiry live
//! in zk_faults.rs (runtime); these add the agent: its state file, its resume, its
//! liveness and role records, its scripts.

mod reliability_support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use heat_sync::client::{Client, WaitOptions};
use heat_sync::plan::{CoordinatorConfig, Credentials, ServerId, ValueKey};
use heat_sync::protocol::RoleStatus;
use reliability_support::{can_start_zookeeper, Ensemble, Proxy};
use serde_json::{json, Value};

const N: usize = 10;
const SECRET: &str = "reliability-stack-secret";
const LIMIT: Duration = Duration::from_secs(240);

fn server(i: usize) -> ServerId {
    ServerId::member("node", i.to_string())
}

fn key(i: usize, output: &str) -> ValueKey {
    ValueKey { server: server(i), output: output.into() }
}

struct Ring {
    dir: tempfile::TempDir,
    namespace: String,
    hosts: String,
}

impl Ring {
    fn new(hosts: &str, tag: &str) -> Ring {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("marks")).unwrap();
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        Ring {
            dir,
            namespace: format!("/heat-sync/{tag}-{}-{nanos}", std::process::id()),
            hosts: hosts.into(),
        }
    }

    fn mark(&self, name: &str) -> PathBuf {
        self.dir.path().join("marks").join(name)
    }

    fn work(&self, i: usize) -> PathBuf {
        self.dir.path().join(format!("work{i}"))
    }

    fn config(&self, hosts: &str) -> CoordinatorConfig {
        CoordinatorConfig {
            address: format!("zk://{hosts}"),
            namespace: self.namespace.clone(),
            credentials: Some(Credentials::stack_secret("ring", SECRET)),
        }
    }

    /// Writes server i's plan (reaching ZooKeeper through `hosts`); `gated` makes its
    /// `first` role wait for the file `gate-i` before publishing.
    fn plan(&self, i: usize, hosts: &str, gated: bool) -> PathBuf {
        let gate = self.mark(&format!("gate-{i}"));
        let wait_gate = if gated {
            format!(
                "touch {started}\nn=0\nwhile [ ! -e {gate} ] && [ $n -lt 1200 ]; do sleep 0.1; n=$((n+1)); done\n",
                started = self.mark(&format!("first-{i}")).display(),
                gate = gate.display()
            )
        } else {
            String::new()
        };
        let prev = (i + N - 1) % N;
        let plan = json!({
            "format": "heat-sync/server-plan",
            "version": 1,
            "server": server(i),
            "tool": "script",
            "roles": [
                {"name": "first", "timeout": 200,
                 "run": format!("#!/bin/sh\nset -e\n{wait_gate}heat-sync put a value-{i}\n"),
                 "outputs": [{"name": "a", "path": ["a"]}]},
                {"name": "second", "timeout": 200,
                 "run": format!("#!/bin/sh\nset -e\ntouch {mark}\nsleep 3\nheat-sync put b \"node {i} saw $HEAT_SYNC_INPUT_PREV\"\n",
                                mark = self.mark(&format!("second-{i}")).display()),
                 "inputs": [{"path": ["prev"], "place": format!("node{i}.second.prev"),
                             "source": {"kind": "wait", "key": key(prev, "a"),
                                        "producer": {"server": server(prev), "role": "first"}}}],
                 "outputs": [{"name": "b", "path": ["b"]}]}
            ],
            "coordinator": self.config(hosts),
        });
        let path = self.dir.path().join(format!("plan{i}.json"));
        std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
        path
    }

    fn start_agent(&self, i: usize, plan: &Path, env: &[(&str, &str)]) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join(format!("agent{i}.log")))
            .unwrap();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_heat-sync"));
        cmd.arg("agent")
            .arg("--server-plan")
            .arg(plan)
            .arg("--work-dir")
            .arg(self.work(i))
            .args([
                "--address",
                "127.0.0.1",
                "--name",
                &format!("node-{i}"),
                "--progress-interval",
                "1",
            ])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.spawn().expect("start an agent")
    }

    fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("agent{i}.log"))).unwrap_or_default()
    }

    /// Waits for every agent to exit 0.
    fn finish(&self, agents: &mut [Child]) {
        let deadline = Instant::now() + LIMIT;
        for (i, a) in agents.iter_mut().enumerate() {
            loop {
                if let Some(status) = a.try_wait().unwrap() {
                    assert!(status.success(), "agent {i} ended {status}:\n{}", self.log(i));
                    break;
                }
                if Instant::now() > deadline {
                    for b in agents.iter_mut() {
                        let _ = b.kill();
                    }
                    panic!("agent {i} still running after {LIMIT:?}:\n{}", self.log(i));
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }

    /// Every role done, every value intact at version 1; then the namespace removed.
    fn verify(&self) {
        let admin = Client::connect(&self.config(&self.hosts), None).unwrap();
        let wait = WaitOptions::new(Duration::from_secs(30));
        for i in 0..N {
            let a = admin.get(&key(i, "a"), &wait).unwrap();
            assert_eq!((a.version, a.value), (1, json!(format!("value-{i}"))), "node.{i}.a");
            let b = admin.get(&key(i, "b"), &wait).unwrap();
            let prev = (i + N - 1) % N;
            let expected: Value = json!(format!("node {i} saw value-{prev}"));
            assert_eq!((b.version, b.value), (1, expected), "node.{i}.b");
            for role in ["first", "second"] {
                assert_eq!(
                    admin.role_status(&server(i), role).unwrap(),
                    Some(RoleStatus::Done),
                    "node.{i}/{role}"
                );
            }
        }
        admin.remove_stack().unwrap();
    }
}

fn wait_for(path: &Path, within: Duration) {
    let deadline = Instant::now() + within;
    while !path.exists() {
        assert!(Instant::now() < deadline, "{} not created within {within:?}", path.display());
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn an_agent_killed_mid_role_and_the_leader_killed_lose_nothing() {
    if !can_start_zookeeper("reliability_faults") {
        return;
    }
    let mut zk = Ensemble::start(3, 500);
    let ring = Ring::new(&zk.connect_string(), "killed");
    let plans: Vec<PathBuf> = (0..N).map(|i| ring.plan(i, &zk.connect_string(), false)).collect();
    let mut agents: Vec<Child> = (0..N).map(|i| ring.start_agent(i, &plans[i], &[])).collect();

    // Agent 3 dies (SIGKILL, no clean-up) while its role `second` runs, and at the same
    // moment the ensemble loses its leader.
    wait_for(&ring.mark("second-3"), Duration::from_secs(120));
    let leader = zk.leader().expect("a leader");
    let killed = Instant::now();
    agents[3].kill().unwrap();
    agents[3].wait().unwrap();
    zk.kill(leader);
    let rest = (1..3).map(|k| (leader + k) % 3);
    std::thread::sleep(Duration::from_millis(500));
    agents[3] = ring.start_agent(3, &plans[3], &[]);
    ring.finish(&mut agents);
    let recovered = killed.elapsed();
    let new_leader = zk.leader();
    println!(
        "agent node.3 killed mid-role and restarted, ZooKeeper leader {} killed: every role done {recovered:?} after the kill (new leader: {new_leader:?}, survivors {:?})",
        leader + 1,
        rest.map(|m| m + 1).collect::<Vec<_>>()
    );
    let log = ring.log(3);
    assert!(log.contains("first"), "{log}");
    ring.verify();
    zk.restart(leader);
}

#[test]
fn an_agent_cut_off_longer_than_its_session_timeout_recovers() {
    if !can_start_zookeeper("reliability_faults") {
        return;
    }
    let zk = Ensemble::start(3, 500);
    let ring = Ring::new(&zk.connect_string(), "cutoff");
    let proxies: Vec<Proxy> = zk.addresses().into_iter().map(Proxy::start).collect();
    let through_proxies =
        proxies.iter().map(|p| p.addr().to_string()).collect::<Vec<_>>().join(",");
    const CUT: usize = 5;
    let mut agents: Vec<Child> = (0..N)
        .map(|i| {
            if i == CUT {
                let plan = ring.plan(i, &through_proxies, true);
                ring.start_agent(i, &plan, &[("HEAT_SYNC_ZK_SESSION_TIMEOUT_MS", "1500")])
            } else {
                ring.start_agent(i, &ring.plan(i, &zk.connect_string(), false), &[])
            }
        })
        .collect();

    // Node 5 is inside its role `first` (held by the gate); every other `a` is out.
    wait_for(&ring.mark(&format!("first-{CUT}")), Duration::from_secs(120));
    let admin = Client::connect(&ring.config(&zk.connect_string()), None).unwrap();
    for i in (0..N).filter(|&i| i != CUT) {
        admin.get(&key(i, "a"), &WaitOptions::new(Duration::from_secs(120))).unwrap();
    }
    for p in &proxies {
        p.cut();
    }
    // The role finishes while the agent cannot reach ZooKeeper: it must publish after.
    std::fs::write(ring.mark(&format!("gate-{CUT}")), "").unwrap();
    std::thread::sleep(Duration::from_secs(5)); // > 1.5 s session timeout: the session expires
    let healed = Instant::now();
    for p in &proxies {
        p.heal();
    }
    let a = admin.get(&key(CUT, "a"), &WaitOptions::new(Duration::from_secs(120))).unwrap();
    let published = healed.elapsed();
    ring.finish(&mut agents);
    println!(
        "agent node.{CUT} cut off 5 s (session timeout 1.5 s): its value published {published:?} after the heal, every role done {:?} after the heal",
        healed.elapsed()
    );
    assert_eq!(a.version, 1);
    ring.verify();
}
