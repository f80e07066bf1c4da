"""heat-sync: cross-VM synchronization and communication for OpenStack Heat.

The core of heat-sync (a Rust library) as a Python package:

- :func:`compile` turns a template whose servers carry ``heat_sync`` metadata into a
  standard Heat template plus the stack plan the coordinator is seeded with;
- :func:`check` lists the problems of such a template (deadlocks between servers,
  dangling references, ...) as ``{severity, code, place, message}`` dicts;
- :func:`graph` is Heat's own view of the template: verdict, dependency graph,
  creation order (the shape of ``heat-sync graph --format json``);
- :class:`Client` reads and writes values in one stack's coordinator namespace.

Every function takes the template as text (JSON or YAML) or as a dict, environments
as a list (merge order), parameter values as a dict and the files map (``get_file``
and provider template names, as the template writes them) as a dict.  Answers are
plain Python objects.  Errors are :class:`Error` subclasses, one per area.

``heat_sync.heat_plugin`` holds the Heat engine plugins (see docs/heat.md); it is
loaded by Heat through entry points and is not imported here.
"""

from __future__ import annotations

from heat_sync._errors import (
    AgentError,
    CompileError,
    CoordinatorError,
    DataFlowError,
    Error,
    GraphError,
    InternalError,
    IoError,
    PlanError,
    TemplateError,
    TimeoutError,
)
from heat_sync._heat_sync import Client, __version__, check, compile, graph

__all__ = [
    "__version__",
    "compile",
    "check",
    "graph",
    "Client",
    "Error",
    "TemplateError",
    "GraphError",
    "DataFlowError",
    "CompileError",
    "PlanError",
    "CoordinatorError",
    "TimeoutError",
    "AgentError",
    "IoError",
    "InternalError",
]
