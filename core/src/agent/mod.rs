//! The per-server agent: runs roles in order with tool adapters (script, chef).
//!
//! Owner: issue 4 (agent). Placeholder until that work lands.

/// Errors running a server's roles.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// A role failed.
    #[error("{server}/{role}: {message}")]
    RoleFailed {
        /// The server.
        server: String,
        /// The role.
        role: String,
        /// Why.
        message: String,
    },
}
