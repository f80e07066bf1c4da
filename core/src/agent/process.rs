//! Running one tool process (a script, chef-solo) for a role: its own process group, its
//! output forwarded line by line (prefixed with the role) and kept in a log file, and a
//! deadline after which the whole group is killed.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The process group of the tool running now (0: none), for [`stop_running_tool`].
static RUNNING_GROUP: AtomicU32 = AtomicU32::new(0);

/// Kills the process group of the tool running now, if any: what a stopping agent does
/// so that no script outlives it (each tool leads its own process group, which a
/// terminal's Ctrl-C does not reach).
pub fn stop_running_tool() {
    let pgid = RUNNING_GROUP.swap(0, Ordering::SeqCst);
    if pgid != 0 {
        kill_pgid(pgid);
    }
}

/// How many trailing lines of output a failure message quotes.
const TAIL_LINES: usize = 15;
/// How long output may still be read after the process exited.
const OUTPUT_DRAIN: Duration = Duration::from_secs(1);

/// How a tool process ended when it did not succeed.
#[derive(Debug)]
pub enum RunFailure {
    /// It could not be started.
    Spawn(std::io::Error),
    /// It exited unsuccessfully; the last lines of its output.
    Exit {
        /// The exit status.
        status: ExitStatus,
        /// The last lines it printed (stdout and stderr interleaved).
        tail: String,
    },
    /// It ran past the deadline and was killed.
    Timeout {
        /// How long it ran.
        ran: Duration,
    },
}

impl std::fmt::Display for RunFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunFailure::Spawn(e) => write!(f, "cannot start: {e}"),
            RunFailure::Exit { status, tail } if tail.is_empty() => write!(f, "{status}"),
            RunFailure::Exit { status, tail } => write!(f, "{status}; last output:\n{tail}"),
            RunFailure::Timeout { ran } => {
                write!(f, "still running after {} s: killed", ran.as_secs())
            }
        }
    }
}

/// Runs `cmd` until it exits or `deadline` passes. Its stdout and stderr are printed on
/// the agent's stdout as `  [label] line` and appended to `log`.
pub fn run(mut cmd: Command, label: &str, log: &Path, deadline: Instant) -> Result<(), RunFailure> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    // Its own process group, so a timeout kills what it started too.
    cmd.process_group(0);
    let log = File::create(log).map_err(RunFailure::Spawn)?;
    let mut child = spawn(&mut cmd).map_err(RunFailure::Spawn)?;
    RUNNING_GROUP.store(child.id(), Ordering::SeqCst);
    let shared = Arc::new(Mutex::new((log, VecDeque::new())));
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let readers = [
        child.stdout.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
        child.stderr.take().map(|s| Box::new(s) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|stream| {
        let shared = Arc::clone(&shared);
        let label = label.to_string();
        let done = done_tx.clone();
        thread::spawn(move || {
            forward(stream, &label, &shared);
            let _ = done.send(());
        })
    })
    .count();
    let started = Instant::now();
    let outcome = wait_until(&mut child, deadline);
    if outcome.is_none() {
        kill_group(&mut child);
    }
    RUNNING_GROUP.store(0, Ordering::SeqCst);
    // A process that started a daemon exits while the daemon still holds its output:
    // give the readers a moment to drain, then leave them forwarding on their own.
    let drain_until = Instant::now() + OUTPUT_DRAIN;
    for _ in 0..readers {
        let left = drain_until.saturating_duration_since(Instant::now());
        if done_rx.recv_timeout(left).is_err() {
            break;
        }
    }
    let tail = {
        let guard = shared.lock().expect("output lock");
        guard.1.iter().cloned().collect::<Vec<String>>().join("\n")
    };
    match outcome {
        Some(status) if status.success() => Ok(()),
        Some(status) => Err(RunFailure::Exit { status, tail }),
        None => Err(RunFailure::Timeout { ran: started.elapsed() }),
    }
}

/// Runs `cmd` with no output, for at most `timeout`: `Some(success)` when it exited,
/// `None` when it could not start or was killed at the timeout.
pub fn run_quiet(mut cmd: Command, timeout: Duration) -> Option<bool> {
    cmd.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null()).process_group(0);
    let mut child = spawn(&mut cmd).ok()?;
    match wait_until(&mut child, Instant::now() + timeout) {
        Some(status) => Some(status.success()),
        None => {
            kill_group(&mut child);
            None
        }
    }
}

/// Spawns `cmd`, retrying briefly on ETXTBSY: a script file just written can still be
/// open for writing in a process another thread is forking at that moment.
fn spawn(cmd: &mut Command) -> std::io::Result<Child> {
    const ETXTBSY: i32 = 26;
    let mut tries = 0;
    loop {
        match cmd.spawn() {
            Err(e) if e.raw_os_error() == Some(ETXTBSY) && tries < 20 => {
                tries += 1;
                thread::sleep(Duration::from_millis(25));
            }
            other => return other,
        }
    }
}

type Sink = Mutex<(File, VecDeque<String>)>;

fn forward(stream: Box<dyn Read + Send>, label: &str, sink: &Sink) {
    for line in BufReader::new(stream).lines() {
        let Ok(line) = line else { break };
        println!("  [{label}] {line}");
        let mut guard = sink.lock().expect("output lock");
        let _ = writeln!(guard.0, "{line}");
        guard.1.push_back(line);
        if guard.1.len() > TAIL_LINES {
            guard.1.pop_front();
        }
    }
}

/// Waits for `child` to exit, up to `deadline`. The exit is checked every 20 ms: a local
/// process has no exit notification that std exposes without blocking past a deadline.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<ExitStatus> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() >= deadline => return None,
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(_) => return None,
        }
    }
}

/// Kills the child's whole process group (it leads its own), then reaps the child.
fn kill_group(child: &mut Child) {
    kill_pgid(child.id());
    let _ = child.kill();
    let _ = child.wait();
}

/// SIGKILL to every process of group `pgid` (through kill(1): the crate has no unsafe).
fn kill_pgid(pgid: u32) {
    let _ = Command::new("kill")
        .args(["-KILL", "--", &format!("-{pgid}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}
