//! The blocking coordinator client used by the agent, the CLI (`get`, `put`, `status`)
//! and the Python and Ruby bindings.
//!
//! Owner: issue 4 (runtime). The API every caller codes against:
//!
//! ```text
//! Client::connect(&CoordinatorConfig, server: Option<ServerId>) -> Result<Client>
//! Client::from_server_plan(&ServerPlan) -> Result<Client>
//! client.put(&ValueKey, &Value) -> Result<u64>                  // version published
//! client.get(&ValueKey, &WaitOptions) -> Result<Published>      // blocks until published
//! client.gather(group, output, count: Option<u64>, &WaitOptions) -> Result<Vec<Published>>
//! client.set_role_status(&ServerId, role, RoleStatus) -> Result<()>
//! client.status() -> Result<StackStatus>
//! ```
//!
//! `WaitOptions` carries the timeout, an interrupt check (`Fn() -> bool`, polled on a
//! local condition variable, never on the coordinator, so bindings can release the GIL or
//! the Ruby VM lock and still honour Ctrl-C) and a progress callback
//! (`waiting 12 s for db.db_host from db/mysql`). Placeholder until that work lands.

use std::time::Duration;

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
