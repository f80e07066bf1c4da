"""The ``[heat_sync]`` section of heat.conf."""

from __future__ import annotations

from typing import Any

from oslo_config import cfg

GROUP = "heat_sync"

OPTS = [
    cfg.StrOpt(
        "coordinator",
        help="ZooKeeper connect string with chroot (zk://host:port,host:port/chroot) "
        "that compiled templates use by default: the default value of their "
        "heat_sync_coordinator parameter, which a stack may still override.",
    ),
]

cfg.CONF.register_opts(OPTS, group=GROUP)


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """The options, for oslo-config-generator (entry point ``oslo.config.opts``)."""
    return [(GROUP, list(OPTS))]


def conf() -> Any:
    """The ``[heat_sync]`` group of the engine's configuration (attributes per option)."""
    return cfg.CONF[GROUP]
