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
        _connect(address.to_s, namespace.to_s, server_json, credentials && JSON.generate(credentials))
      end
    end

    # Waits until `key` is published and returns its first version's value. Raises
    # HeatSync::TimeoutError after `timeout` seconds (nil waits as long as it takes);
    # the block, if any, receives a progress message every `progress_every` seconds
    # (`waiting 12 s for db.db_host from db/mysql`); `producer` names who produces the
    # value in messages (default: the producing server).
    def get(key, timeout: nil, progress_every: 10, producer: nil, &progress)
      JSON.parse(_get(JSON.generate(Keys.key(key)), timeout&.to_f, progress_every.to_f, producer&.to_s, progress))
    end

    # Waits for every member's `output` of `group` (`count` members of a ResourceGroup,
    # nil for the current members of an AutoScalingGroup); returns the values in member
    # order.
    def gather(group, output, count: nil, timeout: nil, progress_every: 10, producer: nil, &progress)
      spec = JSON.generate("group" => group.to_s, "output" => output.to_s, "count" => count,
                           "producer" => producer&.to_s)
      JSON.parse(_gather(spec, timeout&.to_f, progress_every.to_f, progress))
    end

    # Publishes `value` (anything JSON can carry) under `key`; returns the version.
    def put(key, value)
      _put(JSON.generate(Keys.key(key)), JSON.generate(value))
    end

    # The stack's status as a Hash (roles, outputs, who waits for what).
    def status
      JSON.parse(_status)
    end
  end
end
