//! What the agent reports as it goes: one readable line on stdout per event, and the same
//! event as a JSON line in `events.jsonl` in its working directory (read back by
//! `heat-sync simulate` to draw the timeline).

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// The file name of the event log inside an agent's working directory.
pub const EVENTS_FILE: &str = "events.jsonl";

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The agent started and published the server's own attributes.
    Boot,
    /// A role started.
    RoleStarted,
    /// A role finished in an earlier run of the agent and was not run again.
    RoleSkipped,
    /// A wait for an input value began (it was not published yet).
    WaitStarted,
    /// An awaited value arrived.
    WaitDone,
    /// A wait ended without a value (timeout or the producer failed).
    WaitFailed,
    /// A value was published.
    Published,
    /// A role finished.
    RoleDone,
    /// A role failed.
    RoleFailed,
    /// Heat's wait condition was signalled.
    Signalled,
    /// The agent finished (every role done, or one failed).
    Finished,
}

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Wall-clock time, milliseconds since the Unix epoch (agents run as separate
    /// processes, so the timeline needs one shared clock).
    pub at_ms: u64,
    /// The server (`db`, `web.0`).
    pub server: String,
    /// The role, when the event is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// What happened.
    pub kind: EventKind,
    /// The value key (`db.db_host`) for waits and publications.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Who produces the awaited value (`db/mysql`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// How long a wait or a role took, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub took_ms: Option<u64>,
    /// Free text: an error, a published value (never a secret one), ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Event {
    /// An event about `server` happening now.
    pub fn now(server: &str, kind: EventKind) -> Event {
        Event {
            at_ms: now_ms(),
            server: server.to_string(),
            role: None,
            kind,
            key: None,
            from: None,
            took_ms: None,
            message: None,
        }
    }

    /// The readable line printed on stdout.
    pub fn line(&self) -> String {
        let who = match &self.role {
            Some(r) => format!("{}/{}", self.server, r),
            None => self.server.clone(),
        };
        let key = self.key.as_deref().unwrap_or("?");
        let from = self.from.as_deref().map(|f| format!(" from {f}")).unwrap_or_default();
        let took = self.took_ms.map(secs).unwrap_or_default();
        let msg = self.message.as_deref().unwrap_or("");
        match self.kind {
            EventKind::Boot => format!("{who}: agent started; {msg}"),
            EventKind::RoleStarted => format!("{who}: started"),
            EventKind::RoleSkipped => format!("{who}: already done in an earlier run, not re-run"),
            EventKind::WaitStarted => format!("{who}: waiting for {key}{from}"),
            EventKind::WaitDone => format!("{who}: got {key}{from} after {took}"),
            EventKind::WaitFailed => format!("{who}: gave up on {key}{from} after {took}: {msg}"),
            EventKind::Published => format!("{who}: published {key}{}", opt_eq(msg)),
            EventKind::RoleDone => format!("{who}: done in {took}"),
            EventKind::RoleFailed => format!("{who}: FAILED after {took}: {msg}"),
            EventKind::Signalled => format!("{who}: signalled Heat: {msg}"),
            EventKind::Finished => format!("{who}: agent finished: {msg}"),
        }
    }
}

fn opt_eq(msg: &str) -> String {
    if msg.is_empty() {
        String::new()
    } else {
        format!(" = {msg}")
    }
}

/// `1.2 s` from milliseconds.
pub fn secs(ms: u64) -> String {
    format!("{:.1} s", Duration::from_millis(ms).as_secs_f64())
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Prints events and appends them to the event log.
#[derive(Debug, Clone)]
pub struct Reporter {
    log: Option<PathBuf>,
}

impl Reporter {
    /// A reporter that appends to `dir/events.jsonl` (none when `dir` is `None`).
    pub fn new(dir: Option<&Path>) -> Reporter {
        Reporter { log: dir.map(|d| d.join(EVENTS_FILE)) }
    }

    /// Prints `event` and appends it to the log. A log that cannot be written is reported
    /// on stderr once per event but never stops the agent: the roles matter more.
    pub fn report(&self, event: &Event) {
        println!("{}", event.line());
        if let Some(path) = &self.log {
            let line = serde_json::to_string(event).expect("an event always serializes");
            let written = OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .and_then(|mut f| writeln!(f, "{line}"));
            if let Err(e) = written {
                eprintln!("heat-sync agent: {}: {e}", path.display());
            }
        }
    }
}

/// Reads an event log; lines that do not parse (a line cut by a crash) are skipped.
pub fn read_events(path: &Path) -> crate::Result<Vec<Event>> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
    Ok(text.lines().filter_map(|l| serde_json::from_str(l).ok()).collect())
}
