"""Type information of the private native module (the API is documented in
heat_sync/__init__.py, which re-exports it)."""

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Union

from typing_extensions import Self, TypeAlias

#: A template or environment: JSON or YAML text, or the parsed mapping.
Document: TypeAlias = Union[str, Mapping[str, Any]]
#: Environments in merge order; each may come with its name for messages.
Environments: TypeAlias = Sequence[Union[Document, tuple[str, Document]]]
#: A coordinator key: "db.db_host", "web.0.url", ("db", "db_host"), ("web", "0", "url").
Key: TypeAlias = Union[str, tuple[str, str], tuple[str, str, str]]

__version__: str

def compile(
    template: Document,
    environments: Environments | None = None,
    params: Mapping[str, Any] | None = None,
    files: Mapping[str, str | bytes] | None = None,
    *,
    coordinator: str | None = None,
) -> dict[str, Any]: ...
def check(
    template: Document,
    environments: Environments | None = None,
    params: Mapping[str, Any] | None = None,
    files: Mapping[str, str | bytes] | None = None,
) -> list[dict[str, Any]]: ...
def graph(
    template: Document,
    environments: Environments | None = None,
    params: Mapping[str, Any] | None = None,
    files: Mapping[str, str | bytes] | None = None,
) -> dict[str, Any]: ...

class Client:
    def __new__(
        cls, coordinator: str, namespace: str, *, secret: str | None = None, server: str | None = None
    ) -> Self: ...
    @staticmethod
    def from_server_plan(plan: str | Mapping[str, Any]) -> Client: ...
    @property
    def namespace(self) -> str: ...
    def put(self, key: Key, value: Any) -> int: ...
    def get(self, key: Key, timeout: float = 600.0) -> Any: ...
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
