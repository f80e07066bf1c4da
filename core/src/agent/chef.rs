//! The `chef` tool: one chef-solo run per role.
//!
//! In the role's working directory the agent writes `chef/solo.rb`,
//! `chef/attributes.json` (the run list and the inputs as JSON attributes, given with
//! `-j`) and drop-ins in `chef/solo.d/`, which chef-solo loads before any attribute or
//! recipe:
//!
//! - `heat_sync.rb` (when the heat_sync gem intercepts reads): requires `heat_sync/chef`
//!   and names the server plan and the role; the gem then places every declared input at
//!   force_override, blocks reads of run-time inputs until they are published, and
//!   publishes outputs itself (contracts.md). Only static inputs are resolved before the
//!   run.
//! - `heat_sync_outputs.rb` (always): an event handler that writes the merged values of
//!   the role's declared outputs, by output name, to `$HEAT_SYNC_OUTPUTS` when the run
//!   completes, so the agent can publish them and report them to Heat.
//!
//! Without the gem every input, run-time ones included, is resolved before chef-solo
//! starts and passed in `-j` (at Chef's `normal` precedence).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::context::read_json;
use super::values::place;
use super::{process, RoleRun};
use crate::{Map, Value};

/// How Chef's reads of run-time inputs are served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interception {
    /// The heat_sync gem, loaded by the `solo.d/heat_sync.rb` drop-in, blocks each read.
    Gem,
    /// The agent resolves every input before chef-solo starts.
    PreResolve,
}

/// How chef roles run.
#[derive(Debug, Clone)]
pub struct ChefOptions {
    /// The chef-solo executable (a name looked up on `PATH`, or a path).
    pub chef_solo: PathBuf,
    /// Cookbook directories for solo.rb's `cookbook_path` (none: chef-solo's default).
    pub cookbook_paths: Vec<PathBuf>,
    /// How run-time inputs reach the recipes.
    pub interception: Interception,
}

impl Default for ChefOptions {
    fn default() -> Self {
        ChefOptions {
            chef_solo: PathBuf::from("chef-solo"),
            cookbook_paths: Vec::new(),
            interception: Interception::PreResolve,
        }
    }
}

impl ChefOptions {
    /// True when the gem serves run-time inputs (the agent then resolves static ones only).
    pub fn interception_by_gem(&self) -> bool {
        self.interception == Interception::Gem
    }
}

/// Where `name` is found on `PATH` (or `name` itself when it contains a slash).
pub fn find_on_path(name: &Path) -> Option<PathBuf> {
    if name.components().count() > 1 {
        return name.is_file().then(|| name.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

/// Whether the heat_sync gem loads in the Ruby that runs `chef_solo`: Chef's embedded
/// Ruby (`<chef>/embedded/bin/ruby` beside `<chef>/bin/chef-solo`) when there is one,
/// otherwise `ruby` on `PATH`. Bounded by 30 s.
pub fn detect_interception(chef_solo: &Path) -> Interception {
    let embedded = find_on_path(chef_solo)
        .and_then(|p| p.canonicalize().ok())
        .and_then(|p| Some(p.parent()?.parent()?.join("embedded/bin/ruby")))
        .filter(|r| r.is_file());
    let ruby = embedded.unwrap_or_else(|| PathBuf::from("ruby"));
    let mut probe = Command::new(ruby);
    probe.args(["-e", "require 'heat_sync/chef'"]);
    match process::run_quiet(probe, Duration::from_secs(30)) {
        Some(true) => Interception::Gem,
        _ => Interception::PreResolve,
    }
}

/// A Ruby string literal.
fn rb(s: &str) -> String {
    serde_json::to_string(s).expect("a string serializes").replace('#', "\\#")
}

/// Runs a chef role and returns the outputs tree (each output at its node path).
pub fn run(run: &RoleRun<'_>, options: &ChefOptions, outputs_file: &Path) -> Result<Value, String> {
    if run.role.run_list.is_empty() {
        return Err("a chef role needs a non-empty run_list".into());
    }
    let dir = run.dir.join("chef");
    let solo_d = dir.join("solo.d");
    std::fs::create_dir_all(&solo_d).map_err(|e| format!("{}: {e}", solo_d.display()))?;
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let dir = abs(&dir);
    let who = format!("{}/{}", run.plan.server, run.role.name);
    write(&dir.join("solo.rb"), &solo_rb(&who, &dir, &options.cookbook_paths))?;
    let plan_file = run.env.iter().find(|(k, _)| k == super::context::ENV_SERVER_PLAN);
    let plan_file = plan_file.map(|(_, v)| v.as_str()).unwrap_or_default();
    let gem = solo_d.join("heat_sync.rb");
    if options.interception_by_gem() {
        write(&gem, &gem_drop_in(&who, plan_file, &run.role.name))?;
    } else if gem.exists() {
        std::fs::remove_file(&gem).map_err(|e| format!("{}: {e}", gem.display()))?;
    }
    write(&solo_d.join("heat_sync_outputs.rb"), &outputs_drop_in(&who, run, &abs(outputs_file)))?;
    let mut attributes = run.input_tree.clone();
    if !attributes.is_object() {
        attributes = Value::Object(Map::new());
    }
    let run_list = run.role.run_list.iter().cloned().map(Value::String).collect();
    attributes
        .as_object_mut()
        .expect("an object")
        .insert("run_list".into(), Value::Array(run_list));
    let json = dir.join("attributes.json");
    super::context::write_json(&json, &attributes).map_err(|e| e.to_string())?;

    let mut cmd = Command::new(&options.chef_solo);
    cmd.arg("-c").arg(dir.join("solo.rb")).arg("-j").arg(&json);
    cmd.current_dir(&run.dir).envs(run.env.iter().map(|(k, v)| (k, v)));
    process::run(cmd, &who, &run.dir.join("output.log"), run.deadline).map_err(|f| match f {
        process::RunFailure::Spawn(e) if e.kind() == std::io::ErrorKind::NotFound => format!(
            "chef-solo not found ({}): install Chef (docs/chef.md) or use tool: script",
            options.chef_solo.display()
        ),
        f => format!("chef-solo {f}"),
    })?;
    let by_name = read_json(outputs_file).map_err(|e| e.to_string())?;
    let mut tree = Value::Object(Map::new());
    for output in &run.role.outputs {
        if let Some(v) = by_name.get(&output.name) {
            place(&mut tree, &output.path, v.clone());
        }
    }
    Ok(tree)
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    super::state::write_private(path, text).map_err(|e| e.to_string())
}

fn solo_rb(who: &str, dir: &Path, cookbooks: &[PathBuf]) -> String {
    let mut s = format!(
        "# Written by the heat-sync agent for {who}.\n\
         chef_repo_path {}\n\
         file_cache_path {}\n",
        rb(&dir.display().to_string()),
        rb(&dir.join("cache").display().to_string()),
    );
    if !cookbooks.is_empty() {
        let list: Vec<String> = cookbooks.iter().map(|p| rb(&p.display().to_string())).collect();
        s.push_str(&format!("cookbook_path [{}]\n", list.join(", ")));
    }
    s
}

fn gem_drop_in(who: &str, plan_file: &str, role: &str) -> String {
    format!(
        "# Written by the heat-sync agent for {who}: the heat_sync gem intercepts reads of\n\
         # declared inputs (blocking until they are published) and publishes outputs.\n\
         require \"heat_sync/chef\"\n\
         HeatSync::Chef.setup(server_plan: {}, role: {})\n",
        rb(plan_file),
        rb(role)
    )
}

fn outputs_drop_in(who: &str, run: &RoleRun<'_>, outputs_file: &Path) -> String {
    let outputs: Vec<String> = run
        .role
        .outputs
        .iter()
        .map(|o| {
            let path: Vec<String> = o.path.iter().map(|s| rb(s)).collect();
            format!("  [{}, [{}]]", rb(&o.name), path.join(", "))
        })
        .collect();
    format!(
        r#"# Written by the heat-sync agent for {who}: when the run completes, write the
# merged values of the role's declared outputs, by output name, for the agent.
require "json"

module HeatSyncOutputs
  OUTPUTS = [
{outputs}
  ].freeze
  FILE = {file}

  # The merged value at a node attribute path, or nil; whole numbers index arrays.
  def self.read(node, path)
    path.reduce(node.attributes) do |here, key|
      if here.is_a?(Array)
        key =~ /\A\d+\z/ ? here[key.to_i] : nil
      elsif here.respond_to?(:key?) && here.key?(key)
        here[key]
      end
    end
  end

  # Plain Ruby data (Chef's immutable collections become Hash and Array).
  def self.plain(value)
    if value.respond_to?(:to_hash) then value.to_hash.to_h {{ |k, v| [k.to_s, plain(v)] }}
    elsif value.is_a?(Array) then value.map {{ |v| plain(v) }}
    else value
    end
  end

  def self.write(node)
    found = {{}}
    OUTPUTS.each do |name, path|
      value = read(node, path)
      found[name] = plain(value) unless value.nil?
    end
    File.write(FILE, JSON.generate(found))
  end
end

Chef.event_handler do
  on :run_completed do |node, *_rest|
    HeatSyncOutputs.write(node)
  end
end
"#,
        outputs = outputs.join(",\n"),
        file = rb(&outputs_file.display().to_string()),
    )
}
