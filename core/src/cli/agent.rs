//! `heat-sync agent`. Placeholder until its issue lands.

use std::process::ExitCode;

/// Arguments of `heat-sync agent`.
#[derive(clap::Args)]
pub struct Args {
    /// Arguments (placeholder).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `heat-sync agent`.
pub fn run(args: Args) -> ExitCode {
    let _ = args.rest;
    super::not_yet("agent")
}
