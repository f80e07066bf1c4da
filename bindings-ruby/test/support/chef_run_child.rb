# frozen_string_literal: true

# The child process of two_process_test.rb: one chef-solo run on the Chef double with
# the interception set up from a server plan exactly as the agent's drop-in does
# (HeatSync::Chef.setup), a recipe that reads a run-time input at compile time and
# writes a `publish: on_write` output. Usage: ruby chef_run_child.rb PLAN ROLE
require "chef_double"
require "heat_sync/chef"

plan, role = ARGV
$stdout.sync = true
HeatSync::Chef.setup(server_plan: plan, role: role, log: ->(message) { puts message })
run = ChefDouble::SoloRun.new(recipes: [lambda {
  host = node["wordpress"]["db"]["host"]
  node.default["wordpress"]["url"] = "http://#{host}/wp"
}])
node = run.run
puts "host=#{node["wordpress"]["db"]["host"]}"
