# frozen_string_literal: true

require_relative "test_helper"
require "open3"
require "socket"

# Bad input through the gem (issue 7), as core/tests/bad_input_cli.rs drives the
# command line: malformed server plans, coordinator addresses and namespaces, wrong
# credentials against a real ZooKeeper, and arguments of the wrong type. Each raises
# the HeatSync::Error class of its area (ArgumentError or TypeError for an argument of
# the wrong type) with a message naming the place, and leaves the coordinator as it was.
module BadInput
  # A server plan the agent accepts (the one bad_input_cli.rs starts from).
  def good_plan(address, namespace = "/heat-sync/s1")
    {
      "format" => "heat-sync/server-plan", "version" => 1,
      "server" => { "resource" => "db" }, "tool" => "script",
      "roles" => [{
        "name" => "mysql", "run" => "#!/bin/sh\nheat-sync put db_host 10.0.0.5\n", "timeout" => 30,
        "inputs" => [], "outputs" => [{ "name" => "db_host", "path" => %w[mysql bind_address] }],
      }],
      "coordinator" => { "address" => address, "namespace" => namespace },
    }
  end

  def edited(plan)
    copy = JSON.parse(JSON.generate(plan))
    yield copy
    copy
  end

  # [case, plan text, text the message must hold]
  def bad_plans(good)
    text = JSON.generate(good)
    [
      ["empty", "", "not a valid heat-sync/server-plan"],
      ["binary", "\u0000\u0001{{{", "not a valid heat-sync/server-plan"],
      ["truncated", text[0, 40], "not a valid heat-sync/server-plan"],
      ["a-list", "[1, 2]", "format"],
      ["yaml", "format: heat-sync/server-plan\nversion: 1\n", "not a valid"],
      ["stack-format", edited(good) { |p| p["format"] = "heat-sync/stack-plan" }, 'format is "heat-sync/stack-plan"'],
      ["version-3", edited(good) { |p| p["version"] = 3 }, "plan version 3 is not supported"],
      ["version-string", edited(good) { |p| p["version"] = "1" }, "version"],
      ["no-roles", edited(good) { |p| p.delete("roles") }, "roles"],
      ["negative-timeout", edited(good) { |p| p["roles"][0]["timeout"] = -5 }, "roles[0].timeout: invalid value"],
      ["huge-timeout", edited(good) { |p| p["roles"][0]["timeout"] = 1e300 }, "roles[0].timeout: invalid type"],
      ["unknown-tool", edited(good) { |p| p["tool"] = "puppet" }, "puppet"],
      ["unknown-source",
       edited(good) { |p| p["roles"][0]["inputs"] = [{ "path" => ["a"], "place" => "p", "source" => { "kind" => "telepathy" } }] },
       "roles[0].inputs[0].source.kind: unknown variant `telepathy`"],
      ["relative-namespace", edited(good) { |p| p["coordinator"]["namespace"] = "heat-sync/s1" }, "coordinator.namespace"],
      ["empty-namespace", edited(good) { |p| p["coordinator"]["namespace"] = "" }, "coordinator.namespace"],
    ].map { |name, plan, needle| [name, plan.is_a?(String) ? plan : JSON.generate(plan), needle] }
  end

  def store_files(dir)
    Dir.glob("#{dir}/**/*", File::FNM_DOTMATCH).reject { |f| File.basename(f).start_with?(".") && File.directory?(f) }
  end
end

class BadPlanTest < Minitest::Test
  include BadInput
  include Stores

  def test_server_plans_are_refused_naming_the_file_and_the_field
    Dir.mktmpdir("heat-sync-bad-") do |dir|
      store = File.join(dir, "store")
      bad_plans(good_plan("embedded://#{store}")).each do |name, text, needle|
        error = assert_raises(HeatSync::PlanError, name) { HeatSync::ServerPlan.parse(text, file: "#{name}.json") }
        assert error.message.start_with?("#{name}.json: "), "#{name}: #{error.message}"
        assert_includes error.message, needle, name

        path = File.join(dir, "#{name}.json")
        File.write(path, text)
        error = assert_raises(HeatSync::PlanError, name) { HeatSync::ServerPlan.load(path) }
        assert error.message.start_with?("#{path}: "), error.message
        error = assert_raises(HeatSync::PlanError, name) { HeatSync::Client.from_server_plan(path) }
        assert_includes error.message, needle, name
      end
      assert_empty store_files(store), "a refused plan wrote to the store"
      # The good plan is accepted (so the refusals were about the plans).
      client = HeatSync::Client.from_server_plan(write_plan(good_plan("embedded://#{store}")))
      assert_equal 1, client.put("db.db_host", "10.0.0.5")
    end
  end

  def test_unreadable_plan_files_are_io_errors_naming_the_path
    Dir.mktmpdir("heat-sync-bad-") do |dir|
      [File.join(dir, "missing.json"), dir, ""].each do |path|
        error = assert_raises(HeatSync::IOError) { HeatSync::ServerPlan.load(path) }
        assert_includes error.message, path
        assert_raises(HeatSync::IOError) { HeatSync::Client.from_server_plan(path) }
      end
    end
  end

  def test_plans_of_the_wrong_type_are_type_errors
    [5, nil, ["format"]].each do |text|
      assert_raises(TypeError) { HeatSync::ServerPlan.parse(text) }
    end
    assert_raises(TypeError) { HeatSync::ServerPlan.parse("{}", file: 5) }
  end
end

class BadCoordinatorTest < Minitest::Test
  include BadInput
  include Stores

  # Malformed coordinator addresses, shared with the CLI and Python bad input tests.
  BAD_ADDRESSES = JSON.parse(File.read(File.expand_path("../../core/tests/reliability_support/bad_addresses.json",
                                                        __dir__))).freeze

  def test_bad_addresses_are_named
    BAD_ADDRESSES.each do |address|
      error = assert_raises(HeatSync::CoordinatorError, address) do
        HeatSync::Client.connect(address: address, namespace: "/heat-sync/s1")
      end
      assert_includes error.message, "coordinator address #{address.inspect}: "
      error = assert_raises(HeatSync::CoordinatorError, address) do
        HeatSync::Client.from_server_plan(write_plan(good_plan(address)))
      end
      assert_includes error.message, address.inspect
    end
  end

  def test_bad_namespaces_are_named_and_write_nothing
    Dir.mktmpdir("heat-sync-bad-") do |dir|
      ["", "relative", "/heat-sync/a//b", "/heat-sync/../other", "/"].each do |ns|
        error = assert_raises(HeatSync::CoordinatorError, ns) do
          HeatSync::Client.connect(address: "embedded://#{dir}/store", namespace: ns)
        end
        assert error.message.start_with?("coordinator namespace #{ns.inspect}: "), error.message
      end
      assert_empty store_files("#{dir}/store")
    end
  end

  def test_an_unreachable_coordinator_is_an_error_in_bounded_time
    port = TCPServer.open("127.0.0.1", 0) { |s| s.addr[1] }
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    error = assert_raises(HeatSync::CoordinatorError) do
      HeatSync::Client.connect(address: "zk://127.0.0.1:#{port}", namespace: "/heat-sync/s1",
                               credentials: { "user" => "admin", "secret" => "s" })
    end
    waited = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
    assert_includes error.message, "127.0.0.1:#{port}"
    assert_operator waited, :<, 120
    puts "unreachable coordinator refused after #{waited.round(1)} s"
  end
end

# Wrong secrets against the real ZooKeeper: refused, and the namespace as it was.
class BadCredentialsTest < Minitest::Test
  include BadInput
  include Stores

  def setup
    @address = zk_address
    @namespace = fresh_namespace
    @admin = HeatSync::Client.connect(address: @address, namespace: @namespace,
                                      credentials: { "user" => "admin", "secret" => "right" })
    db = HeatSync::Client.connect(address: @address, namespace: @namespace, server: "db",
                                  credentials: { "user" => "db", "secret" => "right" })
    db.put("db.db_host", "10.0.0.5")
    db.close
  end

  def teardown
    @admin&.close
  end

  def test_wrong_secrets_are_refused_and_change_nothing
    before = @admin.status
    root = zk_stat(@namespace)
    refute_nil root
    refused = []
    [["db", "db", "wrong"], [nil, "admin", "wrong"], ["db", "db", ""]].each do |server, user, secret|
      client = begin
        HeatSync::Client.connect(address: @address, namespace: @namespace, server: server,
                                 credentials: { "user" => user, "secret" => secret })
      rescue HeatSync::CoordinatorError => e
        refused << e.message
        next
      end
      [-> { client.put("db.db_host", "evil") }, -> { client.get("db.db_host", timeout: 1) }, -> { client.status }]
        .each { |request| refused << assert_raises(HeatSync::CoordinatorError) { request.call }.message }
      client.close
    end
    plan = good_plan(@address, @namespace)
    plan["coordinator"]["credentials"] = { "user" => "db", "secret" => "wrong" }
    refused << assert_raises(HeatSync::CoordinatorError) do
      HeatSync::Client.from_server_plan(write_plan(plan)).put("db.db_host", "evil")
    end.message
    refused.each do |message|
      assert_match(%r{coordinator node #{Regexp.escape(@namespace)}/.*permission denied}, message)
      refute_includes message, "right"
      refute_includes message, "wrong"
    end
    assert_equal before, @admin.status
    assert_equal root, zk_stat(@namespace)
    assert_equal "10.0.0.5", @admin.get("db.db_host", timeout: 5)
  end

  private

  def zk_cli
    [ENV.fetch("PATH", "").split(":").map { |d| File.join(d, "zkCli.sh") }, "/usr/share/zookeeper/bin/zkCli.sh"]
      .flatten.find { |f| File.file?(f) } or skip "zkCli.sh not found: cannot look at the coordinator"
  end

  # ZooKeeper's own `stat` of a node (no ACL needed); nil when it does not exist.
  def zk_stat(path)
    out, = Open3.capture2e(zk_cli, "-server", @address.delete_prefix("zk://"), "stat", path)
    return nil if out.include?("Node does not exist")

    stat = out.lines.map { |l| l.chomp.split(" = ", 2) }.select { |p| p.size == 2 }.to_h
    assert stat.key?("cversion"), out
    stat.slice("cversion", "dataVersion", "numChildren", "pZxid", "mZxid")
  end
end

class BadArgumentsTest < Minitest::Test
  include Stores

  def setup
    @db = HeatSync::Client.connect(address: embedded_address, namespace: fresh_namespace, server: "db")
  end

  def teardown
    @db&.close
  end

  def test_client_arguments_of_the_wrong_type
    [
      [-> { @db.get("db.x", timeout: "soon") }, ArgumentError, "timeout must be a number of seconds"],
      [-> { @db.get("db.x", timeout: :soon) }, ArgumentError, "timeout must be a number of seconds"],
      [-> { @db.get("db.x", timeout: -1) }, ArgumentError, "timeout -1"],
      [-> { @db.get("db.x", timeout: Float::NAN) }, ArgumentError, "timeout NaN"],
      [-> { @db.get("db.x", timeout: 0.1, progress_every: "often") }, ArgumentError, "progress_every must be"],
      [-> { @db.get("nodot", timeout: 0.1) }, ArgumentError, "nodot"],
      [-> { @db.get(5, timeout: 0.1) }, ArgumentError, "key 5"],
      [-> { @db.gather("web", "url", count: "two", timeout: 0.1) }, ArgumentError, "count must be a whole number"],
      [-> { @db.gather("web", "url", count: -1, timeout: 0.1) }, ArgumentError, "count must be a whole number"],
      [-> { @db.put("db.x", Object.new) }, TypeError, "value: a Object is not a JSON value"],
      [-> { @db.put("db.x", { "a" => [1, Time.now] }) }, TypeError, 'value["a"][1]: a Time is not a JSON value'],
      [-> { @db.put("db.x", { 1 => "v" }) }, TypeError, "the key 1 is not a String"],
      [-> { @db.put("db.x", Float::INFINITY) }, ArgumentError, "Infinity is not a JSON number"],
      [-> { @db.put("db.x", (1..150).reduce([]) { |inner, _| [inner] }) }, ArgumentError, "nests deeper than 100"],
      [-> { HeatSync::Client.connect(address: embedded_address, namespace: "/heat-sync/s", credentials: "s3cret") },
       ArgumentError, "credentials must be"],
      [-> { HeatSync::Client.connect(address: embedded_address, namespace: "/heat-sync/s", credentials: { "user" => "db" }) },
       ArgumentError, "credentials must be"],
      [-> { HeatSync::Client.connect(address: 5, namespace: "/heat-sync/s") }, HeatSync::CoordinatorError, 'address "5"'],
    ].each do |call, cls, needle|
      error = assert_raises(cls, needle) { call.call }
      assert_includes error.message, needle
      refute_includes error.message, "s3cret"
    end
    refute(@db.status["values"].any? { |v| v["key"] == "db.x" && v["version"] }, "a refused put published")
  end

  def test_values_json_carries_are_published_as_given
    assert_equal 1, @db.put("db.conf", { "a" => [1, 2.5, nil, true], b: :sym })
    assert_equal({ "a" => [1, 2.5, nil, true], "b" => "sym" }, @db.get("db.conf", timeout: 5))
    assert_equal 1, @db.put("db.port", "3306"), "a String stays a String"
  end
end

class PanicGuardTest < Minitest::Test
  def test_a_rust_panic_is_an_internal_error_not_fatal
    error = assert_raises(HeatSync::InternalError) { HeatSync::Native._panic_for_tests("an invariant broke") }
    assert_includes error.message, "an invariant broke"
    assert_includes error.message, "bug"
    # A plain `rescue => e` (Chef's, the interceptor's) catches it.
    caught = begin
      HeatSync::Native._panic_for_tests("again")
    rescue => e # rubocop:disable Style/RescueStandardError
      e
    end
    assert_kind_of HeatSync::Error, caught
    50.times { assert_raises(HeatSync::InternalError) { HeatSync::Native._panic_for_tests("many") } }
  end
end
