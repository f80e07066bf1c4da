//! The `heat-sync` command-line tool.
//!
//! Exit status (contracts.md): 0 success (warnings alone included), 1 problems found or a
//! run failed, 2 usage or input/output errors.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// Analysing a template builds and drops many small values; mimalloc does that in
/// half the time of the system allocator (benches/, `template` and `compile`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Cross-VM synchronization for OpenStack Heat.
#[derive(Parser)]
#[command(name = "heat-sync", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print Heat's dependency graph of a template (or the data-flow graph with --dataflow).
    Graph(cli::graph::Args),
    /// Check a template's heat_sync data flow: deadlocks, dangling references, ...
    Check(cli::check::Args),
    /// Compile a template into a standard Heat template plus a stack plan.
    #[command(
        after_help = "Parameter values (--param, -e, defaults) serve the analysis. The compiled \
        template takes its parameters at stack create as any template does, and every role \
        input read from a parameter gets the value the stack is created with."
    )]
    Compile(cli::compile::Args),
    /// Run every coordinated server of a template as a local process.
    Simulate(cli::simulate::Args),
    /// Run one server's roles from its server plan.
    Agent(cli::agent::Args),
    /// Read a value from the coordinator, blocking until it is published.
    Get(cli::values::GetArgs),
    /// Publish a value (from a script role).
    Put(cli::values::PutArgs),
    /// Show every value, waiter, role state and live agent of a stack.
    Status(cli::status::Args),
    /// Seed or remove a stack's coordinator namespace.
    #[command(subcommand)]
    Coordinator(cli::coordinator::Command),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Graph(a) => cli::graph::run(a),
        Command::Check(a) => cli::check::run(a),
        Command::Compile(a) => cli::compile::run(a),
        Command::Simulate(a) => cli::simulate::run(a),
        Command::Agent(a) => cli::agent::run(a),
        Command::Get(a) => cli::values::get(a),
        Command::Put(a) => cli::values::put(a),
        Command::Status(a) => cli::status::run(a),
        Command::Coordinator(c) => cli::coordinator::run(c),
    }
}
