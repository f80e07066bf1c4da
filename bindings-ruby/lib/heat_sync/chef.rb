# frozen_string_literal: true

# heat_sync/chef: in-process interception of Chef node attributes (docs/chef.md).
#
# Loaded by the drop-in the heat-sync agent writes next to solo.rb:
#
#   # solo.d/heat_sync.rb
#   require "heat_sync/chef"
#   HeatSync::Chef.setup(server_plan: "/etc/heat-sync/server-plan.json", role: "mysql")
#
# Recipes stay unmodified: reads of the role's declared inputs wait for their values
# and find them at force_override; outputs are published from the node's merged view.

require "chef" unless defined?(::Chef::Node::Attribute)
require_relative "../heat_sync"
require_relative "chef/interceptor"
require_relative "chef/hooks"
require_relative "chef/event_handler"

module HeatSync
  # The Chef side of heat-sync.
  module Chef
    class << self
      # The installed interceptor (nil until #setup or #install).
      attr_reader :interceptor

      # Opens a coordinator session from the server plan and intercepts the role's
      # inputs and outputs for this chef-solo run. `log` takes each progress message
      # (default: Chef::Log.info).
      def setup(server_plan:, role:, log: nil)
        plan = ServerPlan.load(server_plan)
        client = Client.from_server_plan(server_plan.to_s)
        install(Interceptor.new(server: plan.server, role: plan.role(role), client: client, log: log))
      end

      # Installs `interceptor` (the hooks are prepended once; its event handler joins
      # Chef::Config[:event_handlers]) and returns it.
      def install(interceptor)
        Hooks.install!
        handlers = ::Chef::Config[:event_handlers] ||= []
        handlers.reject! { |h| h.is_a?(EventHandler) }
        handlers << EventHandler.new(interceptor)
        @interceptor = interceptor
      end

      # Removes the interceptor: the hooks stay prepended but pass everything through.
      def uninstall
        Array(::Chef::Config[:event_handlers]).reject! { |h| h.is_a?(EventHandler) }
        @interceptor = nil
      end
    end
  end
end
