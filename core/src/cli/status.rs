//! `heat-sync status`. Placeholder until its issue lands.

use std::process::ExitCode;

/// Arguments of `heat-sync status`.
#[derive(clap::Args)]
pub struct Args {
    /// Arguments (placeholder).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `heat-sync status`.
pub fn run(args: Args) -> ExitCode {
    let _ = args.rest;
    super::not_yet("status")
}
