"""Bad input through the Python binding (issue 7), as core/tests/bad_input_cli.rs and
bad_input_templates.rs drive the command line: malformed templates, heat_sync
metadata, plan files, coordinator addresses and credentials, and wrong argument types
for every public function.

Each must raise the class of the heat_sync.Error tree for its area (TypeError or
ValueError for an argument of the wrong type, as Python does) with a message naming
the place, never crash the interpreter, and leave the coordinator as it was.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import heat_sync
from conftest import REPO, missing

SERVER = "    type: OS::Nova::Server\n    properties: {image: debian-12, flavor: m1.small}\n"
VERSION = "heat_template_version: 2016-10-14\n"


def with_metadata(metadata: str) -> str:
    return f"{VERSION}resources:\n  db:\n{SERVER}    metadata:\n{metadata}"


GOOD = with_metadata("      heat_sync:\n        roles:\n          - name: mysql\n            outputs: {db_host: mysql.host}\n")


def dataflow_graph(*args: Any, **kw: Any) -> Any:
    return heat_sync.graph(*args, dataflow=True, **kw)


#: Every function that reads a template and raises when it cannot.
READERS: list[Callable[..., Any]] = [heat_sync.check, heat_sync.compile, dataflow_graph]

# --- templates ---------------------------------------------------------------------

#: (case, template, keyword arguments, text the message must hold)
UNREADABLE: list[tuple[str, Any, dict[str, Any], str]] = [
    ("empty", "", {}, "Template format version not found"),
    ("binary", "\x00\x01\x02: [", {}, "Template format version not found"),
    ("yaml-syntax", f"{VERSION}resources: {{db: [}}\n", {}, "line 2 column 18"),
    ("json-syntax", '{"heat_template_version": "2016-10-14", "resources": {', {}, "Error parsing template"),
    ("no-version", "resources: {}\n", {}, "Template format version not found"),
    ("a-list", "[1, 2, 3]\n", {}, "not a JSON object or YAML mapping"),
    ("wrong-version", "heat_template_version: 1999-01-01\n", {}, "1999-01-01"),
    ("oversized", f"{VERSION}description: {'x' * 600_000}\nresources: {{}}\n", {}, "exceeds maximum allowed size"),
    ("deep-lists", f"{VERSION}resources: {'[' * 20_000}{']' * 20_000}\n", {}, "Error parsing template"),
    ("deep-maps", f"{VERSION}resources: {'{a: ' * 20_000}{'}' * 20_000}\n", {}, "Error parsing template"),
    ("parameter-type", f"{VERSION}parameters:\n  port: {{type: strang}}\nresources: {{}}\n", {}, "parameters.port: Invalid type (strang)"),
    (
        "parameter-value",
        f"{VERSION}parameters:\n  port: {{type: number}}\nresources: {{}}\n",
        {"params": {"port": "eighty"}},
        "parameters.port: could not convert string to float: 'eighty'",
    ),
    (
        "parameter-default",
        f"{VERSION}parameters:\n  flag: {{type: boolean, default: maybe}}\nresources: {{}}\n",
        {},
        "parameters.flag:",
    ),
]


@pytest.mark.parametrize("read", READERS, ids=lambda f: f.__name__)
@pytest.mark.parametrize(("case", "template", "kw", "needle"), UNREADABLE, ids=[c[0] for c in UNREADABLE])
def test_unreadable_templates_raise_template_error_naming_the_template(
    read: Callable[..., Any], case: str, template: str, kw: dict[str, Any], needle: str
) -> None:
    with pytest.raises(heat_sync.TemplateError) as info:
        read(template, **kw)
    assert info.value.place == "<template>"
    assert str(info.value).startswith("<template>: "), str(info.value)
    assert needle in str(info.value)


@pytest.mark.parametrize(("case", "template", "kw", "needle"), UNREADABLE, ids=[c[0] for c in UNREADABLE])
def test_graph_answers_heats_verdict_for_unreadable_templates(
    case: str, template: str, kw: dict[str, Any], needle: str
) -> None:
    answer = heat_sync.graph(template, **kw)
    assert answer["errors"], answer


def test_a_hidden_value_heat_cannot_type_is_masked_in_the_error() -> None:
    template = f"{VERSION}parameters:\n  pin: {{type: number, hidden: true}}\nresources: {{}}\n"
    for read in READERS:
        with pytest.raises(heat_sync.TemplateError) as info:
            read(template, params={"pin": "S3cretPin"})
        assert "S3cretPin" not in str(info.value)
        assert "parameters.pin: could not convert string to float: '******'" in str(info.value)
    assert heat_sync.graph(template, params={"pin": "S3cretPin"})["errors"] == [
        "could not convert string to float: '******'"
    ]


#: Templates Heat rejects for a function or a section: graph() carries Heat's message,
#: which names the template path.
HEAT_REJECTS = [
    ("removed-function", "image: {Fn::GetAZs: ''}", "resources.db.properties.image.Fn::GetAZs"),
    ("function-arguments", "image: {list_join: 7}", "resources.db.properties.image.list_join"),
    ("unknown-reference", "image: {get_resource: ghost}", '"ghost" (in db.Properties.image)'),
]


@pytest.mark.parametrize(("case", "edit", "place"), HEAT_REJECTS, ids=[c[0] for c in HEAT_REJECTS])
def test_heats_function_errors_name_the_template_path(case: str, edit: str, place: str) -> None:
    template = with_metadata("      {}\n").replace("image: debian-12", edit)
    errors = heat_sync.graph(template)["errors"]
    assert errors and place in errors[0], errors


def test_environments_are_named_in_errors() -> None:
    for env, needle in [
        (("env.yaml", "parameters: [1, 2]\n"), 'env.yaml: environment section "parameters" must be a mapping'),
        (("env.yaml", "resource_registry: 7\n"), 'env.yaml: environment section "resource_registry"'),
        (("env.yaml", "parameters: {a: [}\n"), "env.yaml: "),
        ("parameters: [1]\n", "<environment 0>: "),
    ]:
        for read in READERS:
            with pytest.raises(heat_sync.TemplateError) as info:
                read(GOOD, [env])
            assert needle in str(info.value), (env, str(info.value))


# --- heat_sync metadata ----------------------------------------------------------------

#: (case, metadata, place of the error)
BAD_METADATA = [
    ("not-a-mapping", "      heat_sync: 7\n", "resources.db.metadata.heat_sync"),
    ("roles-not-a-list", "      heat_sync:\n        roles: {mysql: 1}\n", "resources.db.metadata.heat_sync.roles"),
    ("unknown-tool", "      heat_sync:\n        tool: puppet\n        roles: []\n", "resources.db.metadata.heat_sync.tool"),
    (
        "role-without-name",
        '      heat_sync:\n        roles:\n          - run_list: ["recipe[x]"]\n',
        "resources.db.metadata.heat_sync.roles[0]",
    ),
    (
        "empty-path-segment",
        '      heat_sync:\n        roles:\n          - name: m\n            inputs: {"a..b": 1}\n',
        "resources.db.metadata.heat_sync.roles[0].inputs.a..b",
    ),
    (
        "dangling-output",
        "      heat_sync:\n        roles:\n          - name: m\n            inputs: {a.b: {get_attr: [db, nobody_produces_this]}}\n",
        "resources.db.metadata.heat_sync.roles[0].inputs.a.b",
    ),
    (
        "unknown-resource",
        "      heat_sync:\n        roles:\n          - name: m\n            inputs: {a.b: {get_attr: [ghost, x]}}\n",
        "resources.db.metadata.heat_sync.roles[0].inputs.a.b",
    ),
]


@pytest.mark.parametrize(("case", "metadata", "place"), BAD_METADATA, ids=[c[0] for c in BAD_METADATA])
def test_bad_metadata_is_a_problem_of_check_and_refuses_compile(case: str, metadata: str, place: str) -> None:
    template = with_metadata(metadata)
    errors = [p for p in heat_sync.check(template) if p["severity"] == "error"]
    assert [p["place"] for p in errors] == [place], errors
    with pytest.raises(heat_sync.DataFlowError) as info:
        heat_sync.compile(template)
    assert info.value.place == place
    assert str(info.value).startswith(f"{place}: ")
    assert info.value.problems and info.value.problems[0]["place"] == place
    # The data-flow graph still draws what it could read.
    assert set(dataflow_graph(template)) == {"roles", "edges", "inputs"}


# --- wrong argument types --------------------------------------------------------------


@pytest.mark.parametrize("read", [heat_sync.check, heat_sync.compile, heat_sync.graph], ids=lambda f: f.__name__)
def test_template_functions_refuse_wrong_argument_types(read: Callable[..., Any]) -> None:
    calls: list[tuple[Callable[[], Any], type[Exception], str]] = [
        (lambda: read(123), TypeError, "template must be a str"),
        (lambda: read(None), TypeError, "template must be a str"),
        (lambda: read(b"heat_template_version: 2016-10-14"), TypeError, "not bytes"),
        (lambda: read(GOOD, "parameters: {}"), TypeError, "environments must be a list"),
        (lambda: read(GOOD, {"parameters": {}}), TypeError, "environments must be a list"),
        (lambda: read(GOOD, [5]), TypeError, "environments[0] must be a str"),
        (lambda: read(GOOD, [(5, "parameters: {}")]), TypeError, "environments[0]: a name must be a str"),
        (lambda: read(GOOD, 5), TypeError, "not iterable"),
        (lambda: read(GOOD, None, ["image=x"]), TypeError, "params must be a dict"),
        (lambda: read(GOOD, None, {1: "x"}), TypeError, "params: the key 1 is not a str"),
        (lambda: read(GOOD, None, None, ["a.txt"]), TypeError, "files must be a dict"),
        (lambda: read(GOOD, None, None, {"a.txt": 5}), TypeError, 'files["a.txt"] must be a str'),
        (lambda: read(GOOD, None, None, {"a.txt": b"\xff"}), ValueError, 'files["a.txt"]: not UTF-8'),
        (lambda: read(GOOD, None, None, {7: "x"}), TypeError, "files: the key 7 is not a str"),
        (lambda: read(GOOD, params={"p": float("nan")}), ValueError, "not a JSON number"),
        (lambda: read(GOOD, bogus=1), TypeError, "bogus"),
    ]
    if read is heat_sync.compile:
        calls.append((lambda: read(GOOD, coordinator=5), TypeError, "coordinator"))
        calls.append((lambda: read(GOOD, chef_install=["x"]), TypeError, "chef_install"))
    if read is heat_sync.graph:
        calls.append((lambda: read(GOOD, dataflow="yes"), TypeError, "dataflow"))
    for call, cls, needle in calls:
        with pytest.raises(cls) as info:
            call()
        assert needle in str(info.value), str(info.value)


def test_a_template_dict_nested_too_deep_is_an_error_not_a_crash() -> None:
    # Found here: a 20,000-deep dict overflowed the native stack while it was
    # converted (a segmentation fault of the interpreter). Run in a child process so
    # that a regression fails this test instead of killing the suite.
    script = (
        "import heat_sync\n"
        "d = cur = {}\n"
        "for _ in range(20000):\n"
        "    cur['a'] = {}\n"
        "    cur = cur['a']\n"
        "t = {'heat_template_version': '2016-10-14', 'resources': {}, 'description': d}\n"
        "for f in (heat_sync.check, heat_sync.compile, heat_sync.graph):\n"
        "    try:\n"
        "        f(t)\n"
        "    except ValueError as e:\n"
        "        print(type(e).__name__, e)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done
    assert done.stdout.count("ValueError the value nests deeper than 512 levels") == 3, done.stdout


# --- plans ------------------------------------------------------------------------------


def server_plan(address: str, namespace: str = "/heat-sync/s1") -> dict[str, Any]:
    """A server plan the agent accepts (the one bad_input_cli.rs starts from)."""
    return {
        "format": "heat-sync/server-plan",
        "version": 1,
        "server": {"resource": "db"},
        "tool": "script",
        "roles": [
            {
                "name": "mysql",
                "run": "#!/bin/sh\nheat-sync put db_host 10.0.0.5\n",
                "timeout": 30,
                "inputs": [],
                "outputs": [{"name": "db_host", "path": ["mysql", "bind_address"]}],
            }
        ],
        "coordinator": {"address": address, "namespace": namespace},
    }


STACK_PLAN: dict[str, Any] = {
    "format": "heat-sync/stack-plan",
    "version": 1,
    "servers": [
        {
            "server": {"resource": "db"},
            "type": "OS::Nova::Server",
            "tool": "script",
            "roles": [
                {
                    "name": "mysql",
                    "run": "true",
                    "timeout": 30,
                    "outputs": [{"name": "db_host", "path": ["mysql", "bind_address"]}],
                }
            ],
        }
    ],
}


def edited(plan: dict[str, Any], edit: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    copy = json.loads(json.dumps(plan))
    edit(copy)
    return copy


def bad_server_plans(good: dict[str, Any]) -> list[tuple[str, Any, str]]:
    """(case, plan as text or dict, text the message must hold)."""
    text = json.dumps(good)
    role = lambda key, value: lambda p: p["roles"][0].__setitem__(key, value)  # noqa: E731
    return [
        ("empty", "", "not a valid heat-sync/server-plan"),
        ("binary", "\x00\x01{{{", "not a valid heat-sync/server-plan"),
        ("truncated", text[:40], "not a valid heat-sync/server-plan"),
        ("a-list", "[1, 2]", "format"),
        ("yaml", "format: heat-sync/server-plan\nversion: 1\n", "not a valid"),
        ("stack-format", edited(good, lambda p: p.__setitem__("format", "heat-sync/stack-plan")), 'format is "heat-sync/stack-plan"'),
        ("version-3", edited(good, lambda p: p.__setitem__("version", 3)), "plan version 3 is not supported"),
        ("version-string", edited(good, lambda p: p.__setitem__("version", "1")), "version"),
        ("no-roles", edited(good, lambda p: p.pop("roles")), "roles"),
        ("negative-timeout", edited(good, role("timeout", -5)), "roles[0].timeout: invalid value"),
        ("huge-timeout", edited(good, role("timeout", 1e300)), "roles[0].timeout: invalid type"),
        ("unknown-tool", edited(good, lambda p: p.__setitem__("tool", "puppet")), "puppet"),
        (
            "unknown-source",
            edited(good, role("inputs", [{"path": ["a"], "place": "p", "source": {"kind": "telepathy"}}])),
            "roles[0].inputs[0].source.kind: unknown variant `telepathy`",
        ),
        ("relative-namespace", edited(good, lambda p: p["coordinator"].__setitem__("namespace", "heat-sync/s1")), "coordinator.namespace"),
        ("empty-namespace", edited(good, lambda p: p["coordinator"].__setitem__("namespace", "")), "coordinator.namespace"),
    ]


def store_files(store: Path) -> list[str]:
    return sorted(str(p.relative_to(store)) for p in store.rglob("*")) if store.exists() else []


def test_from_server_plan_refuses_malformed_plans_naming_them(tmp_path: Path) -> None:
    store = tmp_path / "store"
    good = server_plan(f"embedded://{store}")
    for case, plan, needle in bad_server_plans(good):
        with pytest.raises(heat_sync.PlanError) as info:
            heat_sync.Client.from_server_plan(plan)
        assert str(info.value).startswith("<server plan>: "), (case, str(info.value))
        assert needle in str(info.value), (case, str(info.value))
    assert store_files(store) == [], "a refused plan wrote to the store"
    # The good plan is accepted (so the refusals were about the plans).
    with heat_sync.Client.from_server_plan(good) as client:
        assert client.put("db.db_host", "10.0.0.5") == 1


@pytest.mark.parametrize("call", ["from_server_plan", "init_stack"])
def test_plans_of_the_wrong_type_are_type_errors(call: str, tmp_path: Path) -> None:
    with heat_sync.Client(f"embedded://{tmp_path}/store", "/heat-sync/s1", secret="s") as admin:
        open_plan: Callable[[Any], Any] = (
            heat_sync.Client.from_server_plan if call == "from_server_plan" else admin.init_stack
        )
        for plan in [5, None, ["format"], b"{}", Path("plan.json")]:
            with pytest.raises(TypeError) as info:
                open_plan(plan)
            assert "plan must be a str (JSON text) or a dict" in str(info.value)
        with pytest.raises(TypeError, match="a set is not a JSON value"):
            open_plan({"format": {1, 2}})


# --- the coordinator: a real ZooKeeper -------------------------------------------------------


def zk_cli() -> str:
    for candidate in [shutil.which("zkCli.sh"), "/usr/share/zookeeper/bin/zkCli.sh"]:
        if candidate and Path(candidate).is_file():
            return candidate
    missing("zkCli.sh not found (the zookeeper package): cannot look at the coordinator")
    raise AssertionError("unreachable")


def zk_stat(zk_address: str, path: str) -> dict[str, str] | None:
    """ZooKeeper's own `stat` of a node (no ACL needed), None when it does not exist:
    what a rejected request must leave as it was."""
    done = subprocess.run(
        [zk_cli(), "-server", zk_address, "stat", path], capture_output=True, text=True, timeout=60
    )
    out = done.stdout + done.stderr
    if "Node does not exist" in out:
        return None
    stat = dict(line.split(" = ", 1) for line in out.splitlines() if " = " in line)
    assert "cversion" in stat, out
    return stat


@pytest.fixture
def namespace() -> str:
    return f"/heat-sync/bad-input-{uuid.uuid4()}"


@pytest.fixture
def seeded(zk_address: str, namespace: str) -> Iterator[heat_sync.Client]:
    """A namespace seeded with STACK_PLAN under the secret "right", db.db_host published."""
    with heat_sync.Client(f"zk://{zk_address}", namespace, secret="right") as admin:
        admin.init_stack(STACK_PLAN)
        with heat_sync.Client(f"zk://{zk_address}", namespace, secret="right", server="db") as db:
            db.put("db.db_host", "10.0.0.5")
        yield admin
        admin.remove_stack()


def test_init_stack_with_a_bad_plan_writes_nothing(zk_address: str, namespace: str) -> None:
    address = f"zk://{zk_address}"
    bad = [
        ("empty", "", "not a valid heat-sync/stack-plan"),
        ("not-json", "{not json", "not a valid heat-sync/stack-plan"),
        ("server-plan", server_plan(address, namespace), 'format is "heat-sync/server-plan"'),
        ("version-7", edited(STACK_PLAN, lambda p: p.__setitem__("version", 7)), "plan version 7"),
        ("servers-not-a-list", edited(STACK_PLAN, lambda p: p.__setitem__("servers", {"db": 1})), "servers: invalid type"),
        ("no-servers", edited(STACK_PLAN, lambda p: p.pop("servers")), "servers"),
        ("role-without-name", edited(STACK_PLAN, lambda p: p["servers"][0]["roles"][0].pop("name")), "name"),
    ]
    with heat_sync.Client(address, namespace, secret="right") as admin:
        try:
            before = zk_stat(zk_address, namespace)
            assert before is not None, "an administrative session creates its namespace"
            for case, plan, needle in bad:
                with pytest.raises(heat_sync.PlanError) as info:
                    admin.init_stack(plan)
                assert str(info.value).startswith("<stack plan>: "), (case, str(info.value))
                assert needle in str(info.value), (case, str(info.value))
            after = zk_stat(zk_address, namespace)
            assert after is not None
            for field in ["cversion", "dataVersion", "numChildren", "pZxid", "mZxid"]:
                assert after[field] == before[field], f"a refused init changed {field} of {namespace}"
            assert admin.status()["seeded"] is False
            admin.init_stack(STACK_PLAN)
            assert admin.status()["seeded"] is True
        finally:
            admin.remove_stack()
    assert zk_stat(zk_address, namespace) is None


def test_wrong_credentials_are_refused_and_change_nothing(
    zk_address: str, namespace: str, seeded: heat_sync.Client
) -> None:
    address = f"zk://{zk_address}"
    before = seeded.status()
    root = zk_stat(zk_address, namespace)
    refused: list[str] = []
    for secret in ["wrong", "", None]:
        for server in ["db", None]:
            try:
                client = heat_sync.Client(address, namespace, secret=secret, server=server)
            except heat_sync.CoordinatorError as e:
                refused.append(str(e))
                continue
            with client:
                for request in [
                    lambda: client.put("db.db_host", "evil"),
                    lambda: client.get("db.db_host", timeout=1),
                    client.status,
                    lambda: client.init_stack(STACK_PLAN),
                    client.remove_stack,
                ]:
                    with pytest.raises(heat_sync.CoordinatorError) as info:
                        request()
                    refused.append(str(info.value))
    plan = server_plan(address, namespace)
    plan["coordinator"]["credentials"] = {"user": "db", "secret": "wrong"}
    with pytest.raises(heat_sync.CoordinatorError) as info:
        with heat_sync.Client.from_server_plan(plan) as client:
            client.put("db.db_host", "evil")
    refused.append(str(info.value))
    for message in refused:
        assert f"coordinator node {namespace}/" in message and "permission denied" in message, message
        assert "wrong" not in message and "right" not in message, "a secret in a message"
    assert seeded.status() == before
    assert zk_stat(zk_address, namespace) == root


def test_another_stacks_namespace_is_not_created_by_a_refused_session(zk_address: str, namespace: str) -> None:
    with pytest.raises(heat_sync.CoordinatorError, match="namespace"):
        heat_sync.Client(f"zk://{zk_address}", namespace + "/../other", secret="s")
    assert zk_stat(zk_address, namespace) is None
    assert zk_stat(zk_address, "/heat-sync/other") is None


#: Malformed coordinator addresses, shared with the CLI and Ruby bad input tests.
BAD_ADDRESSES: list[str] = json.loads((REPO / "core/tests/reliability_support/bad_addresses.json").read_text())


@pytest.mark.parametrize("address", BAD_ADDRESSES)
def test_bad_coordinator_addresses_are_named(address: str, tmp_path: Path) -> None:
    with pytest.raises(heat_sync.CoordinatorError) as info:
        heat_sync.Client(address, "/heat-sync/s1")
    assert f"coordinator address {json.dumps(address)}: " in str(info.value)
    plan = server_plan(address)
    with pytest.raises(heat_sync.CoordinatorError) as info:
        heat_sync.Client.from_server_plan(plan)
    assert json.dumps(address) in str(info.value)
    with pytest.raises(heat_sync.CoordinatorError) as info:
        heat_sync.compile(GOOD, coordinator=address)
    assert json.dumps(address) in str(info.value)


@pytest.mark.parametrize("ns", ["", "relative", "/heat-sync/a//b", "/heat-sync/../other", "/"])
def test_bad_namespaces_are_named(ns: str, tmp_path: Path) -> None:
    with pytest.raises(heat_sync.CoordinatorError) as info:
        heat_sync.Client(f"embedded://{tmp_path}/store", ns)
    assert str(info.value).startswith(f"coordinator namespace {json.dumps(ns)}: "), str(info.value)
    assert store_files(tmp_path / "store") == []


def test_an_unreachable_coordinator_is_an_error_in_bounded_time() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(heat_sync.CoordinatorError) as info:
        heat_sync.Client(f"zk://127.0.0.1:{port}", "/heat-sync/s1", secret="s")
    waited = time.monotonic() - started
    assert f"127.0.0.1:{port}" in str(info.value)
    assert waited < 120, f"gave up after {waited:.0f} s"
    print(f"unreachable coordinator refused after {waited:.1f} s")


# --- Client: wrong argument types ----------------------------------------------------


def test_client_refuses_wrong_argument_types(tmp_path: Path) -> None:
    address = f"embedded://{tmp_path}/store"
    for call, cls, needle in [
        (lambda: heat_sync.Client(5, "/heat-sync/s1"), TypeError, "coordinator"),
        (lambda: heat_sync.Client(address, None), TypeError, "namespace"),
        (lambda: heat_sync.Client(address, "/heat-sync/s1", secret=5), TypeError, "secret"),
        (lambda: heat_sync.Client(address, "/heat-sync/s1", server=["db"]), TypeError, "server"),
        (lambda: heat_sync.Client(address, "/heat-sync/s1", "secret"), TypeError, "positional"),
    ]:
        with pytest.raises(cls) as info:
            call()
        assert needle in str(info.value), str(info.value)
    with heat_sync.Client(address, "/heat-sync/s1", server="db") as db:
        for call, cls, needle in [
            (lambda: db.put(5, "x"), TypeError, "a key is a str"),
            (lambda: db.put(None, "x"), TypeError, "a key is a str"),
            (lambda: db.put("nodot", "x"), ValueError, "nodot"),
            (lambda: db.put("db..x", "x"), ValueError, "db..x"),
            (lambda: db.put(("db",), "x"), ValueError, "expected 'server.output'"),
            (lambda: db.put(("db", 5), "x"), TypeError, ""),
            (lambda: db.put(("db", ""), "x"), ValueError, "no empty part"),
            (lambda: db.put("db.x", float("nan")), ValueError, "not a JSON number"),
            (lambda: db.put("db.x", {1, 2}), TypeError, "a set is not a JSON value"),
            (lambda: db.put("db.x", {"k": object()}), TypeError, "a object is not a JSON value"),
            (lambda: db.put("db.x", {1: "v"}), TypeError, "a key 1 is not a str"),
            (lambda: db.get("db.x", timeout="soon"), TypeError, "timeout"),
            (lambda: db.get("db.x", timeout=-1), ValueError, "timeout must be a number of seconds >= 0"),
            (lambda: db.get("db.x", timeout=float("nan")), ValueError, "timeout"),
            (lambda: db.get("db.x", timeout=float("inf")), ValueError, "timeout"),
            (lambda: db.gather(5, "url", timeout=0.1), TypeError, "group"),
            (lambda: db.gather("web", "url", count="2", timeout=0.1), TypeError, "count"),
            (lambda: db.gather("web", "url", count=-1, timeout=0.1), ValueError, "count must be a whole number >= 0"),
        ]:
            with pytest.raises(cls) as info:
                call()
            assert needle in str(info.value), str(info.value)
        # Nothing was published by the refused calls.
        assert all(v["version"] is None for v in db.status()["values"]), db.status()
    db.close()
    with pytest.raises(ValueError, match="the client is closed"):
        db.put("db.x", 1)
