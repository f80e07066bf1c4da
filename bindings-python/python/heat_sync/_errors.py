"""The ``heat_sync.Error`` exception tree: one class per area of the core.

The native module raises these classes (it imports them from here), so they are
ordinary Python classes: documented, subclassable, and described exactly by the
package's type information.  Every exception heat-sync raises on purpose is a
``heat_sync.Error``; a bug in the native code arrives as ``InternalError``, never as
a crash or a ``BaseException``. The package's ``__all__`` lists them.
"""

from __future__ import annotations

import builtins
from typing import Any


class Error(Exception):
    """Any error heat-sync reports.

    ``str(error)`` is the core's message; it names the place it is about (a file, a
    template path such as ``resources.web.metadata.heat_sync.roles[0]``, a
    coordinator key).  Keyword arguments become attributes of the instance.
    """

    #: The place the error is about, when it has one: a template path such as
    #: ``resources.web.metadata.heat_sync.roles[0].inputs.wordpress.db.host``.
    place: str | None = None

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        for name, value in details.items():
            setattr(self, name, value)

    @property
    def message(self) -> str:
        """The message, as ``str(error)``."""
        return str(self.args[0]) if self.args else ""


class TemplateError(Error):
    """Reading, parsing or validating a Heat template or environment."""


class GraphError(Error):
    """The resource dependency graph, e.g. resources that depend on each other."""

    #: The resources on a circular dependency, in cycle order (``None`` otherwise).
    cycle: list[str] | None = None


class DataFlowError(Error):
    """The ``heat_sync`` metadata or its data flow: a cross-server deadlock, a
    reference to an output nobody produces, an input bound twice."""

    #: A deadlock, hop by hop: the roles on the cycle as ``server/role`` strings, in
    #: order, each waiting for the next and the last for the first (``None`` for
    #: other data-flow errors).
    cycle: list[str] | None = None
    #: Every problem ``check`` found, as ``{severity, code, place, message}`` dicts,
    #: when the error is compile refusing the template (``None`` otherwise).
    problems: list[dict[str, Any]] | None = None


class CompileError(Error):
    """Producing the compiled template."""


class PlanError(Error):
    """Reading or validating a stack plan or server plan."""


class CoordinatorError(Error):
    """Talking to the coordinator (ZooKeeper or the embedded store)."""


class TimeoutError(Error, builtins.TimeoutError):
    """A wait that ran out of time; also a built-in ``TimeoutError``."""

    #: The awaited key as shown in messages (``db.db_host``).
    key: str | None = None
    #: Who produces it (``db/mysql``).
    producer: str | None = None
    #: Seconds waited.
    waited: float | None = None


class AgentError(Error):
    """Running a server's roles."""


class IoError(Error):
    """Reading or writing a local file."""

    #: The file.
    path: str | None = None


class InternalError(Error):
    """A bug in heat-sync's native code (a Rust panic), reported instead of a crash."""
