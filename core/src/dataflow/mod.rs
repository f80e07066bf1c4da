//! The `heat_sync` metadata language and the role-level data-flow graph.
//!
//! - [`path`]: node attribute paths (`a.b\.c.0`).
//! - [`metadata`]: reading the `heat_sync` sections of servers and group members.
//! - [`analysis`]: classifying every input (static, Heat-resolved, run time) and
//!   finding every reference to a role output.
//! - [`expression`]: inputs whose expression reads run-time values inside functions.
//! - [`graph`]: the data-flow graph, deadlocks, and its JSON / diagram forms.
//! - [`problem`]: what `heat-sync check` reports.

pub mod analysis;
pub mod expression;
pub mod graph;
mod heat;
pub mod metadata;
pub mod path;
pub mod problem;
pub mod refs;
pub mod source;

pub use analysis::{analyse, Analysis, Resolved};
pub use graph::FlowGraph;
pub use problem::{Code, Problem, Severity};

use crate::stack::Inputs;

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
    /// `check` found errors; compile refuses the template.
    #[error("{}", problems.iter().filter(|p| p.is_error()).map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Problems {
        /// Every problem (errors and warnings).
        problems: Vec<Problem>,
    },
}

/// `heat-sync check`: every problem of the template's data flow, errors first.
/// An `Err` means the template could not be read at all.
pub fn check(inputs: &Inputs) -> crate::Result<Vec<Problem>> {
    Ok(analyse(inputs)?.problems)
}

/// `heat-sync graph --dataflow --format json`: `{roles, edges, inputs}`.
pub fn graph_json(inputs: &Inputs) -> crate::Result<crate::Value> {
    let a = analyse(inputs)?;
    Ok(serde_json::to_value(graph::flow_graph(&a)).expect("the graph serializes"))
}

/// The data-flow graph of a template.
pub fn flow_graph(inputs: &Inputs) -> crate::Result<FlowGraph> {
    Ok(graph::flow_graph(&analyse(inputs)?))
}
