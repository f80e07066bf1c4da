//! `heat-sync graph`. Placeholder until its issue lands.

use std::process::ExitCode;

/// Arguments of `heat-sync graph`.
#[derive(clap::Args)]
pub struct Args {
    /// Arguments (placeholder).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `heat-sync graph`.
pub fn run(args: Args) -> ExitCode {
    let _ = args.rest;
    super::not_yet("graph")
}
