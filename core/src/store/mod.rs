//! Coordinator backends behind one trait: ZooKeeper and the embedded store.
//!
//! Owner: issue 4 (runtime). Placeholder until that work lands.

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
}
