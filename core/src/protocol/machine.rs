//! The coordination state machine of one client session, with no I/O and no clock.
//!
//! Callers feed it requests ([`Machine::wait`], [`Machine::publish`]), store answers and
//! notifications (`handle_*`) and the time (`handle_timeout`), and carry out what it
//! asks for (`poll_command`) and deliver what it reports (`poll_event`). The same machine
//! drives ZooKeeper and the embedded store; tests drive it with simulated stores and time.
//!
//! Reads arm a watch (a one-shot ZooKeeper watch or an inotify watch); when it fires the
//! machine reads again only if a wait still needs the node, and forgets the node
//! otherwise. After a session loss every node a wait needs is read again, so no published
//! value is missed.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::time::{Duration, Instant};

use super::record::{Failure, Record};
use crate::store::StoreError;

/// Identifies one wait (chosen by the caller, unique per machine).
pub type WaitId = u64;
/// Identifies one publication (chosen by the caller, unique per machine).
pub type OpId = u64;

/// How many compare-and-set rounds a publication tries against concurrent writers.
const MAX_PUBLISH_ROUNDS: u32 = 32;

/// One version of a node as the store returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The version, from 1 (the first content of the node).
    pub version: u64,
    /// The bytes.
    pub data: Vec<u8>,
}

/// The nodes a wait needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Nodes {
    /// These value nodes, in this order (one value, or a ResourceGroup gather).
    Fixed(Vec<String>),
    /// `dir/<member>/<leaf>` for every current child `<member>` of `dir`, at least one
    /// (an AutoScalingGroup gather), in member order (numeric names numerically).
    Members {
        /// The group's directory.
        dir: String,
        /// The encoded output segment under each member.
        leaf: String,
    },
}

/// What a wait waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The nodes.
    pub nodes: Nodes,
    /// A snapshot the caller already holds (path and version of each node): the wait
    /// is ready only when every node is published and the snapshot differs (a change
    /// notification). Empty for a first read.
    pub after: Vec<(String, u64)>,
}

/// One value a ready wait found.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The value node.
    pub path: String,
    /// Its version.
    pub version: u64,
    /// The value.
    pub value: crate::Value,
}

/// How a wait ended.
#[derive(Debug, Clone, PartialEq)]
pub enum WaitOutcome {
    /// Every node is published: the values, in target order.
    Ready(Vec<Found>),
    /// A producing role failed: its failure record.
    Failed {
        /// The value node that carries the failure.
        path: String,
        /// The failure.
        failure: Failure,
    },
    /// The deadline passed; the nodes still missing.
    TimedOut {
        /// The value nodes not yet published (or, for a group with no member yet, the
        /// group directory).
        missing: Vec<String>,
    },
    /// The store failed in a way that retrying cannot fix (e.g. no permission).
    Error(StoreError),
}

/// What a finished publication did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Publication {
    /// The version that now holds the content.
    pub version: u64,
    /// False when the same content was already there (an idempotent re-publish), or when
    /// an `if_absent` publication found a value.
    pub changed: bool,
}

/// Something the machine reports.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A wait ended.
    WaitDone {
        /// The wait.
        id: WaitId,
        /// How.
        outcome: WaitOutcome,
    },
    /// A publication ended.
    Published {
        /// The publication.
        id: OpId,
        /// The version, or why it failed.
        result: Result<Publication, StoreError>,
    },
}

/// Work for the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Read a node and watch it (creation, change, deletion); answer with
    /// [`Machine::handle_read`], report the watch firing with [`Machine::handle_changed`].
    Read {
        /// The node.
        path: String,
    },
    /// List a directory's children and watch the list; answer with
    /// [`Machine::handle_list`] (a missing directory lists as empty).
    List {
        /// The directory.
        path: String,
    },
    /// Create a node with its first version; answer with [`Machine::handle_created`].
    Create {
        /// The publication.
        op: OpId,
        /// The node (its parent directories are created as needed).
        path: String,
        /// The bytes.
        data: Vec<u8>,
    },
    /// Read a node without a watch; answer with [`Machine::handle_fetched`].
    Fetch {
        /// The publication.
        op: OpId,
        /// The node.
        path: String,
    },
    /// Replace a node's content if its version is still `expected`; answer with
    /// [`Machine::handle_updated`].
    Update {
        /// The publication.
        op: OpId,
        /// The node.
        path: String,
        /// The bytes.
        data: Vec<u8>,
        /// The version the content replaces.
        expected: u64,
    },
}

/// The answer to [`Command::Create`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    /// Created with version 1.
    New,
    /// The node already exists.
    Exists,
}

/// The answer to [`Command::Update`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Updated {
    /// Replaced: the new version.
    Done(u64),
    /// Someone else wrote first (or the node is gone).
    Conflict,
}

#[derive(Debug, Default)]
struct NodeState {
    /// The latest version read, if the node exists.
    node: Option<(u64, Record)>,
    /// A read answered at least once.
    known: bool,
    /// A read is in flight.
    reading: bool,
    /// The node changed while a read was in flight.
    again: bool,
}

#[derive(Debug, Default)]
struct DirState {
    children: Option<Vec<String>>,
    listing: bool,
    again: bool,
}

#[derive(Debug)]
struct Wait {
    target: Target,
    deadline: Instant,
}

#[derive(Debug)]
struct PublishOp {
    path: String,
    record: Record,
    if_absent: bool,
    rounds: u32,
}

/// The state machine (see the module documentation).
#[derive(Debug, Default)]
pub struct Machine {
    nodes: HashMap<String, NodeState>,
    dirs: HashMap<String, DirState>,
    waits: BTreeMap<WaitId, Wait>,
    publishes: HashMap<OpId, PublishOp>,
    commands: VecDeque<Command>,
    events: VecDeque<Event>,
}

/// Sorts group members: numeric names numerically, then the others by name.
fn member_order(a: &str, b: &str) -> std::cmp::Ordering {
    match (a.parse::<u64>(), b.parse::<u64>()) {
        (Ok(x), Ok(y)) => x.cmp(&y),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => a.cmp(b),
    }
}

impl Machine {
    /// An idle machine.
    pub fn new() -> Self {
        Self::default()
    }

    /// Starts a wait that ends by `now + timeout` at the latest.
    pub fn wait(&mut self, id: WaitId, target: Target, now: Instant, timeout: Duration) {
        let deadline = now.checked_add(timeout).unwrap_or(now + Duration::from_secs(86400 * 365));
        self.waits.insert(id, Wait { target, deadline });
        self.advance(id);
    }

    /// Abandons a wait (the caller was interrupted); no event follows.
    pub fn cancel(&mut self, id: WaitId) {
        self.waits.remove(&id);
    }

    /// Publishes `record` at `path`: a new node, a no-op when the same content is there,
    /// or a new version. With `if_absent`, an existing node is left as it is.
    pub fn publish(&mut self, id: OpId, path: String, record: Record, if_absent: bool) {
        self.commands.push_back(Command::Create {
            op: id,
            path: path.clone(),
            data: record.encode(),
        });
        self.publishes.insert(id, PublishOp { path, record, if_absent, rounds: 0 });
    }

    /// The answer to [`Command::Read`].
    pub fn handle_read(&mut self, path: &str, result: Result<Option<Node>, StoreError>) {
        let Some(state) = self.nodes.get_mut(path) else { return };
        state.reading = false;
        match result {
            Ok(node) => {
                state.known = true;
                state.node = match node {
                    None => None,
                    Some(n) => match Record::decode(path, &n.data) {
                        Ok(r) => Some((n.version, r)),
                        Err(e) => {
                            let e = StoreError::Decode(e);
                            self.fail_waits_on(path, &e);
                            return;
                        }
                    },
                };
                if std::mem::take(&mut state.again) {
                    self.refresh(path);
                }
            }
            Err(e) => {
                self.nodes.remove(path);
                self.fail_waits_on(path, &e);
                return;
            }
        }
        self.advance_all();
    }

    /// The answer to [`Command::List`].
    pub fn handle_list(&mut self, path: &str, result: Result<Vec<String>, StoreError>) {
        let Some(state) = self.dirs.get_mut(path) else { return };
        state.listing = false;
        match result {
            Ok(mut children) => {
                children.sort_by(|a, b| member_order(a, b));
                state.children = Some(children);
                if std::mem::take(&mut state.again) {
                    self.refresh(path);
                }
            }
            Err(e) => {
                self.dirs.remove(path);
                self.fail_waits_on(path, &e);
                return;
            }
        }
        self.advance_all();
    }

    /// A watch fired on `path` (a node, or a directory's list of children).
    pub fn handle_changed(&mut self, path: &str) {
        if self.nodes.contains_key(path) || self.dirs.contains_key(path) {
            self.refresh(path);
        }
    }

    /// The session was lost and with it every watch: read again what waits still need.
    pub fn handle_session_lost(&mut self) {
        let paths: Vec<String> = self.nodes.keys().chain(self.dirs.keys()).cloned().collect();
        for path in paths {
            self.refresh(&path);
        }
    }

    /// The answer to [`Command::Create`].
    pub fn handle_created(&mut self, op: OpId, result: Result<Created, StoreError>) {
        let Some(p) = self.publishes.get(&op) else { return };
        match result {
            Ok(Created::New) => {
                self.finish_publish(op, Ok(Publication { version: 1, changed: true }))
            }
            Ok(Created::Exists) => {
                let path = p.path.clone();
                self.commands.push_back(Command::Fetch { op, path });
            }
            Err(e) => self.finish_publish(op, Err(e)),
        }
    }

    /// The answer to [`Command::Fetch`].
    pub fn handle_fetched(&mut self, op: OpId, result: Result<Option<Node>, StoreError>) {
        let Some(p) = self.publishes.get_mut(&op) else { return };
        p.rounds += 1;
        if p.rounds > MAX_PUBLISH_ROUNDS {
            let e = StoreError::Contention { path: p.path.clone() };
            return self.finish_publish(op, Err(e));
        }
        match result {
            Err(e) => self.finish_publish(op, Err(e)),
            Ok(None) => {
                let cmd = Command::Create { op, path: p.path.clone(), data: p.record.encode() };
                self.commands.push_back(cmd);
            }
            Ok(Some(node)) => {
                let same = Record::decode(&p.path, &node.data).is_ok_and(|r| r == p.record);
                if same || p.if_absent {
                    let publication = Publication { version: node.version, changed: false };
                    return self.finish_publish(op, Ok(publication));
                }
                let cmd = Command::Update {
                    op,
                    path: p.path.clone(),
                    data: p.record.encode(),
                    expected: node.version,
                };
                self.commands.push_back(cmd);
            }
        }
    }

    /// The answer to [`Command::Update`].
    pub fn handle_updated(&mut self, op: OpId, result: Result<Updated, StoreError>) {
        let Some(p) = self.publishes.get(&op) else { return };
        match result {
            Ok(Updated::Done(version)) => {
                self.finish_publish(op, Ok(Publication { version, changed: true }))
            }
            Ok(Updated::Conflict) => {
                let path = p.path.clone();
                self.commands.push_back(Command::Fetch { op, path });
            }
            Err(e) => self.finish_publish(op, Err(e)),
        }
    }

    /// The time is `now`: ends the waits whose deadline passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        let due: Vec<WaitId> =
            self.waits.iter().filter(|(_, w)| w.deadline <= now).map(|(id, _)| *id).collect();
        for id in due {
            let missing = self.missing(id);
            self.end_wait(id, WaitOutcome::TimedOut { missing });
        }
    }

    /// The next piece of work for the store.
    pub fn poll_command(&mut self) -> Option<Command> {
        self.commands.pop_front()
    }

    /// The next thing to report to callers.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When [`Machine::handle_timeout`] must be called next.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.waits.values().map(|w| w.deadline).min()
    }

    /// True when nothing is in flight and nobody waits.
    pub fn is_idle(&self) -> bool {
        self.waits.is_empty() && self.publishes.is_empty() && self.commands.is_empty()
    }

    fn finish_publish(&mut self, op: OpId, result: Result<Publication, StoreError>) {
        self.publishes.remove(&op);
        self.events.push_back(Event::Published { id: op, result });
    }

    /// Reads `path` again if a wait still needs it; forgets it otherwise.
    fn refresh(&mut self, path: &str) {
        let needed = self.waits.values().any(|w| Self::needs(&w.target, path));
        if let Some(state) = self.nodes.get_mut(path) {
            if !needed {
                self.nodes.remove(path);
            } else if state.reading {
                state.again = true;
            } else {
                state.reading = true;
                self.commands.push_back(Command::Read { path: path.to_string() });
            }
        } else if let Some(state) = self.dirs.get_mut(path) {
            if !needed {
                self.dirs.remove(path);
            } else if state.listing {
                state.again = true;
            } else {
                state.listing = true;
                self.commands.push_back(Command::List { path: path.to_string() });
            }
        }
    }

    fn needs(target: &Target, path: &str) -> bool {
        match &target.nodes {
            Nodes::Fixed(paths) => paths.iter().any(|p| p == path),
            Nodes::Members { dir, leaf } => {
                path == dir
                    || path
                        .strip_prefix(dir.as_str())
                        .and_then(|r| r.strip_prefix('/'))
                        .and_then(|r| r.split_once('/'))
                        .is_some_and(|(m, l)| !m.is_empty() && l == leaf)
            }
        }
    }

    /// The value nodes a wait needs now (`None` while a group's members are unknown).
    fn paths_of(&self, target: &Target) -> Option<Vec<String>> {
        match &target.nodes {
            Nodes::Fixed(paths) => Some(paths.clone()),
            Nodes::Members { dir, leaf } => {
                let children = self.dirs.get(dir)?.children.as_ref()?;
                Some(children.iter().map(|m| format!("{dir}/{m}/{leaf}")).collect())
            }
        }
    }

    fn track_node(&mut self, path: &str) {
        if !self.nodes.contains_key(path) {
            self.nodes.insert(path.to_string(), NodeState { reading: true, ..Default::default() });
            self.commands.push_back(Command::Read { path: path.to_string() });
        }
    }

    fn track_dir(&mut self, path: &str) {
        if !self.dirs.contains_key(path) {
            self.dirs.insert(path.to_string(), DirState { listing: true, ..Default::default() });
            self.commands.push_back(Command::List { path: path.to_string() });
        }
    }

    /// Issues the reads a wait needs and ends it if it is ready.
    fn advance(&mut self, id: WaitId) {
        let Some(wait) = self.waits.get(&id) else { return };
        let target = wait.target.clone();
        if let Nodes::Members { dir, .. } = &target.nodes {
            self.track_dir(dir);
        }
        let Some(paths) = self.paths_of(&target) else { return };
        for p in &paths {
            self.track_node(p);
        }
        // A failure ends the wait at once, even while other nodes are missing.
        for p in &paths {
            if let Some((version, Record::Failed(failure))) = &self.nodes[p].node {
                if !target.after.contains(&(p.clone(), *version)) {
                    let outcome = WaitOutcome::Failed { path: p.clone(), failure: failure.clone() };
                    return self.end_wait(id, outcome);
                }
            }
        }
        let mut found = Vec::with_capacity(paths.len());
        for p in &paths {
            match &self.nodes[p].node {
                Some((version, Record::Value(value))) => {
                    found.push(Found { path: p.clone(), version: *version, value: value.clone() })
                }
                _ => return,
            }
        }
        if found.is_empty() {
            return; // a group with no member yet
        }
        let snapshot: Vec<(String, u64)> =
            found.iter().map(|f| (f.path.clone(), f.version)).collect();
        if target.after.is_empty() || snapshot != target.after {
            self.end_wait(id, WaitOutcome::Ready(found));
        }
    }

    fn advance_all(&mut self) {
        let ids: Vec<WaitId> = self.waits.keys().copied().collect();
        for id in ids {
            self.advance(id);
        }
    }

    fn end_wait(&mut self, id: WaitId, outcome: WaitOutcome) {
        if self.waits.remove(&id).is_some() {
            self.events.push_back(Event::WaitDone { id, outcome });
        }
    }

    fn missing(&self, id: WaitId) -> Vec<String> {
        let Some(wait) = self.waits.get(&id) else { return vec![] };
        match self.paths_of(&wait.target) {
            Some(paths) if !paths.is_empty() => paths
                .into_iter()
                .filter(|p| !matches!(self.nodes.get(p), Some(NodeState { node: Some(_), .. })))
                .collect(),
            _ => match &wait.target.nodes {
                Nodes::Members { dir, .. } => vec![dir.clone()],
                Nodes::Fixed(paths) => paths.clone(),
            },
        }
    }

    fn fail_waits_on(&mut self, path: &str, error: &StoreError) {
        let ids: Vec<WaitId> = self
            .waits
            .iter()
            .filter(|(_, w)| Self::needs(&w.target, path))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.end_wait(id, WaitOutcome::Error(error.clone()));
        }
    }
}
