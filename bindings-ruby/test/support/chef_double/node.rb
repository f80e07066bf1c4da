# frozen_string_literal: true

# The Chef double: the merged view (lib/chef/node/attribute.rb) and Chef::Node.

class Chef
  class Node
    # The merged view over ten precedence levels (lib/chef/node/attribute.rb).
    class Attribute < Mash
      include Immutablize
      include Enumerable
      include Chef::Node::Mixin::DeepMergeCache
      include Chef::Node::Mixin::StateTracking
      include Chef::Node::Mixin::ImmutablizeHash

      COMPONENTS = %i[@default @env_default @role_default @force_default @normal
                      @override @role_override @env_override @force_override @automatic].freeze
      DEFAULT_COMPONENTS = %i[@default @env_default @role_default @force_default].freeze
      OVERRIDE_COMPONENTS = %i[@override @role_override @env_override @force_override].freeze
      LEVELS = COMPONENTS.map { |c| c.to_s.delete("@").to_sym }.freeze

      ENUM_METHODS = %i[
        all? any? count each each_key each_pair each_value empty? fetch find include?
        keys length map merge reject select size to_a to_h to_hash to_json values values_at
      ].freeze

      ENUM_METHODS.each do |delegated|
        next unless Hash.public_method_defined?(delegated)

        define_method(delegated) do |*args, &block|
          merged_attributes.send(delegated, *args, &block)
        end
      end

      attr_reader(*LEVELS)

      def initialize(normal, default, override, automatic, node = nil)
        @default = VividMash.new(default, self, node, :default)
        @env_default = VividMash.new({}, self, node, :env_default)
        @role_default = VividMash.new({}, self, node, :role_default)
        @force_default = VividMash.new({}, self, node, :force_default)
        @normal = VividMash.new(normal, self, node, :normal)
        @override = VividMash.new(override, self, node, :override)
        @role_override = VividMash.new({}, self, node, :role_override)
        @env_override = VividMash.new({}, self, node, :env_override)
        @force_override = VividMash.new({}, self, node, :force_override)
        @automatic = VividMash.new(automatic, self, node, :automatic)
        super(nil, self, node, :merged)
      end

      # Whole-level replacement (-j JSON, ohai, roles, environments).
      LEVELS.each do |level|
        define_method(:"#{level}=") do |new_data|
          reset
          instance_variable_set(:"@#{level}", VividMash.new(new_data, self, __node__, level))
        end
      end

      def default!(*args)
        write(:default, *args)
      end

      def normal!(*args)
        write(:normal, *args)
      end

      def override!(*args)
        write(:override, *args)
      end

      def force_default!(*args)
        write(:force_default, *args)
      end

      def force_override!(*args)
        write(:force_override, *args)
      end

      def default_unless(*args)
        write(:default, *args) if default.read(*args[0...-1]).nil?
      end

      def normal_unless(*args)
        write(:normal, *args) if normal.read(*args[0...-1]).nil?
      end

      def override_unless(*args)
        write(:override, *args) if override.read(*args[0...-1]).nil?
      end

      def merged_attributes(*path)
        merge_all(path)
      end

      def has_key?(key)
        COMPONENTS.any? { |c| instance_variable_get(c).key?(key) }
      end

      alias_method :attribute?, :has_key?
      alias_method :member?, :has_key?
      alias_method :key?, :has_key?

      def read(*path)
        self[path[0]] unless path[0].nil? # builds the cache entry of the top-level key
        deep_merge_cache.read(*path)
      end

      alias_method :dig, :read

      def read!(*path)
        self[path[0]] unless path[0].nil?
        deep_merge_cache.read!(*path)
      end

      def exist?(*path)
        return true if path[0].nil?

        self[path[0]]
        deep_merge_cache.exist?(*path)
      end

      def write(level, *args, &block)
        send(level).write(*args, &block)
      end

      def unlink(level, *path)
        send(level).unlink(*path)
      end

      def rm(*args)
        %i[default env_default role_default force_default normal override role_override
           env_override force_override].each { |l| send(l).unlink(*args) }
      end

      def to_s
        merged_attributes.to_s
      end

      private

      NIL = Object.new

      def apply_path(component, path)
        path ||= []
        path.inject(component) do |val, path_arg|
          if val.respond_to?(:[])
            if !val.respond_to?(:has_key?)
              val[path_arg]
            elsif val.key?(path_arg)
              val[path_arg]
            else
              NIL
            end
          else
            NIL
          end
        end
      end

      def merge_all(path)
        components = [
          merge_group(DEFAULT_COMPONENTS, path),
          apply_path(@normal, path),
          merge_group(OVERRIDE_COMPONENTS, path),
          apply_path(@automatic, path),
        ]
        ret = components.inject(NIL) do |merged, component|
          component == NIL ? merged : hash_only_merge!(merged, component)
        end
        ret == NIL ? nil : ret
      end

      def merge_group(ivars, path)
        ivars.inject(NIL) do |merged, ivar|
          value = apply_path(instance_variable_get(ivar), path)
          value == NIL ? merged : deep_merge!(merged, value)
        end
      end

      def convert_key(key)
        key.is_a?(Symbol) ? key.to_s : key
      end

      def deep_merge!(merge_onto, merge_with)
        if merge_onto.is_a?(Hash) && merge_with.is_a?(Hash)
          merge_with.each do |key, value|
            value = deep_merge!(safe_dup(merge_onto.internal_get(key)), value) if merge_onto.key?(key)
            merge_onto.internal_set(key, value)
          end
          merge_onto
        elsif merge_onto.is_a?(Array) && merge_with.is_a?(Array)
          merge_onto | merge_with
        else
          immutable(merge_with)
        end
      end

      def hash_only_merge!(merge_onto, merge_with)
        if merge_onto.is_a?(Hash) && merge_with.is_a?(Hash)
          merge_with.each do |key, value|
            value = hash_only_merge!(safe_dup(merge_onto.internal_get(key)), value) if merge_onto.key?(key)
            merge_onto.internal_set(key, value)
          end
          merge_onto
        else
          immutable(merge_with)
        end
      end

      def immutable(value)
        case value
        when Hash then ImmutableMash.new(value)
        when Array then ImmutableArray.new(value)
        else value
        end
      end
    end

    attr_accessor :run_state, :run_context, :name

    def initialize
      @name = "double"
      @attributes = Chef::Node::Attribute.new({}, {}, {}, {}, self)
      @run_state = {}
    end

    attr_reader :attributes
    alias_method :attribute, :attributes

    def [](attrib)
      attributes[attrib]
    end

    %i[default normal override force_default force_override automatic].each do |level|
      define_method(level) { attributes.send(level) }
    end

    alias_method :default_attrs, :default
    alias_method :normal_attrs, :normal
    alias_method :override_attrs, :override
    alias_method :automatic_attrs, :automatic

    %i[default normal override automatic].each do |level|
      define_method(:"#{level}_attrs=") { |v| attributes.send(:"#{level}=", v) }
    end

    %i[keys each_key each_value key? has_key? default! normal! override! force_default!
       force_override! default_unless normal_unless override_unless read read! write unlink
       exist? dig rm].each do |name|
      define_method(name) { |*args, &block| attributes.send(name, *args, &block) }
    end

    def attribute?(attrib)
      attributes.attribute?(attrib)
    end

    def each(&block)
      attributes.each(&block)
    end

    def method_missing(symbol, *args)
      attributes.send(symbol, *args)
    end

    def respond_to_missing?(symbol, include_private = false)
      attributes.respond_to?(symbol, include_private) || super
    end

    def consume_external_attrs(ohai_data, json_cli_attrs)
      self.normal_attrs = json_cli_attrs
      self.automatic_attrs = ohai_data
    end

    def reset_defaults_and_overrides
      default.clear
      override.clear
    end

    # What chef-solo saves at the end of the run (a whole-node call).
    def to_hash
      index_hash = { "chef_type" => "node", "name" => name }
      attribute.each { |key, value| index_hash[key] = value }
      index_hash
    end

    def to_json(*args)
      to_hash.to_json(*args)
    end
  end
end

