//! Test support for the reliability suites (issue 7): a ZooKeeper ensemble this test owns
//! (so it may kill its members), a TCP proxy that can cut a client off, and the
//! `HEAT_SYNC_ZK` / CI skip rule.
//!
//! Everything here starts processes and threads of its own and stops only those, on drop.

#![allow(dead_code)] // each test binary uses part of it

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The standalone server the test step provides (`HEAT_SYNC_ZK=host:port`), or `None`
/// with the reason printed. Under `CI=true` a missing server is a failure, not a skip.
pub fn zk_from_env(test: &str) -> Option<String> {
    match std::env::var("HEAT_SYNC_ZK") {
        Ok(addr) if !addr.is_empty() => Some(addr),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: HEAT_SYNC_ZK is not set under CI=true (scripts/test starts ZooKeeper and exports it)"
            );
            eprintln!("{test}: skipped: HEAT_SYNC_ZK is not set (run through scripts/test, or export HEAT_SYNC_ZK=127.0.0.1:PORT)");
            None
        }
    }
}

/// Whether this machine can start its own ZooKeeper members (the Debian package's jars
/// and java). Under `CI=true` their absence is a failure.
pub fn can_start_zookeeper(test: &str) -> bool {
    let ok = Path::new(ZK_JAR).exists()
        && Command::new("java")
            .arg("-version")
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: ZooKeeper ({ZK_JAR}) or java is missing under CI=true (scripts/install.d installs them)"
        );
        eprintln!("{test}: skipped: ZooKeeper ({ZK_JAR}) or java is not installed");
    }
    ok
}

const ZK_JAR: &str = "/usr/share/java/zookeeper.jar";
/// The Debian package's jars a member needs (as scripts/zk uses them).
const ZK_JARS: &[&str] = &[
    "zookeeper",
    "zookeeper-jute",
    "slf4j-api",
    "slf4j-simple",
    "netty-handler",
    "netty-common",
    "netty-buffer",
    "netty-transport",
    "netty-codec",
    "netty-resolver",
    "netty-transport-native-epoll",
    "netty-transport-native-unix-common",
    "metrics-core",
    "snappy-java",
    "commons-cli",
    "commons-io",
];

fn zk_classpath() -> String {
    ZK_JARS.iter().map(|j| format!("/usr/share/java/{j}.jar")).collect::<Vec<_>>().join(":")
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Malformed coordinator addresses, one list for every door (the CLI here, and the
/// Python and Ruby bad input tests, which read the same file).
pub fn bad_addresses() -> Vec<String> {
    serde_json::from_str(include_str!("bad_addresses.json")).expect("a JSON list of strings")
}

/// One member of an [`Ensemble`].
struct Member {
    client_port: u16,
    dir: PathBuf,
    child: Option<Child>,
}

/// A ZooKeeper ensemble of `n` members on 127.0.0.1 owned by one test: started in a
/// temporary directory, members killed and restarted at will, all stopped on drop.
pub struct Ensemble {
    _root: tempfile::TempDir,
    members: Vec<Member>,
}

impl Ensemble {
    /// Starts `n` members (1 gives a standalone server) with `max_cnxns` client
    /// connections allowed per address, and waits until every one serves.
    pub fn start(n: usize, max_cnxns: u32) -> Ensemble {
        let root = tempfile::tempdir().unwrap();
        let ports: Vec<(u16, u16, u16)> =
            (0..n).map(|_| (free_port(), free_port(), free_port())).collect();
        let mut members = Vec::new();
        for (i, (client_port, _, _)) in ports.iter().enumerate() {
            let dir = root.path().join(format!("zk{}", i + 1));
            std::fs::create_dir_all(dir.join("data")).unwrap();
            std::fs::write(dir.join("data/myid"), format!("{}\n", i + 1)).unwrap();
            let mut cfg = format!(
                "tickTime=500\ninitLimit=20\nsyncLimit=10\nminSessionTimeout=1000\nmaxSessionTimeout=60000\n\
                 dataDir={}\nclientPort={client_port}\nclientPortAddress=127.0.0.1\n\
                 admin.enableServer=false\n4lw.commands.whitelist=srvr,ruok,stat,cons\n\
                 maxClientCnxns={max_cnxns}\nglobalOutstandingLimit=100000\n",
                dir.join("data").display()
            );
            if n > 1 {
                for (j, (_, peer, election)) in ports.iter().enumerate() {
                    cfg.push_str(&format!("server.{}=127.0.0.1:{peer}:{election}\n", j + 1));
                }
            }
            std::fs::write(dir.join("zoo.cfg"), cfg).unwrap();
            members.push(Member { client_port: *client_port, dir, child: None });
        }
        let mut this = Ensemble { _root: root, members };
        for i in 0..n {
            this.spawn(i);
        }
        this.wait_serving(Duration::from_secs(60));
        this
    }

    fn spawn(&mut self, i: usize) {
        let m = &mut self.members[i];
        let log = std::fs::File::create(m.dir.join("zk.log")).unwrap();
        let child = Command::new("java")
            .args(["-Xmx256m", "-Dzookeeper.jmx.log4j.disable=true", "-cp", &zk_classpath()])
            .arg("org.apache.zookeeper.server.quorum.QuorumPeerMain")
            .arg(m.dir.join("zoo.cfg"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start a ZooKeeper member");
        m.child = Some(child);
    }

    /// `127.0.0.1:p1,127.0.0.1:p2,...`
    pub fn connect_string(&self) -> String {
        self.addresses().iter().map(ToString::to_string).collect::<Vec<_>>().join(",")
    }

    /// Every member's client address.
    pub fn addresses(&self) -> Vec<SocketAddr> {
        self.members.iter().map(|m| SocketAddr::from(([127, 0, 0, 1], m.client_port))).collect()
    }

    /// The `Mode:` a member reports (`leader`, `follower`, `standalone`), `None` when it
    /// does not answer or does not serve.
    pub fn mode(&self, i: usize) -> Option<String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.members[i].client_port));
        let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
        s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
        s.write_all(b"srvr").ok()?;
        let mut out = String::new();
        s.read_to_string(&mut out).ok()?;
        out.lines().find_map(|l| l.strip_prefix("Mode: ")).map(|m| m.trim().to_string())
    }

    /// The index of the current leader, if one serves.
    pub fn leader(&self) -> Option<usize> {
        (0..self.members.len())
            .find(|&i| self.is_running(i) && self.mode(i).as_deref() == Some("leader"))
    }

    /// Waits until every running member reports a serving mode; panics after `timeout`.
    pub fn wait_serving(&self, timeout: Duration) -> Duration {
        let start = Instant::now();
        loop {
            let serving = (0..self.members.len())
                .filter(|&i| self.is_running(i))
                .all(|i| self.mode(i).is_some());
            if serving {
                return start.elapsed();
            }
            assert!(start.elapsed() < timeout, "ZooKeeper members not serving after {timeout:?}");
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Whether member `i` was started and not killed.
    pub fn is_running(&self, i: usize) -> bool {
        self.members[i].child.is_some()
    }

    /// Kills member `i` (SIGKILL: no clean shutdown, as a crashed machine).
    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.members[i].child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts member `i` again with its data.
    pub fn restart(&mut self, i: usize) {
        assert!(!self.is_running(i));
        self.spawn(i);
    }
}

impl Drop for Ensemble {
    fn drop(&mut self) {
        for i in 0..self.members.len() {
            self.kill(i);
        }
    }
}

/// A TCP proxy on 127.0.0.1 in front of one address. `cut()` closes every connection and
/// refuses new ones (a client cut off from its coordinator) until `heal()`.
pub struct Proxy {
    addr: SocketAddr,
    cut: Arc<AtomicBool>,
    stalled: Arc<AtomicBool>,
    stop: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
    acceptor: Option<thread::JoinHandle<()>>,
}

impl Proxy {
    /// A proxy forwarding to `target`.
    pub fn start(target: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let cut = Arc::new(AtomicBool::new(false));
        let stop = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::<TcpStream>::new()));
        let stalled = Arc::new(AtomicBool::new(false));
        let (c, s, o, h) = (cut.clone(), stop.clone(), open.clone(), stalled.clone());
        let acceptor = thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((client, _)) if c.load(Ordering::SeqCst) => drop(client),
                    Ok((client, _)) => {
                        let _ = client.set_nonblocking(false);
                        let Ok(server) =
                            TcpStream::connect_timeout(&target, Duration::from_secs(1))
                        else {
                            continue;
                        };
                        let mut open = o.lock().unwrap();
                        open.push(client.try_clone().unwrap());
                        open.push(server.try_clone().unwrap());
                        pipe(client.try_clone().unwrap(), server.try_clone().unwrap(), h.clone());
                        pipe(server, client, h.clone());
                    }
                    Err(_) => thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Proxy { addr, cut, stalled, stop, open, acceptor: Some(acceptor) }
    }

    /// The address clients connect to.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Closes every proxied connection and refuses new ones.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for s in self.open.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Lets connections through again (after `cut` or `stall`).
    pub fn heal(&self) {
        self.cut.store(false, Ordering::SeqCst);
        self.stalled.store(false, Ordering::SeqCst);
    }

    /// Keeps every connection open but holds every byte in both directions (a
    /// congested or frozen path: no reset, no answer) until `heal`.
    pub fn stall(&self) {
        self.stalled.store(true, Ordering::SeqCst);
    }
}

/// Copies `from` to `to` on a thread until either side closes, holding the bytes while
/// `stalled`.
fn pipe(mut from: TcpStream, mut to: TcpStream, stalled: Arc<AtomicBool>) {
    thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        loop {
            match from.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    while stalled.load(Ordering::SeqCst) {
                        thread::sleep(Duration::from_millis(10));
                    }
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            }
        }
        let _ = to.shutdown(Shutdown::Both);
        let _ = from.shutdown(Shutdown::Both);
    });
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.cut();
        if let Some(a) = self.acceptor.take() {
            let _ = a.join();
        }
    }
}

/// What one run of the `heat-sync` binary gave.
#[derive(Debug)]
pub struct Run {
    /// The exit code (`None`: killed by a signal, or by the time limit).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Asserts a clean refusal: exit `code`, `needle` named on stderr, and no panic, no
    /// backtrace, nothing that looks like a crash.
    pub fn refused(&self, code: i32, needle: &str) -> &Self {
        assert_eq!(self.code, Some(code), "wrong exit status: {self:#?}");
        assert!(self.stderr.contains(needle), "stderr does not name {needle:?}: {self:#?}");
        self.no_crash()
    }

    /// Asserts that nothing on either stream looks like a panic or a backtrace.
    pub fn no_crash(&self) -> &Self {
        for text in [&self.stdout, &self.stderr] {
            for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace", "thread '"] {
                assert!(!text.contains(bad), "crash output ({bad:?}): {self:#?}");
            }
        }
        self
    }

    /// Asserts that `secret` appears on neither stream.
    pub fn never_shows(&self, secret: &str) -> &Self {
        assert!(!self.stdout.contains(secret), "stdout shows a secret: {self:#?}");
        assert!(!self.stderr.contains(secret), "stderr shows a secret: {self:#?}");
        self
    }
}

/// Runs the `heat-sync` binary with `args` and extra `env`, standard input closed (or
/// `stdin` fed), killed after `limit`. The variables that point at a server plan or a
/// coordinator are cleared so the caller's environment cannot leak in.
pub fn heat_sync(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>, limit: Duration) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_heat-sync"));
    cmd.args(args)
        .env_remove("HEAT_SYNC_SERVER_PLAN")
        .env_remove("HEAT_SYNC_COORDINATOR")
        .env_remove("HEAT_SYNC_NAMESPACE")
        .env_remove("HEAT_SYNC_SECRET_FILE")
        .env_remove("HEAT_SYNC_ROLE")
        .env_remove("RUST_BACKTRACE")
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("run heat-sync");
    if let Some(text) = stdin {
        let mut input = child.stdin.take().unwrap();
        input.write_all(text.as_bytes()).unwrap();
    }
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out_thread = thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_thread = thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("heat-sync {args:?} still running after {limit:?}");
        }
        thread::sleep(Duration::from_millis(20));
    };
    Run { code, stdout: out_thread.join().unwrap(), stderr: err_thread.join().unwrap() }
}
