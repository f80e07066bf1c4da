//! heat-sync: cross-VM synchronization and communication for OpenStack Heat.
//!
//! The crate is the whole core of the project; the Python and Ruby bindings are thin
//! wrappers around it. Areas, each in its own module:
//!
//! - [`template`]: reading a Heat template exactly as Heat 27 reads it (HOT, CFN,
//!   environments, parameters, conditions, outputs, the files map).
//! - [`functions`]: Heat's intrinsic functions per template version, with static
//!   evaluation wherever the arguments are known.
//! - [`graph`]: Heat's resource dependency graph (explicit and implicit edges),
//!   cycles and creation order.
//! - [`stack`]: the analysis pipeline that ties the three together and produces the
//!   `heat-sync graph --format json` answer.
//! - [`dataflow`]: the `heat_sync` metadata language and the role-level data-flow
//!   graph (classification of inputs, deadlock detection, `heat-sync check`).
//! - [`compile`]: the generated Heat template and its cloud-init user-data.
//! - [`plan`]: the stack plan and server plan files handed from compile time to run
//!   time (see docs/plan.md).
//! - [`protocol`]: the sans-IO coordination protocol.
//! - [`store`]: coordinator backends (ZooKeeper and the embedded store).
//! - [`client`]: the blocking client used by the agent, the CLI and the bindings.
//! - [`agent`]: the per-server agent and its tool adapters.
//! - [`simulate`]: a whole stack run as local processes.

pub mod agent;
pub mod client;
pub mod compile;
pub mod dataflow;
pub mod error;
pub mod functions;
pub mod graph;
pub mod plan;
pub mod protocol;
pub mod simulate;
pub mod stack;
pub mod store;
pub mod template;

pub use error::{Error, Result};

/// The JSON value model used for templates, plans and published values.
///
/// `serde_json` is built with `preserve_order`, so mappings keep the order in which
/// the template wrote them, as Heat's Python dicts do.
pub type Value = serde_json::Value;

/// A JSON object with insertion order preserved.
pub type Map = serde_json::Map<String, Value>;
