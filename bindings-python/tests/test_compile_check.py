"""heat_sync.compile() and heat_sync.check(): the core's answers as Python objects,
and the compiled template as Heat 27 itself reads it."""

from __future__ import annotations

import json
from types import ModuleType

import pytest
from conftest import read

import heat_sync

PROBLEM_KEYS = {"severity", "code", "place", "message"}


def test_check_lists_problems_in_the_cli_shape() -> None:
    problems = heat_sync.check(read("wordpress.yaml"))
    assert isinstance(problems, list)
    for p in problems:
        assert PROBLEM_KEYS <= set(p)
        assert p["severity"] in ("error", "warning")
    assert [p for p in problems if p["severity"] == "error"] == []


def test_check_names_a_deadlock_hop_by_hop() -> None:
    problems = heat_sync.check(read("deadlock.yaml"))
    deadlocks = [p for p in problems if p["code"] == "deadlock"]
    assert len(deadlocks) == 1
    d = deadlocks[0]
    assert d["severity"] == "error"
    assert d["place"].startswith("resources.a.metadata.heat_sync.roles[0].inputs")
    assert "a/first" in d["message"] and "b/second" in d["message"]


def test_compile_returns_the_template_and_the_stack_plan() -> None:
    out = heat_sync.compile(read("wordpress.yaml"), coordinator="zk://127.0.0.1:2181/heat-sync")
    assert {"template", "stack_plan"} <= set(out)
    template, plan = out["template"], out["stack_plan"]
    assert template["heat_template_version"] == "2016-10-14"
    params = template["parameters"]
    assert params["heat_sync_coordinator"]["default"] == "zk://127.0.0.1:2181/heat-sync"
    assert params["heat_sync_secret"]["hidden"] is True
    assert "heat_sync" not in json.dumps(template["resources"]["db"].get("metadata", {}))
    assert plan["format"] == "heat-sync/stack-plan"
    assert plan["version"] == 1
    servers = {s["server"]["resource"]: [r["name"] for r in s["roles"]] for s in plan["servers"]}
    assert servers == {"db": ["mysql"], "web": ["wordpress"]}


def test_compile_refuses_a_deadlock_with_the_cycle_as_an_attribute() -> None:
    with pytest.raises(heat_sync.DataFlowError) as info:
        heat_sync.compile(read("deadlock.yaml"))
    e = info.value
    assert e.cycle == ["a/first", "b/second"]
    assert "deadlock" in str(e)
    assert "resources.a.metadata.heat_sync.roles[0].inputs" in str(e)
    assert [p["code"] for p in e.problems if p["severity"] == "error"] == ["deadlock"]


def test_hidden_parameter_values_never_reach_the_compiled_template() -> None:
    out = heat_sync.compile(read("wordpress.yaml"), params={"db_password": "hunter2"})
    assert "hunter2" not in json.dumps(out)


def test_the_compiled_template_is_one_heat_accepts(oracle: ModuleType) -> None:
    out = heat_sync.compile(read("wordpress.yaml"))
    params = {"heat_sync_coordinator": "zk://127.0.0.1:2181", "heat_sync_secret": "s", "db_password": "p"}
    result = oracle.run_oracle(json.dumps(out["template"]), params=params)
    assert result["errors"] == []
    # Coordinated servers boot in parallel: neither waits for the other in Heat's graph.
    assert ["web", "db"] not in result["edges"]
    assert ["db", "web"] not in result["edges"]


def test_an_unreadable_template_is_a_heat_sync_error() -> None:
    with pytest.raises(heat_sync.Error) as info:
        heat_sync.compile("heat_template_version: 2016-10-14\nresources: [unclosed\n")
    assert not isinstance(info.value, heat_sync.InternalError)
