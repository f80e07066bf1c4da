"""The stack lifecycle plugin, called through Heat 27's own hook code
(heat.common.lifecycle_plugin_utils) as the legacy engine calls it around create and
delete, against a real ZooKeeper."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from types import ModuleType
from typing import Any

import pytest
from conftest import read

import heat_sync
from heat_sync.heat_plugin import lifecycle

SECRET = "stack-secret-for-tests"
ZK_CLI = "/usr/share/zookeeper/bin/zkCli.sh"


def zk_exists(zk: str, path: str) -> bool:
    """Asks ZooKeeper itself, through its own command-line client."""
    if not shutil.which(ZK_CLI):
        pytest.fail(f"{ZK_CLI} missing (Debian package zookeeper, scripts/install.d/10-apt.sh)")
    out = subprocess.run(
        [ZK_CLI, "-server", zk, "stat", path], capture_output=True, text=True, timeout=60, check=False
    )
    text = out.stdout + out.stderr
    if "Node does not exist" in text:
        return False
    if "ctime" in text:
        return True
    raise AssertionError(f"zkCli.sh stat {path}: unexpected answer:\n{text}")


def make_stack(oracle: ModuleType, text: str, params: dict[str, str]) -> Any:
    """A Stack object as the engine builds it for stack create (no database)."""
    from heat.engine import stack as heat_stack

    tmpl = oracle.build_template(text, "template.yaml", params, [], {})
    oracle.engine_validate_template(tmpl)
    stk = heat_stack.Stack(oracle.dummy_context(), "wordpress", tmpl, strict_validate=False)
    stk.validate(validate_res_tmpl_only=True)
    # The id Stack.store() gives it before create (set after validation: with an id,
    # Heat would look the stack's resources up in its database).
    stk.id = str(uuid.uuid4())
    # Stack.store() also hands the id to the OS::stack_id pseudo parameter.
    stk._set_param_stackid()
    return stk


def opted_in(name: str) -> str:
    text = read(name)
    return text.replace("heat_template_version: 2016-10-14\n", "heat_template_version: 2016-10-14-heat-sync\n", 1)


def params(zk: str) -> dict[str, str]:
    return {"heat_sync_coordinator": f"zk://{zk}", "heat_sync_secret": SECRET}


def create_hooks(stk: Any) -> None:
    from heat.common import lifecycle_plugin_utils

    # heat.engine.stack.Stack.stack_task, legacy engine, action CREATE.
    lifecycle_plugin_utils.do_pre_ops(stk.context, stk, None, stk.CREATE)


def delete_hooks(stk: Any, status: str) -> None:
    from heat.common import lifecycle_plugin_utils

    # heat.engine.stack.Stack.delete: pre-ops, resources destroyed, state set, post-ops.
    lifecycle_plugin_utils.do_pre_ops(stk.context, stk, None, stk.DELETE)
    stk.action, stk.status = stk.DELETE, status
    lifecycle_plugin_utils.do_post_ops(stk.context, stk, None, stk.DELETE, stk.status == stk.FAILED)


def test_heat_loads_the_plugin_from_its_entry_point(oracle: ModuleType) -> None:
    from heat.common import lifecycle_plugin_utils

    instances = lifecycle_plugin_utils.get_plug_point_class_instances()
    assert [type(i) for i in instances] == [lifecycle.CoordinatorNamespacePlugin]


def test_create_seeds_the_namespace_and_delete_removes_it(oracle: ModuleType, zk_address: str) -> None:
    stk = make_stack(oracle, opted_in("wordpress.yaml"), params(zk_address))
    assert type(stk.t).__module__ == "heat_sync.heat_plugin.template"
    namespace = f"/heat-sync/{stk.id}"
    assert not zk_exists(zk_address, namespace)

    create_hooks(stk)

    assert zk_exists(zk_address, namespace)
    with heat_sync.Client(f"zk://{zk_address}", namespace, secret=SECRET) as client:
        status = client.status()
    assert status["seeded"] is True
    assert status["namespace"] == namespace
    roles = {(r["server"], r["role"]) for r in status["roles"]}
    assert roles == {("db", "mysql"), ("web", "wordpress")}
    keys = {v["key"] for v in status["values"]}
    assert {"db.db_host", "db.db_port", "web.url"} <= keys

    delete_hooks(stk, stk.COMPLETE)

    assert not zk_exists(zk_address, namespace)


def test_a_failed_delete_keeps_the_namespace(oracle: ModuleType, zk_address: str) -> None:
    stk = make_stack(oracle, opted_in("wordpress.yaml"), params(zk_address))
    namespace = f"/heat-sync/{stk.id}"
    create_hooks(stk)
    delete_hooks(stk, stk.FAILED)
    assert zk_exists(zk_address, namespace)
    delete_hooks(stk, stk.COMPLETE)  # the next delete attempt succeeds
    assert not zk_exists(zk_address, namespace)


def test_stacks_that_are_not_heat_sync_stacks_are_left_alone(oracle: ModuleType, zk_address: str) -> None:
    text = "heat_template_version: 2016-10-14\nresources:\n  a: {type: OS::Heat::None}\n"
    stk = make_stack(oracle, text, {})
    create_hooks(stk)
    delete_hooks(stk, stk.COMPLETE)
    assert not zk_exists(zk_address, f"/heat-sync/{stk.id}")


def test_an_unreachable_coordinator_fails_the_create_with_heat_syncs_message(oracle: ModuleType) -> None:
    stk = make_stack(
        oracle, opted_in("wordpress.yaml"), {"heat_sync_coordinator": "zk://127.0.0.1:1", "heat_sync_secret": SECRET}
    )
    with pytest.raises(Exception) as info:
        create_hooks(stk)
    # Heat turns the pre-op's message into the stack's CREATE_FAILED reason.
    assert "zk://127.0.0.1:1" in str(info.value)
    assert "connect" in str(info.value)


def rendered_plan(oracle: ModuleType, stk: Any, server: str) -> dict[str, Any]:
    """The server plan in `server`'s user-data as Heat renders it for this stack: Heat's
    own str_replace, digest and list_join over the stack's id and parameters (the wait
    condition handle's attributes are the oracle's markers)."""
    user_data = oracle.resolve_markers(stk)["resources"][server]["properties"]["user_data"]
    start = user_data.index('{"format":"heat-sync/server-plan"')
    plan: dict[str, Any] = json.loads(user_data[start:].split("\n", 1)[0])
    return plan


def test_servers_reach_the_seeded_namespace_with_the_credentials_heat_derives(
    oracle: ModuleType, zk_address: str
) -> None:
    stk = make_stack(oracle, opted_in("wordpress.yaml"), {**params(zk_address), "db_password": "pw"})
    namespace = f"/heat-sync/{stk.id}"
    create_hooks(stk)
    try:
        plans = {s: rendered_plan(oracle, stk, s) for s in ("db", "web")}
        for plan in plans.values():
            assert SECRET not in json.dumps(plan), "a server plan holds the stack secret"
            assert plan["version"] == 2
            assert plan["coordinator"]["namespace"] == namespace
        # Each server acts with its own password, which fits the ACLs the plugin seeded
        # from the secret: db writes its value, web reads it and cannot overwrite it.
        with heat_sync.Client.from_server_plan(plans["db"]) as db:
            assert db.put("db.db_host", "10.0.0.5") == 1
        with heat_sync.Client.from_server_plan(plans["web"]) as web:
            assert web.get("db.db_host", timeout=10) == "10.0.0.5"
            with pytest.raises(heat_sync.CoordinatorError, match="permission denied"):
                web.put("db.db_host", "evil")
            web.put("web.url", "http://web/")
    finally:
        delete_hooks(stk, stk.COMPLETE)
    assert not zk_exists(zk_address, namespace)
