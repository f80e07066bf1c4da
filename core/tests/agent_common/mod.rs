//! Helpers shared by the agent tests: an in-memory coordinator (with the store's
//! semantics: idempotent versions, blocking waits, failure propagation) and plan builders.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use heat_sync::agent::chef::ChefOptions;
use heat_sync::agent::{AgentError, AgentOptions, Coordination, Rerun, RoleState, Wait};
use heat_sync::client::TimeoutError;
use heat_sync::plan::*;
use heat_sync::Value;

/// Published values (every version) and role states, shared by threads.
#[derive(Default)]
pub struct Memory {
    state: Mutex<MemoryState>,
    changed: Condvar,
}

#[derive(Default)]
struct MemoryState {
    values: HashMap<ValueKey, Vec<Value>>,
    roles: HashMap<(ServerId, String), RoleState>,
    failed: HashMap<ValueKey, (String, String)>,
    alive: usize,
    /// Every role-state change, in order, for assertions.
    log: Vec<(String, String, RoleState)>,
}

impl Memory {
    pub fn versions(&self, key: &ValueKey) -> Vec<Value> {
        self.state.lock().unwrap().values.get(key).cloned().unwrap_or_default()
    }

    pub fn role(&self, server: &ServerId, role: &str) -> Option<RoleState> {
        self.state.lock().unwrap().roles.get(&(server.clone(), role.to_string())).cloned()
    }

    pub fn alive(&self) -> usize {
        self.state.lock().unwrap().alive
    }

    pub fn role_log(&self) -> Vec<(String, String, RoleState)> {
        self.state.lock().unwrap().log.clone()
    }

    fn block<T>(
        &self,
        wait: &Wait<'_>,
        what: (&str, &str),
        mut ready: impl FnMut(&MemoryState) -> Option<Result<T, heat_sync::Error>>,
    ) -> heat_sync::Result<T> {
        let start = Instant::now();
        let mut state = self.state.lock().unwrap();
        loop {
            if let Some(r) = ready(&state) {
                return r;
            }
            let waited = start.elapsed();
            if waited >= wait.timeout {
                return Err(
                    TimeoutError { key: what.0.into(), producer: what.1.into(), waited }.into()
                );
            }
            let slice = (wait.timeout - waited).min(Duration::from_millis(50));
            state = self.changed.wait_timeout(state, slice).unwrap().0;
            drop(state);
            (wait.progress)(start.elapsed());
            state = self.state.lock().unwrap();
        }
    }
}

fn failed(state: &MemoryState, key: &ValueKey) -> Option<heat_sync::Error> {
    let (role, error) = state.failed.get(key)?;
    Some(
        AgentError::RoleFailed {
            server: key.server.to_string(),
            role: role.clone(),
            message: error.clone(),
        }
        .into(),
    )
}

impl Coordination for Memory {
    fn publish(&self, key: &ValueKey, value: &Value) -> heat_sync::Result<u64> {
        let mut state = self.state.lock().unwrap();
        let versions = state.values.entry(key.clone()).or_default();
        if versions.last() != Some(value) {
            versions.push(value.clone());
        }
        let v = versions.len() as u64;
        self.changed.notify_all();
        Ok(v)
    }

    fn wait(
        &self,
        key: &ValueKey,
        producer: &Producer,
        wait: &Wait<'_>,
    ) -> heat_sync::Result<Value> {
        let (k, p) = (key.to_string(), producer.to_string());
        self.block(wait, (&k, &p), |s| {
            if let Some(v) = s.values.get(key).and_then(|v| v.first()) {
                return Some(Ok(v.clone()));
            }
            failed(s, key).map(Err)
        })
    }

    fn gather(
        &self,
        group: &str,
        output: &str,
        count: Option<u64>,
        producer: &str,
        wait: &Wait<'_>,
    ) -> heat_sync::Result<Vec<Value>> {
        let n = count.unwrap_or(1);
        let k = format!("{group}.{output}");
        self.block(wait, (&k, producer), |s| {
            let mut values = Vec::new();
            for i in 0..n {
                let key = ValueKey {
                    server: ServerId::member(group, i.to_string()),
                    output: output.into(),
                };
                match s.values.get(&key).and_then(|v| v.first()) {
                    Some(v) => values.push(v.clone()),
                    None => return failed(s, &key).map(Err),
                }
            }
            Some(Ok(values))
        })
    }

    fn announce_alive(&self) -> heat_sync::Result<()> {
        self.state.lock().unwrap().alive += 1;
        Ok(())
    }

    fn fail_outputs(
        &self,
        server: &ServerId,
        role: &str,
        outputs: &[String],
        error: &str,
    ) -> heat_sync::Result<()> {
        let mut s = self.state.lock().unwrap();
        for o in outputs {
            let key = ValueKey { server: server.clone(), output: o.clone() };
            if !s.values.contains_key(&key) {
                s.failed.insert(key, (role.to_string(), error.to_string()));
            }
        }
        self.changed.notify_all();
        Ok(())
    }

    fn set_role_state(
        &self,
        server: &ServerId,
        role: &str,
        state: &RoleState,
    ) -> heat_sync::Result<()> {
        let mut s = self.state.lock().unwrap();
        s.roles.insert((server.clone(), role.to_string()), state.clone());
        s.log.push((server.to_string(), role.to_string(), state.clone()));
        self.changed.notify_all();
        Ok(())
    }
}

pub fn path(dotted: &str) -> AttrPath {
    heat_sync::agent::context::parse_path(dotted)
}

pub fn static_input(p: &str, value: Value) -> PlanInput {
    PlanInput {
        path: path(p),
        place: format!("inputs.{p}"),
        source: InputSource::Static { value, secret: false },
    }
}

pub fn wait_input(p: &str, server: ServerId, output: &str, role: &str) -> PlanInput {
    PlanInput {
        path: path(p),
        place: format!("inputs.{p}"),
        source: InputSource::Wait {
            key: ValueKey { server: server.clone(), output: output.into() },
            producer: Producer { server, role: Some(role.into()) },
        },
    }
}

pub fn output(name: &str, p: &str) -> PlanOutput {
    PlanOutput { name: name.into(), path: path(p), publish: Publish::OnFinish, secret: false }
}

pub fn script_role(
    name: &str,
    run: &str,
    inputs: Vec<PlanInput>,
    outputs: Vec<PlanOutput>,
) -> PlanRole {
    PlanRole {
        name: name.into(),
        run_list: vec![],
        run: Some(run.into()),
        timeout: 30,
        inputs,
        outputs,
    }
}

pub fn server_plan(server: ServerId, tool: Tool, roles: Vec<PlanRole>) -> ServerPlan {
    ServerPlan {
        format: SERVER_PLAN_FORMAT.into(),
        version: PLAN_VERSION,
        server,
        tool,
        roles,
        coordinator: CoordinatorConfig {
            address: "embedded:///nowhere".into(),
            namespace: "/heat-sync/test".into(),
            credentials: None,
        },
        signal: None,
    }
}

/// Writes `plan` into `dir` and returns options for an agent working in `dir/work`.
pub fn options(dir: &Path, plan: &ServerPlan) -> AgentOptions {
    let plan_file = dir.join("plan.json");
    std::fs::write(&plan_file, plan.to_json()).unwrap();
    AgentOptions {
        plan_file,
        work_dir: dir.join("work"),
        first_address: "127.0.0.7".into(),
        name: format!("sim-{}", plan.server),
        rerun: Rerun::Nothing,
        progress_interval: Duration::from_millis(200),
        heat_sync_bin: PathBuf::from(env!("CARGO_BIN_EXE_heat-sync")),
        chef: ChefOptions::default(),
    }
}
