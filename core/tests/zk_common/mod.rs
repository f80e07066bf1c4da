//! Shared helpers of the ZooKeeper tests: where the server is, unique namespaces, a
//! cuttable TCP proxy, and the project's scripts/zk for ensembles.
//!
//! The tests need a real ZooKeeper: `HEAT_SYNC_ZK` names it (scripts/test starts a
//! standalone server with `scripts/zk start standalone` and exports it). When it is unset
//! a test fails under `CI=true` and is skipped with a printed reason elsewhere.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use heat_sync::plan::{CoordinatorConfig, Credentials};

/// The standalone server's connect string, or `None` (after saying why) to skip.
pub fn zk() -> Option<String> {
    match std::env::var("HEAT_SYNC_ZK") {
        Ok(a) if !a.is_empty() => Some(a),
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("HEAT_SYNC_ZK is not set under CI=true: run the tests through scripts/test")
        }
        _ => {
            eprintln!("skipped: HEAT_SYNC_ZK is not set (run `scripts/zk start standalone` and export HEAT_SYNC_ZK=$(scripts/zk address standalone))");
            None
        }
    }
}

static NEXT: AtomicU64 = AtomicU64::new(0);

/// A namespace no other test (or earlier run) uses.
pub fn namespace(tag: &str) -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!(
        "/heat-sync/{tag}-{}-{nanos}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// A coordinator configuration for `hosts` (`127.0.0.1:PORT[,...]`).
pub fn config(hosts: &str, namespace: &str, secret: Option<&str>) -> CoordinatorConfig {
    CoordinatorConfig {
        address: format!("zk://{hosts}"),
        namespace: namespace.to_string(),
        credentials: secret.map(|s| Credentials::stack_secret("test", s)),
    }
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Runs `scripts/zk ARGS...` and returns its standard output.
pub fn scripts_zk(args: &[&str]) -> String {
    let out = Command::new(repo().join("scripts/zk")).args(args).output().expect("scripts/zk runs");
    assert!(out.status.success(), "scripts/zk {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// A TCP proxy to one upstream address that can cut every connection and refuse new
/// ones (a network partition between a client and ZooKeeper), then heal.
pub struct Proxy {
    /// The address clients connect to.
    pub address: String,
    cut: Arc<AtomicBool>,
    conns: Arc<Mutex<Vec<TcpStream>>>,
    stop: Arc<AtomicBool>,
}

impl Proxy {
    /// Starts a proxy to `upstream` (`127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let address = listener.local_addr().unwrap().to_string();
        let cut = Arc::new(AtomicBool::new(false));
        let conns: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (c, k, s, up) = (cut.clone(), conns.clone(), stop.clone(), upstream.to_string());
        listener.set_nonblocking(true).unwrap();
        std::thread::spawn(move || {
            // Bounded: ends when the proxy is dropped.
            while !s.load(Ordering::SeqCst) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                };
                if c.load(Ordering::SeqCst) {
                    drop(client);
                    continue;
                }
                client.set_nonblocking(false).unwrap();
                let Ok(server) = TcpStream::connect(&up) else { continue };
                k.lock()
                    .unwrap()
                    .extend([client.try_clone().unwrap(), server.try_clone().unwrap()]);
                for (mut from, mut to) in
                    [(client.try_clone().unwrap(), server.try_clone().unwrap()), (server, client)]
                {
                    std::thread::spawn(move || {
                        let mut buf = [0u8; 16384];
                        loop {
                            match from.read(&mut buf) {
                                Ok(0) | Err(_) => break,
                                Ok(n) => {
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
            }
        });
        Proxy { address, cut, conns, stop }
    }

    /// Cuts every connection and refuses new ones.
    pub fn cut(&self) {
        self.cut.store(true, Ordering::SeqCst);
        for c in self.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }

    /// Accepts connections again.
    pub fn heal(&self) {
        self.cut.store(false, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.cut();
    }
}
