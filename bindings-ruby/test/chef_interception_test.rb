# frozen_string_literal: true

require_relative "test_helper"
require "chef_double"
require "fake_client"
require "heat_sync/chef"

# heat_sync/chef against the Chef double, with an in-memory client: every read and
# write route of shared/chef-attributes.md.
class ChefInterceptionTest < Minitest::Test
  include TestHelpers

  DB_HOST = { "server" => { "resource" => "db" }, "output" => "db_host" }.freeze
  FROM_DB = { "server" => { "resource" => "db" }, "role" => "mysql" }.freeze

  def wait_input(path, output, producer: FROM_DB)
    { "path" => path, "place" => "resources.web.metadata.heat_sync.roles[0].inputs.#{path.join(".")}",
      "source" => { "kind" => "wait", "key" => { "server" => producer["server"], "output" => output },
                    "producer" => producer } }
  end

  def role
    {
      "name" => "wordpress",
      "timeout" => 20,
      "inputs" => [
        wait_input(%w[wordpress db host], "db_host"),
        { "path" => %w[wordpress db password], "place" => "p",
          "source" => { "kind" => "static", "value" => "s3cret", "secret" => true } },
        wait_input(%w[mysql password], "root_password"),
        { "path" => %w[servers 0 ip], "place" => "p", "source" => { "kind" => "static", "value" => "10.0.0.9" } },
        { "path" => %w[lb members], "place" => "p",
          "source" => { "kind" => "gather", "group" => "web", "output" => "url", "role" => "wordpress", "count" => 2 } },
      ],
      "outputs" => [
        { "name" => "url", "path" => %w[wordpress url], "publish" => "on_write" },
        { "name" => "site", "path" => %w[site], "publish" => "on_finish" },
        { "name" => "token", "path" => %w[wordpress token], "publish" => "on_write", "secret" => true },
      ],
    }
  end

  def setup
    Chef::Config.reset!
    Chef::Log.messages.clear
    @client = FakeClient.new
    @log = Queue.new
    @interceptor = HeatSync::Chef::Interceptor.new(server: { "resource" => "web" }, role: role,
                                                   client: @client, log: ->(m) { @log << m })
    HeatSync::Chef.install(@interceptor)
  end

  def teardown
    HeatSync::Chef.uninstall
  end

  # A node after node_load_completed (statics placed), attribute files and recipe
  # compilation started (writes publish).
  def loaded_node(recipe_phase: true)
    node = Chef::Node.new
    node.default["mysql"]["port"] = 3306
    node.default["wordpress"]["db"]["name"] = "wp"
    @interceptor.node_loaded(node.attributes)
    @interceptor.arm! if recipe_phase
    node
  end

  # Runs the block in a thread, checks it blocks on `key`, publishes `value` and
  # returns what the block returned.
  def blocked_until_published(key, value, &block)
    reader = Thread.new(&block)
    reader.report_on_exception = false
    assert_equal key, next_wait(@client)
    sleep 0.05
    assert reader.alive?, "the read must wait for #{key}"
    @client.put(key, value)
    assert reader.join(5), "the read must end once #{key} is published"
    reader.value
  end

  # A fresh interceptor and node; `read` must wait for db.root_password and return it.
  def assert_read_waits_for_root_password(name, read)
    teardown
    setup
    node = loaded_node
    assert_equal "pw", blocked_until_published("db.root_password", "pw") { read.call(node) }, name
  end

  def log_lines
    lines = []
    lines << @log.pop until @log.empty?
    lines
  end

  # --- inputs -------------------------------------------------------------------------

  def test_static_inputs_sit_at_force_override_from_node_load
    node = loaded_node
    node.override["wordpress"]["db"]["password"] = "lower"
    assert_equal "s3cret", node["wordpress"]["db"]["password"]
    assert_equal "s3cret", node.force_override["wordpress"]["db"]["password"]
    assert_equal "10.0.0.9", node["servers"][0]["ip"], "a whole-number segment indexes an array"
    assert_instance_of Chef::Node::ImmutableArray, node["servers"]
    assert_equal 0, @client.count(:get)
  end

  def test_run_time_input_read_blocks_then_sits_at_force_override
    node = loaded_node
    node.default["wordpress"]["db"]["host"] = "localhost"
    value = blocked_until_published("db.db_host", "10.0.0.5") { node["wordpress"]["db"]["host"] }
    assert_equal "10.0.0.5", value
    assert_equal "10.0.0.5", node.force_override["wordpress"]["db"]["host"]
    assert_equal "10.0.0.5", node["wordpress"]["db"]["host"]
    assert_equal 1, @client.count(:get), "one wait per input"
    lines = log_lines
    assert_includes lines, "heat-sync: node['wordpress']['db']['host'] waits for db.db_host from db/mysql"
    assert(lines.any? { |l| l.start_with?("heat-sync: waiting") }, "progress while waiting: #{lines}")
    assert(lines.any? { |l| l.start_with?("heat-sync: got db.db_host from db/mysql after") })
  end

  def test_a_container_held_before_the_value_arrived_returns_a_fresh_read
    node = loaded_node
    db = node["wordpress"]["db"]
    assert_equal "10.0.0.5", blocked_until_published("db.db_host", "10.0.0.5") { db["host"] }
    assert_equal "10.0.0.5", db["host"], "the stale container still answers with the placed value"
  end

  def test_sibling_and_ancestor_reads_never_block
    node = loaded_node
    Timeout.timeout(2) do
      assert_equal 3306, node["mysql"]["port"]
      assert_equal "wp", node["wordpress"]["db"]["name"]
      assert_kind_of Hash, node["wordpress"]
      assert_kind_of Hash, node["wordpress"]["db"]
      assert_equal 3306, node["mysql"].fetch("port")
      assert node["mysql"].key?("port")
      assert_equal [3306], node["mysql"].values_at("port")
      assert_equal 3306, node.read("mysql", "port")
      assert_equal "s3cret", node["wordpress"]["db"]["password"]
    end
    assert_equal 0, @client.count(:get)
  end

  def test_whole_container_reads_of_an_ancestor_wait_for_the_inputs_beneath
    {
      "to_hash" => ->(n) { n["mysql"].to_hash["password"] },
      "to_h" => ->(n) { n["mysql"].to_h["password"] },
      "each" => ->(n) { found = nil; n["mysql"].each { |k, v| found = v if k == "password" }; found },
      "each_pair" => ->(n) { n["mysql"].each_pair.to_a.to_h["password"] },
      "values" => ->(n) { (n["mysql"].values - [3306]).first },
      "keys" => ->(n) { n["mysql"].keys.include?("password") && n["mysql"]["password"] },
      "to_json" => ->(n) { JSON.parse(n["mysql"].to_json)["password"] },
      "map" => ->(n) { n["mysql"].map { |k, v| v if k == "password" }.compact.first },
      "select" => ->(n) { n["mysql"].select { |k, _| k == "password" }.values.first },
      "merge" => ->(n) { n["mysql"].merge("x" => 1)["password"] },
      "dup" => ->(n) { n["mysql"].dup["password"] },
      "size" => ->(n) { n["mysql"].size == 2 && n["mysql"]["password"] },
    }.each { |name, read| assert_read_waits_for_root_password(name, read) }
  end

  def test_targeted_container_reads_wait_for_their_key_only
    {
      "fetch" => ->(n) { n["mysql"].fetch("password") },
      "key?" => ->(n) { n["mysql"].key?("password") && n["mysql"]["password"] },
      "include?" => ->(n) { n["mysql"].include?("password") && n["mysql"]["password"] },
      "values_at" => ->(n) { n["mysql"].values_at("port", "password").last },
      "dig" => ->(n) { n["mysql"].dig("password") },
      "node.read" => ->(n) { n.read("mysql", "password") },
      "node.dig" => ->(n) { n.dig("mysql", "password") },
      "node.exist?" => ->(n) { n.exist?("mysql", "password") && n["mysql"]["password"] },
      "symbol keys" => ->(n) { n[:mysql][:password] },
      "attributes.read" => ->(n) { n.attributes.read("mysql", "password") },
    }.each { |name, read| assert_read_waits_for_root_password(name, read) }
  end

  def test_reads_through_the_merge_cache_without_node_state
    node = loaded_node
    node["mysql"]
    cached = node.attributes.deep_merge_cache["mysql"]
    assert_nil cached.__node__
    assert_equal "pw", blocked_until_published("db.root_password", "pw") { cached["password"] }
  end

  def test_whole_node_calls_never_block
    node = loaded_node
    Timeout.timeout(2) do
      node.to_hash
      node.to_json
      node.each { |_k, _v| nil }
      node.keys
      node.attributes.to_hash
      node.attributes.values
      node.attributes.merged_attributes
    end
    assert_equal 0, @client.count(:get)
  end

  def test_lazy_attribute_reading_an_input_waits_when_evaluated
    node = loaded_node
    node.default["wordpress"]["dsn"] = Chef::DelayedEvaluator.new { "mysql://#{node["wordpress"]["db"]["host"]}" }
    assert_equal "mysql://db.example", blocked_until_published("db.db_host", "db.example") { node["wordpress"]["dsn"] }
  end

  def test_gathered_input_is_the_list_in_member_order
    node = loaded_node
    reader = Thread.new { node["lb"]["members"].to_a }
    @client.put("web.1.url", "http://b/")
    @client.put("web.0.url", "http://a/")
    assert reader.join(5)
    assert_equal ["http://a/", "http://b/"], reader.value
  end

  def test_an_expression_input_is_evaluated_by_the_core_once_its_values_arrive
    expression = {
      "kind" => "expression", "template_version" => "heat_template_version.2016-10-14",
      "expression" => { "list_join" => [",", [{ "get_attr" => %w[heat_sync_args 0] },
                                              { "get_attr" => %w[heat_sync_args 1] }]] },
      "args" => [wait_input(%w[x], "db_host")["source"], { "kind" => "static", "value" => "3306" }]
    }
    role = { "name" => "wordpress", "timeout" => 20, "outputs" => [],
             "inputs" => [{ "path" => %w[wordpress dsn], "place" => "inputs.wordpress.dsn", "source" => expression }] }
    interceptor = HeatSync::Chef::Interceptor.new(server: { "resource" => "web" }, role: role,
                                                  client: @client, log: ->(m) { @log << m })
    HeatSync::Chef.install(interceptor)
    node = Chef::Node.new
    interceptor.node_loaded(node.attributes)
    assert_equal "db.example,3306",
                 blocked_until_published("db.db_host", "db.example") { node["wordpress"]["dsn"] }
    bad = expression.merge("expression" => { "list_join" => [",", { "get_attr" => %w[heat_sync_args 0] }] })
    error = assert_raises(HeatSync::PlanError) do
      HeatSync::Native.evaluate_expression("inputs.x", JSON.generate(bad), JSON.generate([42, "3306"]))
    end
    assert_match(/\Ainputs\.x: evaluating the expression failed: TypeError/, error.message)
  end

  def test_the_merged_view_stays_immutable
    node = loaded_node
    assert_raises(Chef::Exceptions::ImmutableAttributeModification) do
      node["wordpress"]["db"]["password"] = "x"
    end
    assert_raises(Chef::Exceptions::ImmutableAttributeModification) { node["servers"] << {} }
  end

  def test_a_timeout_names_what_was_awaited
    interceptor = HeatSync::Chef::Interceptor.new(server: { "resource" => "web" }, role: role.merge("timeout" => 0.2),
                                                  client: @client, log: ->(_) {})
    HeatSync::Chef.install(interceptor)
    node = loaded_node
    error = assert_raises(HeatSync::TimeoutError) { node["wordpress"]["db"]["host"] }
    assert_match(%r{waiting for db\.db_host from db/mysql}, error.message)
  end

  def test_reads_of_unwatched_keys_skip_the_interceptor
    node = loaded_node
    counting = Class.new(SimpleDelegator) do
      attr_reader :calls

      def targeted_read(*args, &block)
        @calls = (@calls || 0) + 1
        __getobj__.targeted_read(*args, &block)
      end
    end.new(@interceptor)
    HeatSync::Chef.instance_variable_set(:@interceptor, counting)
    node.default["other"]["x"] = 1
    100.times { node["other"]["x"] }
    assert_nil counting.calls
    node["mysql"]["port"]
    assert_equal 2, counting.calls, "watched key: the top-level read and the nested one"
  end

  def test_other_nodes_are_not_intercepted
    loaded_node
    other = Chef::Node.new # a search result, a node a recipe loads
    other.default["mysql"]["password"] = "theirs"
    other.default["wordpress"]["url"] = "elsewhere"
    Timeout.timeout(2) do
      assert_equal "theirs", other["mysql"]["password"]
      assert_equal "theirs", other.read("mysql", "password")
      assert_equal({ "password" => "theirs" }, other["mysql"].to_hash)
    end
    assert_equal 0, @client.count(:get)
    assert_empty @client.versions("web.url")
  end

  # --- outputs ------------------------------------------------------------------------

  def test_on_write_publishes_the_merged_value_at_the_first_recipe_write
    node = loaded_node(recipe_phase: false)
    node.default["wordpress"]["url"] = "http://default/" # an attribute file
    assert_empty @client.versions("web.url"), "attribute-file defaults never publish"
    @interceptor.arm!
    node.override["wordpress"]["url"] = "http://override/"
    assert_equal ["http://override/"], @client.versions("web.url")
    node.default["wordpress"]["url"] = "http://other-default/"
    assert_equal ["http://override/"], @client.versions("web.url"), "the merged value did not change"
  end

  def test_every_write_route_publishes_a_changed_value
    node = loaded_node
    routes = {
      "default[]=" => -> { node.default["wordpress"]["url"] = "a" },
      "force_default" => -> { node.force_default["wordpress"]["url"] = "d" },
      "normal[]=" => -> { node.normal["wordpress"]["url"] = "b" },
      "override[]=" => -> { node.override["wordpress"]["url"] = "c" },
      "hidden by override" => -> { node.normal["wordpress"]["url"] = "hidden" },
      "force_override" => -> { node.force_override["wordpress"]["url"] = "e" },
      "force_override!" => -> { node.force_override!("wordpress", "url", "f") },
      "write" => -> { node.write(:force_override, "wordpress", "url", "g") },
      "merge! on a level" => -> { node.force_override["wordpress"].merge!("url" => "h") },
      "update on a level" => -> { node.force_override["wordpress"].update("url" => "i") },
      "store" => -> { node.force_override["wordpress"].store("url", "j") },
      "replace a parent" => -> { node.force_override["wordpress"] = { "url" => "k" } },
      "whole level" => -> { node.attributes.force_override = { "wordpress" => { "url" => "l" } } },
      "delete" => -> { node.force_override["wordpress"].delete("url") },
    }
    routes.each_value(&:call)
    assert_equal %w[a d b c e f g h i j k l c], @client.versions("web.url"),
                 "each change of the merged value; after the delete, override's value again"
    assert_equal "c", node["wordpress"]["url"]
  end

  def test_array_mutations_publish
    interceptor = HeatSync::Chef::Interceptor.new(
      server: { "resource" => "web" }, client: @client, log: ->(_) {},
      role: { "name" => "r", "timeout" => 5, "inputs" => [],
              "outputs" => [{ "name" => "peers", "path" => %w[cluster peers], "publish" => "on_write" }] }
    )
    HeatSync::Chef.install(interceptor)
    node = Chef::Node.new
    interceptor.node_loaded(node.attributes)
    interceptor.arm!
    node.default["cluster"]["peers"] = []
    node.default["cluster"]["peers"] << "a"
    node.default["cluster"]["peers"].push("b")
    node.default["cluster"]["peers"].concat(["c"])
    assert_equal [[], ["a"], %w[a b], %w[a b c]], @client.versions("web.peers")
  end

  def test_default_unless_and_default_bang
    node = loaded_node
    node.default_unless("wordpress", "url", "first")
    node.default_unless("wordpress", "url", "ignored")
    node.default!("wordpress", "url", "second")
    assert_equal %w[first second], @client.versions("web.url")
  end

  def test_on_finish_outputs_publish_once_at_the_end_of_the_converge
    node = loaded_node
    node.default["site"] = "draft"
    node.override["site"] = "http://final/"
    node.default["wordpress"]["url"] = "u"
    node.default["wordpress"]["token"] = "t"
    assert_empty @client.versions("web.site")
    @interceptor.finish!
    assert_equal ["http://final/"], @client.versions("web.site")
    node.override["wordpress"]["token"] = "t0k3n"
    @interceptor.finish!
    assert_equal ["http://final/"], @client.versions("web.site"), "finish publishes once"
  end

  def test_a_missing_output_fails_the_run_naming_it
    node = loaded_node
    node.default["wordpress"]["url"] = "u"
    error = assert_raises(HeatSync::OutputError) { @interceptor.finish! }
    assert_match(/output site has no value at node\['site'\]/, error.message)
    assert_match(/output token has no value at node\['wordpress'\]\['token'\]/, error.message)
  end

  def test_container_outputs_publish_plain_json
    node = loaded_node
    node.default["site"] = { "hosts" => ["a", { "b" => 1 }] }
    node.default["wordpress"]["url"] = "u"
    node.default["wordpress"]["token"] = "t"
    @interceptor.finish!
    assert_equal [{ "hosts" => ["a", { "b" => 1 }] }], @client.versions("web.site")
  end

  def test_secret_outputs_are_never_logged
    node = loaded_node
    node.default["wordpress"]["token"] = "t0k3n"
    assert_equal ["t0k3n"], @client.versions("web.token")
    lines = log_lines
    assert(lines.any? { |l| l.include?("published web.token = ******") }, lines.inspect)
    refute(lines.any? { |l| l.include?("t0k3n") })
  end

  def test_interceptor_writes_keep_chef_events_and_immutability_intact
    events = Class.new(Chef::EventDispatch::Base) do
      attr_reader :changes

      def attribute_changed(precedence, keys, _value)
        (@changes ||= []) << [precedence, keys]
      end
    end.new
    node = loaded_node
    node.run_context = Chef::RunContext.new(node, events)
    node.default["wordpress"]["url"] = "x"
    assert_includes events.changes, [:default, %w[wordpress url]]
  end
end
