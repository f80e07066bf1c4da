//! `heat-sync check`. Placeholder until its issue lands.

use std::process::ExitCode;

/// Arguments of `heat-sync check`.
#[derive(clap::Args)]
pub struct Args {
    /// Arguments (placeholder).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `heat-sync check`.
pub fn run(args: Args) -> ExitCode {
    let _ = args.rest;
    super::not_yet("check")
}
