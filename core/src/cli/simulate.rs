//! `heat-sync simulate TEMPLATE [-e ENV]... [--param K=V]... [--file NAME=PATH]...`:
//! every coordinated server of the stack as a local agent process (docs/agent.md).
//!
//! Exit status: 0 when every role finished, 1 when a role failed (named with its error)
//! or an agent died, 2 for usage and input/output errors (chef-solo missing included).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use heat_sync::dataflow::DataFlowError;
use heat_sync::plan::StackPlan;
use heat_sync::simulate::{self, SimulateOptions, Stack};
use heat_sync::stack::Inputs;
use heat_sync::Map;

/// Arguments of `heat-sync simulate`.
#[derive(clap::Args)]
pub struct Args {
    /// The Heat template (YAML or JSON).
    #[arg(required_unless_present = "stack_plan", conflicts_with = "stack_plan")]
    template: Option<PathBuf>,
    /// An environment file (repeatable, merged in order).
    #[arg(short = 'e', long = "environment", value_name = "ENV")]
    environments: Vec<PathBuf>,
    /// A parameter value (repeatable).
    #[arg(long = "param", value_name = "K=V")]
    params: Vec<String>,
    /// A file for get_file, named as the template names it (repeatable).
    #[arg(long = "file", value_name = "NAME=PATH")]
    files: Vec<String>,
    /// Simulate a stack plan written by `heat-sync compile --plan-out` instead of a
    /// template (no stack outputs then).
    #[arg(long, value_name = "FILE")]
    stack_plan: Option<PathBuf>,
    /// Use this ZooKeeper instead of the embedded store: zk://HOST:PORT,.../CHROOT.
    #[arg(long, value_name = "ZK")]
    coordinator: Option<String>,
    /// Draw the timeline as an SVG picture into FILE.
    #[arg(long, value_name = "FILE.svg")]
    timeline: Option<PathBuf>,
    /// Keep the run (plans, agent logs, state, embedded store) in DIR; by default a
    /// temporary directory is used and removed when every role finished.
    #[arg(long, value_name = "DIR")]
    work_dir: Option<PathBuf>,
    /// Seconds between the progress lines of a blocked wait.
    #[arg(long, default_value_t = 2, value_name = "SECS")]
    progress_interval: u64,
    /// The chef-solo executable for chef roles.
    #[arg(long, default_value = "chef-solo", value_name = "PATH")]
    chef_solo: PathBuf,
}

fn read(path: &PathBuf) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

impl Args {
    fn inputs(&self, template: &PathBuf) -> Result<Inputs, String> {
        let mut inputs = Inputs {
            template_name: template.display().to_string(),
            template: read(template)?,
            ..Inputs::default()
        };
        for e in &self.environments {
            inputs.environments.push((e.display().to_string(), read(e)?));
        }
        for p in &self.params {
            let (k, v) = p.split_once('=').ok_or_else(|| format!("--param {p}: expected K=V"))?;
            inputs.params.push((k.to_string(), v.to_string()));
        }
        for f in &self.files {
            let (name, path) =
                f.split_once('=').ok_or_else(|| format!("--file {f}: expected NAME=PATH"))?;
            inputs.files.insert(name.to_string(), read(&PathBuf::from(path))?);
        }
        Ok(inputs)
    }

    /// The stack to simulate, or the exit status after saying why there is none:
    /// problems `check` finds are printed one per line (exit 1, as `check`), anything
    /// else is a usage or input/output error (exit 2).
    fn stack(&self) -> Result<Stack, ExitCode> {
        if let Some(file) = &self.stack_plan {
            let plan = StackPlan::load(file).map_err(super::usage_error)?;
            return Ok(Stack { name: stack_name(file), plan, outputs: Map::new(), compiled: None });
        }
        let template = self.template.as_ref().expect("clap requires a template");
        let inputs = self.inputs(template).map_err(super::usage_error)?;
        match simulate::compile_stack(&inputs, &stack_name(template)) {
            Ok(stack) => {
                for w in stack.compiled.iter().flat_map(|c| &c.warnings) {
                    eprintln!("heat-sync simulate: {w}");
                }
                Ok(stack)
            }
            Err(heat_sync::Error::DataFlow(DataFlowError::Problems { problems })) => {
                for p in problems.iter().filter(|p| p.is_error()) {
                    eprintln!("{p}");
                }
                Err(ExitCode::from(1))
            }
            Err(e) => Err(super::usage_error(e)),
        }
    }
}

/// `three-tier` for `examples/three-tier/template.yaml`, `wordpress` for `wordpress.yaml`.
fn stack_name(file: &std::path::Path) -> String {
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let generic = ["template", "stack", "main", "stack-plan", "plan"];
    match file.parent().and_then(|p| p.file_name()) {
        Some(dir) if generic.contains(&stem.as_str()) => dir.to_string_lossy().into_owned(),
        _ => stem,
    }
}

/// Runs `heat-sync simulate`.
pub fn run(args: Args) -> ExitCode {
    let stack = match args.stack() {
        Ok(s) => s,
        Err(code) => return code,
    };
    let heat_sync_bin = match std::env::current_exe() {
        Ok(p) => p,
        Err(e) => return super::usage_error(format!("cannot find the heat-sync executable: {e}")),
    };
    let options = SimulateOptions {
        coordinator: args.coordinator.clone(),
        work_dir: args.work_dir.clone(),
        heat_sync_bin,
        progress_interval: Duration::from_secs(args.progress_interval.max(1)),
        chef_solo: args.chef_solo.clone(),
    };
    let report = match simulate::simulate(&stack, &options) {
        Ok(r) => r,
        Err(e) => return super::usage_error(e),
    };
    println!();
    println!("timeline of {} (seconds from the first agent event):", stack.name);
    print!("{}", report.timeline.table());
    if let Some(svg) = &args.timeline {
        if let Err(e) =
            std::fs::write(svg, report.timeline.svg(&format!("heat-sync simulate {}", stack.name)))
        {
            return super::usage_error(format!("{}: {e}", svg.display()));
        }
        println!("timeline drawn in {}", svg.display());
    }
    if !report.outputs.is_empty() {
        println!();
        println!("stack outputs:");
        for (name, value) in &report.outputs {
            match value {
                Some(v) => println!("  {name}: {}", heat_sync::agent::values::env_text(v)),
                None => println!("  {name}: (not known in a simulation: it needs Heat)"),
            }
        }
    }
    println!();
    match report.heat_verdict() {
        Ok(()) => println!(
            "Heat's wait conditions (a local stand-in): {} of {} servers signalled SUCCESS: \
             the stack would be CREATE_COMPLETE",
            report.servers.len(),
            report.servers.len()
        ),
        Err(reasons) => {
            println!(
                "Heat's wait conditions (a local stand-in): the stack would be CREATE_FAILED:"
            );
            for r in reasons {
                println!("  {r}");
            }
        }
    }
    if report.success() {
        println!("every role of every server finished");
        if args.work_dir.is_some() {
            println!("run kept in {}", report.work_dir.display());
        }
        return ExitCode::SUCCESS;
    }
    for (role, error) in &report.failures {
        eprintln!("heat-sync simulate: {role} failed: {error}");
    }
    for (server, how) in &report.agent_errors {
        eprintln!("heat-sync simulate: the agent of {server} ended badly: {how}");
    }
    eprintln!(
        "run kept in {0} (agent logs in servers/*/agent); the coordinator's view: \
         heat-sync status --server-plan {0}/servers/<server>/server-plan.json",
        report.work_dir.display()
    );
    ExitCode::from(1)
}
