"""Type information of the private native module (the API is documented in
heat_sync/__init__.py, which re-exports it)."""

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Union, final

from typing_extensions import Self, TypeAlias

#: A template or environment: JSON or YAML text, or the parsed mapping.
_Document: TypeAlias = Union[str, Mapping[str, Any]]
#: _Environments in merge order; each may come with its name for messages.
_Environments: TypeAlias = Sequence[Union[_Document, tuple[str, _Document]]]
#: A coordinator key: "db.db_host", "web.0.url", ("db", "db_host"), ("web", "0", "url").
_Key: TypeAlias = Union[str, tuple[str, str], tuple[str, str, str]]

__all__ = ["Client", "__version__", "_panic_for_tests", "check", "compile", "graph"]

__version__: str

def compile(
    template: _Document,
    environments: _Environments | None = None,
    params: Mapping[str, Any] | None = None,
    files: Mapping[str, str | bytes] | None = None,
    *,
    coordinator: str | None = None,
    chef_install: str | None = None,
    agent_install: str | None = None,
) -> dict[str, Any]: ...
def check(
    template: _Document,
    environments: _Environments | None = None,
    params: Mapping[str, Any] | None = None,
    files: Mapping[str, str | bytes] | None = None,
) -> list[dict[str, Any]]: ...
def graph(
    template: _Document,
    environments: _Environments | None = None,
    params: Mapping[str, Any] | None = None,
    files: Mapping[str, str | bytes] | None = None,
    *,
    dataflow: bool = False,
) -> dict[str, Any]: ...

@final
class Client:
    def __new__(
        cls, coordinator: str, namespace: str, *, secret: str | None = None, server: str | None = None
    ) -> Self: ...
    @staticmethod
    def from_server_plan(plan: str | Mapping[str, Any]) -> Client: ...
    @property
    def namespace(self) -> str: ...
    def put(self, key: _Key, value: Any) -> int: ...
    def get(self, key: _Key, timeout: float = 600.0) -> Any: ...
    def gather(self, group: str, output: str, count: int | None = None, timeout: float = 600.0) -> list[Any]: ...
    def status(self) -> dict[str, Any]: ...
    def init_stack(self, stack_plan: str | Mapping[str, Any]) -> None: ...
    def remove_stack(self) -> None: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
        /,
    ) -> bool: ...

def _panic_for_tests(message: str) -> None: ...
