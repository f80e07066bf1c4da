# frozen_string_literal: true

require_relative "test_helper"
require "rbconfig"

# Two Ruby processes exchanging values through a real store: a chef-solo run (on the
# double, in a child process that loads the agent's solo.d drop-in) waits for
# a value this process publishes, then publishes its own output, which this process
# waits for.
class TwoProcessTest < Minitest::Test
  include Stores

  SUPPORT = File.expand_path("support", __dir__)

  def test_through_the_embedded_store
    exchange(embedded_address)
  end

  def test_through_zookeeper
    exchange(zk_address)
  end

  private

  def exchange(address)
    namespace = fresh_namespace
    plan = write_plan(server_plan(address: address, namespace: namespace))
    db = HeatSync::Client.connect(address: address, namespace: namespace, server: "db")
    load_path = ["-I", SUPPORT]
    load_path += ["-I", File.expand_path("../lib", __dir__)] if ENV["HEAT_SYNC_FROM_SOURCE"] == "1"
    drop_in = File.join(File.dirname(plan), "heat_sync.rb")
    File.write(drop_in, <<~RUBY) # the form core/src/agent/chef.rs writes
      # Written by the heat-sync agent for web/wordpress: the heat_sync gem intercepts reads of
      # declared inputs (blocking until they are published) and publishes outputs.
      require "heat_sync/chef"
      HeatSync::Chef.setup(server_plan: #{plan.to_json}, role: "wordpress")
    RUBY
    command = [RbConfig.ruby, *load_path, File.join(SUPPORT, "chef_run_child.rb"), drop_in]
    output = +""
    IO.popen(command, err: %i[child out]) do |child|
      Timeout.timeout(60) do
        output << child.gets.to_s until output.include?("waits for db.db_host from db/mysql") || child.eof?
      end
      assert_includes output, "heat-sync: node['wordpress']['db']['host'] waits for db.db_host from db/mysql"
      assert_equal 1, db.put("db.db_host", "10.1.2.3")
      assert_equal "http://10.1.2.3/wp", db.get("web.url", timeout: 60), "the child's on_write output"
      Timeout.timeout(60) { output << child.read }
    end
    assert $?.success?, "the child run failed:\n#{output}"
    assert_includes output, "host=10.1.2.3"
    assert_match(/published web\.url = "http:\/\/10\.1\.2\.3\/wp" \(version 1, on write\)/, output)
  ensure
    db&.close
  end
end
