//! `heat-sync compile TEMPLATE [-e ENV]... [--param K=V]... [--file NAME=PATH]... [-o OUT] [--plan-out FILE]`.
//!
//! Exit status: 0 compiled (warnings go to stderr), 1 the template has check errors,
//! 2 usage or I/O errors.

use std::path::PathBuf;
use std::process::ExitCode;

use heat_sync::compile::{self, Options};

use super::graph::TemplateArgs;

/// Arguments of `heat-sync compile`.
#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    template: TemplateArgs,
    /// Write the compiled template here instead of stdout.
    #[arg(short = 'o', long = "output", value_name = "OUT")]
    output: Option<PathBuf>,
    /// Write the stack plan (JSON) here.
    #[arg(long, value_name = "FILE")]
    plan_out: Option<PathBuf>,
    /// Default of the generated `heat_sync_coordinator` parameter (zk://host:port,.../chroot).
    #[arg(long, value_name = "CONNECT")]
    coordinator: Option<String>,
    /// Shell command the user-data runs to install chef-solo (chef roles).
    #[arg(long, value_name = "CMD")]
    chef_install: Option<String>,
    /// Shell command the user-data runs to install the heat-sync agent.
    #[arg(long, value_name = "CMD")]
    agent_install: Option<String>,
}

/// Runs `heat-sync compile`.
pub fn run(args: Args) -> ExitCode {
    let inputs = match args.template.to_inputs() {
        Ok(i) => i,
        Err(e) => return super::usage_error(e),
    };
    let mut opts = Options { coordinator: args.coordinator, ..Options::default() };
    if let Some(c) = args.chef_install {
        opts.chef_install = c;
    }
    if let Some(c) = args.agent_install {
        opts.agent_install = c;
    }
    let compiled = match compile::compile(&inputs, &opts) {
        Ok(c) => c,
        Err(heat_sync::Error::DataFlow(
            e @ heat_sync::dataflow::DataFlowError::Problems { .. },
        )) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
        Err(heat_sync::Error::Compile(e)) => {
            eprintln!("{e}");
            return ExitCode::from(1);
        }
        Err(e) => return super::usage_error(e),
    };
    for w in &compiled.warnings {
        eprintln!("{w}");
    }
    if let Some(path) = &args.plan_out {
        if let Err(e) = std::fs::write(path, compiled.stack_plan.to_json() + "\n") {
            return super::usage_error(format!("{}: {e}", path.display()));
        }
    }
    match &args.output {
        Some(path) => {
            if let Err(e) = std::fs::write(path, &compiled.template_text) {
                return super::usage_error(format!("{}: {e}", path.display()));
            }
        }
        None => print!("{}", compiled.template_text),
    }
    ExitCode::SUCCESS
}
