# frozen_string_literal: true

require "json"
require_relative "error"

module HeatSync
  # A server plan (docs/plan.md) as plain Ruby data. The core reads and checks the file
  # (format, version, shape), so the gem and the agent accept exactly the same plans.
  class ServerPlan
    attr_reader :data, :file

    # Reads and checks a server plan file; raises PlanError or IOError.
    def self.load(path)
      new(JSON.parse(Native.load_server_plan(path.to_s)), file: path.to_s)
    end

    # Parses and checks server plan JSON text; `file` names it in errors.
    def self.parse(text, file: "<memory>")
      new(JSON.parse(Native.parse_server_plan(file, text)), file: file)
    end

    def initialize(data, file: "<memory>")
      @data = data
      @file = file
    end

    # This server as a Hash ({"resource" => "web", "member" => "0"}).
    def server
      data.fetch("server")
    end

    # This server as shown in messages: `db`, `web.0`.
    def server_name
      Keys.server_name(server)
    end

    def roles
      data.fetch("roles")
    end

    # The role named `name`; raises PlanError naming the roles there are.
    def role(name)
      roles.find { |r| r["name"] == name.to_s } or
        raise PlanError, "#{file}: server #{server_name} has no role #{name.to_s.inspect} " \
                         "(roles: #{roles.map { |r| r["name"] }.join(", ")})"
    end

    def coordinator
      data.fetch("coordinator")
    end
  end

  # Coordinator keys and attribute paths as they appear in messages.
  module Keys
    module_function

    # `db` for a plain server, `web.0` for a group member.
    def server_name(server)
      server["member"] ? "#{server["resource"]}.#{server["member"]}" : server["resource"]
    end

    # `db.db_host`, `web.0.url`.
    def key_name(key)
      "#{server_name(key["server"])}.#{key["output"]}"
    end

    # `db/mysql`, or `db (agent)` for attributes the agent publishes at boot.
    def producer_name(producer)
      name = server_name(producer["server"])
      producer["role"] ? "#{name}/#{producer["role"]}" : "#{name} (agent)"
    end

    # A key given as a Hash (the plan's shape) or a String (`db.db_host`,
    # `web.0.url`: the last dot separates the output; a whole-number segment before it
    # names a group member).
    def key(value)
      return value if value.is_a?(Hash) && value.key?("server")

      parts = value.to_s.split(".")
      raise ArgumentError, "key #{value.inspect}: expected server.output or group.member.output" if parts.size < 2

      output = parts.pop
      server = if parts.size > 1 && parts.last.match?(/\A\d+\z/)
                 member = parts.pop
                 { "resource" => parts.join("."), "member" => member }
               else
                 { "resource" => parts.join(".") }
               end
      { "server" => server, "output" => output }
    end

    # `node['wordpress']['db']['host']`: how a recipe reads the path.
    def attr_name(path)
      "node" + path.map { |k| k.to_s.match?(/\A\d+\z/) ? "[#{k}]" : "['#{k}']" }.join
    end
  end
end
