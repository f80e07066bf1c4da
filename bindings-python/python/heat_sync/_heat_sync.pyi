"""Type information of the private native module (see heat_sync/__init__.py)."""

__version__: str

def _panic_for_tests(message: str) -> None: ...
