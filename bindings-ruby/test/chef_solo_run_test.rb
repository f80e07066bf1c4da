# frozen_string_literal: true

require_relative "test_helper"
require "chef_double"
require "fake_client"
require "heat_sync/chef"

# Whole chef-solo runs on the double, with the interception installed the way the
# drop-in installs it (its event handler in Chef::Config[:event_handlers]): when a
# server waits, and when outputs are published.
class ChefSoloRunTest < Minitest::Test
  include TestHelpers

  # Records the events in order, with the waits the fake client saw.
  class Recorder < Chef::EventDispatch::Base
    attr_reader :seen

    def initialize
      super
      @seen = Queue.new
    end

    %i[attribute_load_start recipe_load_start converge_start converge_complete].each do |event|
      define_method(event) { |*_args| @seen << event }
    end

    def run_completed(_node, _status)
      @seen << :run_completed
    end

    def run_failed(exception, _status)
      @seen << [:run_failed, exception.class]
    end
  end

  def role(outputs: nil)
    {
      "name" => "wordpress", "timeout" => 20,
      "inputs" => [
        { "path" => %w[wordpress db host], "place" => "p",
          "source" => { "kind" => "wait", "key" => { "server" => { "resource" => "db" }, "output" => "db_host" },
                        "producer" => { "server" => { "resource" => "db" }, "role" => "mysql" } } },
        { "path" => %w[wordpress db user], "place" => "p", "source" => { "kind" => "static", "value" => "wp" } },
      ],
      "outputs" => outputs || [
        { "name" => "url", "path" => %w[wordpress url], "publish" => "on_write" },
        { "name" => "admin", "path" => %w[wordpress admin], "publish" => "on_finish" },
      ],
    }
  end

  def setup
    Chef::Config.reset!
    @client = FakeClient.new
    @recorder = Recorder.new
    Chef::Config[:event_handlers] << @recorder
  end

  def teardown
    HeatSync::Chef.uninstall
  end

  def install(role)
    HeatSync::Chef.install(HeatSync::Chef::Interceptor.new(server: { "resource" => "web" }, role: role,
                                                           client: @client, log: ->(_) {}))
  end

  # Events until the run waits on the coordinator, then until it ends.
  def events_around_the_wait(run, value)
    thread = Thread.new { run.run }
    thread.report_on_exception = false
    assert_equal "db.db_host", next_wait(@client)
    before = []
    before << @recorder.seen.pop until @recorder.seen.empty?
    @client.put("db.db_host", value)
    assert thread.join(5)
    after = []
    after << @recorder.seen.pop until @recorder.seen.empty?
    [before, after, thread.value]
  end

  def test_compile_time_reads_wait_before_the_converge
    install(role)
    run = ChefDouble::SoloRun.new(
      attribute_files: [-> { default["wordpress"]["admin"] = "admin" }],
      recipes: [lambda {
        template("/etc/wp.conf", variables: { host: node["wordpress"]["db"]["host"] })
        node.default["wordpress"]["url"] = "http://web/"
      }],
    )
    before, after, node = events_around_the_wait(run, "10.0.0.5")
    assert_equal %i[attribute_load_start recipe_load_start], before
    assert_equal %i[converge_start converge_complete run_completed], after
    assert_equal "10.0.0.5", node["wordpress"]["db"]["host"]
    assert_equal ["http://web/"], @client.versions("web.url")
    assert_equal ["admin"], @client.versions("web.admin")
  end

  def test_converge_time_reads_wait_during_the_converge
    install(role)
    rendered = nil
    run = ChefDouble::SoloRun.new(
      attribute_files: [-> { default["wordpress"]["admin"] = "admin" }],
      recipes: [lambda {
        template("/etc/wp.conf") { |_vars| rendered = "host=#{node["wordpress"]["db"]["host"]}" }
        node.default["wordpress"]["url"] = "http://web/"
      }],
    )
    before, after, = events_around_the_wait(run, "10.0.0.5")
    assert_equal %i[attribute_load_start recipe_load_start converge_start], before
    assert_equal %i[converge_complete run_completed], after
    assert_equal "host=10.0.0.5", rendered
  end

  def test_attribute_file_defaults_never_publish_on_write_outputs
    install(role)
    during_compile = :unset
    run = ChefDouble::SoloRun.new(
      json_attribs: { "wordpress" => { "url" => "from -j" } },
      attribute_files: [-> { default["wordpress"]["url"] = "attr-default"; default["wordpress"]["admin"] = "a" }],
    )
    client = @client
    run.instance_variable_set(:@recipes, [-> { during_compile = client.versions("web.url") }])
    run.run
    assert_equal [], during_compile, "neither -j attributes nor attribute files publish"
    assert_equal ["from -j"], @client.versions("web.url"), "published once, at the end, with the merged value"
  end

  def test_static_inputs_are_placed_before_attribute_files_run
    install(role)
    seen = nil
    run = ChefDouble::SoloRun.new(
      attribute_files: [lambda {
        seen = self["wordpress"]["db"]["user"]
        default["wordpress"]["url"] = "u"
        default["wordpress"]["admin"] = "a"
      }],
    )
    run.run
    assert_equal "wp", seen
    assert_equal "wp", run.node.force_override["wordpress"]["db"]["user"]
  end

  def test_a_missing_output_fails_the_run
    install(role)
    run = ChefDouble::SoloRun.new(attribute_files: [-> { default["wordpress"]["url"] = "u" }])
    error = assert_raises(HeatSync::OutputError) { run.run }
    assert_match(/output admin has no value at node\['wordpress'\]\['admin'\]/, error.message)
    seen = []
    seen << @recorder.seen.pop until @recorder.seen.empty?
    assert_equal [:run_failed, HeatSync::OutputError], seen.last
  end

  def test_saving_the_node_never_waits_for_unread_inputs
    install(role)
    run = ChefDouble::SoloRun.new(attribute_files: [lambda {
      default["wordpress"]["url"] = "u"
      default["wordpress"]["admin"] = "a"
    }])
    Timeout.timeout(5) { run.run }
    assert_equal 0, @client.count(:get)
    assert_equal "wp", run.saved["wordpress"]["db"]["user"]
  end
end
