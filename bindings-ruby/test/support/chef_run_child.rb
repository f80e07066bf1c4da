# frozen_string_literal: true

# The child process of two_process_test.rb: one chef-solo run on the Chef double,
# after loading the solo.d drop-in the agent writes (as chef-solo loads config files),
# with a recipe that reads a run-time input at compile time and writes a
# `publish: on_write` output. Usage: ruby chef_run_child.rb SOLO_D_DROP_IN
require "chef_double"

$stdout.sync = true
# chef-solo logs at info level with -l info; the double's Chef::Log records, so print.
Chef::Log.define_singleton_method(:info) { |message = nil| puts message }
load ARGV.fetch(0)
run = ChefDouble::SoloRun.new(recipes: [lambda {
  host = node["wordpress"]["db"]["host"]
  node.default["wordpress"]["url"] = "http://#{host}/wp"
}])
node = run.run
puts "host=#{node["wordpress"]["db"]["host"]}"
