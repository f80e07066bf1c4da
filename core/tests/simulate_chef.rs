//! `heat-sync simulate` on the Chef example (examples/wordpress) with a stand-in
//! `chef-solo` on PATH: a Ruby script that loads the agent's solo.d drop-ins with a
//! stand-in for `Chef.event_handler`, records the JSON attributes it was given, gives
//! every declared output a value, and fires `run_completed` so the agent's own outputs
//! drop-in reports them. Chef itself cannot be installed here.

mod simulate_common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use serde_json::{json, Value};
use simulate_common::text;

const FAKE_CHEF_SOLO: &str = r#"#!/usr/bin/env ruby
require "json"
config = ARGV[ARGV.index("-c") + 1]
json_file = ARGV[ARGV.index("-j") + 1]
$handlers = {}
module Chef
  module Handlers
    def self.on(event, &block)
      $handlers[event] = block
    end
  end
  def self.event_handler(&block)
    Handlers.instance_eval(&block)
  end
end
Dir[File.join(File.dirname(config), "solo.d", "*.rb")].sort.each do |f|
  load f unless File.basename(f) == "heat_sync.rb" # the gem is not installed here
end
attrs = JSON.parse(File.read(json_file))
File.open(ENV.fetch("FAKE_CHEF_LOG"), "a") do |f|
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

fn have_ruby() -> bool {
    let ok = Command::new("ruby").arg("-v").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "ruby is required under CI");
        eprintln!("skipped: ruby is not installed (scripts/install-deps installs it)");
    }
    ok
}

fn executable(path: &std::path::Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Runs the wordpress example with the stand-in installed as Chef is
/// (`<dir>/bin/chef-solo` beside `<dir>/embedded/bin/ruby`), Chef's Ruby answering
/// `require 'heat_sync/chef'` with `gem_loads`. Returns stdout, stderr and the runs.
fn wordpress(dir: &std::path::Path, gem_loads: bool) -> (String, String, Vec<Value>) {
    let bin = dir.join("bin");
    executable(&bin.join("chef-solo"), FAKE_CHEF_SOLO);
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
