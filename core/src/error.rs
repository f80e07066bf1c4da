//! The crate's error type: one `#[non_exhaustive]` enum per area, rolled into [`Error`].
//!
//! Every area error carries the place it is about (a file, a template path such as
//! `resources.web.metadata.heat_sync.roles[0]`, a coordinator key), never a boxed
//! trait object, so callers and the bindings can map areas to exception classes.

use std::path::PathBuf;

/// Any error heat-sync reports.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading, parsing or validating a Heat template or environment.
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
    /// The dependency graph (e.g. a circular dependency between resources).
    #[error(transparent)]
    Graph(#[from] crate::graph::GraphError),
    /// The `heat_sync` metadata or the data-flow analysis (deadlocks, dangling references).
    #[error(transparent)]
    DataFlow(#[from] crate::dataflow::DataFlowError),
    /// Producing the compiled template.
    #[error(transparent)]
    Compile(#[from] crate::compile::CompileError),
    /// Reading or validating a stack plan or server plan file.
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
    /// Talking to the coordinator (ZooKeeper or the embedded store).
    #[error(transparent)]
    Coordinator(#[from] crate::store::CoordinatorError),
    /// A wait that ran out of time.
    #[error(transparent)]
    Timeout(#[from] crate::client::TimeoutError),
    /// Running roles on a server.
    #[error(transparent)]
    Agent(#[from] crate::agent::AgentError),
    /// Setting up or running a simulation.
    #[error(transparent)]
    Simulate(#[from] crate::simulate::SimulateError),
    /// Reading or writing a local file.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file that could not be read or written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An I/O error on `path`.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}
