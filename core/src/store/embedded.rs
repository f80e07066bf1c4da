//! The embedded store: a directory that several local processes share, for
//! single-machine use (`heat-sync simulate`, trying a template locally).
//!
//! - Each node is a file under the directory, at its coordinator path; its first line
//!   holds its version and kind (`3 p` persistent, `1 e` ephemeral), the rest its bytes.
//!   A new version is written to a temporary file and renamed over the old one, so a
//!   reader sees one whole version or the next, never a mix.
//! - Writers hold an exclusive `flock` on `<dir>/.lock` for the read-compare-write of
//!   one operation, which makes create and compare-and-set atomic across processes.
//! - An ephemeral node's file is `flock`ed by its creator for as long as it lives; once
//!   the process dies the lock goes with it and readers treat the node as absent.
//! - Watches are inotify watches on the directories of the nodes read: a rename into a
//!   watched directory wakes the waiters at once. Where inotify cannot be had (its
//!   per-user limits exhausted), a fallback tick re-reads every watched node every
//!   250 ms; nothing else polls.

use std::collections::{HashMap, HashSet};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rustix::fs::{flock, inotify, FlockOperation};
use tokio::io::unix::AsyncFd;

use super::{
    Address, CoordinatorError, Dir, EventSink, NodeKind, Session, Store, StoreError, StoreEvent,
};
use crate::protocol::{Created, Node, Updated};

/// How often the fallback tick re-reads watched nodes when inotify is unavailable.
const FALLBACK_TICK: Duration = Duration::from_millis(250);

/// The embedded store (see the module documentation).
pub struct EmbeddedStore {
    root: PathBuf,
    watches: Arc<Watches>,
    /// Ephemeral nodes this session holds (their files stay locked while open).
    held: Mutex<Vec<File>>,
    operations: AtomicU64,
}

/// The directories under watch and how events map back to node paths.
struct Watches {
    inotify: Option<AsyncFd<rustix::fd::OwnedFd>>,
    /// Node directory path -> watch descriptor.
    dirs: Mutex<HashMap<String, i32>>,
    /// Watch descriptor -> node directory path.
    wds: Mutex<HashMap<i32, String>>,
    /// Node paths read or listed (used by the fallback tick only).
    watched: Mutex<HashSet<String>>,
}

fn io_error(path: &str, e: &io::Error) -> StoreError {
    StoreError::Failed { path: path.to_string(), message: e.to_string() }
}

fn is_absent(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::NotFound | io::ErrorKind::NotADirectory | io::ErrorKind::IsADirectory)
        || e.raw_os_error() == Some(20) // ENOTDIR
        || e.raw_os_error() == Some(21) // EISDIR
}

fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

struct Header {
    version: u64,
    ephemeral: bool,
}

fn parse(bytes: &[u8]) -> Option<(Header, Vec<u8>)> {
    let nl = bytes.iter().position(|b| *b == b'\n')?;
    let head = std::str::from_utf8(&bytes[..nl]).ok()?;
    let (v, k) = head.split_once(' ')?;
    let header = Header { version: v.parse().ok()?, ephemeral: k == "e" };
    Some((header, bytes[nl + 1..].to_vec()))
}

/// True while the creator of an ephemeral node's file still holds its lock.
fn holder_alive(file: &Path) -> bool {
    match File::open(file) {
        Ok(f) => flock(&f, FlockOperation::NonBlockingLockShared).is_err(),
        Err(_) => false,
    }
}

impl EmbeddedStore {
    fn file(&self, path: &str) -> PathBuf {
        self.root.join(path.trim_start_matches('/'))
    }

    /// Takes the store-wide write lock for one operation.
    fn lock(&self) -> Result<File, StoreError> {
        let path = self.root.join(".lock");
        let f = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| io_error("/.lock", &e))?;
        flock(&f, FlockOperation::LockExclusive).map_err(|e| io_error("/.lock", &e.into()))?;
        Ok(f)
    }

    fn read_node(&self, path: &str) -> Result<Option<Node>, StoreError> {
        let file = self.file(path);
        let bytes = match fs::read(&file) {
            Ok(b) => b,
            Err(e) if is_absent(&e) => return Ok(None),
            Err(e) => return Err(io_error(path, &e)),
        };
        let Some((header, data)) = parse(&bytes) else {
            return Err(StoreError::Failed {
                path: path.into(),
                message: "not a node file".into(),
            });
        };
        if header.ephemeral && !holder_alive(&file) {
            return Ok(None);
        }
        Ok(Some(Node { version: header.version, data }))
    }

    /// Writes a node's next version atomically; returns the open (and, for an ephemeral
    /// node, locked) file.
    fn write_node(
        &self,
        path: &str,
        version: u64,
        data: &[u8],
        ephemeral: bool,
    ) -> Result<File, StoreError> {
        let file = self.file(path);
        let dir = file.parent().expect("node paths have a parent");
        fs::create_dir_all(dir).map_err(|e| io_error(path, &e))?;
        let name = file.file_name().expect("node paths have a name").to_string_lossy();
        let tmp = dir.join(format!(".{name}.tmp{}", std::process::id()));
        let mut f = File::create(&tmp).map_err(|e| io_error(path, &e))?;
        if ephemeral {
            flock(&f, FlockOperation::LockExclusive).map_err(|e| io_error(path, &e.into()))?;
        }
        let kind = if ephemeral { "e" } else { "p" };
        f.write_all(format!("{version} {kind}\n").as_bytes())
            .and_then(|_| f.write_all(data))
            .map_err(|e| io_error(path, &e))?;
        fs::rename(&tmp, &file).map_err(|e| io_error(path, &e))?;
        Ok(f)
    }

    fn count(&self) {
        self.operations.fetch_add(1, Ordering::Relaxed);
    }
}

impl Watches {
    fn watch_dir(&self, root: &Path, dir: &str) -> Result<(), StoreError> {
        self.watched.lock().unwrap().insert(dir.to_string());
        let Some(fd) = &self.inotify else { return Ok(()) };
        if self.dirs.lock().unwrap().contains_key(dir) {
            return Ok(());
        }
        let full = root.join(dir.trim_start_matches('/'));
        fs::create_dir_all(&full).map_err(|e| io_error(dir, &e))?;
        let flags = inotify::WatchFlags::CREATE
            | inotify::WatchFlags::MOVED_TO
            | inotify::WatchFlags::MOVED_FROM
            | inotify::WatchFlags::CLOSE_WRITE
            | inotify::WatchFlags::DELETE
            | inotify::WatchFlags::DELETE_SELF
            | inotify::WatchFlags::ONLYDIR;
        let wd =
            inotify::add_watch(fd.get_ref(), &full, flags).map_err(|e| io_error(dir, &e.into()))?;
        self.dirs.lock().unwrap().insert(dir.to_string(), wd);
        self.wds.lock().unwrap().insert(wd, dir.to_string());
        Ok(())
    }

    /// Reads pending inotify events and reports the nodes and directories they touch.
    fn drain(&self, fd: &rustix::fd::OwnedFd, events: &EventSink) -> io::Result<()> {
        let mut buf = [std::mem::MaybeUninit::uninit(); 4096];
        let mut reader = inotify::Reader::new(fd, &mut buf);
        loop {
            let event = match reader.next() {
                Ok(e) => e,
                Err(rustix::io::Errno::AGAIN) => return Err(io::ErrorKind::WouldBlock.into()),
                Err(e) => return Err(e.into()),
            };
            let dir = self.wds.lock().unwrap().get(&event.wd()).cloned();
            let Some(dir) = dir else { continue };
            if event
                .events()
                .intersects(inotify::ReadFlags::IGNORED | inotify::ReadFlags::DELETE_SELF)
            {
                self.wds.lock().unwrap().remove(&event.wd());
                self.dirs.lock().unwrap().remove(&dir);
                let _ = events.send(StoreEvent::Changed(dir));
                continue;
            }
            let Some(name) = event.file_name().and_then(|n| n.to_str().ok()) else { continue };
            if name.starts_with('.') {
                continue; // temporary files and the lock
            }
            let node = if dir == "/" { format!("/{name}") } else { format!("{dir}/{name}") };
            let _ = events.send(StoreEvent::Changed(node));
            let _ = events.send(StoreEvent::Changed(dir));
        }
    }
}

impl Store for EmbeddedStore {
    async fn open(
        address: &Address,
        _session: &Session,
        events: EventSink,
    ) -> Result<Self, CoordinatorError> {
        let Address::Embedded { dir } = address else {
            return Err(CoordinatorError::Address {
                address: address.to_string(),
                message: "not an embedded store address".into(),
            });
        };
        fs::create_dir_all(dir).map_err(|e| CoordinatorError::Connect {
            address: address.to_string(),
            message: e.to_string(),
        })?;
        let inotify = inotify::init(inotify::CreateFlags::NONBLOCK | inotify::CreateFlags::CLOEXEC)
            .ok()
            // `AsyncFd::new` is deprecated because a borrowed descriptor could be closed
            // under it; this one is owned and moved in, so it lives as long as the AsyncFd.
            .and_then(|fd| {
                #[allow(deprecated)]
                let fd = AsyncFd::new(fd);
                fd.ok()
            });
        let fallback = inotify.is_none();
        let watches = Arc::new(Watches {
            inotify,
            dirs: Mutex::default(),
            wds: Mutex::default(),
            watched: Mutex::default(),
        });
        let w = Arc::clone(&watches);
        tokio::spawn(async move {
            if fallback {
                loop {
                    tokio::time::sleep(FALLBACK_TICK).await;
                    let watched: Vec<String> = w.watched.lock().unwrap().iter().cloned().collect();
                    for path in watched {
                        if events.send(StoreEvent::Changed(path)).is_err() {
                            return;
                        }
                    }
                }
            }
            let fd = w.inotify.as_ref().expect("inotify is set when there is no fallback");
            loop {
                let Ok(mut guard) = fd.readable().await else { return };
                let _ = guard.try_io(|inner| w.drain(inner.get_ref(), &events));
                if events.is_closed() {
                    return;
                }
            }
        });
        Ok(EmbeddedStore {
            root: dir.clone(),
            watches,
            held: Mutex::default(),
            operations: AtomicU64::new(0),
        })
    }

    async fn read(&self, path: &str) -> Result<Option<Node>, StoreError> {
        self.count();
        // Watch first, then read: a version written in between is not missed.
        self.watches.watch_dir(&self.root, parent(path))?;
        if self.watches.inotify.is_none() {
            self.watches.watched.lock().unwrap().insert(path.to_string());
        }
        self.read_node(path)
    }

    async fn fetch(&self, path: &str) -> Result<Option<Node>, StoreError> {
        self.count();
        self.read_node(path)
    }

    async fn list(&self, path: &str, watch: bool) -> Result<Vec<String>, StoreError> {
        self.count();
        if watch {
            self.watches.watch_dir(&self.root, path)?;
        }
        let dir = self.file(path);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if is_absent(&e) => return Ok(vec![]),
            Err(e) => return Err(io_error(path, &e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_error(path, &e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let child = if path == "/" { format!("/{name}") } else { format!("{path}/{name}") };
            let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if is_dir || self.read_node(&child)?.is_some() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    async fn create(&self, path: &str, data: &[u8], kind: NodeKind) -> Result<Created, StoreError> {
        self.count();
        let _lock = self.lock()?;
        if self.read_node(path)?.is_some() {
            return Ok(Created::Exists);
        }
        let ephemeral = kind == NodeKind::Ephemeral;
        let file = self.write_node(path, 1, data, ephemeral)?;
        if ephemeral {
            self.held.lock().unwrap().push(file);
        }
        Ok(Created::New)
    }

    async fn update(&self, path: &str, data: &[u8], expected: u64) -> Result<Updated, StoreError> {
        self.count();
        let _lock = self.lock()?;
        match self.read_node(path)? {
            Some(node) if node.version == expected => {
                self.write_node(path, expected + 1, data, false)?;
                Ok(Updated::Done(expected + 1))
            }
            _ => Ok(Updated::Conflict),
        }
    }

    async fn delete_tree(&self, path: &str) -> Result<(), StoreError> {
        self.count();
        let _lock = self.lock()?;
        let file = self.file(path);
        let result = if file.is_dir() { fs::remove_dir_all(&file) } else { fs::remove_file(&file) };
        match result {
            Ok(()) => Ok(()),
            Err(e) if is_absent(&e) => Ok(()),
            Err(e) => Err(io_error(path, &e)),
        }
    }

    async fn prepare(&self, dirs: &[(String, Dir)]) -> Result<(), StoreError> {
        for (dir, _) in dirs {
            self.count();
            fs::create_dir_all(self.file(dir)).map_err(|e| io_error(dir, &e))?;
        }
        Ok(())
    }

    /// The embedded store has no access control: nothing to do.
    async fn act_as(&self, _resources: &[String]) -> Result<(), StoreError> {
        Ok(())
    }

    fn operations(&self) -> u64 {
        self.operations.load(Ordering::Relaxed)
    }

    async fn close(&self) {
        // Closing the files releases their locks: the ephemeral nodes are gone.
        self.held.lock().unwrap().clear();
    }
}
