//! Running the agents of a simulation: one `heat-sync agent` process per server, their
//! lines printed as they come, every process waited for (bounded), and the report built
//! from what they left (event logs, states).

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::{
    outputs, timeline, SimServer, SimulateError, SimulateOptions, SimulateReport, Stack, Timeline,
};
use crate::agent::events::{read_events, EVENTS_FILE};
use crate::agent::state::{AgentState, STATE_FILE};
use crate::{Map, Value};

/// The longest the whole run may take: the slowest server's role timeouts added up, and
/// a minute for the agents themselves. Each agent enforces its roles' timeouts; this
/// bound only catches an agent that hangs.
fn run_budget(servers: &[SimServer]) -> Duration {
    let slowest = servers.iter().map(|s| s.plan.roles.iter().map(|r| r.timeout).sum::<u64>()).max();
    Duration::from_secs(slowest.unwrap_or(0) + 60)
}

/// Starts every agent, prints their lines as they come, waits for them (bounded), and
/// reports. `coordinator` is where the agents meet; the caller seeds it beforehand.
pub fn run_agents(
    stack: &Stack,
    servers: &[SimServer],
    options: &SimulateOptions,
    work: &Path,
) -> crate::Result<SimulateReport> {
    let print = Arc::new(Mutex::new(()));
    let mut children: Vec<(usize, Child)> = Vec::new();
    let mut forwarders = Vec::new();
    for (i, s) in servers.iter().enumerate() {
        let mut cmd = Command::new(&options.heat_sync_bin);
        cmd.arg("agent")
            .arg("--server-plan")
            .arg(s.dir.join("server-plan.json"))
            .arg("--work-dir")
            .arg(s.dir.join("agent"))
            .arg("--address")
            .arg(&s.address)
            .arg("--name")
            .arg(&s.name)
            .arg("--progress-interval")
            .arg(options.progress_interval.as_secs().max(1).to_string())
            .arg("--chef-solo")
            .arg(&options.chef_solo)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = match cmd.spawn() {
            Ok(c) => c,
            Err(e) => {
                kill_all(&mut children);
                return Err(crate::Error::Simulate(SimulateError::Spawn {
                    server: s.id.to_string(),
                    message: format!("{}: {e}", options.heat_sync_bin.display()),
                }));
            }
        };
        let streams: [(Option<Box<dyn Read + Send>>, String); 2] = [
            (child.stdout.take().map(|o| Box::new(o) as Box<dyn Read + Send>), String::new()),
            (
                child.stderr.take().map(|o| Box::new(o) as Box<dyn Read + Send>),
                format!("{} ! ", s.id),
            ),
        ];
        for (stream, prefix) in streams {
            let Some(stream) = stream else { continue };
            let print = Arc::clone(&print);
            forwarders.push(thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    let _guard = print.lock().expect("print lock");
                    println!("{prefix}{line}");
                }
            }));
        }
        children.push((i, child));
    }
    let deadline = Instant::now() + run_budget(servers);
    let mut agent_errors = Vec::new();
    let mut running = children;
    while !running.is_empty() {
        let mut still = Vec::new();
        for (i, mut child) in running {
            match child.try_wait() {
                Ok(Some(status)) if status.success() => {}
                Ok(Some(status)) => {
                    agent_errors.push((servers[i].id.to_string(), status.to_string()))
                }
                Ok(None) if Instant::now() >= deadline => {
                    stop(&mut child);
                    agent_errors.push((
                        servers[i].id.to_string(),
                        "still running at the simulation's deadline: killed".into(),
                    ));
                }
                Ok(None) => still.push((i, child)),
                Err(e) => agent_errors.push((servers[i].id.to_string(), e.to_string())),
            }
        }
        running = still;
        if !running.is_empty() {
            // Child exits are polled: std offers no wait on several children at once.
            thread::sleep(Duration::from_millis(50));
        }
    }
    for f in forwarders {
        let _ = f.join();
    }
    report(stack, servers, work, agent_errors)
}

fn kill_all(children: &mut Vec<(usize, Child)>) {
    for (_, c) in children.iter_mut() {
        stop(c);
    }
    children.clear();
}

/// Stops an agent: SIGTERM (it then kills its running tool), SIGKILL after 3 s.
fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Reads what the agents left (event logs, states) and builds the report.
fn report(
    stack: &Stack,
    servers: &[SimServer],
    work: &Path,
    agent_errors: Vec<(String, String)>,
) -> crate::Result<SimulateReport> {
    let mut events = Vec::new();
    let mut published = outputs::Published::new();
    for s in servers {
        let agent = s.dir.join("agent");
        let log = agent.join(EVENTS_FILE);
        if log.exists() {
            events.extend(read_events(&log)?);
        }
        if agent.join(STATE_FILE).exists() {
            let state = AgentState::load(&agent)?;
            let mut values = Map::new();
            values.insert("first_address".into(), Value::String(s.address.clone()));
            values.insert("name".into(), Value::String(s.name.clone()));
            for role in s.plan.roles.iter() {
                if let Some(done) = state.finished.get(&role.name) {
                    for (k, v) in &done.outputs {
                        let secret = role.outputs.iter().any(|o| &o.name == k && o.secret);
                        values.insert(
                            k.clone(),
                            if secret { Value::String("******".into()) } else { v.clone() },
                        );
                    }
                }
            }
            published.insert(s.id.to_string(), values);
        }
    }
    let timeline = Timeline::from_events(&events);
    let failures = timeline
        .roles
        .iter()
        .filter_map(|r| match &r.ending {
            timeline::Ending::Failed(e) => Some((format!("{}/{}", r.server, r.role), e.clone())),
            _ => None,
        })
        .collect();
    let groups: outputs::Groups = stack
        .plan
        .servers
        .iter()
        .filter_map(|s| Some((s.server.resource.clone(), s.group.as_ref()?.count.unwrap_or(1))))
        .collect();
    let outputs = stack
        .outputs
        .iter()
        .map(|(name, def)| {
            let expr = def.get("value").or_else(|| def.get("Value")).unwrap_or(&Value::Null);
            (name.clone(), outputs::evaluate(expr, &published, &groups))
        })
        .collect();
    Ok(SimulateReport {
        work_dir: work.to_path_buf(),
        timeline,
        failures,
        agent_errors,
        outputs,
        servers: servers.iter().map(|s| s.id.clone()).collect(),
        signals: Vec::new(),
    })
}
