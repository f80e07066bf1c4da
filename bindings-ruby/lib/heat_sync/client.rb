# frozen_string_literal: true

require "json"
require_relative "plan"

module HeatSync
  # The coordinator client of one stack namespace (ZooKeeper or the embedded store).
  #
  #   client = HeatSync::Client.from_server_plan("/etc/heat-sync/server-plan.json")
  #   client.get("db.db_host", timeout: 600) { |progress| puts progress }  # blocks
  #   client.put("web.url", "http://10.0.0.5/")                          # => version
  #   client.status                                                       # => Hash
  #
  # The native methods (prefixed with an underscore) take and return JSON text; these
  # wrappers take and return Ruby objects. A wait releases the Ruby VM lock, so other
  # threads run meanwhile, and stops with Interrupt (or the signal's exception) on a
  # signal. Keys are Hashes in the plan's shape ({"server" => {"resource" => "db"},
  # "output" => "db_host"}) or strings (`db.db_host`, `web.0.url`).
  class Client
    class << self
      # A client with the coordinator, namespace and credentials of a server plan,
      # acting as that plan's server.
      def from_server_plan(path)
        _from_server_plan(path.to_s)
      end

      # A client of `namespace` at `address` (`zk://host:port/chroot` or
      # `embedded:///dir`), acting as `server` (a key's server part or a name such as
      # `db`, `web.0`) when given; `credentials` is {"user" => ..., "secret" => ...} with
      # the stack secret, or a server's derived {"user" => ..., "password" => ...,
      # "read_password" => ...} as its server plan holds them (docs/plan.md).
      def connect(address:, namespace:, server: nil, credentials: nil)
        server_json = server && JSON.generate(server.is_a?(Hash) ? server : Keys.key("#{server}.x")["server"])
        _connect(address.to_s, namespace.to_s, server_json, credentials && Arguments.credentials(credentials))
      end
    end

    # Waits until `key` is published and returns its first version's value. Raises
    # HeatSync::TimeoutError after `timeout` seconds (nil waits as long as it takes);
    # the block, if any, receives a progress message every `progress_every` seconds
    # (`waiting 12 s for db.db_host from db/mysql`); `producer` names who produces the
    # value in messages (default: the producing server).
    def get(key, timeout: nil, progress_every: 10, producer: nil, &progress)
      JSON.parse(_get(JSON.generate(Keys.key(key)), Arguments.seconds(:timeout, timeout),
                      Arguments.seconds(:progress_every, progress_every), producer&.to_s, progress))
    end

    # Waits for every member's `output` of `group` (`count` members of a ResourceGroup,
    # nil for the current members of an AutoScalingGroup); returns the values in member
    # order.
    def gather(group, output, count: nil, timeout: nil, progress_every: 10, producer: nil, &progress)
      spec = JSON.generate("group" => group.to_s, "output" => output.to_s, "count" => Arguments.count(count),
                           "producer" => producer&.to_s)
      JSON.parse(_gather(spec, Arguments.seconds(:timeout, timeout), Arguments.seconds(:progress_every, progress_every),
                         progress))
    end

    # Publishes `value` (anything JSON can carry) under `key`; returns the version.
    def put(key, value)
      _put(JSON.generate(Keys.key(key)), Arguments.json(value))
    end

    # The stack's status as a Hash (roles, outputs, who waits for what).
    def status
      JSON.parse(_status)
    end
  end

  # The checks of the Client's arguments: a wrong type is an ArgumentError or TypeError
  # naming the argument, never a silent conversion (`"soon".to_f` is a zero timeout,
  # `JSON.generate(Object.new)` publishes its inspect string).
  module Arguments
    module_function

    # How deep a published value may nest (JSON.generate's own limit).
    MAX_DEPTH = 100

    # Seconds as a Float, nil staying nil.
    def seconds(name, value)
      return nil if value.nil?

      Float(value)
    rescue ArgumentError, TypeError
      raise ArgumentError, "#{name} must be a number of seconds, not #{value.inspect}"
    end

    # A member count: nil (the current members) or a whole number >= 0.
    def count(value)
      return nil if value.nil?

      n = Integer(value)
      raise ArgumentError unless n >= 0

      n
    rescue ArgumentError, TypeError
      raise ArgumentError, "count must be a whole number >= 0, not #{value.inspect}"
    end

    # The keys credentials may have: the user, and the stack secret or the derived
    # passwords (core/src/plan.rs `Credentials`).
    CREDENTIAL_KEYS = %w[user secret password read_password].freeze

    # Credentials as JSON. The message never shows the value: it may be the secret.
    def credentials(value)
      pairs = value.is_a?(Hash) ? value.transform_keys(&:to_s) : {}
      unless pairs["user"].is_a?(String) && pairs.size >= 2 && (pairs.keys - CREDENTIAL_KEYS).empty? &&
             pairs.values.all?(String)
        raise ArgumentError, 'credentials must be {"user" => String, "secret" => String} ' \
                             '(or the derived "password" and "read_password")'
      end

      JSON.generate(pairs)
    end

    # A value to publish as JSON: Hash (String or Symbol keys), Array, String, Symbol,
    # Integer, finite Float, true, false, nil.
    def json(value)
      check(value, "value", 0)
      JSON.generate(value)
    end

    def check(value, at, depth)
      raise ArgumentError, "#{at}: nests deeper than #{MAX_DEPTH} levels" if depth > MAX_DEPTH

      case value
      when Hash
        value.each do |k, v|
          raise TypeError, "#{at}: the key #{k.inspect} is not a String" unless k.is_a?(String) || k.is_a?(Symbol)

          check(v, "#{at}[#{k.to_s.inspect}]", depth + 1)
        end
      when Array then value.each_with_index { |v, i| check(v, "#{at}[#{i}]", depth + 1) }
      when Float then raise ArgumentError, "#{at}: #{value} is not a JSON number" unless value.finite?
      when String, Symbol, Integer, true, false, nil then nil
      else
        raise TypeError, "#{at}: a #{value.class} is not a JSON value " \
                         "(Hash, Array, String, Integer, Float, true, false or nil)"
      end
    end
  end
end
