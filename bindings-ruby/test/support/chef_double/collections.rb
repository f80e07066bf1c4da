# frozen_string_literal: true

# The Chef double: path tracking, immutability and the level/merged collections
# (lib/chef/node/mixin/*.rb, common_api.rb, immutable_collections.rb,
# attribute_collections.rb).

class Chef
  class Node
    module Mixin
      # lib/chef/node/mixin/state_tracking.rb
      module StateTracking
        attr_reader :__path__, :__root__, :__node__, :__precedence__

        def initialize(data = nil, root = self, node = nil, precedence = nil)
          # __path__ and __root__ must be nil while super runs (Mash#initialize calls
          # update, which must not reset the cache)
          data.nil? ? super() : super(data)
          @__path__ = []
          @__root__ = root
          @__node__ = node
          @__precedence__ = precedence
        end

        def [](*args)
          ret = super
          key = args.first
          next_path = [__path__, convert_key(key)].flatten
          next_path.compact!
          copy_state_to(ret, next_path)
        end

        def []=(*args)
          ret = super
          key = args.first
          value = args.last
          next_path = [__path__, convert_key(key)].flatten
          next_path.compact!
          send_attribute_changed_event(next_path, value)
          copy_state_to(ret, next_path)
        end

        protected

        attr_writer :__path__, :__root__, :__node__, :__precedence__

        private

        def send_attribute_changed_event(next_path, value)
          if __node__ && __node__.run_context && __node__.run_context.events
            __node__.run_context.events.attribute_changed(__precedence__, next_path, value)
          end
        end

        def send_reset_cache(path = nil, key = nil)
          next_path = [path, key].flatten
          next_path.compact!
          __root__.reset_cache(next_path.first) if !__root__.nil? && __root__.respond_to?(:reset_cache)
        end

        def copy_state_to(ret, next_path)
          if ret.is_a?(StateTracking)
            ret.__path__ = next_path
            ret.__root__ = __root__
            ret.__node__ = __node__
            ret.__precedence__ = __precedence__
          end
          ret
        end
      end

      # lib/chef/node/mixin/immutablize_hash.rb (the mutators that raise)
      module ImmutablizeHash
        DISALLOWED_MUTATOR_METHODS = %i[
          []= clear collect! compact! default= default_proc= delete delete_if keep_if map!
          merge! rehash reject! replace select! filter! shift store transform_keys!
          transform_values! unlink unlink! update write write!
        ].freeze

        DISALLOWED_MUTATOR_METHODS.each do |name|
          define_method(name) { |*_args, &_block| raise Exceptions::ImmutableAttributeModification }
        end
      end

      # lib/chef/node/mixin/immutablize_array.rb
      module ImmutablizeArray
        DISALLOWED_MUTATOR_METHODS = %i[
          << []= append clear collect! compact! concat delete delete_at delete_if fill
          filter! flatten! insert keep_if map! pop prepend push reject! replace reverse!
          rotate! select! shift shuffle! slice! sort! sort_by! uniq! unshift
        ].freeze

        DISALLOWED_MUTATOR_METHODS.each do |name|
          define_method(name) { |*_args, &_block| raise Exceptions::ImmutableAttributeModification }
        end
      end

      # lib/chef/node/mixin/state_tracking_array.rb
      module StateTrackingArray
        include StateTracking

        MUTATOR_METHODS = ImmutablizeArray::DISALLOWED_MUTATOR_METHODS

        MUTATOR_METHODS.each do |mutator|
          define_method(mutator) do |*args, &block|
            ret = super(*args, &block)
            # Chef 18.3.48+; earlier releases fire no event for array mutations
            send_attribute_changed_event(__path__, self)
            ret
          end
        end
      end

      # lib/chef/node/mixin/deep_merge_cache.rb: Attribute#[] serves top-level keys
      # from a cache of deep-merged values.
      module DeepMergeCache
        attr_accessor :deep_merge_cache

        def initialize
          @merged_attributes = nil
          @deep_merge_cache = Chef::Node::ImmutableMash.new
        end

        def reset_cache(path = nil)
          if path.nil?
            deep_merge_cache.regular_clear
          else
            deep_merge_cache.regular_delete(path.to_s)
          end
        end

        alias_method :reset, :reset_cache

        def [](key)
          ret = if deep_merge_cache.key?(key.to_s)
                  deep_merge_cache[key.to_s]
                else
                  deep_merge_cache.internal_set(key.to_s, merged_attributes(key))
                end
          ret = ret.call while ret.is_a?(::Chef::DelayedEvaluator)
          ret
        end
      end
    end

    # lib/chef/node/common_api.rb: read/write/dig/exist? shared by VividMash and
    # ImmutableMash (the writers raise on ImmutableMash).
    module CommonAPI
      def valid_container?(obj, key)
        obj.is_a?(Hash) || (obj.is_a?(Array) && key.is_a?(Integer))
      end

      private :valid_container?

      def write(*args, &block)
        value = block_given? ? yield : args.pop
        last = args.pop
        prev_memo = prev_key = nil
        chain = args.inject(self) do |memo, key|
          unless valid_container?(memo, key)
            prev_memo[prev_key] = {}
            memo = prev_memo[prev_key]
          end
          prev_memo = memo
          prev_key = key
          memo[key]
        end
        unless valid_container?(chain, last)
          prev_memo[prev_key] = {}
          chain = prev_memo[prev_key]
        end
        chain[last] = value
      end

      def exist?(*path)
        path.inject(self) do |memo, key|
          return false unless valid_container?(memo, key)

          if memo.is_a?(Hash)
            return false unless memo.key?(key)

            memo[key]
          elsif memo.is_a?(Array)
            return false unless memo.length > key

            memo[key]
          end
        end
        true
      end

      def read(*path)
        read!(*path)
      rescue Chef::Exceptions::NoSuchAttribute
        nil
      end

      alias_method :dig, :read

      def read!(*path)
        raise Chef::Exceptions::NoSuchAttribute, path.join(".") unless exist?(*path)

        path.inject(self) { |memo, key| memo[key] }
      end

      def unlink(*path, last)
        hash = path.empty? ? self : read(*path)
        return nil unless hash.is_a?(Hash) || hash.is_a?(Array)

        hash.delete(last)
      end
    end

    # Values of the merged view are frozen copies; containers become Immutable*.
    module Immutablize
      def safe_dup(e)
        e.dup
      rescue TypeError
        e
      end

      def convert_value(value)
        case value
        when Hash
          ImmutableMash === value ? value : ImmutableMash.new(value, __root__, __node__, __precedence__)
        when Array
          ImmutableArray === value ? value : ImmutableArray.new(value, __root__, __node__, __precedence__)
        else
          value.frozen? && String === value ? value : safe_dup(value).freeze
        end
      end

      def immutablize(value)
        convert_value(value)
      end

      # A read resolves lazy values (Chef defines this in both immutable classes).
      def [](*args)
        value = super
        value = value.call while value.is_a?(::Chef::DelayedEvaluator)
        value
      end
    end

    # An Array of the merged view.
    class ImmutableArray < Array
      include Immutablize

      alias_method :internal_push, :<<
      private :internal_push

      def initialize(array_data = [])
        super()
        array_data.each { |value| internal_push(immutablize(value)) }
      end

      def dup
        Array.new(map { |e| safe_dup(e) })
      end

      def to_a
        Array.new(map do |v|
          case v
          when ImmutableArray then v.to_a
          when ImmutableMash then v.to_h
          else safe_dup(v)
          end
        end)
      end

      private

      def convert_key(key)
        key
      end

      prepend Chef::Node::Mixin::StateTrackingArray
      prepend Chef::Node::Mixin::ImmutablizeArray
    end

    # A Hash of the merged view.
    class ImmutableMash < Mash
      include Immutablize
      include CommonAPI

      def internal_set(key, value)
        regular_writer(key, convert_value(value))
      end

      def initialize(mash_data = {}) # rubocop:disable Lint/MissingSuper (as in Chef)
        mash_data.each { |key, value| internal_set(key, value) }
      end

      alias_method :attribute?, :has_key?

      def dup
        h = Mash.new
        each_pair { |k, v| h[k] = safe_dup(v) }
        h
      end

      def to_h
        h = {}
        each_pair do |k, v|
          h[k] = case v
                 when ImmutableMash then v.to_h
                 when ImmutableArray then v.to_a
                 else safe_dup(v)
                 end
        end
        h
      end

      alias_method :to_hash, :to_h

      prepend Chef::Node::Mixin::StateTracking
      prepend Chef::Node::Mixin::ImmutablizeHash
    end

    # An Array of one precedence level; mutators reset the merge cache.
    class AttrArray < Array
      MUTATOR_METHODS = Chef::Node::Mixin::ImmutablizeArray::DISALLOWED_MUTATOR_METHODS

      MUTATOR_METHODS.each do |mutator|
        define_method(mutator) do |*args, &block|
          ret = super(*args, &block)
          send_reset_cache
          ret
        end
      end

      def <<(obj)
        ret = super(convert_value(obj))
        send_reset_cache(__path__)
        ret
      end

      def initialize(data = [])
        super(data)
        map! { |e| convert_value(e) }
      end

      def dup
        Array.new(map { |e| e.dup rescue e }) # rubocop:disable Style/RescueModifier
      end

      private

      def convert_value(value)
        case value
        when VividMash, AttrArray then value
        when Hash then VividMash.new(value, __root__, __node__, __precedence__)
        when Array then AttrArray.new(value, __root__, __node__, __precedence__)
        else value
        end
      end

      def convert_key(key)
        key
      end

      prepend Chef::Node::Mixin::StateTrackingArray
    end

    # A Hash of one precedence level: auto-vivifying, mutators reset the merge cache.
    class VividMash < Mash
      include CommonAPI

      MUTATOR_METHODS = Chef::Node::Mixin::ImmutablizeHash::DISALLOWED_MUTATOR_METHODS - %i[write write! unlink unlink!]

      MUTATOR_METHODS.each do |mutator|
        define_method(mutator) do |*args, &block|
          send_reset_cache
          super(*args, &block)
        end
      end

      def delete(key, &block)
        send_reset_cache(__path__, key)
        super
      end

      def [](key)
        value = super
        if !key?(key)
          value = self.class.new({}, __root__)
          self[key] = value
        else
          value
        end
      end

      def []=(key, value)
        ret = super
        send_reset_cache(__path__, key)
        ret
      end

      alias_method :attribute?, :has_key?

      def convert_key(key)
        super
      end

      def convert_value(value)
        case value
        when VividMash, AttrArray then value
        when Hash then VividMash.new(value, __root__, __node__, __precedence__)
        when Array then AttrArray.new(value, __root__, __node__, __precedence__)
        else value
        end
      end

      def dup
        Mash.new(self)
      end

      prepend Chef::Node::Mixin::StateTracking
    end
  end
end
