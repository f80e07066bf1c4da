# frozen_string_literal: true

# The chef-solo lifecycle, in the order Chef runs it (Chef::Client#run,
# PolicyBuilder::ExpandNodeObject#build_node, RunContext::CookbookCompiler#compile,
# Chef::Client#converge), with the events each step fires.
module ChefDouble
  # A recipe body's DSL: `node`, `lazy`, `template` (compile-time `variables`) and
  # `ruby_block` / `converge` (converge-time code, like ERB rendering or ruby_block).
  class Recipe
    attr_reader :node, :run_context

    def initialize(run_context)
      @run_context = run_context
      @node = run_context.node
    end

    def lazy(&block)
      Chef::DelayedEvaluator.new(&block)
    end

    # A template resource: `variables` are evaluated now (compile time); the block's
    # ERB is rendered at converge time, reading the node then.
    def template(_path, variables: {}, &erb)
      run_context.converge_actions << -> { erb&.call(variables) }
    end

    def ruby_block(_name, &block)
      run_context.converge_actions << block
    end
  end

  # Runs one chef-solo run against the double.
  class SoloRun
    attr_reader :node, :events

    def initialize(json_attribs: {}, ohai: { "platform" => "debian" }, attribute_files: [], recipes: [])
      @json_attribs = json_attribs
      @ohai = ohai
      @attribute_files = attribute_files
      @recipes = recipes
    end

    def run
      @events = Chef::EventDispatch::Dispatcher.new(*Array(Chef::Config[:event_handlers]))
      @node = Chef::Node.new
      node.reset_defaults_and_overrides
      node.consume_external_attrs(@ohai, @json_attribs)
      events.node_load_completed(node, [], Chef::Config)
      run_context = Chef::RunContext.new(node, events)
      node.run_context = run_context
      events.cookbook_compilation_start(run_context)
      events.attribute_load_start(@attribute_files.size)
      @attribute_files.each { |file| node.instance_exec(&file) }
      events.attribute_load_complete
      events.recipe_load_start(@recipes.size)
      @recipes.each { |recipe| Recipe.new(run_context).instance_exec(&recipe) }
      events.recipe_load_complete
      events.cookbook_compilation_complete(run_context)
      converge(run_context)
      @saved = node.to_hash # local mode saves the node
      events.run_completed(node, :success)
      node
    rescue Exception => e # rubocop:disable Lint/RescueException
      events&.run_failed(e, :failure)
      raise
    end

    # The node as chef-solo saved it.
    attr_reader :saved

    private

    def converge(run_context)
      events.converge_start(run_context)
      run_context.converge_actions.each(&:call)
      events.converge_complete
    rescue Exception => e # rubocop:disable Lint/RescueException
      events.converge_failed(e)
      raise
    end
  end
end
