//! What the agent needs from the coordinator, as one small trait.
//!
//! The agent publishes values, waits for values and gathers, and records role states. The
//! coordinator client ([`crate::client::Client`]) implements this trait; tests implement
//! it in memory so the agent's logic can be exercised without a store.

use std::time::Duration;

use crate::plan::{Producer, ServerId, ValueKey};
use crate::Value;

/// The state of one role as the agent reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleState {
    /// Not started yet.
    Pending,
    /// Running (its inputs may still be awaited).
    Running,
    /// Finished; its outputs are published.
    Done,
    /// Failed; waits on its outputs end at once with this error.
    Failed(String),
}

/// How one wait behaves: how long it may take and how it reports progress.
pub struct Wait<'a> {
    /// The longest the wait may take.
    pub timeout: Duration,
    /// How often `progress` is called while the wait is blocked.
    pub progress_every: Duration,
    /// Called every `progress_every` while the wait is blocked, with the time waited.
    pub progress: &'a dyn Fn(Duration),
}

/// The coordinator operations the agent uses.
pub trait Coordination {
    /// Publishes `value` under `key`, returning the version. Publishing the content the
    /// key already holds is idempotent (no new version).
    fn publish(&self, key: &ValueKey, value: &Value) -> crate::Result<u64>;

    /// Blocks until `key` is published and returns its first version. Ends at once with
    /// an error naming the producer when the producing role has failed, and with a
    /// timeout error naming `key` and `producer` when `wait.timeout` runs out.
    fn wait(&self, key: &ValueKey, producer: &Producer, wait: &Wait<'_>) -> crate::Result<Value>;

    /// Blocks until every member of `group` has published `output` and returns the
    /// values in member order; `count` is the ResourceGroup size (`None`: the current
    /// members of an AutoScalingGroup). `producer` names the producers in messages.
    fn gather(
        &self,
        group: &str,
        output: &str,
        count: Option<u64>,
        producer: &str,
        wait: &Wait<'_>,
    ) -> crate::Result<Vec<Value>>;

    /// Marks the agent of this server alive for as long as its session lives.
    fn announce_alive(&self) -> crate::Result<()>;

    /// Marks the not yet published `outputs` of `role` on `server` failed with `error`,
    /// so every wait on them ends at once with that error.
    fn fail_outputs(
        &self,
        server: &ServerId,
        role: &str,
        outputs: &[String],
        error: &str,
    ) -> crate::Result<()>;

    /// Records the state of `role` on `server`.
    fn set_role_state(&self, server: &ServerId, role: &str, state: &RoleState)
        -> crate::Result<()>;
}
