//! The `heat_sync` metadata language and the role-level data-flow graph.
//!
//! Owner: issue 3 (compile). Placeholder until that work lands.

/// Errors in `heat_sync` metadata or the data flow it declares.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataFlowError {
    /// A problem at `place` (e.g. `resources.web.metadata.heat_sync.roles[0]`).
    #[error("{place}: {message}")]
    Invalid {
        /// The template path.
        place: String,
        /// What is wrong.
        message: String,
    },
}
