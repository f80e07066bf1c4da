"""The stack lifecycle plugin: the stack's coordinator namespace lives as long as
the stack.

Heat calls every registered ``heat.stack_lifecycle_plugins`` class around stack
operations (heat.common.lifecycle_plugin_utils). Before a stack is created,
:class:`CoordinatorNamespacePlugin` seeds ``/heat-sync/<stack id>`` in the stack's
coordinator with the stack plan (the status view and the per-server directories and
ACLs); after the stack is deleted, it removes the namespace. Stacks that are not
heat-sync stacks are left alone.

Heat 27 calls lifecycle plugins only from its legacy engine: with
``convergence_engine = true`` (Heat's default) no plugin runs (Heat's code still
says ``TODO(later): lifecycle_plugin_utils.do_pre_ops``). docs/heat.md says how to
enable it.
"""

from __future__ import annotations

import logging
from typing import Any

from heat.engine import lifecycle_plugin

import heat_sync

LOG = logging.getLogger(__name__)

#: The compiled template's parameters the plugin reads.
COORDINATOR_PARAM = "heat_sync_coordinator"
SECRET_PARAM = "heat_sync_secret"


def namespace(stack: Any) -> str:
    """The stack's namespace in the coordinator (contracts.md)."""
    return "/heat-sync/%s" % stack.id


def is_heat_sync_stack(stack: Any) -> bool:
    """True for a stack whose template heat-sync compiled."""
    try:
        return COORDINATOR_PARAM in stack.parameters
    except Exception:  # noqa: BLE001 - a stack Heat cannot read is not ours to touch
        return False


def connect(stack: Any) -> heat_sync.Client:
    """An administrative session on the stack's namespace, with the stack's secret.

    The secret is the administrator's: from it heat-sync derives every identity of the
    stack (docs/protocol.md, "Access control"), the same passwords Heat computes into
    each server's user-data, so the directories seeded here belong to the right servers.
    """
    params = stack.parameters
    secret = params[SECRET_PARAM] if SECRET_PARAM in params else None
    return heat_sync.Client(params[COORDINATOR_PARAM], namespace(stack), secret=secret or None)


class CoordinatorNamespacePlugin(lifecycle_plugin.LifecyclePlugin):  # type: ignore[misc]
    """Seeds a heat-sync stack's coordinator namespace before create, removes it after
    delete."""

    def do_pre_op(self, cnxt: Any, stack: Any, current_stack: Any = None, action: Any = None) -> None:
        """Before CREATE: seed the namespace with the stack plan compiled on load."""
        if action != stack.CREATE:
            return
        plan = getattr(stack.t, "heat_sync_stack_plan", None)
        if plan is None:
            if is_heat_sync_stack(stack):
                LOG.warning(
                    "heat-sync: stack %s has no stack plan on its template (compiled "
                    "outside Heat?): its namespace is not seeded",
                    stack.id,
                )
            return
        client = connect(stack)
        try:
            client.init_stack(plan)
        finally:
            client.close()
        LOG.info("heat-sync: seeded %s for stack %s", namespace(stack), stack.name)

    def do_post_op(
        self,
        cnxt: Any,
        stack: Any,
        current_stack: Any = None,
        action: Any = None,
        is_stack_failure: bool = False,
    ) -> None:
        """After a successful DELETE: remove the namespace and everything in it."""
        # Heat 27's do_post_ops drops its is_stack_failure argument (it always calls
        # the plugin without it), so the stack's own state says whether delete failed.
        failed = is_stack_failure or stack.status == stack.FAILED
        if action != stack.DELETE or failed or not is_heat_sync_stack(stack):
            return
        client = connect(stack)
        try:
            client.remove_stack()
        finally:
            client.close()
        LOG.info("heat-sync: removed %s of deleted stack %s", namespace(stack), stack.name)
