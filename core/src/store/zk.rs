//! The ZooKeeper store (the `zookeeper-client` crate on tokio).
//!
//! - Reads arm one-shot watches in the same request that reads: `exists` with a watch
//!   while the node is not known to exist (it fires on creation), `getData` with a watch
//!   once it is. A value exchanged therefore costs three operations in all: the
//!   producer's `create`, the waiter's `exists` and its `getData` (docs/protocol.md).
//! - Connection loss: the client reconnects within the session and ZooKeeper restores
//!   the watches; operations caught in between are retried (publication is idempotent,
//!   so a retried create or compare-and-set cannot write a second content).
//! - Session expiry: a supervisor task builds a new session with the same credentials,
//!   re-creates this session's ephemeral nodes and reports
//!   [`StoreEvent::SessionLost`], on which the protocol machine re-reads (and so
//!   re-watches) every node a wait needs.
//! - Access: digest identities derived from the stack secret (see [`super::identity`]);
//!   what each identity may do is in docs/protocol.md, "Access control".

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use zookeeper_client as zkc;
use zookeeper_client::{Acl, AuthId, CreateMode, Permission};

use super::identity::{user, Purpose};
use super::{
    Access, Address, CoordinatorError, Dir, EventSink, NodeKind, Session, Store, StoreError,
    StoreEvent,
};
use crate::protocol::{Created, Node, Updated};

/// The session timeout asked of ZooKeeper unless `HEAT_SYNC_ZK_SESSION_TIMEOUT_MS` says
/// otherwise (within the server's `minSessionTimeout`..`maxSessionTimeout`).
pub const SESSION_TIMEOUT: Duration = Duration::from_secs(6);

/// The session timeout to ask for.
pub fn session_timeout() -> Duration {
    std::env::var("HEAT_SYNC_ZK_SESSION_TIMEOUT_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .map_or(SESSION_TIMEOUT, Duration::from_millis)
}
/// How long opening a session keeps trying.
const CONNECT_FOR: Duration = Duration::from_secs(30);
/// How long an operation keeps retrying through connection losses and session rebuilds.
const RETRY_FOR: Duration = Duration::from_secs(300);

pub use super::identity::{Identities, Identity};

/// The ZooKeeper store (see the module documentation).
pub struct ZkStore {
    shared: Arc<Shared>,
}

struct Shared {
    client: RwLock<Option<zkc::Client>>,
    hosts: String,
    chroot: String,
    /// What every (re)built session authenticates with; grows with [`Store::act_as`].
    auths: Mutex<Vec<Vec<u8>>>,
    acls: AclSet,
    /// Paths known to exist (from reads and watch events): read with `getData`.
    exists: Mutex<HashMap<String, bool>>,
    /// Ephemeral nodes this session created, re-created after a session rebuild.
    ephemerals: Mutex<Vec<(String, Vec<u8>)>>,
    events: EventSink,
    operations: AtomicU64,
    /// The supervisor and watch tasks, aborted on close so that the session can end.
    tasks: Mutex<Vec<tokio::task::AbortHandle>>,
    /// Set on close: the supervisor stops rebuilding.
    closing: std::sync::atomic::AtomicBool,
}

/// The identities a session authenticates as, and the ACL of each kind of node it
/// creates (docs/protocol.md, "Access control").
#[derive(Debug, Clone)]
struct AclSet {
    /// What to authenticate with (`user:password` digests).
    auths: Vec<Vec<u8>>,
    /// Ancestors of the namespace (`/heat-sync`): anyone lists, creates and deletes.
    ancestor: Vec<Acl>,
    /// The namespace, its shared directories and the stack plan.
    shared: Vec<Acl>,
    /// The liveness directory.
    joint: Vec<Acl>,
    /// The session's own resource and the ACL of what it writes (`None`: administrative
    /// or open sessions).
    own: Option<(String, Vec<Acl>)>,
    /// Liveness nodes.
    ephemeral: Option<Vec<Acl>>,
    /// The stack's identities when the session holds the stack secret.
    ids: Option<Identities>,
    /// The reader's and (administrative sessions) the administrator's ACL ids.
    reader: Option<String>,
    admin: Option<String>,
}

fn digest(perms: Permission, id: &str) -> Acl {
    Acl::new(perms, AuthId::new("digest", id))
}

/// Read, write, create and delete: everything but changing the ACL.
fn rwcd() -> Permission {
    Permission::READ | Permission::WRITE | Permission::CREATE | Permission::DELETE
}

impl AclSet {
    fn new(session: &Session) -> Result<Self, String> {
        let Some(creds) = &session.credentials else {
            let open = vec![Acl::new(Permission::ALL, AuthId::anyone())];
            return Ok(AclSet {
                auths: vec![],
                ancestor: open.clone(),
                shared: open.clone(),
                joint: open,
                own: None,
                ephemeral: None,
                ids: None,
                reader: None,
                admin: None,
            });
        };
        creds.check()?;
        let ns = &session.namespace;
        // Who this session is: with the stack secret, the administrator (no server) or
        // the server's resource; with derived passwords, the resource they were made for.
        let (ids, reader, own, admin) = match (&creds.secret, &creds.password, &creds.read_password)
        {
            (Some(secret), _, _) => {
                let ids = Identities::new(ns, secret);
                let own =
                    session.server.as_ref().map(|s| (s.resource.clone(), ids.server(&s.resource)));
                let admin = session.server.is_none().then(|| ids.admin());
                (Some(ids.clone()), ids.reader(), own, admin)
            }
            (None, Some(password), Some(read)) => {
                let reader = Identity::new(user(Purpose::Reader, ns, ""), read.clone());
                let own = Identity::new(user(Purpose::Server, ns, &creds.user), password.clone());
                (None, reader, Some((creds.user.clone(), own)), None)
            }
            _ => unreachable!("checked above"),
        };
        let mut auths = vec![reader.auth()];
        auths.extend(own.iter().map(|(_, id)| id.auth()));
        auths.extend(admin.iter().map(Identity::auth));
        let reader_id = reader.acl_id();
        let admin_id = admin.as_ref().map(Identity::acl_id);
        // What the administrator makes it writes; what a server makes (the namespace was
        // not seeded) the administrator removes as the reader, the one id it can name.
        let (shared, joint) = match &admin_id {
            Some(a) => (
                vec![digest(rwcd(), a), digest(Permission::READ | Permission::CREATE, &reader_id)],
                vec![
                    digest(rwcd(), a),
                    digest(Permission::READ | Permission::CREATE | Permission::DELETE, &reader_id),
                ],
            ),
            None => {
                let rcd = vec![digest(
                    Permission::READ | Permission::CREATE | Permission::DELETE,
                    &reader_id,
                )];
                (rcd.clone(), rcd)
            }
        };
        let ephemeral = own.as_ref().map(|(_, id)| {
            vec![
                digest(Permission::READ | Permission::WRITE | Permission::DELETE, &id.acl_id()),
                digest(Permission::READ, &reader_id),
            ]
        });
        let own = own.map(|(resource, id)| {
            let acl = vec![digest(rwcd(), &id.acl_id()), digest(Permission::READ, &reader_id)];
            (resource, acl)
        });
        Ok(AclSet {
            auths,
            ancestor: vec![Acl::new(
                Permission::READ | Permission::CREATE | Permission::DELETE,
                AuthId::anyone(),
            )],
            shared,
            joint,
            own,
            ephemeral,
            ids,
            reader: Some(reader_id),
            admin: admin_id,
        })
    }

    /// The ACL of a directory [`Store::prepare`] makes.
    fn for_dir(&self, dir: &Dir) -> Vec<Acl> {
        let Dir::Owned(resource) = dir else {
            return if *dir == Dir::Joint { self.joint.clone() } else { self.shared.clone() };
        };
        let (Some(ids), Some(reader)) = (&self.ids, &self.reader) else {
            // Without the secret a session can only name its own identity.
            return self.own.as_ref().map_or_else(|| self.shared.clone(), |(_, acl)| acl.clone());
        };
        let mut acl =
            vec![digest(rwcd(), &ids.server(resource).acl_id()), digest(Permission::READ, reader)];
        // The administrator pre-creates group members' directories inside a group's, and
        // removes what it made without acting as the server.
        if let Some(admin) = &self.admin {
            acl.push(digest(Permission::CREATE | Permission::DELETE, admin));
        }
        acl
    }
}

fn failed(path: &str, e: zkc::Error) -> StoreError {
    match e {
        zkc::Error::NoAuth => StoreError::NoAuth { path: path.to_string() },
        zkc::Error::AuthFailed => {
            StoreError::Closed { message: "ZooKeeper rejected the credentials".into() }
        }
        zkc::Error::ClientClosed => StoreError::Closed { message: "client closed".into() },
        e => StoreError::Failed { path: path.to_string(), message: e.to_string() },
    }
}

/// Errors that a later attempt on the same or a rebuilt session can get past: connection
/// trouble (the crate reports a frozen connection as a custom "no response from
/// connection" error), expiry before the rebuild, and server throttling.
fn retryable(e: &zkc::Error) -> bool {
    matches!(
        e,
        zkc::Error::ConnectionLoss
            | zkc::Error::SessionExpired
            | zkc::Error::Timeout
            | zkc::Error::Throttled
            | zkc::Error::Custom(_)
    )
}

fn version(stat: &zkc::Stat) -> u64 {
    u64::try_from(stat.version).unwrap_or(0) + 1
}

async fn connect(hosts: &str, chroot: &str, auths: &[Vec<u8>]) -> Result<zkc::Client, zkc::Error> {
    let mut connector = zkc::Client::connector().with_session_timeout(session_timeout());
    for auth in auths {
        connector = connector.with_auth("digest", auth);
    }
    let client = connector.connect(hosts).await?;
    if chroot == "/" {
        return Ok(client);
    }
    let open =
        [Acl::new(Permission::READ | Permission::CREATE | Permission::DELETE, AuthId::anyone())];
    match client.mkdir(chroot, &CreateMode::Persistent.with_acls(zkc::Acls::new(&open))).await {
        Ok(()) | Err(zkc::Error::NodeExists) => {}
        Err(e) => return Err(e),
    }
    client.chroot(chroot.to_string()).map_err(|_| zkc::Error::BadArguments(&"bad chroot"))
}

impl Shared {
    fn current(&self) -> Option<zkc::Client> {
        self.client.read().unwrap().clone()
    }

    /// Runs `op` on the current session, retrying through connection loss and session
    /// rebuilds for up to [`RETRY_FOR`].
    async fn retry<T, F, Fut>(&self, path: &str, op: F) -> Result<T, StoreError>
    where
        F: Fn(zkc::Client) -> Fut,
        Fut: std::future::Future<Output = Result<T, zkc::Error>>,
    {
        let start = Instant::now();
        let mut pause = Duration::from_millis(20);
        loop {
            let Some(client) = self.current() else {
                return Err(StoreError::Closed { message: "client closed".into() });
            };
            self.operations.fetch_add(1, Ordering::Relaxed);
            match op(client).await {
                Err(e) if retryable(&e) && start.elapsed() < RETRY_FOR => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(1));
                }
                r => return r.map_err(|e| failed(path, e)),
            }
        }
    }

    /// Reports the firing of a one-shot watch on `path`.
    fn on_fire(self: &Arc<Self>, path: &str, watcher: zkc::OneshotWatcher) {
        let shared = Arc::clone(self);
        let path = path.to_string();
        let mut tasks = self.tasks.lock().unwrap();
        tasks.retain(|t| !t.is_finished());
        tasks.push(
            tokio::spawn(async move {
                let event = watcher.changed().await;
                let exists = match event.event_type {
                    zkc::EventType::Session => return, // the supervisor reports a lost session
                    zkc::EventType::NodeDeleted => false,
                    _ => true,
                };
                shared.exists.lock().unwrap().insert(path.clone(), exists);
                let _ = shared.events.send(StoreEvent::Changed(path));
            })
            .abort_handle(),
        );
    }

    fn acl_for(&self, kind: NodeKind) -> Vec<Acl> {
        let own = || self.acls.own.as_ref().map(|(_, acl)| acl.clone());
        match kind {
            NodeKind::Persistent(Access::Stack) => self.acls.shared.clone(),
            NodeKind::Persistent(Access::Server) => {
                own().unwrap_or_else(|| self.acls.shared.clone())
            }
            NodeKind::Ephemeral => {
                self.acls.ephemeral.clone().unwrap_or_else(|| self.acls.joint.clone())
            }
        }
    }

    /// Rebuilds the session each time it ends (expiry), until the store is dropped.
    async fn supervise(self: Arc<Self>) {
        loop {
            let Some(client) = self.current() else { return };
            let mut states = client.state_watcher();
            drop(client);
            loop {
                let state = states.changed().await;
                if state.is_terminated() {
                    break;
                }
            }
            if self.events.is_closed() || self.closing.load(Ordering::SeqCst) {
                return;
            }
            let mut pause = Duration::from_millis(100);
            let auths = self.auths.lock().unwrap().clone();
            let client = loop {
                match connect(&self.hosts, &self.chroot, &auths).await {
                    Ok(c) => break c,
                    Err(_) if !self.events.is_closed() => {
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(Duration::from_secs(2));
                    }
                    Err(_) => return,
                }
            };
            if self.closing.load(Ordering::SeqCst) {
                return;
            }
            *self.client.write().unwrap() = Some(client);
            self.exists.lock().unwrap().clear();
            let ephemerals = self.ephemerals.lock().unwrap().clone();
            let acl = self.acl_for(NodeKind::Ephemeral);
            for (path, data) in ephemerals {
                let acl = &acl;
                let data = &data;
                let path = path.as_str();
                let _ = self
                    .retry(path, |c| async move {
                        match c
                            .create(
                                path,
                                data,
                                &CreateMode::Ephemeral.with_acls(zkc::Acls::new(acl)),
                            )
                            .await
                        {
                            Ok(_) | Err(zkc::Error::NodeExists) => Ok(()),
                            Err(e) => Err(e),
                        }
                    })
                    .await;
            }
            let _ = self.events.send(StoreEvent::SessionLost);
        }
    }
}

impl Store for ZkStore {
    async fn open(
        address: &Address,
        session: &Session,
        events: EventSink,
    ) -> Result<Self, CoordinatorError> {
        let Address::ZooKeeper { hosts, chroot } = address else {
            return Err(CoordinatorError::Address {
                address: address.to_string(),
                message: "not a ZooKeeper address".into(),
            });
        };
        let acls = AclSet::new(session).map_err(|message| CoordinatorError::Connect {
            address: address.to_string(),
            message: format!("credentials: {message}"),
        })?;
        let auths = acls.auths.clone();
        // An agent boots with its server: keep trying for a while (ZooKeeper may still be
        // starting, or be slow under load) rather than fail the boot.
        let limit = session_timeout() * 2;
        let deadline = Instant::now() + CONNECT_FOR;
        let mut pause = Duration::from_millis(100);
        let client = loop {
            let message = match tokio::time::timeout(limit, connect(hosts, chroot, &auths)).await {
                Ok(Ok(c)) => break c,
                Ok(Err(e @ zkc::Error::AuthFailed)) => {
                    return Err(CoordinatorError::Connect {
                        address: address.to_string(),
                        message: e.to_string(),
                    })
                }
                Ok(Err(e)) => e.to_string(),
                Err(_) => format!("no answer within {} s", limit.as_secs()),
            };
            if Instant::now() + pause >= deadline {
                return Err(CoordinatorError::Connect { address: address.to_string(), message });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        };
        let shared = Arc::new(Shared {
            client: RwLock::new(Some(client)),
            hosts: hosts.clone(),
            chroot: chroot.clone(),
            auths: Mutex::new(auths),
            acls,
            exists: Mutex::default(),
            ephemerals: Mutex::default(),
            events,
            operations: AtomicU64::new(0),
            tasks: Mutex::default(),
            closing: Default::default(),
        });
        let supervisor = tokio::spawn(Arc::clone(&shared).supervise()).abort_handle();
        shared.tasks.lock().unwrap().push(supervisor);
        Ok(ZkStore { shared })
    }

    async fn read(&self, path: &str) -> Result<Option<Node>, StoreError> {
        let s = &self.shared;
        let known = s.exists.lock().unwrap().get(path).copied().unwrap_or(false);
        if known {
            // Known to exist: read and watch changes in one request.
            match s.retry(path, |c| async move { c.get_and_watch_data(path).await }).await {
                Ok((data, stat, watcher)) => {
                    s.on_fire(path, watcher);
                    return Ok(Some(Node { version: version(&stat), data }));
                }
                Err(StoreError::Failed { .. }) => {
                    s.exists.lock().unwrap().insert(path.to_string(), false);
                }
                Err(e) => return Err(e),
            }
        }
        // Not known to exist: `exists` with a watch fires on creation.
        let (stat, watcher) =
            s.retry(path, |c| async move { c.check_and_watch_stat(path).await }).await?;
        s.on_fire(path, watcher);
        if stat.is_none() {
            return Ok(None);
        }
        // It exists: the exists-watch now covers changes, so read without another watch.
        match s.retry(path, |c| async move { c.get_data(path).await }).await {
            Ok((data, stat)) => Ok(Some(Node { version: version(&stat), data })),
            Err(StoreError::Failed { .. }) => Ok(None), // deleted in between: the watch fires
            Err(e) => Err(e),
        }
    }

    async fn fetch(&self, path: &str) -> Result<Option<Node>, StoreError> {
        match self.shared.retry(path, |c| async move { c.get_data(path).await }).await {
            Ok((data, stat)) => Ok(Some(Node { version: version(&stat), data })),
            Err(StoreError::Failed { message, .. })
                if message == zkc::Error::NoNode.to_string() =>
            {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    async fn list(&self, path: &str, watch: bool) -> Result<Vec<String>, StoreError> {
        let s = &self.shared;
        let no_node = zkc::Error::NoNode.to_string();
        if !watch {
            return match s.retry(path, |c| async move { c.list_children(path).await }).await {
                Err(StoreError::Failed { message, .. }) if message == no_node => Ok(vec![]),
                r => r,
            };
        }
        match s.retry(path, |c| async move { c.get_and_watch_children(path).await }).await {
            Ok((children, _, watcher)) => {
                s.on_fire(path, watcher);
                Ok(children)
            }
            Err(StoreError::Failed { message, .. }) if message == no_node => {
                // Watch for the directory's creation instead.
                let (_, watcher) =
                    s.retry(path, |c| async move { c.check_and_watch_stat(path).await }).await?;
                s.on_fire(path, watcher);
                Ok(vec![])
            }
            Err(e) => Err(e),
        }
    }

    async fn create(&self, path: &str, data: &[u8], kind: NodeKind) -> Result<Created, StoreError> {
        let s = &self.shared;
        let acl = s.acl_for(kind);
        let mode = if kind == NodeKind::Ephemeral {
            CreateMode::Ephemeral
        } else {
            CreateMode::Persistent
        };
        let acl = &acl;
        let attempt = || {
            s.retry(path, |c| async move {
                c.create(path, data, &mode.with_acls(zkc::Acls::new(acl))).await
            })
        };
        let mut result = attempt().await;
        if matches!(&result, Err(StoreError::Failed { message, .. }) if *message == zkc::Error::NoNode.to_string())
        {
            self.create_parents(path).await?;
            result = attempt().await;
        }
        match result {
            Ok(_) => {
                if kind == NodeKind::Ephemeral {
                    s.ephemerals.lock().unwrap().push((path.to_string(), data.to_vec()));
                }
                Ok(Created::New)
            }
            Err(StoreError::Failed { message, .. })
                if message == zkc::Error::NodeExists.to_string() && kind == NodeKind::Ephemeral =>
            {
                // A restarted agent finds the node of its previous session, which lives
                // until that session times out: take it over, so that it does not vanish
                // later and make the live agent look dead.
                self.take_over(path, data).await
            }
            Err(StoreError::Failed { message, .. })
                if message == zkc::Error::NodeExists.to_string() =>
            {
                Ok(Created::Exists)
            }
            Err(e) => Err(e),
        }
    }

    async fn update(&self, path: &str, data: &[u8], expected: u64) -> Result<Updated, StoreError> {
        let Ok(zk_version) = i32::try_from(expected.saturating_sub(1)) else {
            return Ok(Updated::Conflict);
        };
        match self
            .shared
            .retry(path, |c| async move { c.set_data(path, data, Some(zk_version)).await })
            .await
        {
            Ok(stat) => Ok(Updated::Done(version(&stat))),
            Err(StoreError::Failed { message, .. })
                if message == zkc::Error::BadVersion.to_string()
                    || message == zkc::Error::NoNode.to_string() =>
            {
                Ok(Updated::Conflict)
            }
            Err(e) => Err(e),
        }
    }

    async fn delete_tree(&self, path: &str) -> Result<(), StoreError> {
        let mut stack = vec![(path.to_string(), false)];
        while let Some((p, expanded)) = stack.pop() {
            if !expanded {
                stack.push((p.clone(), true));
                for child in self.list(&p, false).await? {
                    stack.push((format!("{p}/{child}"), false));
                }
                continue;
            }
            let p = p.as_str();
            match self.shared.retry(p, |c| async move { c.delete(p, None).await }).await {
                Ok(()) => {}
                Err(StoreError::Failed { message, .. })
                    if message == zkc::Error::NoNode.to_string() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn prepare(&self, dirs: &[(String, Dir)]) -> Result<(), StoreError> {
        let s = &self.shared;
        // The namespace's ancestors (`/heat-sync`) are open to create and list stacks.
        if let Some((root, _)) = dirs.first() {
            let mut at = 0;
            while let Some(i) = root[at + 1..].find('/') {
                at += 1 + i;
                self.make_dir(&root[..at], &s.acls.ancestor).await?;
            }
        }
        for (dir, kind) in dirs {
            self.make_dir(dir, &s.acls.for_dir(kind)).await?;
        }
        Ok(())
    }

    async fn act_as(&self, resources: &[String]) -> Result<(), StoreError> {
        let s = &self.shared;
        let Some(ids) = &s.acls.ids else { return Ok(()) };
        for resource in resources {
            let auth = ids.server(resource).auth();
            if s.auths.lock().unwrap().contains(&auth) {
                continue;
            }
            let auth = &auth;
            s.retry(resource, |c| async move { c.auth("digest", auth).await }).await?;
            s.auths.lock().unwrap().push(auth.clone());
        }
        Ok(())
    }

    fn operations(&self) -> u64 {
        self.shared.operations.load(Ordering::Relaxed)
    }

    async fn close(&self) {
        let s = &self.shared;
        s.closing.store(true, Ordering::SeqCst);
        for t in s.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
        // Dropping the last handle of the session makes it send CloseSession, so the
        // ephemeral nodes go now rather than after the session timeout.
        let Some(client) = s.client.write().unwrap().take() else { return };
        let mut states = client.state_watcher();
        drop(client);
        let closed = async move { while !states.changed().await.is_terminated() {} };
        let _ = tokio::time::timeout(Duration::from_secs(2), closed).await;
    }
}

impl ZkStore {
    /// Creates the directory `dir` with `acl` unless it exists. ZooKeeper checks the
    /// parent's CREATE permission before existence, so a server's session that may not
    /// create a shared directory the administrator made finds it with a read instead.
    async fn make_dir(&self, dir: &str, acl: &[Acl]) -> Result<(), StoreError> {
        let s = &self.shared;
        let created = s
            .retry(dir, |c| async move {
                match c
                    .create(dir, &[], &CreateMode::Persistent.with_acls(zkc::Acls::new(acl)))
                    .await
                {
                    Ok(_) | Err(zkc::Error::NodeExists) => Ok(()),
                    Err(e) => Err(e),
                }
            })
            .await;
        match created {
            Err(StoreError::NoAuth { .. })
                if s.retry(dir, |c| async move { c.check_stat(dir).await }).await?.is_some() =>
            {
                Ok(())
            }
            r => r,
        }
    }

    /// Replaces an ephemeral node left by another session of this server.
    async fn take_over(&self, path: &str, data: &[u8]) -> Result<Created, StoreError> {
        let s = &self.shared;
        let Some(mine) = s.current().map(|c| c.session_id().0) else {
            return Err(StoreError::Closed { message: "client closed".into() });
        };
        let stat = s.retry(path, |c| async move { c.check_stat(path).await }).await?;
        if let Some(stat) = stat {
            if stat.ephemeral_owner == mine {
                return Ok(Created::Exists);
            }
            let version = stat.version;
            match s.retry(path, |c| async move { c.delete(path, Some(version)).await }).await {
                Ok(()) | Err(StoreError::Failed { .. }) => {} // gone or replaced: create decides
                Err(e) => return Err(e),
            }
        }
        let acl = s.acl_for(NodeKind::Ephemeral);
        let acl = &acl;
        let mode = CreateMode::Ephemeral;
        match s
            .retry(path, |c| async move {
                c.create(path, data, &mode.with_acls(zkc::Acls::new(acl))).await
            })
            .await
        {
            Ok(_) => {
                s.ephemerals.lock().unwrap().push((path.to_string(), data.to_vec()));
                Ok(Created::New)
            }
            Err(StoreError::Failed { message, .. })
                if message == zkc::Error::NodeExists.to_string() =>
            {
                Ok(Created::Exists)
            }
            Err(e) => Err(e),
        }
    }

    /// Creates the missing parent directories of `path`, owned by this session's server.
    async fn create_parents(&self, path: &str) -> Result<(), StoreError> {
        let parent = &path[..path.rfind('/').unwrap_or(0)];
        if parent.is_empty() {
            return Ok(());
        }
        let acl = self.shared.acl_for(NodeKind::Persistent(Access::Server));
        let acl = &acl;
        self.shared
            .retry(parent, |c| async move {
                c.mkdir(parent, &CreateMode::Persistent.with_acls(zkc::Acls::new(acl))).await
            })
            .await
    }
}
