//! The agent's memory across restarts: `state.json` in its working directory records the
//! roles that finished and the outputs they published, so a restarted agent does not run
//! a finished role again (unless asked) and can publish its outputs again, which the
//! store treats as idempotent: nothing is lost, nothing is duplicated.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::AgentError;
use crate::Map;

/// The file name of the state inside an agent's working directory.
pub const STATE_FILE: &str = "state.json";

/// One finished role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinishedRole {
    /// When it finished (milliseconds since the Unix epoch).
    pub finished_at_ms: u64,
    /// Its outputs by name, as published.
    pub outputs: Map,
}

/// The roles that finished, by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentState {
    /// Finished roles.
    pub finished: BTreeMap<String, FinishedRole>,
}

impl AgentState {
    /// Reads `dir/state.json`; a missing file is an empty state.
    pub fn load(dir: &Path) -> crate::Result<AgentState> {
        let path = dir.join(STATE_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                AgentError::State { file: path.display().to_string(), message: e.to_string() }
                    .into()
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AgentState::default()),
            Err(e) => Err(crate::Error::io(path, e)),
        }
    }

    /// Writes `dir/state.json` atomically (a temporary file renamed over it), mode 0600:
    /// it holds output values, secret ones included.
    pub fn save(&self, dir: &Path) -> crate::Result<()> {
        let path = dir.join(STATE_FILE);
        let tmp: PathBuf = dir.join(format!("{STATE_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).expect("state always serializes");
        write_private(&tmp, &text)?;
        std::fs::rename(&tmp, &path).map_err(|e| crate::Error::io(path, e))
    }
}

/// Writes `text` to `path` with mode 0600 (owner only).
pub fn write_private(path: &Path, text: &str) -> crate::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| crate::Error::io(path, e))?;
    f.write_all(text.as_bytes()).map_err(|e| crate::Error::io(path, e))
}
