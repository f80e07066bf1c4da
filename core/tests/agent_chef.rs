//! The chef adapter against a fake `chef-solo` written in Ruby: it records its arguments
//! and the files the agent wrote, loads the agent's solo.d drop-ins with a stand-in for
//! `Chef.event_handler`, plays a "recipe" that sets node attributes from the `-j` JSON,
//! and fires `run_completed`, so the outputs drop-in's own Ruby code is what reports the
//! outputs back to the agent.

mod agent_common;
mod fake_chef;

use std::path::{Path, PathBuf};
use std::process::Command;

use agent_common::*;
use fake_chef::{executable, have_ruby};
use heat_sync::agent::chef::{ChefOptions, Interception};
use heat_sync::agent::{Agent, Coordination};
use heat_sync::plan::*;
use serde_json::json;

/// The "recipe" of the fake chef-solo: records what it was given into its first
/// argument (a directory), then derives outputs from inputs.
const RECIPE: &str = r#"record = ARGV.shift
FileUtils.mkdir_p(record)
File.write(File.join(record, "args.json"), JSON.generate(ARGV))
File.write(File.join(record, "env.json"), JSON.generate(ENV.select { |k, _| k.start_with?("HEAT_SYNC_") }))
FileUtils.cp(config, File.join(record, "solo.rb"))
FileUtils.cp(json_file, File.join(record, "attributes.json"))
FileUtils.cp_r(solo_d, File.join(record, "solo.d"))
exit 4 if attrs["fail"]
attrs["mysql"] ||= {}
attrs["mysql"]["bind_address"] = "10.1.1.#{attrs["mysql"]["port"].to_i % 100}"
attrs["mysql"]["allowed"] = [attrs.dig("mysql", "allowed_host"), "127.0.0.1"]
Node = Struct.new(:attributes)
$handlers.fetch(:run_completed).call(Node.new(attrs), :status)
puts "fake chef-solo converged #{attrs["run_list"].join(",")}"
"#;

/// A fake chef-solo recording into `record` (its first argument, through a wrapper).
fn fake_chef(dir: &Path) -> (PathBuf, PathBuf) {
    let record = dir.join("record");
    let fake = dir.join("fake-chef-solo.rb");
    std::fs::write(&fake, fake_chef::chef_solo(RECIPE)).unwrap();
    let wrapper = dir.join("bin/chef-solo");
    executable(
        &wrapper,
        &format!("#!/bin/sh\nexec ruby {} {} \"$@\"\n", fake.display(), record.display()),
    );
    (wrapper, record)
}

fn chef_plan(web: &ServerId) -> ServerPlan {
    let mut secret = static_input("mysql.root_password", json!("hunter2"));
    if let InputSource::Static { secret: s, .. } = &mut secret.source {
        *s = true;
    }
    let role = PlanRole {
        name: "mysql".into(),
        run_list: vec!["recipe[mysql::server]".into()],
        run: None,
        timeout: 60,
        inputs: vec![
            static_input("mysql.port", json!(3306)),
            secret,
            wait_input("mysql.allowed_host", web.clone(), "first_address", "boot"),
        ],
        outputs: vec![output("db_host", "mysql.bind_address"), output("allowed", "mysql.allowed")],
    };
    server_plan(ServerId::plain("db"), Tool::Chef, vec![role])
}

#[test]
fn chef_solo_gets_run_list_inputs_and_drop_ins_and_outputs_come_back() {
    if !have_ruby() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (chef_solo, record) = fake_chef(dir.path());
    let web = ServerId::plain("web");
    let plan = chef_plan(&web);
    let mem = Memory::default();
    mem.publish(
        &ValueKey { server: web.clone(), output: "first_address".into() },
        &json!("10.0.0.9"),
    )
    .unwrap();
    let mut opts = options(dir.path(), &plan);
    opts.chef = ChefOptions {
        chef_solo,
        cookbook_paths: vec![PathBuf::from("/srv/cookbooks")],
        interception: Interception::PreResolve,
    };
    let outcome = Agent::new(plan, opts, &mem).run().unwrap();
    assert_eq!(outcome.failed, None, "{outcome:?}");
    let db = ServerId::plain("db");
    let get = |o: &str| mem.versions(&ValueKey { server: db.clone(), output: o.into() });
    assert_eq!(get("db_host"), vec![json!("10.1.1.6")]);
    assert_eq!(get("allowed"), vec![json!(["10.0.0.9", "127.0.0.1"])]);

    let args: Vec<String> =
        serde_json::from_str(&std::fs::read_to_string(record.join("args.json")).unwrap()).unwrap();
    assert_eq!(args[0], "-c");
    assert!(args[1].ends_with("roles/mysql/chef/solo.rb"), "{args:?}");
    assert_eq!(args[2], "-j");
    let attrs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(record.join("attributes.json")).unwrap())
            .unwrap();
    assert_eq!(attrs["run_list"], json!(["recipe[mysql::server]"]));
    // Without the gem, run-time inputs are resolved before chef-solo starts.
    assert_eq!(
        attrs["mysql"],
        json!({"port": 3306, "root_password": "hunter2", "allowed_host": "10.0.0.9"})
    );
    let solo_rb = std::fs::read_to_string(record.join("solo.rb")).unwrap();
    assert!(solo_rb.contains("cookbook_path [\"/srv/cookbooks\"]"), "{solo_rb}");
    assert!(solo_rb.contains("file_cache_path"), "{solo_rb}");
    assert!(!record.join("solo.d/heat_sync.rb").exists());
    let env: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(record.join("env.json")).unwrap()).unwrap();
    assert_eq!(env["HEAT_SYNC_ROLE"], json!("mysql"));
    assert!(env["HEAT_SYNC_SERVER_PLAN"].as_str().unwrap().ends_with("plan.json"));
}

#[test]
fn with_the_gem_the_drop_in_names_plan_and_role_and_only_static_inputs_are_resolved() {
    if !have_ruby() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (chef_solo, record) = fake_chef(dir.path());
    let web = ServerId::plain("web");
    let plan = chef_plan(&web);
    // Nothing is published for web: with the gem the agent must not wait for it.
    let mem = Memory::default();
    let mut opts = options(dir.path(), &plan);
    opts.chef = ChefOptions { chef_solo, cookbook_paths: vec![], interception: Interception::Gem };
    let outcome = Agent::new(plan, opts.clone(), &mem).run().unwrap();
    assert_eq!(outcome.failed, None, "{outcome:?}");
    let attrs: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(record.join("attributes.json")).unwrap())
            .unwrap();
    assert_eq!(attrs["mysql"], json!({"port": 3306, "root_password": "hunter2"}));
    let drop_in = std::fs::read_to_string(record.join("solo.d/heat_sync.rb")).unwrap();
    assert!(drop_in.contains("require \"heat_sync/chef\""), "{drop_in}");
    let plan_file = std::path::absolute(&opts.plan_file).unwrap();
    assert!(drop_in.contains(&format!("server_plan: \"{}\"", plan_file.display())), "{drop_in}");
    assert!(drop_in.contains("role: \"mysql\""), "{drop_in}");
    let syntax = Command::new("ruby").arg("-c").arg(record.join("solo.d/heat_sync.rb")).output();
    assert!(syntax.unwrap().status.success());
}

#[test]
fn a_failed_chef_run_fails_the_role_and_a_missing_chef_solo_says_so() {
    if !have_ruby() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (chef_solo, _) = fake_chef(dir.path());
    let mut plan = chef_plan(&ServerId::plain("web"));
    plan.roles[0].inputs = vec![static_input("fail", json!(true))];
    let mem = Memory::default();
    let mut opts = options(dir.path(), &plan);
    opts.chef.chef_solo = chef_solo;
    let (_, error) = Agent::new(plan.clone(), opts.clone(), &mem).run().unwrap().failed.unwrap();
    assert!(error.contains("chef-solo exit status: 4"), "{error}");

    opts.chef.chef_solo = dir.path().join("no-such-chef-solo");
    let (_, error) = Agent::new(plan, opts, &mem).run().unwrap().failed.unwrap();
    assert!(error.contains("chef-solo not found"), "{error}");
}
