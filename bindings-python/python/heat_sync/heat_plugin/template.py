"""Heat template classes that compile ``heat_sync`` sections on load.

Heat picks a template class by the template's version key and value, from the
``heat.templates`` entry points, named ``<key>.<value>``. This module's classes are
registered under values of their own, Heat's value plus :data:`SUFFIX`
(``heat_template_version: 2016-10-14-heat-sync``, ``wallaby-heat-sync``,
``AWSTemplateFormatVersion: 2010-09-09-heat-sync``), so Heat's own versions are never
shadowed and a template opts in explicitly. (A dotted suffix such as
``2016-10-14.heat-sync`` cannot work: Heat splits entry point names on every dot.)

Each class subclasses Heat's class for the version without the suffix. Its
constructor compiles the template with :func:`heat_sync.compile` and hands the
compiled template, which carries Heat's own version value, to Heat's constructor:
from then on Heat sees, validates, stores and deploys the compiled template, exactly
as if the user had run ``heat-sync compile`` first. The stack plan is kept on the
instance (``heat_sync_stack_plan``) for the lifecycle plugin.

Parameters and environments are deliberately not given to the compiler: Heat
resolves ``get_param`` itself at deploy time (and again on every stack update), so
no parameter value is frozen into the stored template.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from heat.common import exception
from heat.engine.cfn import template as cfn_template
from heat.engine.hot import template as hot_template

import heat_sync
from heat_sync.heat_plugin import config

LOG = logging.getLogger(__name__)

#: Appended to Heat's version value to opt into heat-sync.
SUFFIX = "-heat-sync"

#: The version keys Heat knows (HOT, CFN, Heat's CFN dialect).
VERSION_KEYS = ("heat_template_version", "AWSTemplateFormatVersion", "HeatTemplateFormatVersion")


def heat_version(template: Mapping[str, Any]) -> tuple[str, str] | None:
    """The (key, Heat's own value) of a template that opts into heat-sync, else None."""
    for key in VERSION_KEYS:
        value = template.get(key)
        if isinstance(value, str) and value.endswith(SUFFIX):
            return key, value[: -len(SUFFIX)]
    return None


def _text_files(files: Mapping[str, Any] | None) -> dict[str, str]:
    """Heat's files map (a TemplateFiles or a dict) as name -> text."""
    out: dict[str, str] = {}
    for name, content in dict(files or {}).items():
        if isinstance(content, bytes):
            content = content.decode("utf-8")
        if isinstance(content, str):
            out[name] = content
    return out


def compile_for_heat(template: Mapping[str, Any], files: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Compile an opted-in template: ``{"template": ..., "stack_plan": ...}``.

    The compiled template carries Heat's own version value. A heat-sync error becomes
    Heat's ``StackValidationFailed`` (what the API reports as a 400 with the message).
    """
    version = heat_version(template)
    if version is None:
        raise exception.StackValidationFailed(
            message="heat-sync: the template does not opt into heat-sync (no version ends with %r)" % SUFFIX
        )
    key, value = version
    source = dict(template)
    source[key] = value
    options: dict[str, Any] = {}
    coordinator = config.conf().coordinator
    if coordinator:
        options["coordinator"] = coordinator
    try:
        compiled = heat_sync.compile(source, files=_text_files(files), **options)
    except heat_sync.Error as e:
        raise exception.StackValidationFailed(message="heat-sync: %s" % e) from e
    for warning in compiled.get("warnings", []):
        LOG.warning("heat-sync: %s: %s [%s]", warning["place"], warning["message"], warning["code"])
    return compiled


class CompileOnLoad:
    """Mixin placed before a Heat template class: compiles on construction."""

    #: The stack plan of the compiled template (for the lifecycle plugin).
    heat_sync_stack_plan: dict[str, Any] | None = None

    def __init__(self, template: Mapping[str, Any], template_id: Any = None, files: Any = None, env: Any = None) -> None:
        if heat_version(template) is None:
            # Already compiled (e.g. a copy made by Heat): nothing to do.
            super().__init__(template, template_id=template_id, files=files, env=env)  # type: ignore[call-arg]
            return
        compiled = compile_for_heat(template, files)
        self.heat_sync_stack_plan = compiled["stack_plan"]
        super().__init__(compiled["template"], template_id=template_id, files=files, env=env)  # type: ignore[call-arg]


def _plugin(base: type) -> type:
    name = base.__name__
    doc = "Heat's %s with the template's heat_sync sections compiled on load." % name
    return type(name, (CompileOnLoad, base), {"__doc__": doc, "__module__": __name__})


HOTemplate20130523 = _plugin(hot_template.HOTemplate20130523)
HOTemplate20141016 = _plugin(hot_template.HOTemplate20141016)
HOTemplate20150430 = _plugin(hot_template.HOTemplate20150430)
HOTemplate20151015 = _plugin(hot_template.HOTemplate20151015)
HOTemplate20160408 = _plugin(hot_template.HOTemplate20160408)
HOTemplate20161014 = _plugin(hot_template.HOTemplate20161014)
HOTemplate20170224 = _plugin(hot_template.HOTemplate20170224)
HOTemplate20170901 = _plugin(hot_template.HOTemplate20170901)
HOTemplate20180302 = _plugin(hot_template.HOTemplate20180302)
HOTemplate20180831 = _plugin(hot_template.HOTemplate20180831)
HOTemplate20210416 = _plugin(hot_template.HOTemplate20210416)
CfnTemplate = _plugin(cfn_template.CfnTemplate)
HeatTemplate = _plugin(cfn_template.HeatTemplate)
