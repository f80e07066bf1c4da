# frozen_string_literal: true

# heat-sync for Ruby: the coordinator client and the server plan, around the Rust core.
# `require "heat_sync/chef"` adds the interception of Chef node attributes.

require "json"
require_relative "heat_sync/version"
require_relative "heat_sync/error"
# The native extension looks the exception classes above up when it raises.
require "heat_sync/heat_sync_native"
require_relative "heat_sync/plan"
require_relative "heat_sync/client"
