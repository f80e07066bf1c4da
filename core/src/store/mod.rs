//! Coordinator backends behind one trait: ZooKeeper ([`zk`]) and the embedded store
//! ([`embedded`]), a directory several local processes share.
//!
//! A store carries out the [`crate::protocol::Command`]s of the protocol machine and a
//! few administrative operations (status, `coordinator init|remove`), and reports watch
//! notifications as [`StoreEvent`]s. Connection loss is the store's own business: an
//! operation returns once it has an answer, retrying across reconnections; a lost session
//! is rebuilt and reported as [`StoreEvent::SessionLost`] so that the machine re-arms
//! every wait.

pub mod address;
pub(crate) mod driver;
pub mod embedded;
pub mod identity;
pub mod zk;

use std::future::Future;

pub use address::Address;

use crate::plan::{Credentials, ServerId};
use crate::protocol::{Created, DecodeError, Node, Updated};

/// Errors talking to the coordinator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CoordinatorError {
    /// The coordinator address cannot be used.
    #[error("coordinator address {address:?}: {message}")]
    Address {
        /// The address as given.
        address: String,
        /// What is wrong with it.
        message: String,
    },
    /// The stack namespace cannot be used.
    #[error("coordinator namespace {namespace:?}: {message}")]
    Namespace {
        /// The namespace as given.
        namespace: String,
        /// What is wrong with it.
        message: String,
    },
    /// The coordinator cannot be reached or refused the session.
    #[error("coordinator {address}: cannot connect: {message}")]
    Connect {
        /// The address.
        address: String,
        /// Why.
        message: String,
    },
    /// An operation failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The role producing an awaited value failed: the wait ends with its error.
    #[error("{key} from {producer} will not come: {error}")]
    ProducerFailed {
        /// The awaited key (`db.db_host`).
        key: String,
        /// The producer (`db/mysql`).
        producer: String,
        /// The producer's error.
        error: String,
    },
    /// The caller interrupted a wait (Ctrl-C).
    #[error("interrupted while waiting for {key}")]
    Interrupted {
        /// The awaited key.
        key: String,
    },
    /// The stack's namespace was not seeded with a stack plan.
    #[error(
        "coordinator namespace {namespace} has no stack plan (run `heat-sync coordinator init`)"
    )]
    NotInitialized {
        /// The namespace.
        namespace: String,
    },
}

/// A failed store operation, naming the node.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The session's credentials do not allow the operation.
    #[error("coordinator node {path}: permission denied (these credentials may not do this)")]
    NoAuth {
        /// The node.
        path: String,
    },
    /// A node's bytes are not what its place requires.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Other writers kept winning a compare-and-set.
    #[error("coordinator node {path}: too many concurrent writers")]
    Contention {
        /// The node.
        path: String,
    },
    /// The client was closed, or its session could not be rebuilt.
    #[error("coordinator session closed: {message}")]
    Closed {
        /// Why.
        message: String,
    },
    /// Any other failure of the store.
    #[error("coordinator node {path}: {message}")]
    Failed {
        /// The node.
        path: String,
        /// What happened.
        message: String,
    },
}

/// Who may add children to a directory that [`Store::prepare`] makes (readers are always
/// the whole stack; docs/protocol.md, "Access control").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dir {
    /// The namespace and its shared directories: written by the administrator; every
    /// server of the stack may add a child (its own directory), none may remove one.
    Shared,
    /// The liveness directory: every server of the stack adds and removes children (a
    /// restarted agent replaces its previous session's node).
    Joint,
    /// The directory of one coordinated resource (`values/db`, or a group's `values/web`
    /// whose members add their own): only that resource's identity writes in it.
    Owned(String),
}

/// Who may write a node the session creates (readers are always the whole stack).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Only the session's own server (its values, role statuses and liveness).
    Server,
    /// Any server of the stack (shared directories, the stack plan).
    Stack,
}

/// The kind of node to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// Lives until deleted.
    Persistent(Access),
    /// Lives as long as the session (liveness), written only by the server.
    Ephemeral,
}

/// A notification from a store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreEvent {
    /// A watched node changed (created, new version, deleted), or a watched directory's
    /// list of children changed.
    Changed(String),
    /// The session was lost and rebuilt: every watch is gone and must be re-armed.
    SessionLost,
}

/// Where a store sends its [`StoreEvent`]s.
pub type EventSink = tokio::sync::mpsc::UnboundedSender<StoreEvent>;

/// Who the session acts for.
#[derive(Debug, Clone)]
pub struct Session {
    /// The stack namespace (`/heat-sync/<stack id>`).
    pub namespace: String,
    /// The server the session writes for; `None` for administrative sessions.
    pub server: Option<ServerId>,
    /// The credentials (ZooKeeper digest identities are the stack secret's or the
    /// derived passwords'); `None` leaves the namespace open to anyone.
    pub credentials: Option<Credentials>,
}

/// A coordinator backend.
///
/// Paths are absolute (`/heat-sync/<stack>/values/db/db_host`). Every method answers
/// once the store has an answer; watches armed by [`Store::read`] and [`Store::list`]
/// fire once each as a [`StoreEvent::Changed`].
pub trait Store: Send + Sync + Sized + 'static {
    /// Opens a session.
    fn open(
        address: &Address,
        session: &Session,
        events: EventSink,
    ) -> impl Future<Output = Result<Self, CoordinatorError>> + Send;

    /// Reads a node and watches it; `None` when it does not exist.
    fn read(&self, path: &str) -> impl Future<Output = Result<Option<Node>, StoreError>> + Send;

    /// Reads a node without a watch.
    fn fetch(&self, path: &str) -> impl Future<Output = Result<Option<Node>, StoreError>> + Send;

    /// Lists a directory's children (empty when it does not exist), watching the list
    /// when `watch` is set.
    fn list(
        &self,
        path: &str,
        watch: bool,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// Creates a node with version 1, creating missing parent directories (shared
    /// directories with [`Access::Stack`], the server's own ones with [`Access::Server`]).
    fn create(
        &self,
        path: &str,
        data: &[u8],
        kind: NodeKind,
    ) -> impl Future<Output = Result<Created, StoreError>> + Send;

    /// Replaces a node's content if its version is still `expected`.
    fn update(
        &self,
        path: &str,
        data: &[u8],
        expected: u64,
    ) -> impl Future<Output = Result<Updated, StoreError>> + Send;

    /// Deletes a node and everything under it (no error when it does not exist).
    fn delete_tree(&self, path: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Makes the directories `dirs` that do not exist yet, in order, with the stack's
    /// access rules for each kind of [`Dir`] (and the namespace's ancestors, open to
    /// list stacks; see docs/protocol.md). A directory that exists is left as it is.
    fn prepare(
        &self,
        dirs: &[(String, Dir)],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Administrative sessions (which hold the stack secret) also act as the identities
    /// of `resources` from now on, to remove the nodes those servers created. A no-op
    /// for stores without access control and for sessions without the secret.
    fn act_as(&self, resources: &[String]) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Counts the operations sent to the coordinator so far (for benchmarks).
    fn operations(&self) -> u64;

    /// Ends the session cleanly (its ephemeral nodes go at once), before the store is
    /// dropped.
    fn close(&self) -> impl Future<Output = ()> + Send;
}

/// Creates `path` or, when it exists, writes `data` as its next version, whatever the
/// current content (role statuses, the stack plan).
pub async fn put<S: Store>(
    store: &S,
    path: &str,
    data: &[u8],
    kind: NodeKind,
) -> Result<u64, StoreError> {
    for _ in 0..32 {
        if store.create(path, data, kind).await? == Created::New {
            return Ok(1);
        }
        let Some(node) = store.fetch(path).await? else { continue };
        if let Updated::Done(v) = store.update(path, data, node.version).await? {
            return Ok(v);
        }
    }
    Err(StoreError::Contention { path: path.to_string() })
}

impl From<StoreError> for crate::Error {
    fn from(e: StoreError) -> Self {
        crate::Error::Coordinator(e.into())
    }
}

impl From<DecodeError> for crate::Error {
    fn from(e: DecodeError) -> Self {
        crate::Error::Coordinator(StoreError::Decode(e).into())
    }
}
