"""heat_sync.Client on the embedded store and on a real ZooKeeper."""

from __future__ import annotations

import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import heat_sync


@pytest.fixture(params=["embedded", "zookeeper"])
def coordinator(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "embedded":
        return f"embedded://{tmp_path}/store"
    zk = request.getfixturevalue("zk_address")
    return f"zk://{zk}"


@pytest.fixture
def namespace() -> str:
    return f"/heat-sync/test-{uuid.uuid4()}"


@pytest.fixture
def admin(coordinator: str, namespace: str) -> Iterator[heat_sync.Client]:
    with heat_sync.Client(coordinator, namespace, secret="s3cret") as client:
        yield client
        client.remove_stack()


def server(coordinator: str, namespace: str, name: str) -> heat_sync.Client:
    return heat_sync.Client(coordinator, namespace, secret="s3cret", server=name)


VALUES: list[Any] = ["10.0.0.5", 3306, 2.5, True, None, ["a", 1], {"nested": {"list": [1, 2]}}]


def test_put_then_get_round_trips_json_values(admin: heat_sync.Client, coordinator: str, namespace: str) -> None:
    with server(coordinator, namespace, "db") as db:
        for i, value in enumerate(VALUES):
            assert db.put(f"db.out{i}", value) == 1
            assert admin.get(f"db.out{i}", timeout=5) == value
        # The same content again keeps the version; a new content is the next version.
        assert db.put("db.out0", VALUES[0]) == 1
        assert db.put("db.out0", "10.0.0.6") == 2
        # (another session may still see the first version: ZooKeeper orders reads per
        # session, and a blocked read returns the first version, contracts.md "Values")
        with server(coordinator, namespace, "db") as fresh:
            assert fresh.get(("db", "out0"), timeout=5) == "10.0.0.6"


def test_group_member_keys_and_gather(admin: heat_sync.Client, coordinator: str, namespace: str) -> None:
    for i in range(3):
        with server(coordinator, namespace, f"web.{i}") as member:
            member.put(f"web.{i}.url", f"http://web-{i}/")
    assert admin.get("web.1.url", timeout=5) == "http://web-1/"
    assert admin.gather("web", "url", count=3, timeout=5) == [f"http://web-{i}/" for i in range(3)]


def test_get_waits_without_holding_the_gil(admin: heat_sync.Client, coordinator: str, namespace: str) -> None:
    got: dict[str, Any] = {}

    def wait() -> None:
        try:
            got["value"] = admin.get("db.db_host", timeout=20)
        except BaseException as e:  # noqa: BLE001
            got["error"] = e

    waiter = threading.Thread(target=wait)
    start = time.monotonic()
    waiter.start()
    # If get held the GIL, this thread could not run until the wait timed out.
    ticks = 0
    while time.monotonic() - start < 0.5:
        ticks += 1
        time.sleep(0.01)
    assert ticks > 10
    with server(coordinator, namespace, "db") as db:
        db.put("db.db_host", "10.0.0.5")
    waiter.join(timeout=15)
    assert not waiter.is_alive()
    assert got == {"value": "10.0.0.5"}
    assert time.monotonic() - start < 10


def test_timeout_names_the_key_and_producer(admin: heat_sync.Client) -> None:
    start = time.monotonic()
    with pytest.raises(heat_sync.TimeoutError) as info:
        admin.get("db.never", timeout=0.3)
    assert 0.25 < time.monotonic() - start < 5
    e = info.value
    assert isinstance(e, TimeoutError)
    assert e.key == "db.never"
    assert e.producer == "db"
    assert e.waited is not None and e.waited >= 0.25
    assert "db.never" in str(e)


@pytest.mark.skipif(threading.current_thread() is not threading.main_thread(), reason="signals go to the main thread")
def test_ctrl_c_interrupts_a_wait(admin: heat_sync.Client) -> None:
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            admin.get("db.never", timeout=30)
    finally:
        timer.cancel()
    assert time.monotonic() - start < 5


def test_bad_keys_and_timeouts_are_python_errors(admin: heat_sync.Client) -> None:
    with pytest.raises(ValueError):
        admin.get("just-a-name", timeout=1)
    with pytest.raises(ValueError):
        admin.get("a..b", timeout=1)
    with pytest.raises(TypeError):
        admin.get(42, timeout=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        admin.get("db.x", timeout=-1)


def test_a_bad_address_is_a_coordinator_error(namespace: str) -> None:
    with pytest.raises(heat_sync.CoordinatorError) as info:
        heat_sync.Client("ftp://nowhere", namespace)
    assert "ftp://nowhere" in str(info.value)
    with pytest.raises(heat_sync.CoordinatorError):
        heat_sync.Client("embedded:///tmp", "relative/namespace")


def test_closed_client_refuses_calls(coordinator: str, namespace: str) -> None:
    client = heat_sync.Client(coordinator, namespace)
    assert namespace in repr(client)
    assert client.namespace == namespace
    client.remove_stack()
    client.close()
    with pytest.raises(ValueError, match="closed"):
        client.status()


def test_a_dot_inside_a_name_is_escaped_or_given_as_a_tuple(
    admin: heat_sync.Client, coordinator: str, namespace: str
) -> None:
    with server(coordinator, namespace, "db") as db:
        db.put(("db", "host.v4"), "10.0.0.5")
    assert admin.get("db.host\\.v4", timeout=5) == "10.0.0.5"
    with pytest.raises(ValueError, match="escape"):
        admin.get("db.host\\x", timeout=1)
