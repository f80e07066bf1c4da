//! `heat-sync simulate`: every coordinated server of a stack as a local process.
//!
//! The stack plan (from compiling the template, or a plan file) is expanded into one
//! server plan per server, group members included; each server gets its own working
//! directory, a loopback address of its own (`127.0.0.2`, `127.0.0.3`, ...) published as
//! its `first_address`, and a real `heat-sync agent` process talking to the embedded
//! store in the run's directory (or to ZooKeeper when given). Script roles run for real.
//! Chef roles need chef-solo: when a server of the stack uses Chef and chef-solo is not
//! installed, the simulation does not start (exit 2, naming the servers), since half a
//! stack would only end in waits that time out.
//!
//! While the agents run, their lines are printed as they come. Then the timeline (who
//! waited for what, from whom, for how long) is printed, drawn as SVG when asked, and the
//! stack outputs are evaluated with the published values ([`outputs`]).

pub mod heat;
pub mod outputs;
mod run;
pub mod timeline;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::plan::{
    CoordinatorConfig, Credentials, ServerId, ServerPlan, SignalConfig, StackPlan, StackServer,
    Tool, SERVER_PLAN_FORMAT,
};
use crate::{Map, Value};
pub use run::run_agents;
pub use timeline::Timeline;

/// Errors setting up or running a simulation.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SimulateError {
    /// Servers use Chef but chef-solo is not installed.
    #[error(
        "servers {servers} use tool chef, but chef-solo is not installed (looked for {chef_solo:?} on PATH): \
         install Chef Infra Client 16 to 18 with the heat_sync gem (docs/chef.md), or simulate a template whose roles use tool: script"
    )]
    NoChefSolo {
        /// The Chef servers, comma-separated.
        servers: String,
        /// The executable looked for.
        chef_solo: String,
    },
    /// The stack has no coordinated server.
    #[error("{stack}: no server has heat_sync metadata: nothing to simulate")]
    Empty {
        /// The stack name.
        stack: String,
    },
    /// An agent process could not be started.
    #[error("starting the agent of {server}: {message}")]
    Spawn {
        /// The server.
        server: String,
        /// What went wrong.
        message: String,
    },
}

/// A stack ready to simulate.
#[derive(Debug, Clone)]
pub struct Stack {
    /// The stack name (shown in messages; part of the namespace).
    pub name: String,
    /// The stack plan.
    pub plan: StackPlan,
    /// The template's `outputs` section (`{name: {value: ..., description: ...}}`).
    pub outputs: Map,
    /// The compiled template when the stack comes from one: its server plans (with
    /// parameters and other Heat-resolved inputs evaluated locally) are then compile's.
    pub compiled: Option<Box<crate::compile::Compiled>>,
}

/// How to simulate.
#[derive(Debug, Clone)]
pub struct SimulateOptions {
    /// `zk://host:port,.../chroot`; `None` for the embedded store.
    pub coordinator: Option<String>,
    /// The run's directory (kept); `None` for a temporary one, removed after a run
    /// where every role finished.
    pub work_dir: Option<PathBuf>,
    /// The `heat-sync` executable to run agents with.
    pub heat_sync_bin: PathBuf,
    /// How often a blocked wait prints its progress line.
    pub progress_interval: Duration,
    /// The chef-solo executable.
    pub chef_solo: PathBuf,
}

/// One server of the simulation.
#[derive(Debug, Clone)]
pub struct SimServer {
    /// The server.
    pub id: ServerId,
    /// Its plan.
    pub plan: ServerPlan,
    /// Its loopback address.
    pub address: String,
    /// Its name.
    pub name: String,
    /// Its directory (plan file, agent working directory).
    pub dir: PathBuf,
}

/// What a simulation found.
#[derive(Debug, Clone)]
pub struct SimulateReport {
    /// The run's directory.
    pub work_dir: PathBuf,
    /// The timeline.
    pub timeline: Timeline,
    /// Failed roles in the order they failed: `(server/role, error)`.
    pub failures: Vec<(String, String)>,
    /// Agents that exited unsuccessfully without a failed role (killed, crashed):
    /// `(server, how)`.
    pub agent_errors: Vec<(String, String)>,
    /// The stack outputs in template order: `(name, value)`, `None` when unknown here.
    pub outputs: Vec<(String, Option<Value>)>,
    /// The servers, in stack order.
    pub servers: Vec<ServerId>,
    /// What the stand-in for Heat's wait conditions received (the latest per server).
    pub signals: Vec<heat::Signal>,
}

impl SimulateReport {
    /// True when every role of every server finished.
    pub fn success(&self) -> bool {
        self.failures.is_empty() && self.agent_errors.is_empty()
    }

    /// What Heat would conclude from the signals: `Ok` (CREATE_COMPLETE) when every
    /// server signalled SUCCESS, otherwise the reasons (a FAILURE's reason, or a server
    /// that never signalled).
    pub fn heat_verdict(&self) -> Result<(), Vec<String>> {
        let mut reasons = Vec::new();
        for server in &self.servers {
            let id = server.to_string();
            match self.signals.iter().find(|s| s.id == id) {
                Some(s) if s.status == "SUCCESS" => {}
                Some(s) => reasons.push(format!("{id}: {}", s.reason)),
                None => reasons.push(format!("{id}: no signal")),
            }
        }
        if reasons.is_empty() {
            Ok(())
        } else {
            Err(reasons)
        }
    }
}

/// Every server of the stack: plain servers once, group members expanded (a
/// ResourceGroup's `count`; one member for an AutoScalingGroup, whose size is only known
/// to Heat).
pub fn expand(plan: &StackPlan) -> Vec<(ServerId, &StackServer)> {
    let mut out = Vec::new();
    for s in &plan.servers {
        match &s.group {
            Some(g) => {
                for i in 0..g.count.unwrap_or(1) {
                    out.push((ServerId::member(&s.server.resource, i.to_string()), s));
                }
            }
            None => out.push((s.server.clone(), s)),
        }
    }
    out
}

/// The server plan of one (expanded) server. `%index%` anywhere in a member's roles
/// becomes its index, as ResourceGroup substitutes it in the member's properties, whose
/// user-data carries the server plan.
pub fn server_plan(id: &ServerId, s: &StackServer, coordinator: &CoordinatorConfig) -> ServerPlan {
    let mut roles = s.roles.clone();
    if let Some(index) = &id.member {
        let mut tree = serde_json::to_value(&roles).expect("roles serialize");
        substitute_index(&mut tree, index);
        roles = serde_json::from_value(tree).expect("substituting strings keeps the shape");
    }
    // The server's own derived credentials, never the stack secret the administrator
    // configuration holds.
    let credentials = stack_secret(coordinator)
        .map(|secret| Credentials::derived(&coordinator.namespace, &secret, &id.resource));
    ServerPlan {
        format: SERVER_PLAN_FORMAT.into(),
        version: ServerPlan::version_for(credentials.as_ref()),
        server: id.clone(),
        tool: s.tool,
        roles,
        coordinator: CoordinatorConfig { credentials, ..coordinator.clone() },
        signal: None,
    }
}

/// The stack secret of an administrator's coordinator configuration.
fn stack_secret(coordinator: &CoordinatorConfig) -> Option<String> {
    coordinator.credentials.as_ref().and_then(|c| c.secret.clone())
}

fn substitute_index(value: &mut Value, index: &str) {
    match value {
        Value::String(s) if s.contains("%index%") => *s = s.replace("%index%", index),
        Value::Array(items) => items.iter_mut().for_each(|v| substitute_index(v, index)),
        Value::Object(m) => m.values_mut().for_each(|v| substitute_index(v, index)),
        _ => {}
    }
}

/// The name the simulation gives a server: `<stack>-<server>` (`three-tier-web-0`).
fn server_name(stack: &str, id: &ServerId) -> String {
    format!("{stack}-{}", id.to_string().replace('.', "-"))
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> crate::Error + '_ {
    move |e| crate::Error::io(path, e)
}

/// The concrete server plans of the run: compile's for a compiled template, otherwise
/// the stack plan's servers expanded; all meeting at `coordinator`.
fn server_plans(stack: &Stack, coordinator: &CoordinatorConfig) -> crate::Result<Vec<ServerPlan>> {
    let Some(compiled) = &stack.compiled else {
        let servers = expand(&stack.plan);
        return Ok(servers.into_iter().map(|(id, s)| server_plan(&id, s, coordinator)).collect());
    };
    // Each server gets its own credentials, derived from the stack secret as Heat would.
    let options = crate::compile::SimulateOptions {
        address: coordinator.address.clone(),
        stack_id: coordinator.namespace.trim_start_matches("/heat-sync/").to_string(),
        stack_name: stack.name.clone(),
        secret: stack_secret(coordinator),
    };
    crate::compile::simulate_plans(compiled, &options)
}

/// Lays out the run's directory: the stack plan and one directory per server with its
/// plan. Returns the servers in stack order.
pub fn prepare(
    stack: &Stack,
    work: &Path,
    coordinator: &CoordinatorConfig,
    signal: Option<&SignalConfig>,
) -> crate::Result<Vec<SimServer>> {
    let mut plans = server_plans(stack, coordinator)?;
    for p in &mut plans {
        p.signal = signal.cloned();
    }
    if plans.is_empty() {
        return Err(crate::Error::Simulate(SimulateError::Empty { stack: stack.name.clone() }));
    }
    std::fs::create_dir_all(work).map_err(io(work))?;
    let plan_file = work.join("stack-plan.json");
    std::fs::write(&plan_file, stack.plan.to_json()).map_err(io(&plan_file))?;
    let mut out = Vec::new();
    for (i, plan) in plans.into_iter().enumerate() {
        let id = plan.server.clone();
        let dir = work.join("servers").join(id.to_string());
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let file = dir.join("server-plan.json");
        crate::agent::state::write_private(&file, &plan.to_json())?;
        out.push(SimServer {
            address: format!("127.0.0.{}", 2 + i % 250),
            name: server_name(&stack.name, &id),
            id,
            plan,
            dir,
        });
    }
    Ok(out)
}

/// The chef servers of the stack, when chef-solo cannot be found.
pub fn check_chef(servers: &[SimServer], chef_solo: &Path) -> Result<(), SimulateError> {
    let chef: Vec<String> = servers
        .iter()
        .filter(|s| s.plan.tool == Tool::Chef && !s.plan.roles.is_empty())
        .map(|s| s.id.to_string())
        .collect();
    if chef.is_empty() || crate::agent::chef::find_on_path(chef_solo).is_some() {
        return Ok(());
    }
    Err(SimulateError::NoChefSolo {
        servers: chef.join(", "),
        chef_solo: chef_solo.display().to_string(),
    })
}

/// The coordinator configuration of a simulation: the embedded store in `work/store`,
/// or the given ZooKeeper address with a fresh stack secret (so the run also exercises
/// the stack's ACLs), under the namespace `/heat-sync/sim-<stack>-<pid>`.
pub fn coordinator_config(
    stack: &str,
    work: &Path,
    zk: Option<&str>,
) -> crate::Result<CoordinatorConfig> {
    let (address, credentials) = match zk {
        Some(a) => {
            let secret = random_secret()?;
            (a.to_string(), Some(Credentials::stack_secret(format!("sim-{stack}"), secret)))
        }
        None => {
            let store = work.join("store");
            std::fs::create_dir_all(&store).map_err(io(&store))?;
            let store = std::path::absolute(&store).map_err(io(&store))?;
            (format!("embedded://{}", store.display()), None)
        }
    };
    let safe: String = stack
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '-' })
        .collect();
    Ok(CoordinatorConfig {
        address,
        namespace: format!("/heat-sync/sim-{safe}-{}", std::process::id()),
        credentials,
    })
}

/// Compiles a template into a stack to simulate. Templates that `check` finds errors in
/// are refused (a [`crate::dataflow::DataFlowError::Problems`]).
pub fn compile_stack(inputs: &crate::stack::Inputs, name: &str) -> crate::Result<Stack> {
    let compiled = crate::compile::compile(inputs, &crate::compile::Options::default())?;
    let source = &compiled.analysis.source;
    let outputs = source
        .template
        .get(source.key("outputs", "Outputs"))
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    Ok(Stack {
        name: name.to_string(),
        plan: compiled.stack_plan.clone(),
        outputs,
        compiled: Some(Box::new(compiled)),
    })
}

/// Runs a whole simulation: lays out the run's directory, checks that chef-solo is there
/// when Chef roles need it, seeds the coordinator with the stack plan, runs the agents
/// and reports. A temporary directory is removed after a run where every role finished.
pub fn simulate(stack: &Stack, options: &SimulateOptions) -> crate::Result<SimulateReport> {
    let (work, temporary) = match &options.work_dir {
        Some(dir) => (dir.clone(), false),
        None => (
            std::env::temp_dir().join(format!(
                "heat-sync-simulate-{}-{}",
                stack.name,
                std::process::id()
            )),
            true,
        ),
    };
    let coordinator = coordinator_config(&stack.name, &work, options.coordinator.as_deref())?;
    let heat = heat::WaitConditions::start().map_err(|e| {
        crate::Error::Simulate(SimulateError::Spawn {
            server: "the stand-in for Heat's wait conditions".into(),
            message: e.to_string(),
        })
    })?;
    let servers = prepare(stack, &work, &coordinator, Some(&heat.signal_config()))?;
    check_chef(&servers, &options.chef_solo)?;
    seed(&coordinator, &stack.plan)?;
    println!(
        "simulating {}: {} servers ({}) on {}",
        stack.name,
        servers.len(),
        servers.iter().map(|s| format!("{} {}", s.id, s.address)).collect::<Vec<_>>().join(", "),
        coordinator.address
    );
    let mut report = run_agents(stack, &servers, options, &work)?;
    report.signals = heat.finish();
    if report.success() {
        if options.coordinator.is_some() {
            remove(&coordinator)?;
        }
        if temporary {
            let _ = std::fs::remove_dir_all(&work);
        }
    }
    Ok(report)
}

/// Seeds the coordinator's namespace with the stack plan (the status view, and with
/// ZooKeeper the stack's ACLs), as an administrator of the stack.
fn seed(coordinator: &CoordinatorConfig, plan: &StackPlan) -> crate::Result<()> {
    crate::client::Client::connect(coordinator, None)?.init_stack(plan)
}

/// Removes the stack's namespace (ZooKeeper runs that succeeded leave nothing behind).
fn remove(coordinator: &CoordinatorConfig) -> crate::Result<()> {
    crate::client::Client::connect(coordinator, None)?.remove_stack()
}

/// A fresh stack secret: 16 random bytes from the kernel, in hex.
fn random_secret() -> crate::Result<String> {
    use std::io::Read as _;
    let path = Path::new("/dev/urandom");
    let mut bytes = [0u8; 16];
    std::fs::File::open(path).and_then(|mut f| f.read_exact(&mut bytes)).map_err(io(path))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
