# frozen_string_literal: true

# The Chef double: exceptions, log, config, lazy values, events and the run context.

class Chef
  # Chef's exception classes used by the attribute code.
  class Exceptions
    # Raised by every mutator of the merged view.
    class ImmutableAttributeModification < NoMethodError
      def initialize(message = "Node attributes are read-only when you do not specify which precedence level to set. " \
                               "To set an attribute use code like `node.default[\"key\"] = \"value\"'")
        super
      end
    end

    class NoSuchAttribute < RuntimeError; end
    class AttributeTypeMismatch < RuntimeError; end
  end

  # Chef::Log, recording what was logged.
  module Log
    class << self
      def messages
        @messages ||= []
      end

      %i[trace debug info warn error fatal].each do |level|
        define_method(level) { |msg = nil| messages << [level, msg.to_s]; nil }
      end

      def level
        :info
      end
    end
  end

  # Chef::Config: the part the drop-in uses.
  class Config
    class << self
      def data
        @data ||= { event_handlers: [] }
      end

      def [](key)
        data[key.to_sym]
      end

      def []=(key, value)
        data[key.to_sym] = value
      end

      def reset!
        @data = nil
      end
    end
  end

  # A lazy attribute value (Chef 17+); evaluated by `[]`, not by fetch/each/to_hash.
  class DelayedEvaluator < Proc
    # Proc#dup returns a plain Proc on Ruby < 3.2; Chef keeps the class.
    def dup
      self.class.new(&self)
    end
  end

  module EventDispatch
    # The events the double's run fires, with Chef's signatures; a handler subclasses
    # this and overrides what it wants.
    class Base
      def node_load_completed(node, expanded_run_list, config); end
      def cookbook_compilation_start(run_context); end
      def attribute_load_start(count); end
      def attribute_load_complete; end
      def recipe_load_start(count); end
      def recipe_load_complete; end
      def cookbook_compilation_complete(run_context); end
      def converge_start(run_context); end
      def converge_complete; end
      def converge_failed(exception); end
      def run_completed(node, run_status); end
      def run_failed(exception, run_status); end
      def attribute_changed(precedence, keys, value); end
    end

    # Forwards every event to each subscriber, as Chef's Dispatcher does.
    class Dispatcher < Base
      attr_reader :subscribers

      def initialize(*subscribers)
        super()
        @subscribers = subscribers
      end

      Base.instance_methods(false).each do |event|
        define_method(event) do |*args|
          @subscribers.each { |s| s.send(event, *args) if s.respond_to?(event) }
        end
      end
    end
  end

  # The run context: events and the node (DSL::IncludeAttribute needs it).
  class RunContext
    attr_accessor :node, :events, :converge_actions

    def initialize(node, events)
      @node = node
      @events = events
      @converge_actions = []
    end
  end
end
