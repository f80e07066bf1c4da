"""Fixtures: the shared/ folder (Heat oracle), a real ZooKeeper, test templates.

Under CI=true a missing shared/ or ZooKeeper is a failure; elsewhere a skip that says
why.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
DATA = HERE / "data"
IN_CI = os.environ.get("CI", "").lower() == "true"


def missing(why: str) -> None:
    """Fail under CI, skip elsewhere."""
    if IN_CI:
        pytest.fail(why)
    pytest.skip(why)


def shared_dir() -> Path:
    path = Path(os.environ.get("HEAT_SYNC_SHARED") or REPO.parent / "shared")
    if not (path / "tools" / "heat_oracle.py").is_file():
        missing(f"shared/ not found at {path} (set HEAT_SYNC_SHARED)")
    return path


@pytest.fixture(scope="session")
def oracle() -> ModuleType:
    """shared/tools/heat_oracle.py: Heat 27's engine code set up to run offline."""
    tools = str(shared_dir() / "tools")
    if tools not in sys.path:
        sys.path.insert(0, tools)
    import heat_oracle

    heat_oracle.setup_heat()
    return heat_oracle


@pytest.fixture(scope="session")
def zk_address() -> str:
    """host:port of a real ZooKeeper (env HEAT_SYNC_ZK, set by scripts/test)."""
    address = os.environ.get("HEAT_SYNC_ZK", "")
    if not address:
        missing("HEAT_SYNC_ZK is not set: no ZooKeeper to test against (scripts/test starts one)")
    return address


def read(name: str) -> str:
    """A test template from tests/data."""
    return (DATA / name).read_text(encoding="utf-8")
