//! One file per subcommand; each has an `Args` (clap) and a `run` returning the exit code.

pub mod agent;
pub mod check;
pub mod compile;
pub mod coordinator;
pub mod graph;
pub mod simulate;
pub mod status;
pub mod values;

use std::process::ExitCode;

/// Prints `error: {e}` on stderr and returns exit status 2 (usage or I/O).
pub fn usage_error(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("heat-sync: {e}");
    ExitCode::from(2)
}
