//! The blocking coordinator client used by the agent, the CLI (`get`, `put`, `status`)
//! and the Python and Ruby bindings.
//!
//! ```text
//! Client::connect(&CoordinatorConfig, server: Option<ServerId>) -> Result<Client>
//! Client::from_server_plan(&ServerPlan) -> Result<Client>
//! client.put(&ValueKey, &Value) -> Result<u64>                  // version published
//! client.get(&ValueKey, &WaitOptions) -> Result<Published>      // blocks until published
//! client.changed(&ValueKey, after_version, &WaitOptions) -> Result<Published>
//! client.gather(group, output, count: Option<u64>, &WaitOptions) -> Result<Vec<Published>>
//! client.fail_outputs(role, &[output], error) -> Result<()>     // a failed role
//! client.set_role_status(&ServerId, role, &RoleStatus) -> Result<()>
//! client.role_status(&ServerId, role) -> Result<Option<RoleStatus>>
//! client.announce_alive() -> Result<()>                         // the agent's liveness
//! client.status() -> Result<StackStatus>                        // see crate::client::status
//! ```
//!
//! Every wait runs on the client's I/O thread; the calling thread blocks on a local
//! channel and wakes every [`WaitOptions::check_every`] (50 ms) only to call the
//! interrupt check, so bindings release the GIL or the Ruby VM lock around `get` and
//! still honour Ctrl-C without any traffic to the coordinator. The progress callback is
//! called every [`WaitOptions::progress_every`] (`waiting 12 s for db.db_host from db/mysql`).

mod admin;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc as std_mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub use admin::{RoleState, StackStatus, ValueState};

use crate::plan::{CoordinatorConfig, Producer, ServerId, ServerPlan, ValueKey};
use crate::protocol::layout::encode_segment;
use crate::protocol::{
    Failure, Found, Layout, Liveness, Nodes, Record, RoleStatus, Target, WaitOutcome,
};
use crate::store::driver::{self, Answer, Call, Request};
use crate::store::embedded::EmbeddedStore;
use crate::store::zk::ZkStore;
use crate::store::{Access, Address, CoordinatorError, Dir, NodeKind, Session, StoreError};
use crate::{Error, Result, Value};

/// A wait that ran out of time, naming what it waited for and from whom.
#[derive(Debug, thiserror::Error)]
#[error("timed out after {} s waiting for {key} from {producer}", waited.as_secs())]
pub struct TimeoutError {
    /// The awaited key, as shown in messages (`db.db_host`).
    pub key: String,
    /// The producer, as shown in messages (`db/mysql`).
    pub producer: String,
    /// How long it waited.
    pub waited: Duration,
}

/// One published version of a value.
#[derive(Debug, Clone, PartialEq)]
pub struct Published {
    /// The key.
    pub key: ValueKey,
    /// The version (1 for the first).
    pub version: u64,
    /// The value.
    pub value: Value,
}

/// Where a wait stands, for progress messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// What is awaited (`db.db_host`, or `web.url` for a gather).
    pub key: String,
    /// Who produces it (`db/mysql`).
    pub producer: String,
    /// How long the wait has lasted.
    pub waited: Duration,
}

impl fmt::Display for Progress {
    /// `waiting 12 s for db.db_host from db/mysql`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "waiting {} s for {} from {}", self.waited.as_secs(), self.key, self.producer)
    }
}

/// A progress callback.
pub type ProgressFn<'a> = Box<dyn Fn(&Progress) + 'a>;

/// How a blocking wait behaves.
pub struct WaitOptions<'a> {
    /// The longest the wait may last.
    pub timeout: Duration,
    /// The producer named in messages (default: the producing server).
    pub producer: Option<String>,
    /// Called every `check_every`; returning true abandons the wait with
    /// [`CoordinatorError::Interrupted`]. It runs on the calling thread and never talks
    /// to the coordinator.
    pub interrupt: Option<Box<dyn Fn() -> bool + 'a>>,
    /// Called every `progress_every` while waiting.
    pub progress: Option<ProgressFn<'a>>,
    /// How often the interrupt check runs (default 50 ms).
    pub check_every: Duration,
    /// How often progress is reported (default 10 s).
    pub progress_every: Duration,
}

impl fmt::Debug for WaitOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitOptions")
            .field("timeout", &self.timeout)
            .field("producer", &self.producer)
            .field("interrupt", &self.interrupt.is_some())
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

impl<'a> WaitOptions<'a> {
    /// A wait of at most `timeout`, with no interrupt check and no progress reports.
    pub fn new(timeout: Duration) -> Self {
        WaitOptions {
            timeout,
            producer: None,
            interrupt: None,
            progress: None,
            check_every: Duration::from_millis(50),
            progress_every: Duration::from_secs(10),
        }
    }

    /// Names the producer in messages.
    pub fn producer(mut self, producer: &Producer) -> Self {
        self.producer = Some(producer.to_string());
        self
    }

    /// Sets the interrupt check.
    pub fn interrupt(mut self, check: impl Fn() -> bool + 'a) -> Self {
        self.interrupt = Some(Box::new(check));
        self
    }

    /// Sets the progress callback and how often it is called.
    pub fn progress(mut self, every: Duration, report: impl Fn(&Progress) + 'a) -> Self {
        self.progress = Some(Box::new(report));
        self.progress_every = every.max(Duration::from_millis(10));
        self
    }
}

struct Inner {
    requests: Mutex<Option<tokio::sync::mpsc::UnboundedSender<Request>>>,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    layout: Layout,
    server: Option<ServerId>,
    address: Address,
    next_id: AtomicU64,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Closing the request channel ends the I/O loop; the session closes with it.
        self.requests.lock().unwrap().take();
        if let Some(t) = self.thread.lock().unwrap().take() {
            let _ = t.join();
        }
    }
}

/// A session with the coordinator for one stack (cheap to clone, usable from any thread).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("address", &self.inner.address.to_string())
            .field("namespace", &self.inner.layout.root())
            .field("server", &self.inner.server)
            .finish()
    }
}

/// Checks that a namespace is an absolute path of plain segments.
fn check_namespace(namespace: &str) -> Result<(), CoordinatorError> {
    let ok = namespace.starts_with('/')
        && namespace.len() > 1
        && namespace
            .trim_end_matches('/')
            .split('/')
            .skip(1)
            .all(|s| !s.is_empty() && s != "." && s != "..");
    if ok {
        Ok(())
    } else {
        Err(CoordinatorError::Namespace {
            namespace: namespace.to_string(),
            message: "the namespace must be an absolute path such as /heat-sync/<stack id>".into(),
        })
    }
}

impl Client {
    /// Opens a session for the stack namespace of `config`, writing as `server` (or as an
    /// administrator of the stack when `None`: status, coordinator init and remove).
    pub fn connect(config: &CoordinatorConfig, server: Option<ServerId>) -> Result<Client> {
        let address = Address::parse(&config.address)?;
        check_namespace(&config.namespace)?;
        let session = Session {
            namespace: config.namespace.trim_end_matches('/').to_string(),
            server: server.clone(),
            credentials: config.credentials.clone(),
        };
        let (requests, thread) = match &address {
            Address::ZooKeeper { .. } => driver::spawn::<ZkStore>(address.clone(), session)?,
            Address::Embedded { .. } => driver::spawn::<EmbeddedStore>(address.clone(), session)?,
        };
        let client = Client {
            inner: Arc::new(Inner {
                requests: Mutex::new(Some(requests)),
                thread: Mutex::new(Some(thread)),
                layout: Layout::new(&config.namespace),
                server,
                address,
                next_id: AtomicU64::new(1),
            }),
        };
        client.prepare_own()?;
        Ok(client)
    }

    /// Opens the session a server plan describes, writing as that server.
    pub fn from_server_plan(plan: &ServerPlan) -> Result<Client> {
        Client::connect(&plan.coordinator, Some(plan.server.clone()))
    }

    /// The stack's layout in the coordinator.
    pub fn layout(&self) -> &Layout {
        &self.inner.layout
    }

    /// The server this session writes for.
    pub fn server(&self) -> Option<&ServerId> {
        self.inner.server.as_ref()
    }

    fn send(&self, request: Request) -> Result<(), StoreError> {
        let guard = self.inner.requests.lock().unwrap();
        let sender =
            guard.as_ref().ok_or_else(|| StoreError::Closed { message: "client closed".into() })?;
        sender
            .send(request)
            .map_err(|_| StoreError::Closed { message: "the I/O thread ended".into() })
    }

    fn id(&self) -> u64 {
        self.inner.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Runs one direct store operation.
    pub(crate) fn call(&self, call: Call) -> Result<Answer, StoreError> {
        let (tx, rx) = std_mpsc::channel();
        self.send(Request::Call(call, tx))?;
        rx.recv().map_err(|_| StoreError::Closed { message: "the I/O thread ended".into() })?
    }

    /// Creates the namespace's shared directories and this server's own ones, those
    /// that `coordinator init` did not make already.
    fn prepare_own(&self) -> Result<(), StoreError> {
        let l = &self.inner.layout;
        let mut dirs = vec![
            (l.root().to_string(), Dir::Shared),
            (l.values_dir(), Dir::Shared),
            (l.roles_dir(), Dir::Shared),
            (l.live_dir(), Dir::Joint),
        ];
        if let Some(server) = &self.inner.server {
            let owner = Dir::Owned(server.resource.clone());
            if server.member.is_some() {
                dirs.push((l.group_values(&server.resource), owner.clone()));
                dirs.push((
                    format!("{}/{}", l.roles_dir(), encode_segment(&server.resource)),
                    owner.clone(),
                ));
            }
            dirs.push((l.server_values(server), owner.clone()));
            dirs.push((l.server_roles(server), owner));
        }
        self.call(Call::Prepare(dirs)).map(|_| ())
    }

    /// Publishes `value` as the next version of `key` and returns its version. The same
    /// content again is a no-op returning the existing version.
    pub fn put(&self, key: &ValueKey, value: &Value) -> Result<u64> {
        let path = self.inner.layout.value(key);
        Ok(self.publish(path, Record::Value(value.clone()), false)?.0)
    }

    /// Publishes `value` and tells whether it was a new version (false for the same
    /// content again).
    pub fn put_changed(&self, key: &ValueKey, value: &Value) -> Result<(u64, bool)> {
        let path = self.inner.layout.value(key);
        Ok(self.publish(path, Record::Value(value.clone()), false)?)
    }

    fn publish(
        &self,
        path: String,
        record: Record,
        if_absent: bool,
    ) -> Result<(u64, bool), StoreError> {
        let (tx, rx) = std_mpsc::channel();
        self.send(Request::Publish { id: self.id(), path, record, if_absent, reply: tx })?;
        let p = rx
            .recv()
            .map_err(|_| StoreError::Closed { message: "the I/O thread ended".into() })??;
        Ok((p.version, p.changed))
    }

    /// Marks the outputs of a failed role that are not yet published as failed, so
    /// that every wait on them ends at once with `error`. Outputs already published keep
    /// their value.
    pub fn fail_outputs(&self, role: &str, outputs: &[String], error: &str) -> Result<()> {
        let server = self.own_server("fail_outputs")?;
        for output in outputs {
            let key = ValueKey { server: server.clone(), output: output.clone() };
            let failure = Failure { role: Some(role.to_string()), error: error.to_string() };
            self.publish(self.inner.layout.value(&key), Record::Failed(failure), true)?;
        }
        Ok(())
    }

    fn own_server(&self, what: &str) -> Result<&ServerId> {
        self.inner.server.as_ref().ok_or_else(|| {
            Error::from(StoreError::Failed {
                path: self.inner.layout.root().to_string(),
                message: format!("{what} needs a session opened for a server"),
            })
        })
    }

    /// Blocks until `key` is published and returns its first version seen (the current
    /// one when it is already published).
    pub fn get(&self, key: &ValueKey, options: &WaitOptions<'_>) -> Result<Published> {
        self.changed(key, 0, options)
    }

    /// Blocks until `key` has a version newer than `after` (a change notification;
    /// `after = 0` is a plain [`Client::get`]).
    pub fn changed(
        &self,
        key: &ValueKey,
        after: u64,
        options: &WaitOptions<'_>,
    ) -> Result<Published> {
        let path = self.inner.layout.value(key);
        let after = if after == 0 { vec![] } else { vec![(path.clone(), after)] };
        let target = Target { nodes: Nodes::Fixed(vec![path]), after };
        let producer = options.producer.clone().unwrap_or_else(|| key.server.to_string());
        let found = self.wait(target, &key.to_string(), &producer, options)?;
        let f = found.into_iter().next().expect("a ready single wait has one value");
        Ok(Published { key: key.clone(), version: f.version, value: f.value })
    }

    /// Blocks until every member of `group` has published `output` and returns the values
    /// in member order: members `0..count` of a ResourceGroup, or the current members of
    /// an AutoScalingGroup (`count = None`; at least one).
    pub fn gather(
        &self,
        group: &str,
        output: &str,
        count: Option<u64>,
        options: &WaitOptions<'_>,
    ) -> Result<Vec<Published>> {
        self.gather_changed(group, output, count, &[], options)
    }

    /// Like [`Client::gather`], but returns only once the result differs from `after`
    /// (a previous result): the change notification of a gather.
    pub fn gather_changed(
        &self,
        group: &str,
        output: &str,
        count: Option<u64>,
        after: &[Published],
        options: &WaitOptions<'_>,
    ) -> Result<Vec<Published>> {
        let l = &self.inner.layout;
        let nodes = match count {
            Some(n) => Nodes::Fixed(
                (0..n)
                    .map(|i| {
                        l.value(&ValueKey {
                            server: ServerId::member(group, i.to_string()),
                            output: output.into(),
                        })
                    })
                    .collect(),
            ),
            None => Nodes::Members { dir: l.group_values(group), leaf: encode_segment(output) },
        };
        let after = after.iter().map(|p| (l.value(&p.key), p.version)).collect();
        let producer =
            options.producer.clone().unwrap_or_else(|| format!("every member of {group}"));
        let found =
            self.wait(Target { nodes, after }, &format!("{group}.{output}"), &producer, options)?;
        found
            .into_iter()
            .map(|f| {
                let key = l.key_of(&f.path).ok_or_else(|| {
                    Error::from(StoreError::Failed {
                        path: f.path.clone(),
                        message: "not a value node".into(),
                    })
                })?;
                Ok(Published { key, version: f.version, value: f.value })
            })
            .collect()
    }

    fn wait(
        &self,
        target: Target,
        key: &str,
        producer: &str,
        options: &WaitOptions<'_>,
    ) -> Result<Vec<Found>> {
        let id = self.id();
        let (tx, rx) = std_mpsc::channel();
        self.send(Request::Wait { id, target, timeout: options.timeout, reply: tx })?;
        let start = Instant::now();
        let mut next_progress = start + options.progress_every;
        let outcome = loop {
            let now = Instant::now();
            let mut wake = next_progress.max(now);
            if options.interrupt.is_some() {
                wake = wake.min(now + options.check_every);
            }
            match rx.recv_timeout(wake - now) {
                Ok(outcome) => break outcome,
                Err(std_mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(StoreError::Closed { message: "the I/O thread ended".into() }.into())
                }
                Err(std_mpsc::RecvTimeoutError::Timeout) => {}
            }
            if options.interrupt.as_ref().is_some_and(|check| check()) {
                let _ = self.send(Request::Cancel(id));
                return Err(CoordinatorError::Interrupted { key: key.to_string() }.into());
            }
            let now = Instant::now();
            if now >= next_progress {
                if let Some(report) = &options.progress {
                    report(&Progress {
                        key: key.into(),
                        producer: producer.into(),
                        waited: now - start,
                    });
                }
                next_progress = now + options.progress_every;
            }
        };
        match outcome {
            WaitOutcome::Ready(found) => Ok(found),
            WaitOutcome::Failed { failure, .. } => {
                let producer = match &failure.role {
                    Some(role) if !producer.contains('/') => format!("{producer}/{role}"),
                    _ => producer.to_string(),
                };
                Err(CoordinatorError::ProducerFailed {
                    key: key.into(),
                    producer,
                    error: failure.error,
                }
                .into())
            }
            WaitOutcome::TimedOut { .. } => Err(TimeoutError {
                key: key.into(),
                producer: producer.into(),
                waited: start.elapsed(),
            }
            .into()),
            WaitOutcome::Error(e) => Err(e.into()),
        }
    }

    /// Records a role's status (written by the server that runs it).
    pub fn set_role_status(
        &self,
        server: &ServerId,
        role: &str,
        status: &RoleStatus,
    ) -> Result<()> {
        let path = self.inner.layout.role(server, role);
        self.call(Call::Put(path, status.encode(), NodeKind::Persistent(Access::Server)))?;
        Ok(())
    }

    /// A role's recorded status; `None` when it never ran (or the agent never reported).
    pub fn role_status(&self, server: &ServerId, role: &str) -> Result<Option<RoleStatus>> {
        let path = self.inner.layout.role(server, role);
        match self.call(Call::Fetch(path.clone()))? {
            Answer::Node(Some(node)) => Ok(Some(RoleStatus::decode(&path, &node.data)?)),
            _ => Ok(None),
        }
    }

    /// Marks this server's agent alive for as long as the session lives (an ephemeral
    /// node, re-created when the store rebuilds a lost session).
    pub fn announce_alive(&self) -> Result<()> {
        let server = self.own_server("announce_alive")?.clone();
        let since = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let data = Liveness { pid: std::process::id(), since }.encode();
        self.call(Call::Create(self.inner.layout.live(&server), data, NodeKind::Ephemeral))?;
        Ok(())
    }

    /// How many operations this session has sent to the coordinator (benchmarks).
    pub fn operations(&self) -> Result<u64> {
        match self.call(Call::Operations)? {
            Answer::Count(n) => Ok(n),
            _ => Ok(0),
        }
    }
}

impl Client {
    /// The latest published version of `key`, without blocking or watching; `None` when
    /// nothing (or only a failure) is published.
    pub fn current(&self, key: &ValueKey) -> Result<Option<Published>> {
        let path = self.inner.layout.value(key);
        let Answer::Node(Some(node)) = self.call(Call::Fetch(path.clone()))? else {
            return Ok(None);
        };
        match Record::decode(&path, &node.data)? {
            Record::Value(value) => {
                Ok(Some(Published { key: key.clone(), version: node.version, value }))
            }
            Record::Failed(_) => Ok(None),
        }
    }
}

/// The agent codes against [`crate::agent::Coordination`]; the client is its real
/// implementation.
impl crate::agent::Coordination for Client {
    fn publish(&self, key: &ValueKey, value: &Value) -> Result<u64> {
        self.put(key, value)
    }

    fn wait(
        &self,
        key: &ValueKey,
        producer: &Producer,
        wait: &crate::agent::Wait<'_>,
    ) -> Result<Value> {
        let options = WaitOptions::new(wait.timeout)
            .producer(producer)
            .progress(wait.progress_every, |p| (wait.progress)(p.waited));
        self.get(key, &options).map(|p| p.value)
    }

    fn gather(
        &self,
        group: &str,
        output: &str,
        count: Option<u64>,
        producer: &str,
        wait: &crate::agent::Wait<'_>,
    ) -> Result<Vec<Value>> {
        let mut options = WaitOptions::new(wait.timeout)
            .progress(wait.progress_every, |p| (wait.progress)(p.waited));
        options.producer = Some(producer.to_string());
        Ok(Client::gather(self, group, output, count, &options)?
            .into_iter()
            .map(|p| p.value)
            .collect())
    }

    fn announce_alive(&self) -> Result<()> {
        Client::announce_alive(self)
    }

    fn fail_outputs(
        &self,
        server: &ServerId,
        role: &str,
        outputs: &[String],
        error: &str,
    ) -> Result<()> {
        if self.server() != Some(server) {
            return Err(StoreError::NoAuth { path: self.inner.layout.server_values(server) }.into());
        }
        Client::fail_outputs(self, role, outputs, error)
    }

    fn set_role_state(
        &self,
        server: &ServerId,
        role: &str,
        state: &crate::agent::RoleState,
    ) -> Result<()> {
        use crate::agent::RoleState as S;
        let status = match state {
            S::Pending => RoleStatus::Pending,
            S::Running => RoleStatus::Running,
            S::Done => RoleStatus::Done,
            S::Failed(error) => RoleStatus::Failed { error: error.clone() },
        };
        self.set_role_status(server, role, &status)
    }
}
