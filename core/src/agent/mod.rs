//! The per-server agent: `heat-sync agent --server-plan FILE`.
//!
//! At boot the agent publishes the server's own attributes (`first_address`, `name`),
//! then runs the server's roles in order. For each role it resolves the inputs (static
//! values at once; values of other servers by waiting on the coordinator, printing
//! `waiting 12 s for db.db_host from db/mysql` while it waits), runs the role's tool
//! ([`script`] or [`chef`]), publishes the role's outputs and records the role as done.
//! A failed role is recorded failed with its error, and so is every later role of the
//! server (they will not run), so that servers waiting on their outputs stop at once
//! with that error. At the end it signals Heat's wait condition ([`signal`]) with success
//! and the outputs, or failure and the error.
//!
//! A restarted agent does not run a role that finished before (see [`state`]) unless
//! asked to, and publishes that role's outputs again, which the store treats as
//! idempotent. docs/agent.md is the user's reference.

pub mod chef;
pub mod context;
pub mod coordination;
pub mod events;
mod process;
pub mod script;
pub mod signal;
pub mod state;
pub mod values;

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use coordination::{Coordination, RoleState, Wait};
use events::{Event, EventKind, Reporter};
pub use process::stop_running_tool;
use state::{AgentState, FinishedRole};

use crate::plan::{expression, AttrPath, InputSource, PlanRole, ServerPlan, Tool, ValueKey};
use crate::{Map, Value};

/// Errors running a server's roles.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AgentError {
    /// A role failed.
    #[error("{server}/{role}: {message}")]
    RoleFailed {
        /// The server.
        server: String,
        /// The role.
        role: String,
        /// Why.
        message: String,
    },
    /// The agent's state file cannot be read.
    #[error("{file}: unreadable agent state: {message}")]
    State {
        /// The state file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A JSON file a role reads or writes (inputs, outputs) is not valid.
    #[error("{file}: {message}")]
    BadFile {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// An environment variable the role context needs is missing or wrong.
    #[error("{variable}: {message}")]
    Environment {
        /// The variable.
        variable: String,
        /// What is wrong.
        message: String,
    },
    /// `--rerun` names a role the server does not have.
    #[error("--rerun {role}: server {server} has no such role (roles: {known})")]
    UnknownRole {
        /// The server.
        server: String,
        /// The role asked for.
        role: String,
        /// The roles it has.
        known: String,
    },
    /// Heat's wait condition could not be signalled.
    #[error("signalling Heat at {url}: {message}")]
    Signal {
        /// The wait condition URL (without credentials).
        url: String,
        /// What went wrong.
        message: String,
    },
}

/// Which finished roles to run again.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Rerun {
    /// None: a finished role is skipped (its outputs are published again).
    #[default]
    Nothing,
    /// These roles (and they only).
    Roles(Vec<String>),
    /// Every role.
    All,
}

/// How the agent runs.
#[derive(Debug, Clone)]
pub struct AgentOptions {
    /// The server plan file (exported to tool processes, read by `get`/`put` and the gem).
    pub plan_file: PathBuf,
    /// The agent's working directory: state, event log, one directory per role.
    pub work_dir: PathBuf,
    /// The `first_address` attribute the agent publishes at boot.
    pub first_address: String,
    /// The `name` attribute the agent publishes at boot.
    pub name: String,
    /// Which finished roles to run again.
    pub rerun: Rerun,
    /// How often a blocked wait prints its progress line.
    pub progress_interval: Duration,
    /// The `heat-sync` executable that scripts call for `get` and `put`.
    pub heat_sync_bin: PathBuf,
    /// How chef roles run.
    pub chef: chef::ChefOptions,
}

/// How a run of the agent ended.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentOutcome {
    /// Every output of every finished role, by output name.
    pub outputs: Map,
    /// The first role that failed and its error; `None` when every role is done.
    pub failed: Option<(String, String)>,
}

/// One role's run as a tool adapter sees it.
#[derive(Debug)]
pub struct RoleRun<'a> {
    /// The server plan.
    pub plan: &'a ServerPlan,
    /// The role.
    pub role: &'a PlanRole,
    /// The role's working directory (created; the tool's cwd).
    pub dir: PathBuf,
    /// Every resolved input, in declaration order.
    pub inputs: Vec<(AttrPath, Value)>,
    /// The resolved inputs as one tree (each at its node path); also in `inputs.json`.
    pub input_tree: Value,
    /// The variables every tool process gets ([`context`]).
    pub env: Vec<(String, String)>,
    /// When the role's timeout runs out.
    pub deadline: Instant,
}

/// Runs one server's roles.
pub struct Agent<'c, C: Coordination + ?Sized> {
    plan: ServerPlan,
    options: AgentOptions,
    coordinator: &'c C,
    reporter: Reporter,
    server: String,
}

impl<'c, C: Coordination + ?Sized> Agent<'c, C> {
    /// An agent for `plan` talking to `coordinator`.
    pub fn new(plan: ServerPlan, options: AgentOptions, coordinator: &'c C) -> Self {
        let reporter = Reporter::new(Some(&options.work_dir));
        let server = plan.server.to_string();
        Agent { plan, options, coordinator, reporter, server }
    }

    fn event(&self, kind: EventKind, role: Option<&str>) -> Event {
        let mut e = Event::now(&self.server, kind);
        e.role = role.map(str::to_string);
        e
    }

    /// Runs every role (see the module documentation), then signals Heat when the plan
    /// says where. Errors are those that stop the agent itself (its working directory,
    /// the coordinator at boot); a failed role is an [`AgentOutcome`] with `failed` set.
    pub fn run(&self) -> crate::Result<AgentOutcome> {
        let work = &self.options.work_dir;
        std::fs::create_dir_all(work).map_err(|e| crate::Error::io(work, e))?;
        self.check_rerun()?;
        let outcome = match self.boot_and_run_roles() {
            Ok(outcome) => outcome,
            Err(e) => {
                AgentOutcome { outputs: Map::new(), failed: Some((String::new(), e.to_string())) }
            }
        };
        let summary = match &outcome.failed {
            None => "every role done".to_string(),
            Some((role, e)) if role.is_empty() => format!("failed: {e}"),
            Some((role, e)) => format!("{}/{role} failed: {e}", self.server),
        };
        if let Some(sig) = &self.plan.signal {
            let result = signal::send(sig, &self.server, &outcome, work, 5, Duration::from_secs(1));
            let mut e = self.event(EventKind::Signalled, None);
            e.message = Some(match &result {
                Ok(status) => status.clone(),
                Err(err) => format!("could not: {err}"),
            });
            self.reporter.report(&e);
            result?;
        }
        let mut e = self.event(EventKind::Finished, None);
        e.message = Some(summary);
        self.reporter.report(&e);
        Ok(outcome)
    }

    fn check_rerun(&self) -> crate::Result<()> {
        if let Rerun::Roles(names) = &self.options.rerun {
            for name in names {
                if !self.plan.roles.iter().any(|r| &r.name == name) {
                    let known = self.plan.roles.iter().map(|r| r.name.as_str());
                    return Err(AgentError::UnknownRole {
                        server: self.server.clone(),
                        role: name.clone(),
                        known: known.collect::<Vec<_>>().join(", "),
                    }
                    .into());
                }
            }
        }
        Ok(())
    }

    fn boot_and_run_roles(&self) -> crate::Result<AgentOutcome> {
        let work = &self.options.work_dir;
        let mut state = AgentState::load(work)?;
        self.boot()?;
        let mut outputs = Map::new();
        for (index, role) in self.plan.roles.iter().enumerate() {
            let finished = state.finished.get(&role.name).cloned();
            if let (Some(done), false) = (finished, self.must_rerun(&role.name)) {
                for (name, value) in &done.outputs {
                    self.publish(role, name, value)?;
                }
                self.coordinator.set_role_state(&self.plan.server, &role.name, &RoleState::Done)?;
                self.reporter.report(&self.event(EventKind::RoleSkipped, Some(&role.name)));
                outputs.extend(done.outputs);
                continue;
            }
            match self.run_role(role) {
                Ok(role_outputs) => {
                    state.finished.insert(
                        role.name.clone(),
                        FinishedRole {
                            finished_at_ms: events::now_ms(),
                            outputs: role_outputs.clone(),
                        },
                    );
                    state.save(work)?;
                    self.coordinator.set_role_state(
                        &self.plan.server,
                        &role.name,
                        &RoleState::Done,
                    )?;
                    outputs.extend(role_outputs);
                }
                Err(message) => {
                    self.fail_from(index, &message)?;
                    return Ok(AgentOutcome {
                        outputs,
                        failed: Some((role.name.clone(), message)),
                    });
                }
            }
        }
        Ok(AgentOutcome { outputs, failed: None })
    }

    fn must_rerun(&self, role: &str) -> bool {
        match &self.options.rerun {
            Rerun::Nothing => false,
            Rerun::All => true,
            Rerun::Roles(names) => names.iter().any(|n| n == role),
        }
    }

    /// Announces the agent alive and publishes the server's own attributes.
    fn boot(&self) -> crate::Result<()> {
        self.coordinator.announce_alive()?;
        let mut attrs = Vec::new();
        for (output, value) in
            [("first_address", &self.options.first_address), ("name", &self.options.name)]
        {
            let key = ValueKey { server: self.plan.server.clone(), output: output.into() };
            self.coordinator.publish(&key, &Value::String(value.clone()))?;
            attrs.push(format!("{output}={value}"));
        }
        let mut e = self.event(EventKind::Boot, None);
        e.message = Some(format!("published {}", attrs.join(" ")));
        self.reporter.report(&e);
        Ok(())
    }

    /// Marks the role at `index` failed with `message`, and every later role failed as
    /// never run, so that no waiter on their outputs waits in vain.
    fn fail_from(&self, index: usize, message: &str) -> crate::Result<()> {
        let failed = &self.plan.roles[index];
        for (i, role) in self.plan.roles.iter().enumerate().skip(index) {
            let why = if i == index {
                message.to_string()
            } else {
                format!("not run: {}/{} failed before it", self.server, failed.name)
            };
            let outputs: Vec<String> = role.outputs.iter().map(|o| o.name.clone()).collect();
            self.coordinator.fail_outputs(&self.plan.server, &role.name, &outputs, &why)?;
            self.coordinator.set_role_state(
                &self.plan.server,
                &role.name,
                &RoleState::Failed(why),
            )?;
        }
        Ok(())
    }

    fn publish(&self, role: &PlanRole, name: &str, value: &Value) -> crate::Result<()> {
        let key = ValueKey { server: self.plan.server.clone(), output: name.to_string() };
        let version = self.coordinator.publish(&key, value)?;
        let secret = role.outputs.iter().any(|o| o.name == name && o.secret);
        let mut e = self.event(EventKind::Published, Some(&role.name));
        e.key = Some(key.to_string());
        e.message = Some(if secret { "******".into() } else { values::env_text(value) });
        let _ = version;
        self.reporter.report(&e);
        Ok(())
    }

    /// Runs one role: inputs, tool, outputs. `Err` is the role's error message.
    fn run_role(&self, role: &PlanRole) -> Result<Map, String> {
        let started = Instant::now();
        let deadline = started + Duration::from_secs(role.timeout.max(1));
        self.coordinator
            .set_role_state(&self.plan.server, &role.name, &RoleState::Running)
            .map_err(|e| e.to_string())?;
        self.reporter.report(&self.event(EventKind::RoleStarted, Some(&role.name)));
        let result = self.run_role_steps(role, deadline);
        let took = started.elapsed().as_millis() as u64;
        match &result {
            Ok(outputs) => {
                for (name, value) in outputs {
                    if let Err(e) = self.publish(role, name, value) {
                        return self.role_failed(role, took, format!("publishing {name}: {e}"));
                    }
                }
                let mut e = self.event(EventKind::RoleDone, Some(&role.name));
                e.took_ms = Some(took);
                self.reporter.report(&e);
                result
            }
            Err(message) => self.role_failed(role, took, message.clone()),
        }
    }

    fn role_failed(&self, role: &PlanRole, took: u64, message: String) -> Result<Map, String> {
        let mut e = self.event(EventKind::RoleFailed, Some(&role.name));
        e.took_ms = Some(took);
        e.message = Some(message.clone());
        self.reporter.report(&e);
        Err(message)
    }

    fn run_role_steps(&self, role: &PlanRole, deadline: Instant) -> Result<Map, String> {
        let dir = self.options.work_dir.join("roles").join(&role.name);
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let with_gem = self.plan.tool == Tool::Chef && self.options.chef.interception_by_gem();
        let inputs = self.resolve_inputs(role, deadline, with_gem)?;
        let mut input_tree = Value::Object(Map::new());
        for (path, value) in &inputs {
            values::place(&mut input_tree, path, value.clone());
        }
        let inputs_file = dir.join("inputs.json");
        let outputs_file = dir.join("outputs.json");
        context::write_json(&inputs_file, &input_tree).map_err(|e| e.to_string())?;
        // A fresh outputs file for every run: a re-run must not pick up stale values.
        context::write_json(&outputs_file, &Value::Object(Map::new()))
            .map_err(|e| e.to_string())?;
        let env = self.tool_env(role, &dir, &inputs_file, &outputs_file, &inputs);
        let run = RoleRun { plan: &self.plan, role, dir, inputs, input_tree, env, deadline };
        let tree = match self.plan.tool {
            Tool::Script => script::run(&run)?,
            Tool::Chef => chef::run(&run, &self.options.chef, &outputs_file)?,
        };
        collect_outputs(role, &tree)
    }

    fn tool_env(
        &self,
        role: &PlanRole,
        dir: &Path,
        inputs_file: &Path,
        outputs_file: &Path,
        inputs: &[(AttrPath, Value)],
    ) -> Vec<(String, String)> {
        let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let bin = abs(&self.options.heat_sync_bin);
        let mut path = bin.parent().map(|d| d.display().to_string()).unwrap_or_default();
        if let Ok(old) = std::env::var("PATH") {
            path = format!("{path}:{old}");
        }
        let mut env = vec![
            (context::ENV_SERVER_PLAN.into(), abs(&self.options.plan_file).display().to_string()),
            (context::ENV_SERVER.into(), self.server.clone()),
            (context::ENV_ROLE.into(), role.name.clone()),
            (context::ENV_INPUTS.into(), abs(inputs_file).display().to_string()),
            (context::ENV_OUTPUTS.into(), abs(outputs_file).display().to_string()),
            (context::ENV_WORK_DIR.into(), abs(dir).display().to_string()),
            (context::ENV_FIRST_ADDRESS.into(), self.options.first_address.clone()),
            (context::ENV_NAME.into(), self.options.name.clone()),
            (context::ENV_BIN.into(), bin.display().to_string()),
            ("PATH".into(), path),
        ];
        for (p, value) in inputs {
            env.push((values::input_env_name(p), values::env_text(value)));
        }
        env
    }

    /// Resolves a role's inputs in declaration order. With the gem intercepting Chef's
    /// reads, only static inputs are resolved here (the gem waits for the others when the
    /// recipe reads them).
    fn resolve_inputs(
        &self,
        role: &PlanRole,
        deadline: Instant,
        static_only: bool,
    ) -> Result<Vec<(AttrPath, Value)>, String> {
        let mut resolved = Vec::new();
        for input in &role.inputs {
            let value = match &input.source {
                InputSource::Static { value, .. } => value.clone(),
                _ if static_only => continue,
                // One value, a gather, or an expression evaluated once its values arrive.
                source => expression::resolve(&input.place, source, &mut |awaited| {
                    self.wait_source(role, awaited, deadline)
                })
                .map_err(|e| match e {
                    crate::Error::Plan(e) => e.to_string(), // names the place already
                    e => format!("{}: {e}", input.place),
                })?,
            };
            resolved.push((input.path.clone(), value));
        }
        Ok(resolved)
    }

    /// Waits for one `Wait` or `Gather` source.
    fn wait_source(
        &self,
        role: &PlanRole,
        source: &InputSource,
        deadline: Instant,
    ) -> crate::Result<Value> {
        match source {
            InputSource::Wait { key, producer } => {
                self.wait_for(role, &key.to_string(), &producer.to_string(), deadline, |w| {
                    self.coordinator.wait(key, producer, w)
                })
            }
            InputSource::Gather { group, output, role: producer_role, count } => {
                let from = match producer_role {
                    Some(r) => format!("every member of {group}/{r}"),
                    None => format!("every member of {group}"),
                };
                let key = format!("{group}.{output}");
                self.wait_for(role, &key, &from, deadline, |w| {
                    self.coordinator.gather(group, output, *count, &from, w).map(Value::Array)
                })
            }
            InputSource::Static { value, .. } => Ok(value.clone()),
            InputSource::Expression { .. } => unreachable!("expression::resolve evaluates these"),
        }
    }

    /// One wait with its events and progress lines.
    fn wait_for(
        &self,
        role: &PlanRole,
        key: &str,
        from: &str,
        deadline: Instant,
        wait: impl FnOnce(&Wait<'_>) -> crate::Result<Value>,
    ) -> crate::Result<Value> {
        let mut started = self.event(EventKind::WaitStarted, Some(&role.name));
        started.key = Some(key.to_string());
        started.from = Some(from.to_string());
        self.reporter.report(&started);
        let interval = self.options.progress_interval.max(Duration::from_millis(100));
        // Stores may call back more often than asked: print at most once per interval.
        let next = Cell::new(interval);
        let who = format!("{}/{}", self.server, role.name);
        let progress = |waited: Duration| {
            if waited >= next.get() {
                println!("{who}: waiting {} s for {key} from {from}", waited.as_secs());
                next.set(waited + interval);
            }
        };
        let begun = Instant::now();
        let timeout = deadline.saturating_duration_since(begun);
        let result = wait(&Wait { timeout, progress_every: interval, progress: &progress });
        let took = begun.elapsed().as_millis() as u64;
        let mut e = started;
        e.at_ms = events::now_ms();
        e.took_ms = Some(took);
        match &result {
            Ok(_) => e.kind = EventKind::WaitDone,
            Err(err) => {
                e.kind = EventKind::WaitFailed;
                e.message = Some(err.to_string());
            }
        }
        self.reporter.report(&e);
        result
    }
}

/// Reads each declared output of `role` from the tree its tool left.
fn collect_outputs(role: &PlanRole, tree: &Value) -> Result<Map, String> {
    let mut outputs = Map::new();
    for output in &role.outputs {
        match values::lookup(tree, &output.path) {
            Some(v) => {
                outputs.insert(output.name.clone(), v.clone());
            }
            None => {
                return Err(format!(
                    "output {} (node path {}) was never written",
                    output.name,
                    values::display_path(&output.path)
                ))
            }
        }
    }
    Ok(outputs)
}
