//! A stand-in for `chef-solo` (Chef itself cannot be installed here), shared by the
//! agent's and simulate's Chef tests: a Ruby script that loads the agent's solo.d
//! drop-ins with a stand-in for `Chef.event_handler` (all but `heat_sync.rb`: the gem is
//! not installed here), reads the `-j` JSON attributes into `attrs`, then plays the
//! test's "recipe", which fires `run_completed` so the outputs drop-in's own Ruby code
//! reports the outputs back to the agent.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const PRELUDE: &str = r#"#!/usr/bin/env ruby
require "json"
require "fileutils"
config = ARGV[ARGV.index("-c") + 1]
json_file = ARGV[ARGV.index("-j") + 1]
solo_d = File.join(File.dirname(config), "solo.d")
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
Dir[File.join(solo_d, "*.rb")].sort.each do |f|
  load f unless File.basename(f) == "heat_sync.rb"
end
attrs = JSON.parse(File.read(json_file))
"#;

/// The fake chef-solo running `recipe` (Ruby with `config`, `json_file`, `solo_d` and
/// `attrs` in scope, and `$handlers` filled by the drop-ins).
pub fn chef_solo(recipe: &str) -> String {
    format!("{PRELUDE}{recipe}")
}

/// Writes an executable file.
pub fn executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Whether Ruby runs here; its absence is a failure under CI, a skip elsewhere.
pub fn have_ruby() -> bool {
    let ok = Command::new("ruby").arg("-v").output().is_ok_and(|o| o.status.success());
    if !ok {
        assert!(std::env::var("CI").as_deref() != Ok("true"), "ruby is required under CI");
        eprintln!("skipped: ruby is not installed (scripts/install-deps installs it)");
    }
    ok
}
