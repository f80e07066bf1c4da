# frozen_string_literal: true

require_relative "lib/heat_sync/version"

Gem::Specification.new do |spec|
  spec.name = "heat_sync"
  spec.version = HeatSync::VERSION
  spec.summary = "heat-sync for Ruby: cross-VM values for Heat stacks, and Chef attribute interception"
  spec.description = <<~TEXT
    The coordinator client of heat-sync (ZooKeeper or the embedded store) around its Rust
    core, and heat_sync/chef, which chef-solo loads from a solo.d drop-in so that reads of
    a role's declared input attributes wait for values other servers publish, and writes
    of its outputs publish them, with no recipe change. Building needs cargo (Rust 1.80+)
    and libclang; it builds against the Ruby that runs `gem install`.
  TEXT
  spec.authors = ["heat-sync developers"]
  spec.license = "Apache-2.0"
  spec.homepage = "https://example.invalid/heat-sync"
  spec.required_ruby_version = ">= 2.7"

  vendored = Dir["ext/heat_sync/rust/**/*"].reject { |f| File.directory?(f) || f.include?("/target/") }
  if vendored.empty? && File.basename($PROGRAM_NAME) == "gem" && ARGV.first == "build"
    abort "heat_sync.gemspec: ext/heat_sync/rust is empty; build the gem with `rake gem`"
  end
  spec.files = Dir["lib/**/*.rb", "ext/heat_sync/extconf.rb", "README.md"] + vendored
  spec.extensions = ["ext/heat_sync/extconf.rb"]
  spec.require_paths = ["lib"]
end
