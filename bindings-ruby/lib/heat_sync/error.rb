# frozen_string_literal: true

module HeatSync
  # The root of every error heat-sync raises. The native extension raises the subclass
  # that matches the core error area (core/src/error.rs), so a rescue can be as broad or
  # as narrow as the caller needs.
  class Error < StandardError; end

  # Reading or validating a Heat template or environment.
  class TemplateError < Error; end

  # Heat's resource dependency graph (a circular dependency, ...).
  class GraphError < Error; end

  # The heat_sync metadata or the data-flow analysis (deadlocks, dangling references).
  class DataFlowError < Error; end

  # Producing the compiled template.
  class CompileError < Error; end

  # Reading or validating a stack plan or server plan file.
  class PlanError < Error; end

  # Talking to the coordinator (ZooKeeper or the embedded store).
  class CoordinatorError < Error; end

  # A wait that ran out of time; the message names what was awaited and from whom.
  # Not a subclass of Ruby's ::Timeout::Error: rescuing that must not swallow it.
  class TimeoutError < Error; end

  # Running roles on a server.
  class AgentError < Error; end

  # Reading or writing a local file.
  class IOError < Error; end

  # A bug in heat-sync's native code (a Rust panic), raised instead of Ruby's `fatal`
  # (which no `rescue => e` catches) or a crash.
  class InternalError < Error; end

  # A declared output had no value when its role finished (raised by heat_sync/chef
  # at the end of the converge, which fails the Chef run).
  class OutputError < Error; end
end
