# frozen_string_literal: true

# The Chef double: chef-utils' Mash.

class Mash < Hash
  def initialize(constructor = {})
    if constructor.is_a?(Hash)
      super()
      update(constructor)
    else
      super(constructor)
    end
  end

  # A missing Symbol key falls back to its String: how mash[:key] finds "key".
  def default(key = nil)
    if key.is_a?(Symbol) && include?(key = key.to_s)
      self[key]
    else
      super
    end
  end

  alias_method :regular_reader, :[] unless method_defined?(:regular_reader)
  alias_method :regular_writer, :[]= unless method_defined?(:regular_writer)
  alias_method :regular_update, :update unless method_defined?(:regular_update)
  alias_method :regular_clear, :clear unless method_defined?(:regular_clear)
  alias_method :regular_delete, :delete unless method_defined?(:regular_delete)

  def [](key)
    regular_reader(key)
  end

  def []=(key, value)
    regular_writer(convert_key(key), convert_value(value))
  end

  def internal_get(key)
    regular_reader(key)
  end

  def internal_set(key, value)
    regular_writer(key, convert_value(value))
  end

  def update(other_hash)
    other_hash.each_pair { |key, value| regular_writer(convert_key(key), convert_value(value)) }
    self
  end

  alias_method :merge!, :update

  def key?(key)
    super(convert_key(key))
  end

  alias_method :include?, :key?
  alias_method :has_key?, :key?
  alias_method :member?, :key?

  def fetch(key, *extras)
    super(convert_key(key), *extras)
  end

  def values_at(*indices)
    indices.collect { |key| self[convert_key(key)] }
  end

  def merge(hash)
    dup.update(hash)
  end

  def delete(key)
    super(convert_key(key))
  end

  def to_hash
    Hash.new(default).merge(self)
  end

  def self.from_hash(hash)
    mash = Mash.new(hash)
    mash.default = hash.default
    mash
  end

  protected

  def convert_key(key)
    key.is_a?(Symbol) ? key.to_s : key
  end

  def convert_value(value)
    if value.class == Hash
      Mash.from_hash(value)
    elsif value.is_a?(Array)
      value.collect { |e| convert_value(e) }
    else
      value
    end
  end
end
