//! Heat's resource dependency graph: explicit and implicit edges, cycles, creation order.
//!
//! Owner: issue 2 (graph). Placeholder until that work lands.

/// Errors of the dependency graph.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// Resources that depend on each other in a loop.
    #[error("Circular Dependency Found: {}", resources.join(", "))]
    Cycle {
        /// The resources on the cycle, in cycle order.
        resources: Vec<String>,
    },
}
