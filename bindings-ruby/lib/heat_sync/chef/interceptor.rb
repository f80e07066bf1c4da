# frozen_string_literal: true

require "json"
require "monitor"
require "set"
require_relative "../error"
require_relative "../plan"

module HeatSync
  module Chef
    # What heat_sync/chef does for one role inside one chef-solo run: it knows the role's
    # declared inputs and outputs, decides what an intercepted read or write means, waits
    # on the coordinator client, places values at force_override and publishes outputs.
    #
    # The hooks (hooks.rb) call it only for paths under a watched top-level key; it never
    # touches Chef's classes by name, so it runs the same on Chef 16, 17 and 18 and on the
    # test double. Every read or write it makes itself runs with the hooks switched off
    # for the current thread (#quietly).
    class Interceptor
      # One declared input: `path` as Strings (the plan's form), `source` the plan's
      # source Hash (kind static, wait, gather or expression).
      Input = Struct.new(:path, :place, :source) do
        def static?
          source["kind"] == "static"
        end

        def secret?
          source["secret"] == true
        end

        # What the read waits for, for messages: `db.db_host from db/mysql`.
        def awaited
          Input.describe(source)
        end

        def self.describe(source)
          case source["kind"]
          when "wait" then "#{Keys.key_name(source["key"])} from #{Keys.producer_name(source["producer"])}"
          when "gather"
            from = source["role"] ? "#{source["group"]}/#{source["role"]}" : source["group"]
            "every #{source["group"]} member's #{source["output"]} from #{from}"
          when "expression"
            waits = source.fetch("args").reject { |a| a["kind"] == "static" }.map { |a| describe(a) }
            "an expression over #{waits.join(" and ")}"
          else "a static value"
          end
        end
      end

      # One declared output.
      Output = Struct.new(:name, :path, :publish, :secret) do
        def on_write?
          publish == "on_write"
        end
      end

      attr_reader :inputs, :outputs, :server, :role_name
      # The node's Chef::Node::Attribute, once the run has one.
      attr_reader :attribute

      # `role` is the plan's role Hash, `server` the plan's server Hash, `client` a
      # HeatSync::Client (or anything with the same get/gather/put), `log` a callable
      # taking a message.
      def initialize(server:, role:, client:, log: nil, clock: -> { Process.clock_gettime(Process::CLOCK_MONOTONIC) })
        @server = server
        @role_name = role.fetch("name")
        @client = client
        @log = log || ->(msg) { ::Chef::Log.info(msg) }
        @clock = clock
        @deadline = @clock.call + Float(role.fetch("timeout", 3600))
        @inputs = role.fetch("inputs", []).map do |i|
          Input.new(i.fetch("path").map(&:to_s), i["place"], i.fetch("source"))
        end
        @outputs = role.fetch("outputs", []).map do |o|
          Output.new(o.fetch("name"), o.fetch("path").map(&:to_s), o.fetch("publish", "on_finish"), o["secret"] == true)
        end
        @top_keys = (@inputs.map { |i| i.path.first } + @outputs.map { |o| o.path.first }).to_set.freeze
        @resolved = {}
        @published = {}
        @armed = false
        @finished = false
        @lock = Monitor.new
      end

      # The fast path: is anything declared under this top-level key?
      def watches?(key)
        @top_keys.include?(key.is_a?(String) ? key : key.to_s)
      end

      # True for containers of another node than the run's (a search result, a node
      # loaded by a recipe): their reads and writes are not the role's. Containers
      # reached through the merge cache carry no node; their root is the cache.
      def foreign?(container)
        return false if @attribute.nil?

        node = container.__node__
        return !node.equal?(@node) unless node.nil? || @node.nil?

        root = container.__root__
        !(root.nil? || root.equal?(@attribute) || root.equal?(@cache))
      end

      # True while this thread runs the interceptor's own reads and writes.
      def quiet?
        Thread.current[:heat_sync_quiet] == true
      end

      # --- lifecycle (event handler) --------------------------------------------------

      # The node exists (-j attributes and ohai applied): see #attribute=.
      def node_loaded(attribute)
        self.attribute = attribute
      end

      # Binds the run's node attributes: places every static input at force_override,
      # and creates the containers above each run-time input there, so that
      # `node['lb']['members']` reaches the waiting read even when nothing else defines
      # `node['lb']`.
      def attribute=(attribute)
        return if attribute.equal?(@attribute)

        @attribute = attribute
        @node = attribute.respond_to?(:__node__) ? attribute.__node__ : nil
        @cache = attribute.respond_to?(:deep_merge_cache) ? attribute.deep_merge_cache : nil
        @resolved.clear
        @inputs.each do |input|
          if input.static?
            resolve(input)
          else
            vivify(input.path)
          end
        end
      end

      # Attribute files are done; from now on writes to on_write outputs publish.
      def arm!
        @armed = true
      end

      def armed?
        @armed
      end

      # The converge finished: publish every output's final merged value. An output
      # without a value fails the run (raised from the converge_complete event).
      def finish!
        return if @finished

        @finished = true
        missing = []
        @outputs.each do |output|
          missing << output unless publish(output, final: true)
        end
        return if missing.empty?

        raise OutputError, "role #{@role_name}: " + missing.map { |o|
          "output #{o.name} has no value at #{Keys.attr_name(o.path)}"
        }.join("; ")
      end

      # --- reads ----------------------------------------------------------------------

      # A targeted read of each of `paths` (leaves or containers at those paths): when
      # one is a declared input or lies under one, make sure the input is placed
      # (waiting for a run-time value) and answer from a fresh container. Otherwise
      # (siblings, ancestors) answer at once. `container_path` is the path of the
      # container the caller holds; the block runs the original method on a container.
      def targeted_read(container_path, paths, holder)
        covering = @inputs.select { |i| paths.any? { |path| prefix?(i.path, path) } }
        return yield(holder) if covering.empty?

        covering.each { |input| resolve(input) }
        on_fresh(container_path, holder) { |container| yield(container) }
      end

      # A whole-container read (each, to_hash, values, to_json, ...) of `path`: waits for
      # every input at or beneath it, then runs on a fresh container.
      def container_read(path, holder)
        pending = @inputs.select { |i| !@resolved[i] && prefix?(path, i.path) }
        return yield(holder) if pending.empty?

        pending.each { |input| resolve(input) }
        on_fresh(path, holder) { |container| yield(container) }
      end

      # --- writes ---------------------------------------------------------------------

      # Something wrote `value` at `path` of a level (`path` is a container's path and
      # `value` NONE for mutators of that container; [] for a whole level). Publishes
      # each on_write output at or above `path` whose merged value changed, and each
      # below `path` that the written value reaches (an auto-vivified empty container
      # above an output is not a write of it).
      def wrote(path, value = NONE)
        return unless @armed && !@finished

        @outputs.each do |output|
          next unless output.on_write?

          if prefix?(output.path, path)
            publish(output, final: false)
          elsif prefix?(path, output.path) && (value.equal?(NONE) || reaches?(value, output.path[path.size..]))
            publish(output, final: false)
          end
        end
      end

      # No value given (see #wrote).
      NONE = Object.new.freeze

      # Runs the block with the hooks off for this thread, so the interceptor's own
      # reads and writes are plain Chef operations.
      def quietly
        was = Thread.current[:heat_sync_quiet]
        Thread.current[:heat_sync_quiet] = true
        yield
      ensure
        Thread.current[:heat_sync_quiet] = was
      end

      # The merged value at `path` now (nil when absent); never auto-vivifies.
      def fresh_read(path)
        quietly do
          path.inject(attribute!) do |container, key|
            case container
            when Hash then container.key?(key.to_s) ? container[key.to_s] : (return nil)
            when Array then index?(key) ? container[Integer(key.to_s)] : (return nil)
            else return nil
            end
          end
        end
      end

      private

      def prefix?(short, long)
        return false if short.size > long.size

        short.each_with_index.all? { |k, n| k.to_s == long[n].to_s }
      end

      def index?(key)
        key.is_a?(Integer) || key.to_s.match?(/\A\d+\z/)
      end

      def reaches?(value, rest)
        rest.all? do |key|
          case value
          when Hash then value.key?(key) ? (value = value[key]; true) : false
          when Array then index?(key) && Integer(key) < value.size ? (value = value[Integer(key)]; true) : false
          else false
          end
        end
      end

      def attribute!
        attribute or raise Error, "heat_sync/chef: no node attributes seen yet (is the drop-in loaded by chef-solo?)"
      end

      # Runs the original method on the current container at `path`: the holder when it
      # is still current, else the fresh one (the holder predates the value's placement).
      def on_fresh(path, holder)
        fresh = fresh_read(path)
        yield(fresh.nil? || fresh.equal?(holder) ? holder : fresh)
      end

      # Places `input` at force_override, waiting for a run-time value first. Once per
      # input; the lock keeps two threads from waiting for the same value twice.
      def resolve(input)
        return if @resolved[input]

        @lock.synchronize do
          return if @resolved[input]

          place(input.path, value_of(input))
          @resolved[input] = true
        end
      end

      def value_of(input)
        source = input.source
        return source["value"] if input.static?

        started = @clock.call
        @log.call("heat-sync: #{Keys.attr_name(input.path)} waits for #{input.awaited}")
        progress = ->(msg) { @log.call("heat-sync: #{msg}") }
        value = fetch(input.place, source, progress)
        @log.call(format("heat-sync: got %s after %.1f s", input.awaited, @clock.call - started))
        value
      end

      # The value of one source, waiting on the client; an expression is evaluated by the
      # core (HeatSync::Native) once each of its arguments has a value.
      def fetch(place, source, progress)
        case source["kind"]
        when "static" then source["value"]
        when "wait"
          @client.get(source["key"], timeout: remaining, producer: Keys.producer_name(source["producer"]),
                                     &progress)
        when "gather"
          producer = source["role"] ? "#{source["group"]}/#{source["role"]}" : source["group"]
          @client.gather(source["group"], source["output"], count: source["count"], timeout: remaining,
                                                            producer: producer, &progress)
        when "expression"
          args = source.fetch("args").map { |arg| fetch(place, arg, progress) }
          JSON.parse(Native.evaluate_expression(place.to_s, JSON.generate(source), JSON.generate(args)))
        else
          raise PlanError, "#{place}: unknown input kind #{source["kind"].inspect}"
        end
      end

      def remaining
        [@deadline - @clock.call, 0.0].max
      end

      # Writes `value` at force_override, creating containers on the way.
      def place(path, value)
        quietly { assign(vivify(path), path.last, value) }
      end

      # The force_override container holding `path`'s last key, created as needed (an
      # Array where the next segment is a whole number).
      def vivify(path)
        quietly do
          path[0...-1].each_with_index.inject(attribute!.force_override) do |container, (key, n)|
            child = slot(container, key)
            if child.nil? || !(child.is_a?(Hash) || child.is_a?(Array))
              assign(container, key, index?(path[n + 1]) ? [] : {})
              child = slot(container, key)
            end
            child
          end
        end
      end

      def slot(container, key)
        if container.is_a?(Array)
          container[Integer(key.to_s)]
        else
          container.key?(key) ? container[key] : nil
        end
      end

      def assign(container, key, value)
        if container.is_a?(Array)
          container[Integer(key.to_s)] = value
        else
          container[key] = value
        end
      end

      # Publishes `output` when its merged value is present and differs from what was
      # last published; returns false when there is no value.
      def publish(output, final:)
        value = plain(fresh_read(output.path))
        return false if value.nil?

        json = JSON.generate(value)
        return true if @published[output.name] == json

        key = { "server" => @server, "output" => output.name }
        version = @client.put(key, value)
        @published[output.name] = json
        shown = output.secret ? "******" : json
        @log.call("heat-sync: published #{Keys.key_name(key)} = #{shown} (version #{version}" \
                  "#{final ? ", end of run" : ", on write"})")
        true
      end

      # The merged value as plain Hash/Array/scalars (the merged view's own deep copies).
      def plain(value)
        quietly do
          case value
          when Hash then JSON.parse(JSON.generate(value.to_hash))
          when Array then JSON.parse(JSON.generate(value.to_a))
          else value
          end
        end
      end
    end
  end
end
