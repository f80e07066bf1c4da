//! The `script` tool: a role's `run` is an executable.
//!
//! The script is written to `run` in the role's working directory (mode 0700) and runs
//! there: directly when it starts with `#!`, otherwise with `/bin/sh`. Its inputs are in
//! the environment (`HEAT_SYNC_INPUT_<PATH>`, see [`super::values::input_env_name`]) and
//! in the JSON file `$HEAT_SYNC_INPUTS`; it writes outputs with `heat-sync put NAME VALUE`
//! or into the JSON file `$HEAT_SYNC_OUTPUTS` at their node paths. It succeeds when it
//! exits 0 before the role's timeout.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use super::context::read_json;
use super::process;
use super::RoleRun;
use crate::Value;

/// Runs a script role and returns the outputs tree it left. `Err` is the role's error.
pub fn run(run: &RoleRun<'_>) -> Result<Value, String> {
    let Some(script) = &run.role.run else {
        return Err("a script role needs `run` (an inline script or a get_file)".into());
    };
    let file = run.dir.join("run");
    std::fs::write(&file, script)
        .and_then(|()| std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o700)))
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let mut cmd = if script.starts_with("#!") {
        Command::new(&file)
    } else {
        let mut sh = Command::new("/bin/sh");
        sh.arg(&file);
        sh
    };
    cmd.current_dir(&run.dir).envs(run.env.iter().map(|(k, v)| (k, v)));
    let label = format!("{}/{}", run.plan.server, run.role.name);
    process::run(cmd, &label, &run.dir.join("output.log"), run.deadline)
        .map_err(|f| format!("script {f}"))?;
    let outputs = run.dir.join("outputs.json");
    read_json(&outputs).map_err(|e| e.to_string())
}
