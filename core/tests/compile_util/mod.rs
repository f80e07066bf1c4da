//! Helpers shared by the compile_* and check_* tests: inputs from text or examples,
//! snapshots, and the Heat oracle.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use heat_sync::stack::Inputs;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// Inputs for a template text.
pub fn inputs(name: &str, text: &str) -> Inputs {
    Inputs { template_name: name.into(), template: text.into(), ..Inputs::default() }
}

/// `cache` exists only under the condition `cache_on` (false by default) and publishes
/// `addr`, which `web` reads.
pub const CONDITIONAL_SERVER: &str = r#"
heat_template_version: 2018-08-31
parameters:
  with_cache: {type: boolean, default: false}
conditions:
  cache_on: {get_param: with_cache}
resources:
  cache:
    type: OS::Nova::Server
    condition: cache_on
    properties: {image: debian-12, flavor: m1.small}
    metadata:
      heat_sync:
        tool: script
        roles: [{name: redis, run: "heat-sync put addr 10.0.0.9", outputs: {addr: addr}}]
  web:
    type: OS::Nova::Server
    properties: {image: debian-12, flavor: m1.small}
    metadata:
      heat_sync:
        tool: script
        roles: [{name: app, run: "true", inputs: {cache: {get_attr: [cache, addr]}}}]
"#;

/// Inputs for an example's template.
pub fn example(name: &str) -> Inputs {
    let path = root().join("examples").join(name).join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    inputs(&format!("examples/{name}/template.yaml"), &text)
}

/// Compares `actual` with the snapshot file `core/tests/snapshots/NAME`; with
/// `UPDATE_SNAPSHOTS=1` it writes the file instead.
pub fn snapshot(name: &str, actual: &str) {
    let path = root().join("core/tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("{}: {e} (run with UPDATE_SNAPSHOTS=1 to create it)", path.display())
    });
    if expected != actual {
        let tmp = path.with_extension("actual");
        std::fs::write(&tmp, actual).unwrap();
        panic!(
            "{} differs from the snapshot; actual output written to {}",
            path.display(),
            tmp.display()
        );
    }
}

/// `shared/` (HEAT_SYNC_SHARED, else ../shared from the repository root); None (skip)
/// when missing outside CI.
pub fn shared() -> Option<PathBuf> {
    let dir = std::env::var_os("HEAT_SYNC_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared"));
    if dir.join("tools/heat_oracle.py").exists() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("shared/ not found at {} (set HEAT_SYNC_SHARED)", dir.display());
    }
    eprintln!("skipped: shared/ not found at {} (set HEAT_SYNC_SHARED)", dir.display());
    None
}

/// The Heat oracle's python, `.venv-heat/bin/python` in the repository root.
pub fn oracle_python() -> Option<PathBuf> {
    let py = root().join(".venv-heat/bin/python");
    if py.exists() {
        return Some(py);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{} missing (scripts/install.d/30-heat-venv.sh makes it)", py.display());
    }
    eprintln!("skipped: {} missing", py.display());
    None
}

/// Runs Heat 27's engine (the oracle, `--strict`) on a template text, with the
/// heat-sync parameters given (or `extra` alone when it is not empty); None when the
/// oracle is not available here.
pub fn oracle(text: &str, ext: &str, extra: &[&str]) -> Option<serde_json::Value> {
    let shared = shared()?;
    let py = oracle_python()?;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(format!("compiled.{ext}"));
    std::fs::write(&file, text).unwrap();
    let out = Command::new(py)
        .env("PYTHONHASHSEED", "0")
        .arg(shared.join("tools/heat_oracle.py"))
        .arg(&file)
        .args(["--strict", "--compact"])
        .args(if extra.is_empty() {
            &[
                "-P",
                "heat_sync_secret=s3cret",
                "-P",
                "heat_sync_coordinator=zk://127.0.0.1:2181/heat-sync",
            ][..]
        } else {
            extra
        })
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    Some(serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!(
            "oracle output is not JSON ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        )
    }))
}
