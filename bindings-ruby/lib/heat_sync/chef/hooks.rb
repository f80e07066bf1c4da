# frozen_string_literal: true

module HeatSync
  module Chef
    # The Module#prepend hooks on Chef's concrete attribute classes
    # (shared/chef-attributes.md): reads on Attribute, ImmutableMash and ImmutableArray;
    # writes on VividMash, AttrArray and the Attribute level setters. Prepended after
    # Chef's own modules, so they see what Chef returns, path state included.
    #
    # The fast path stays here, in Ruby: a read is looked at only when an interceptor is
    # installed, this thread is not inside the interceptor's own work, the container has
    # a path (an empty `__path__` is the merge cache or a whole-node call) and its
    # top-level key is one with declared paths. Everything else costs one method call and
    # a Set lookup.
    module Hooks
      # Reads that name one key: the first argument.
      KEYED = %i[fetch key? has_key? include? member? at].freeze
      # Reads whose arguments form one path below the container.
      PATHED = %i[dig read read! exist?].freeze
      # Reads whose arguments are each a key.
      MULTI = %i[values_at fetch_values].freeze
      # What each targeted read reads, from the container's path and the arguments
      # (nil: the container itself, as `dig()` with no key).
      TARGETS = {
        KEYED => ->(path, args) { [path + [args.first]] unless args.empty? },
        PATHED => ->(path, args) { [path + args] unless args.empty? },
        MULTI => ->(path, args) { args.map { |key| path + [key] } },
      }.freeze
      # Reads of the whole container: they wait for every input beneath it.
      WHOLE = %i[
        each each_pair each_key each_value each_with_index each_with_object each_entry
        each_slice map collect flat_map collect_concat select filter reject filter_map
        find detect find_all find_index count all? any? none? one? sum inject reduce
        group_by partition min max min_by max_by minmax sort sort_by first last take drop
        take_while drop_while to_a to_ary to_h to_hash to_json to_yaml to_set to_s values
        keys length size empty? merge invert key rassoc assoc has_value? value? entries
        transform_values transform_keys compact slice except dup join uniq flatten zip
        index rindex reverse reverse_each tally
      ].freeze
      # Mutators of a level's Hash (VividMash#[]= and #delete are hooked separately).
      HASH_MUTATORS = %i[
        clear compact! delete_if keep_if merge! reject! replace select! filter! shift store
        transform_keys! transform_values! update
      ].freeze
      # Mutators of a level's Array.
      ARRAY_MUTATORS = %i[
        << []= append clear collect! compact! concat delete delete_at delete_if fill filter!
        flatten! insert keep_if map! pop prepend push reject! replace reverse! rotate!
        select! shift shuffle! slice! sort! sort_by! uniq! unshift
      ].freeze
      # The Attribute setters that replace a whole level.
      LEVEL_SETTERS = %i[
        default= env_default= role_default= force_default= normal= override= role_override=
        env_override= force_override= automatic=
      ].freeze

      class << self
        # Prepends the hooks once per process.
        def install!
          return if @installed

          node = ::Chef::Node
          node::Attribute.prepend(AttributeReads, LevelSetters)
          node::ImmutableMash.prepend(merged_reads(node::ImmutableMash))
          node::ImmutableArray.prepend(merged_reads(node::ImmutableArray))
          node::VividMash.prepend(LevelHashWrites)
          node::AttrArray.prepend(level_array_writes(node::AttrArray))
          @installed = true
        end

        # The interceptor when a read of `container` must be looked at.
        def watching(container)
          hs = Chef.interceptor
          return nil if hs.nil?

          path = container.__path__
          return nil if path.nil? || path.empty? || hs.quiet? || !hs.watches?(path.first) || hs.foreign?(container)

          hs
        end

        # After a write of a level of `container`: `value` at its path + [`key`], or a
        # mutation of the container itself (no key).
        def wrote(container, key = Interceptor::NONE, value = Interceptor::NONE)
          hs = Chef.interceptor
          return if hs.nil? || !hs.armed? || hs.quiet?

          path = container.__path__
          return if path.nil? || hs.foreign?(container)

          full = key.equal?(Interceptor::NONE) ? path : path + [key]
          return unless full.empty? || hs.watches?(full.first)

          hs.wrote(full, value)
        end

        private

        def defined_on?(klass, name)
          klass.method_defined?(name) || klass.private_method_defined?(name)
        end

        # The read hooks of one merged-view class, for the methods it has.
        def merged_reads(klass)
          hooks = Module.new
          TARGETS.each do |names, targets|
            names.each do |name|
              next unless defined_on?(klass, name)

              hooks.define_method(name) do |*args, &block|
                hs = Hooks.watching(self)
                paths = hs && targets.call(__path__, args)
                return super(*args, &block) if paths.nil?

                hs.targeted_read(__path__, paths, self) do |c|
                  c.equal?(self) ? super(*args, &block) : c.public_send(name, *args, &block)
                end
              end
            end
          end
          WHOLE.each do |name|
            next unless defined_on?(klass, name)

            hooks.define_method(name) do |*args, &block|
              hs = Hooks.watching(self)
              return super(*args, &block) if hs.nil?

              hs.container_read(__path__, self) do |c|
                c.equal?(self) ? super(*args, &block) : c.public_send(name, *args, &block)
              end
            end
          end
          hooks.define_method(:[]) do |*args|
            hs = Hooks.watching(self)
            return super(*args) if hs.nil?

            key = args.first
            if args.size == 1 && (key.is_a?(Integer) || !is_a?(Array))
              hs.targeted_read(__path__, [__path__ + [key]], self) { |c| c.equal?(self) ? super(*args) : c[*args] }
            else # a slice of an Array reads a part of the container
              hs.container_read(__path__, self) { |c| c.equal?(self) ? super(*args) : c[*args] }
            end
          end
          hooks
        end

        def level_array_writes(klass)
          hooks = Module.new
          ARRAY_MUTATORS.each do |name|
            next unless defined_on?(klass, name)

            hooks.define_method(name) do |*args, &block|
              ret = super(*args, &block)
              Hooks.wrote(self)
              ret
            end
          end
          hooks
        end
      end

      # Top-level reads: node['mysql'], node.read/dig/exist?('mysql', 'password').
      # Whole-node calls (node.to_hash, each, keys, ...) are not hooked: they never block.
      module AttributeReads
        def [](key)
          hs = Chef.interceptor
          return super if hs.nil? || hs.quiet?

          hs.attribute ||= self # before node_load_completed (or without it): the first node seen
          return super unless hs.watches?(key) && hs.attribute.equal?(self)

          hs.targeted_read([], [[key]], self) { super }
        end

        PATHED.each do |name|
          define_method(name) do |*path, &block|
            hs = Chef.interceptor
            return super(*path, &block) if hs.nil? || hs.quiet? || path.empty? || !hs.watches?(path.first)

            hs.attribute ||= self
            return super(*path, &block) unless hs.attribute.equal?(self)

            hs.targeted_read([], [path], self) { super(*path, &block) }
          end
        end
      end

      # node.normal_attrs = {...}, node.automatic_attrs = ohai: a whole level replaced.
      module LevelSetters
        LEVEL_SETTERS.each do |name|
          define_method(name) do |value|
            ret = super(value)
            Hooks.wrote(self)
            ret
          end
        end
      end

      # Writes to one precedence level's Hash.
      module LevelHashWrites
        def []=(key, value)
          ret = super
          Hooks.wrote(self, key, value)
          ret
        end

        def delete(key, &block)
          ret = super
          Hooks.wrote(self, key)
          ret
        end

        HASH_MUTATORS.each do |name|
          define_method(name) do |*args, &block|
            ret = super(*args, &block)
            # __path__ is still nil when Mash#initialize calls update: not a node write
            Hooks.wrote(self)
            ret
          end
        end
      end
    end
  end
end
