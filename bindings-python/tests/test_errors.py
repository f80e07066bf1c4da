"""The heat_sync.Error tree and the panic guard."""

from __future__ import annotations

import pickle

import pytest

import heat_sync
from heat_sync import _heat_sync

AREAS = [
    heat_sync.TemplateError,
    heat_sync.GraphError,
    heat_sync.DataFlowError,
    heat_sync.CompileError,
    heat_sync.PlanError,
    heat_sync.CoordinatorError,
    heat_sync.TimeoutError,
    heat_sync.AgentError,
    heat_sync.IoError,
    heat_sync.InternalError,
]


@pytest.mark.parametrize("cls", AREAS, ids=lambda c: c.__name__)
def test_every_area_is_a_heat_sync_error(cls: type) -> None:
    assert issubclass(cls, heat_sync.Error)
    assert issubclass(cls, Exception)
    assert cls.__module__ == "heat_sync._errors"
    assert cls.__doc__


def test_timeout_is_also_the_builtin_timeout() -> None:
    e = heat_sync.TimeoutError("timed out after 3 s waiting for db.db_host from db/mysql", key="db.db_host")
    assert isinstance(e, TimeoutError)
    assert e.key == "db.db_host"
    assert e.producer is None
    assert str(e) == e.message


def test_details_become_attributes_and_survive_pickling_of_the_message() -> None:
    e = heat_sync.DataFlowError("deadlock", cycle=["a/first", "b/second"])
    assert e.cycle == ["a/first", "b/second"]
    assert str(pickle.loads(pickle.dumps(e))) == "deadlock"


def test_a_rust_panic_arrives_as_internal_error_not_a_crash() -> None:
    with pytest.raises(heat_sync.InternalError) as info:
        _heat_sync._panic_for_tests("an invariant broke")
    assert "an invariant broke" in str(info.value)
    assert "bug" in str(info.value)
    # An ordinary `except Exception` (as Heat's engine uses) catches it.
    try:
        _heat_sync._panic_for_tests("again")
    except Exception as e:  # noqa: BLE001
        assert isinstance(e, heat_sync.Error)


def test_the_process_survives_many_panics() -> None:
    for i in range(50):
        with pytest.raises(heat_sync.InternalError):
            _heat_sync._panic_for_tests(f"panic {i}")
    assert heat_sync.__version__
