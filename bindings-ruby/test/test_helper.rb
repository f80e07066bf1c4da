# frozen_string_literal: true

# Loads the gem (installed, or from ../lib when HEAT_SYNC_FROM_SOURCE=1) and minitest.
if ENV["HEAT_SYNC_FROM_SOURCE"] == "1"
  $LOAD_PATH.unshift File.expand_path("../lib", __dir__)
end
$LOAD_PATH.unshift File.expand_path("support", __dir__)

require "minitest/autorun"
require "timeout"
require "tmpdir"
require "fileutils"
require "json"
require "heat_sync"

# Helpers shared by the suites.
module TestHelpers
  # Waits (bounded) until the block is true.
  def eventually(seconds = 5)
    deadline = Process.clock_gettime(Process::CLOCK_MONOTONIC) + seconds
    until yield
      flunk "condition not met within #{seconds} s" if Process.clock_gettime(Process::CLOCK_MONOTONIC) > deadline
      sleep 0.01
    end
  end

  # The next key a FakeClient get started waiting for (bounded).
  def next_wait(client, seconds = 5)
    Timeout.timeout(seconds) { client.waiting.pop }
  end
end

# The stores the native tests run against.
module Stores
  # A fresh embedded store directory (removed at exit).
  def embedded_address
    dir = Dir.mktmpdir("heat-sync-ruby-")
    Minitest.after_run { FileUtils.rm_rf(dir) }
    "embedded://#{dir}"
  end

  # The ZooKeeper the test script started (HEAT_SYNC_ZK=host:port). Missing: a failure
  # under CI=true, a skip elsewhere.
  def zk_address
    zk = ENV["HEAT_SYNC_ZK"].to_s
    if zk.empty?
      flunk "HEAT_SYNC_ZK is not set (scripts/test starts ZooKeeper)" if ENV["CI"] == "true"
      skip "HEAT_SYNC_ZK is not set: no ZooKeeper to test against"
    end
    "zk://#{zk}"
  end

  # A namespace no other test uses.
  def fresh_namespace
    "/heat-sync/ruby-#{Process.pid}-#{rand(1 << 30)}"
  end

  # A server plan for `server` (a name like "web") running one chef role.
  def server_plan(address:, namespace:, server: "web", role: nil)
    resource, member = server.split(".")
    {
      "format" => "heat-sync/server-plan", "version" => 1,
      "server" => { "resource" => resource, "member" => member }.compact,
      "tool" => "chef",
      "roles" => [role || {
        "name" => "wordpress", "run_list" => ["recipe[wordpress]"], "timeout" => 60,
        "inputs" => [{
          "path" => %w[wordpress db host],
          "place" => "resources.web.metadata.heat_sync.roles[0].inputs.wordpress.db.host",
          "source" => { "kind" => "wait", "key" => { "server" => { "resource" => "db" }, "output" => "db_host" },
                        "producer" => { "server" => { "resource" => "db" }, "role" => "mysql" } },
        }],
        "outputs" => [{ "name" => "url", "path" => %w[wordpress url], "publish" => "on_write" }],
      }],
      "coordinator" => { "address" => address, "namespace" => namespace },
    }
  end

  # Writes `plan` to a private file and returns its path.
  def write_plan(plan)
    dir = Dir.mktmpdir("heat-sync-plan-")
    Minitest.after_run { FileUtils.rm_rf(dir) }
    path = File.join(dir, "server-plan.json")
    File.write(path, JSON.pretty_generate(plan))
    File.chmod(0o600, path)
    path
  end
end
