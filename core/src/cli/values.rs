//! `heat-sync get` and `heat-sync put`. Placeholder until issue 4 lands.

use std::process::ExitCode;

/// Arguments of `heat-sync get`.
#[derive(clap::Args)]
pub struct GetArgs {
    /// Arguments (placeholder).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Arguments of `heat-sync put`.
#[derive(clap::Args)]
pub struct PutArgs {
    /// Arguments (placeholder).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    rest: Vec<String>,
}

/// Runs `heat-sync get`.
pub fn get(args: GetArgs) -> ExitCode {
    let _ = args.rest;
    super::not_yet("get")
}

/// Runs `heat-sync put`.
pub fn put(args: PutArgs) -> ExitCode {
    let _ = args.rest;
    super::not_yet("put")
}
