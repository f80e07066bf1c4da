//! `heat-sync coordinator init|remove`. Placeholder until issue 4 lands.

use std::process::ExitCode;

/// `heat-sync coordinator` subcommands.
#[derive(clap::Subcommand)]
pub enum Command {
    /// Seed a stack's namespace from its stack plan.
    Init {
        /// Arguments (placeholder).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
    },
    /// Remove a stack's namespace.
    Remove {
        /// Arguments (placeholder).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        rest: Vec<String>,
    },
}

/// Runs a `heat-sync coordinator` subcommand.
pub fn run(cmd: Command) -> ExitCode {
    match cmd {
        Command::Init { .. } => super::not_yet("coordinator init"),
        Command::Remove { .. } => super::not_yet("coordinator remove"),
    }
}
