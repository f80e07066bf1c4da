//! The environment a role's tool process runs in, and how `heat-sync get` / `put` find
//! their way back to the role from it.
//!
//! The agent exports these variables to every script and to chef-solo:
//!
//! | variable | value |
//! |---|---|
//! | `HEAT_SYNC_SERVER_PLAN` | absolute path of the server plan file |
//! | `HEAT_SYNC_SERVER` | this server (`db`, `web.0`) |
//! | `HEAT_SYNC_ROLE` | the role being run |
//! | `HEAT_SYNC_INPUTS` | a JSON file: every resolved input placed at its node path |
//! | `HEAT_SYNC_OUTPUTS` | a JSON file the role writes its outputs to, at their node paths |
//! | `HEAT_SYNC_WORK_DIR` | the role's working directory (also the process's cwd) |
//! | `HEAT_SYNC_FIRST_ADDRESS`, `HEAT_SYNC_NAME` | the attributes the agent published at boot |
//! | `HEAT_SYNC_BIN` | the `heat-sync` executable (its directory also leads `PATH`) |
//! | `HEAT_SYNC_INPUT_<PATH>` | one per input ([`super::values::input_env_name`]) |

use std::path::{Path, PathBuf};

use super::state::write_private;
use super::values::{lookup, place};
use super::AgentError;
use crate::plan::{AttrPath, PlanOutput, PlanRole, Publish, ServerPlan, ValueKey};
use crate::Value;

/// `HEAT_SYNC_SERVER_PLAN`: the server plan file.
pub const ENV_SERVER_PLAN: &str = "HEAT_SYNC_SERVER_PLAN";
/// `HEAT_SYNC_SERVER`: the server id.
pub const ENV_SERVER: &str = "HEAT_SYNC_SERVER";
/// `HEAT_SYNC_ROLE`: the role being run.
pub const ENV_ROLE: &str = "HEAT_SYNC_ROLE";
/// `HEAT_SYNC_INPUTS`: the resolved inputs JSON file.
pub const ENV_INPUTS: &str = "HEAT_SYNC_INPUTS";
/// `HEAT_SYNC_OUTPUTS`: the outputs JSON file.
pub const ENV_OUTPUTS: &str = "HEAT_SYNC_OUTPUTS";
/// `HEAT_SYNC_WORK_DIR`: the role's working directory.
pub const ENV_WORK_DIR: &str = "HEAT_SYNC_WORK_DIR";
/// `HEAT_SYNC_FIRST_ADDRESS`: the server's address as published at boot.
pub const ENV_FIRST_ADDRESS: &str = "HEAT_SYNC_FIRST_ADDRESS";
/// `HEAT_SYNC_NAME`: the server's name as published at boot.
pub const ENV_NAME: &str = "HEAT_SYNC_NAME";
/// `HEAT_SYNC_BIN`: the heat-sync executable.
pub const ENV_BIN: &str = "HEAT_SYNC_BIN";

/// A role as seen from inside its tool process (what `heat-sync get` and `put` use).
#[derive(Debug, Clone)]
pub struct RoleContext {
    /// The server plan file.
    pub server_plan_file: PathBuf,
    /// The server plan.
    pub plan: ServerPlan,
    /// The index of the role in `plan.roles`.
    pub role_index: usize,
    /// The resolved inputs file.
    pub inputs_file: PathBuf,
    /// The outputs file.
    pub outputs_file: PathBuf,
}

/// What `heat-sync put` must do after recording an output.
#[derive(Debug, Clone, PartialEq)]
pub enum PutOutcome {
    /// The value is recorded; the agent publishes it when the role finishes.
    Recorded,
    /// The output is declared `publish: on_write`: publish it now under this key (a later
    /// `put` of another value is a new version).
    PublishNow(ValueKey),
}

fn env_path(name: &str) -> Result<PathBuf, AgentError> {
    std::env::var_os(name).map(PathBuf::from).ok_or_else(|| AgentError::Environment {
        variable: name.into(),
        message: "not set (is this running inside a heat-sync role?)".into(),
    })
}

impl RoleContext {
    /// The context of the role this process runs in, or `None` when
    /// `HEAT_SYNC_ROLE` is not set (not inside a role).
    pub fn from_env() -> crate::Result<Option<RoleContext>> {
        let Ok(role) = std::env::var(ENV_ROLE) else { return Ok(None) };
        let file = env_path(ENV_SERVER_PLAN)?;
        let plan = ServerPlan::load(&file)?;
        Ok(Some(RoleContext::new(
            file,
            plan,
            &role,
            env_path(ENV_INPUTS)?,
            env_path(ENV_OUTPUTS)?,
        )?))
    }

    /// The context of `role` in `plan` with the given files.
    pub fn new(
        server_plan_file: PathBuf,
        plan: ServerPlan,
        role: &str,
        inputs_file: PathBuf,
        outputs_file: PathBuf,
    ) -> Result<RoleContext, AgentError> {
        let role_index = plan.roles.iter().position(|r| r.name == role).ok_or_else(|| {
            AgentError::Environment {
                variable: ENV_ROLE.into(),
                message: format!(
                    "{}: server {} has no role {role:?}",
                    server_plan_file.display(),
                    plan.server
                ),
            }
        })?;
        Ok(RoleContext { server_plan_file, plan, role_index, inputs_file, outputs_file })
    }

    /// The role.
    pub fn role(&self) -> &PlanRole {
        &self.plan.roles[self.role_index]
    }

    /// The declared output called `name_or_path`, or whose node path is that dotted path.
    pub fn output(&self, name_or_path: &str) -> Option<&PlanOutput> {
        let path = parse_path(name_or_path);
        self.role().outputs.iter().find(|o| o.name == name_or_path || o.path == path)
    }

    /// The resolved value of an input of this role, by its node path (dotted), if the
    /// role declares one there.
    pub fn input(&self, path: &str) -> crate::Result<Option<Value>> {
        let tree = read_json(&self.inputs_file)?;
        Ok(lookup(&tree, &parse_path(path)).cloned())
    }

    /// Records `value` for the output called (or at the dotted node path) `name_or_path`
    /// in the outputs file. A path that is no declared output is recorded too (a script
    /// may keep whatever it likes there); only declared outputs are ever published.
    pub fn record_output(&self, name_or_path: &str, value: Value) -> crate::Result<PutOutcome> {
        let declared = self.output(name_or_path);
        let path: AttrPath = match declared {
            Some(o) => o.path.clone(),
            None => parse_path(name_or_path),
        };
        let mut tree = match read_json(&self.outputs_file) {
            Ok(t) => t,
            Err(crate::Error::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound =>
            {
                Value::Object(Default::default())
            }
            Err(e) => return Err(e),
        };
        place(&mut tree, &path, value);
        write_json(&self.outputs_file, &tree)?;
        Ok(match declared {
            Some(o) if o.publish == Publish::OnWrite => PutOutcome::PublishNow(ValueKey {
                server: self.plan.server.clone(),
                output: o.name.clone(),
            }),
            _ => PutOutcome::Recorded,
        })
    }
}

/// Splits a dotted node attribute path (`a.b\.c.0`) into its segments.
pub fn parse_path(text: &str) -> AttrPath {
    let mut segments = vec![String::new()];
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next) => segments.last_mut().expect("never empty").push(next),
                None => segments.last_mut().expect("never empty").push('\\'),
            },
            '.' => segments.push(String::new()),
            c => segments.last_mut().expect("never empty").push(c),
        }
    }
    segments
}

/// Reads a JSON file.
pub fn read_json(path: &Path) -> crate::Result<Value> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| {
        AgentError::BadFile { file: path.display().to_string(), message: e.to_string() }.into()
    })
}

/// Writes a JSON file atomically, mode 0600.
pub fn write_json(path: &Path, value: &Value) -> crate::Result<()> {
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(value).expect("JSON always serializes");
    write_private(&tmp, &text)?;
    std::fs::rename(&tmp, path).map_err(|e| crate::Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dotted_paths_split_with_escapes() {
        assert_eq!(parse_path("a.b\\.c.0"), vec!["a", "b.c", "0"]);
        assert_eq!(parse_path("db_host"), vec!["db_host"]);
    }
}
