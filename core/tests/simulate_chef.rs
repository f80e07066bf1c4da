//! `heat-sync simulate` on the Chef example (examples/wordpress) with a stand-in
//! `chef-solo` on PATH: a Ruby script that loads the agent's solo.d drop-ins with a
//! stand-in for `Chef.event_handler`, records the JSON attributes it was given, gives
//! every declared output a value, and fires `run_completed` so the agent's own outputs
//! drop-in reports them. Chef itself cannot be installed here.

mod fake_chef;
mod simulate_common;

use std::process::Command;

use fake_chef::{executable, have_ruby};
use serde_json::{json, Value};
use simulate_common::text;

/// The "recipe" of the fake chef-solo: logs the attributes it was given and gives every
/// declared output a value.
const RECIPE: &str = r#"File.open(ENV.fetch("FAKE_CHEF_LOG"), "a") do |f|
  f.puts JSON.generate({"server" => ENV["HEAT_SYNC_SERVER"], "attrs" => attrs})
end
HeatSyncOutputs::OUTPUTS.each do |name, path|
  here = attrs
  path[0..-2].each { |k| here = (here[k] ||= {}) }
  here[path[-1]] ||= "fake-#{name}"
end
$handlers.fetch(:run_completed).call(Struct.new(:attributes).new(attrs), :ok)
puts "converged #{attrs["run_list"].join(",")}"
"#;

/// Runs the wordpress example with the stand-in installed as Chef is
/// (`<dir>/bin/chef-solo` beside `<dir>/embedded/bin/ruby`), Chef's Ruby answering
/// `require 'heat_sync/chef'` with `gem_loads`. Returns stdout, stderr and the runs.
fn wordpress(dir: &std::path::Path, gem_loads: bool) -> (String, String, Vec<Value>) {
    let bin = dir.join("bin");
    executable(&bin.join("chef-solo"), &fake_chef::chef_solo(RECIPE));
    executable(
        &dir.join("embedded/bin/ruby"),
        &format!("#!/bin/sh\nexit {}\n", u8::from(!gem_loads)),
    );
    let log = dir.join("chef-runs.jsonl");
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = Command::new(env!("CARGO_BIN_EXE_heat-sync"))
        .arg("simulate")
        .arg(root.join("examples/wordpress/template.yaml"))
        .arg("--work-dir")
        .arg(dir.join("run"))
        .env("PATH", path)
        .env("FAKE_CHEF_LOG", &log)
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let runs = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (stdout, stderr, runs)
}

fn attrs(runs: &[Value], server: &str) -> Value {
    runs.iter().find(|r| r["server"] == json!(server)).expect("a chef run")["attrs"].clone()
}

#[test]
fn the_wordpress_example_runs_its_chef_roles_through_chef_solo() {
    if !have_ruby() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (stdout, stderr, runs) = wordpress(dir.path(), false);
    assert!(stdout.contains("[web/wordpress] converged recipe[wordpress]"), "{stdout}");
    assert!(stdout.contains("  site: fake-url"), "{stdout}");
    // The hidden parameter's value reached the recipe but was never printed.
    assert!(!stdout.contains("change-me") && !stderr.contains("change-me"), "{stdout}");
    // Without the gem, run-time inputs are resolved before chef-solo starts.
    let db = attrs(&runs, "db");
    assert_eq!(db["run_list"], json!(["recipe[mysql::server]"]));
    assert_eq!(db["mysql"]["allowed_host"], json!("127.0.0.3"));
    assert_eq!(db["mysql"]["server_root_password"], json!("change-me"));
    let web = attrs(&runs, "web");
    assert_eq!(
        web["wordpress"]["db"],
        json!({"host": "fake-db_host", "port": "fake-db_port", "password": "change-me"})
    );
}

#[test]
fn with_the_gem_in_chefs_ruby_only_static_inputs_are_resolved_before_the_run() {
    if !have_ruby() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, _, runs) = wordpress(dir.path(), true);
    // The gem (loaded by solo.d/heat_sync.rb) would wait for these when the recipe reads them.
    assert_eq!(attrs(&runs, "web")["wordpress"]["db"], json!({"password": "change-me"}));
    let drop_in = dir.path().join("run/servers/web/agent/roles/wordpress/chef/solo.d/heat_sync.rb");
    let drop_in = std::fs::read_to_string(drop_in).unwrap();
    assert!(drop_in.contains("HeatSync::Chef.setup(server_plan: "), "{drop_in}");
}
