# frozen_string_literal: true

require_relative "test_helper"

# HeatSync::Client (the native extension around the core client), the same contract on
# each store.
module ClientContract
  include TestHelpers
  include Stores

  def setup
    @namespace = fresh_namespace
    @db = HeatSync::Client.connect(address: address, namespace: @namespace, server: "db")
    @web = HeatSync::Client.connect(address: address, namespace: @namespace, server: "web")
  end

  def teardown
    @db&.close
    @web&.close
  end

  def test_put_then_get_returns_the_value_and_versions_count_changes
    assert_equal 1, @db.put("db.db_host", "10.0.0.5")
    assert_equal 1, @db.put("db.db_host", "10.0.0.5"), "the same content is the same version"
    assert_equal "10.0.0.5", @web.get("db.db_host", timeout: 5)
    assert_equal 2, @db.put("db.db_host", "10.0.0.6")
    assert_equal({ "a" => [1, nil, true] }, (@db.put("db.conf", { "a" => [1, nil, true] }) && @web.get("db.conf", timeout: 5)))
  end

  def test_a_wait_releases_the_vm_lock_until_the_value_arrives
    ticks = 0
    ticker = Thread.new { loop { ticks += 1; sleep 0.01 } }
    Thread.new { sleep 0.4; @db.put("db.port", 3306) }
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    assert_equal 3306, @web.get("db.port", timeout: 10)
    waited = Process.clock_gettime(Process::CLOCK_MONOTONIC) - started
    ticker.kill
    assert_operator waited, :>=, 0.35
    assert_operator ticks, :>=, 15, "other Ruby threads ran during the wait"
  end

  def test_a_timeout_raises_heat_sync_timeout_error_naming_key_and_producer
    error = assert_raises(HeatSync::TimeoutError) { @web.get("db.never", timeout: 0.3) }
    assert_match(/timed out after \d+ s waiting for db\.never from db/, error.message)
    assert_kind_of HeatSync::Error, error
  end

  def test_progress_messages_while_waiting
    messages = Queue.new
    Thread.new { sleep 0.35; @db.put("db.slow", "v") }
    assert_equal "v", @web.get("db.slow", timeout: 5, progress_every: 0.1) { |m| messages << m }
    assert_operator messages.size, :>=, 2
    assert_match(/\Awaiting \d+ s for db\.slow from db\z/, messages.pop)
    error = assert_raises(HeatSync::TimeoutError) { @web.get("db.never", timeout: 0.2, producer: "db/mysql") }
    assert_match(%r{waiting for db\.never from db/mysql\z}, error.message)
  end

  def test_a_signal_interrupts_a_wait
    # Ruby's own SIGINT handler (raise Interrupt), even where a parent left SIGINT ignored
    previous = trap("INT", "DEFAULT")
    Thread.new { sleep 0.2; Process.kill("INT", Process.pid) }
    started = Process.clock_gettime(Process::CLOCK_MONOTONIC)
    assert_raises(Interrupt) { @web.get("db.never", timeout: 20) }
    assert_operator Process.clock_gettime(Process::CLOCK_MONOTONIC) - started, :<, 5
  ensure
    trap("INT", previous || "DEFAULT")
  end

  def test_thread_raise_interrupts_a_wait
    main = Thread.current
    Thread.new { sleep 0.2; main.raise(ArgumentError, "stop waiting") }
    error = assert_raises(ArgumentError) { @web.get("db.never", timeout: 20) }
    assert_equal "stop waiting", error.message
  end

  def test_a_trap_that_raises_nothing_resumes_the_wait
    trapped = 0
    previous = trap("USR1") { trapped += 1 }
    Thread.new { sleep 0.2; Process.kill("USR1", Process.pid); sleep 0.3; @db.put("db.later", 7) }
    assert_equal 7, @web.get("db.later", timeout: 10)
    assert_equal 1, trapped
  ensure
    trap("USR1", previous || "DEFAULT")
  end

  def test_gather_returns_members_in_order
    members = 2.times.map { |n| HeatSync::Client.connect(address: address, namespace: @namespace, server: "web.#{n}") }
    Thread.new { sleep 0.2; members[1].put("web.1.url", "http://b/"); members[0].put("web.0.url", "http://a/") }
    assert_equal ["http://a/", "http://b/"], @db.gather("web", "url", count: 2, timeout: 10)
  ensure
    members&.each(&:close)
  end

  def test_status_shows_values_with_secrets_hidden
    @db.put("db.db_host", "10.0.0.5")
    status = @db.status
    assert_equal @namespace, status["namespace"]
    assert_includes status["values"].map { |v| v["key"] }, "db.db_host"
  end

  def test_a_closed_client_raises_coordinator_error
    @db.close
    assert_raises(HeatSync::CoordinatorError) { @db.put("db.x", 1) }
  end
end

class EmbeddedClientTest < Minitest::Test
  include ClientContract

  def address
    @address ||= embedded_address
  end
end

class ZooKeeperClientTest < Minitest::Test
  include ClientContract

  def address
    @address ||= zk_address
  end
end

# Plans and errors that do not need a store.
class NativeTest < Minitest::Test
  include Stores

  def test_server_plans_are_checked_by_the_core
    error = assert_raises(HeatSync::PlanError) { HeatSync::ServerPlan.parse('{"format":"heat-sync/server-plan","version":3}', file: "p.json") }
    assert_match(/p\.json: plan version 3 is not supported \(this heat-sync reads versions 1 and 2\)/, error.message)
    assert_raises(HeatSync::IOError) { HeatSync::ServerPlan.load("/nonexistent/plan.json") }
    plan = HeatSync::ServerPlan.load(write_plan(server_plan(address: "embedded:///tmp/x", namespace: "/heat-sync/s")))
    assert_equal "web", plan.server_name
    assert_equal "wordpress", plan.role("wordpress")["name"]
    error = assert_raises(HeatSync::PlanError) { plan.role("nginx") }
    assert_match(/has no role "nginx" \(roles: wordpress\)/, error.message)
  end

  def test_bad_addresses_raise_coordinator_error
    error = assert_raises(HeatSync::CoordinatorError) do
      HeatSync::Client.connect(address: "embedded://relative", namespace: "/heat-sync/x")
    end
    assert_match(/absolute directory/, error.message)
    assert_raises(HeatSync::CoordinatorError) { HeatSync::Client.connect(address: "embedded:///tmp", namespace: "bad") }
  end

  def test_from_server_plan_acts_as_the_plan_server
    address = embedded_address
    namespace = fresh_namespace
    client = HeatSync::Client.from_server_plan(write_plan(server_plan(address: address, namespace: namespace)))
    assert_equal 1, client.put("web.url", "u")
    reader = HeatSync::Client.connect(address: address, namespace: namespace)
    assert_equal "u", reader.get("web.url", timeout: 5)
  end

  def test_keys_as_strings
    assert_equal({ "server" => { "resource" => "web", "member" => "3" }, "output" => "url" }, HeatSync::Keys.key("web.3.url"))
    assert_equal({ "server" => { "resource" => "db" }, "output" => "db_host" }, HeatSync::Keys.key("db.db_host"))
    assert_raises(ArgumentError) { HeatSync::Keys.key("nodot") }
  end
end
