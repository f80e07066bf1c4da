//! `heat-sync coordinator init|remove`: seed a stack's namespace from its stack plan
//! (shared directories, one directory per server writable by that server only, and the
//! plan), or remove the namespace with everything in it.

use std::path::PathBuf;
use std::process::ExitCode;

use heat_sync::client::Client;
use heat_sync::plan::StackPlan;

use super::values::ConnectArgs;

/// `heat-sync coordinator` subcommands.
#[derive(clap::Subcommand, Debug)]
pub enum Command {
    /// Seed a stack's namespace from its stack plan.
    Init {
        /// The stack plan (`heat-sync compile --plan-out`).
        #[arg(long, value_name = "FILE")]
        stack_plan: PathBuf,
        #[command(flatten)]
        connect: ConnectArgs,
    },
    /// Remove a stack's namespace and everything in it.
    Remove {
        #[command(flatten)]
        connect: ConnectArgs,
    },
}

/// Runs a `heat-sync coordinator` subcommand.
pub fn run(cmd: Command) -> ExitCode {
    let (connect, plan) = match &cmd {
        Command::Init { stack_plan, connect } => match StackPlan::load(stack_plan) {
            Ok(p) => (connect, Some(p)),
            Err(e) => return super::usage_error(e),
        },
        Command::Remove { connect } => (connect, None),
    };
    let server_plan = match connect.plan() {
        Ok(p) => p,
        Err(e) => return super::usage_error(e),
    };
    let config = match connect.config(server_plan.as_ref()) {
        Ok(c) => c,
        Err(e) => return super::usage_error(e),
    };
    let result = Client::connect(&config, None).and_then(|client| match &plan {
        Some(plan) => client.init_stack(plan),
        None => client.remove_stack(),
    });
    match result {
        Ok(()) => {
            let done = if plan.is_some() { "seeded" } else { "removed" };
            eprintln!("heat-sync: {done} {} on {}", config.namespace, config.address);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("heat-sync: {e}");
            ExitCode::from(1)
        }
    }
}
