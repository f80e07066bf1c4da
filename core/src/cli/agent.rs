//! `heat-sync agent --server-plan FILE`: runs one server's roles (docs/agent.md).
//!
//! Exit status: 0 when every role finished, 1 when a role failed (or Heat could not be
//! signalled), 2 for usage and input/output errors (an unreadable plan, an unreachable
//! coordinator).

use std::net::UdpSocket;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use heat_sync::agent::chef::{self, ChefOptions, Interception};
use heat_sync::agent::{Agent, AgentOptions, Rerun};
use heat_sync::plan::ServerPlan;

/// How chef roles get their run-time inputs.
#[derive(Clone, Copy, clap::ValueEnum)]
enum ChefInterception {
    /// The gem when Chef's Ruby can load `heat_sync/chef`, otherwise pre-resolve.
    Auto,
    /// The heat_sync gem intercepts node attribute reads.
    Gem,
    /// The agent resolves every input before chef-solo starts.
    PreResolve,
}

/// Arguments of `heat-sync agent`.
#[derive(clap::Args)]
pub struct Args {
    /// The server plan written by the generated user-data.
    #[arg(long, value_name = "FILE")]
    server_plan: PathBuf,
    /// The agent's working directory (state, event log, one directory per role).
    #[arg(long, default_value = "/var/lib/heat-sync", value_name = "DIR")]
    work_dir: PathBuf,
    /// The address published as this server's `first_address` (default: the address of
    /// the interface that routes outward, else 127.0.0.1).
    #[arg(long, value_name = "ADDR")]
    address: Option<String>,
    /// The name published as this server's `name` (default: the host name).
    #[arg(long)]
    name: Option<String>,
    /// Run this finished role again (repeatable); its new outputs are new versions.
    #[arg(long, value_name = "ROLE", conflicts_with = "rerun_all")]
    rerun: Vec<String>,
    /// Run every role again.
    #[arg(long)]
    rerun_all: bool,
    /// Seconds between the progress lines of a blocked wait.
    #[arg(long, default_value_t = 10, value_name = "SECS")]
    progress_interval: u64,
    /// The chef-solo executable.
    #[arg(long, default_value = "chef-solo", value_name = "PATH")]
    chef_solo: PathBuf,
    /// A cookbook directory for chef-solo (repeatable).
    #[arg(long, value_name = "DIR")]
    cookbook_path: Vec<PathBuf>,
    /// How chef roles get their run-time inputs.
    #[arg(long, value_enum, default_value = "auto")]
    chef_interception: ChefInterception,
}

/// The address of the interface that routes outward: a UDP socket "connected" to a
/// documentation address sends nothing but makes the kernel choose the source address.
fn outward_address() -> String {
    UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.connect("192.0.2.1:9").map(|()| s))
        .and_then(|s| s.local_addr())
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|_| "127.0.0.1".into())
}

fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "localhost".into())
}

/// On SIGINT or SIGTERM: kill the running tool's process group, then exit (130 / 143).
/// The role in progress is not recorded done, so a restarted agent runs it again.
fn stop_on_signal() {
    std::thread::spawn(|| {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else {
            return;
        };
        let code = rt.block_on(async {
            use tokio::signal::unix::{signal, SignalKind};
            let (Ok(mut int), Ok(mut term)) =
                (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
            else {
                return None;
            };
            tokio::select! {
                _ = int.recv() => Some(130),
                _ = term.recv() => Some(143),
            }
        });
        if let Some(code) = code {
            heat_sync::agent::stop_running_tool();
            eprintln!("heat-sync agent: stopped by a signal; the running role will run again");
            std::process::exit(code);
        }
    });
}

/// Runs `heat-sync agent`.
pub fn run(args: Args) -> ExitCode {
    stop_on_signal();
    let plan = match ServerPlan::load(&args.server_plan) {
        Ok(p) => p,
        Err(e) => return super::usage_error(e),
    };
    let heat_sync_bin = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => return super::usage_error(format!("cannot find the heat-sync executable: {e}")),
    };
    let interception = match args.chef_interception {
        ChefInterception::Gem => Interception::Gem,
        ChefInterception::PreResolve => Interception::PreResolve,
        ChefInterception::Auto if plan.tool == heat_sync::plan::Tool::Chef => {
            chef::detect_interception(&args.chef_solo)
        }
        ChefInterception::Auto => Interception::PreResolve,
    };
    let options = AgentOptions {
        plan_file: args.server_plan.clone(),
        work_dir: args.work_dir.clone(),
        first_address: args.address.clone().unwrap_or_else(outward_address),
        name: args.name.clone().unwrap_or_else(host_name),
        rerun: if args.rerun_all {
            Rerun::All
        } else if args.rerun.is_empty() {
            Rerun::Nothing
        } else {
            Rerun::Roles(args.rerun.clone())
        },
        progress_interval: Duration::from_secs(args.progress_interval.max(1)),
        heat_sync_bin,
        chef: ChefOptions {
            chef_solo: args.chef_solo.clone(),
            cookbook_paths: args.cookbook_path.clone(),
            interception,
        },
    };
    let client = match connect(&plan) {
        Ok(c) => c,
        Err(e) => return super::usage_error(e),
    };
    match Agent::new(plan, options, &*client).run() {
        Ok(outcome) if outcome.failed.is_none() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(e @ heat_sync::Error::Agent(heat_sync::agent::AgentError::Signal { .. })) => {
            eprintln!("heat-sync agent: {e}");
            ExitCode::from(1)
        }
        Err(e) => super::usage_error(e),
    }
}

/// The coordinator session of this server.
fn connect(plan: &ServerPlan) -> Result<Box<dyn heat_sync::agent::Coordination>, String> {
    heat_sync::client::Client::from_server_plan(plan)
        .map(|c| Box::new(c) as Box<dyn heat_sync::agent::Coordination>)
        .map_err(|e| e.to_string())
}
