# frozen_string_literal: true

require_relative "test_helper"
require "chef_double"

# The double must behave as chef-attributes.md says Chef does, or the interception
# tests prove nothing. These check the facts the interception rests on.
class ChefDoubleTest < Minitest::Test
  def setup
    @node = Chef::Node.new
  end

  def test_merge_order_of_the_ten_levels
    levels = %i[default env_default role_default force_default normal override role_override
                env_override force_override automatic]
    levels.each_with_index do |level, n|
      @node.attributes.send(level)["k"]["v"] = n
      assert_equal n, @node["k"]["v"], "#{level} must beat every lower level"
    end
  end

  def test_hashes_merge_key_by_key_and_arrays_union_within_defaults_only
    @node.default["a"]["x"] = 1
    @node.override["a"]["y"] = 2
    assert_equal({ "x" => 1, "y" => 2 }, @node["a"].to_hash)
    @node.default["list"] = [1, 2]
    @node.force_default["list"] = [2, 3]
    assert_equal [1, 2, 3], @node["list"].to_a
    @node.normal["list"] = [9]
    assert_equal [9], @node["list"].to_a, "a higher group replaces arrays"
  end

  def test_merged_reads_are_immutable
    @node.default["a"]["b"] = { "c" => [1] }
    assert_raises(Chef::Exceptions::ImmutableAttributeModification) { @node["a"]["b"]["d"] = 1 }
    assert_raises(Chef::Exceptions::ImmutableAttributeModification) { @node["a"]["b"]["c"] << 2 }
    assert_raises(Chef::Exceptions::ImmutableAttributeModification) { @node["a"].merge!("x" => 1) }
    assert_instance_of Chef::Node::ImmutableMash, @node["a"]["b"]
    assert_instance_of Chef::Node::ImmutableArray, @node["a"]["b"]["c"]
  end

  def test_path_tracking_on_merged_and_level_containers
    @node.default["a"]["b"]["c"] = [{ "d" => 1 }]
    merged = @node["a"]["b"]
    assert_equal %w[a b], merged.__path__
    assert_equal :merged, merged.__precedence__
    assert_same @node, merged.__node__
    assert_same @node.attributes, merged.__root__
    assert_equal ["a", "b", "c", 0], @node["a"]["b"]["c"][0].__path__
    level = @node.default["a"]["b"]
    assert_equal %w[a b], level.__path__
    assert_equal :default, level.__precedence__
    @node.default[:x][:y] = 1
    assert_equal ["x"], @node[:x].__path__, "symbols become strings"
  end

  def test_top_level_reads_go_through_the_cache_with_an_empty_path
    @node.default["a"]["b"] = 1
    @node["a"]
    cache = @node.attributes.deep_merge_cache
    assert_equal [], cache.__path__
    assert cache.key?("a")
    @node.default["a"]["b"] = 2
    refute cache.key?("a"), "a write resets the cache entry of its top-level key"
    assert_equal 2, @node["a"]["b"]
  end

  def test_read_and_dig_reach_containers_through_the_cache_without_node
    @node.default["a"]["b"]["c"] = 1
    assert_equal 1, @node.read("a", "b", "c")
    assert_equal 1, @node.dig("a", "b", "c")
    assert @node.exist?("a", "b", "c")
    refute @node.exist?("a", "x")
    container = @node.attributes.deep_merge_cache["a"]["b"]
    assert_equal %w[a b], container.__path__
    assert_nil container.__node__, "reached through the cache: no node, the path stays right"
  end

  def test_level_reads_autovivify
    refute @node.default.key?("new")
    @node.default["new"]
    assert @node.default.key?("new")
    assert_instance_of Chef::Node::VividMash, @node.default["new"]["deeper"]
  end

  def test_whole_level_replacement_and_reset
    @node.normal_attrs = { "j" => { "k" => 1 } }
    assert_equal 1, @node["j"]["k"]
    @node.default["d"] = 1
    @node.reset_defaults_and_overrides
    assert_nil @node["d"]
  end

  def test_lazy_values_are_evaluated_by_brackets_only
    @node.default["l"]["v"] = Chef::DelayedEvaluator.new { "late" }
    assert_equal "late", @node["l"]["v"]
    assert_kind_of Chef::DelayedEvaluator, @node["l"].fetch("v")
  end

  def test_attribute_changed_fires_only_with_a_run_context
    events = Class.new(Chef::EventDispatch::Base) do
      attr_reader :seen

      def attribute_changed(precedence, keys, value)
        (@seen ||= []) << [precedence, keys, value]
      end
    end.new
    @node.default["a"]["b"] = 1
    assert_nil events.seen
    @node.run_context = Chef::RunContext.new(@node, events)
    @node.default["a"]["b"] = 2
    assert_equal [[:default, %w[a b], 2]], events.seen
  end

  def test_write_routes_reach_the_levels
    @node.write(:default, "w", "x", 1)
    @node.default_unless("w", "y", 2)
    @node.default_unless("w", "y", 3)
    @node.force_override!("w", "z", 4)
    assert_equal({ "x" => 1, "y" => 2, "z" => 4 }, @node["w"].to_hash)
  end

  def test_whole_node_calls_do_not_use_paths
    @node.default["a"]["b"] = 1
    assert_equal({ "b" => 1 }, @node.to_hash["a"].to_hash)
    assert_includes @node.keys, "a"
  end
end
