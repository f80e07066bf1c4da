"""The Heat template plugin, through Heat 27's own code (heat.templates entry points)."""

from __future__ import annotations

from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import pytest

from heat_sync.heat_plugin import template as plugin

SUFFIX = plugin.SUFFIX


def heat_template_entry_points() -> dict[str, Any]:
    return {ep.name: ep for ep in entry_points(group="heat.templates")}


def test_every_heat_version_has_a_twin_and_none_is_shadowed(oracle: ModuleType) -> None:
    eps = heat_template_entry_points()
    heats = {n: ep for n, ep in eps.items() if ep.value.startswith("heat.engine.")}
    ours = {n: ep for n, ep in eps.items() if ep.value.startswith("heat_sync.")}
    assert len(heats) == 19, sorted(heats)  # Heat 27's own versions and aliases
    assert sorted(ours) == sorted(n + SUFFIX for n in heats)
    for name, ep in ours.items():
        # Heat splits entry point names on dots into (key, value): exactly one dot.
        assert len(name.split(".")) == 2, name
        ours_cls = ep.load()
        heat_cls = heats[name[: -len(SUFFIX)]].load()
        assert issubclass(ours_cls, heat_cls), name
        assert ours_cls.__mro__[1] is plugin.CompileOnLoad


def test_heat_keeps_its_own_classes_for_its_own_versions(oracle: ModuleType) -> None:
    from heat.engine import template as heat_template
    from heat.engine.hot import template as hot

    t = heat_template.Template({"heat_template_version": "2016-10-14", "resources": {}})
    assert type(t) is hot.HOTemplate20161014
    t = heat_template.Template({"heat_template_version": "wallaby", "resources": {}})
    assert type(t) is hot.HOTemplate20210416


def test_an_opted_in_template_gets_the_plugin_class(oracle: ModuleType) -> None:
    from heat.common import template_format

    tpl = template_format.parse("heat_template_version: 2016-10-14-heat-sync\nresources: {}\n")
    assert plugin.heat_version(tpl) == ("heat_template_version", "2016-10-14")
    assert plugin.heat_version({"heat_template_version": "2016-10-14"}) is None
    assert plugin.heat_version({"AWSTemplateFormatVersion": "2010-09-09-heat-sync"}) == (
        "AWSTemplateFormatVersion",
        "2010-09-09",
    )


def test_heat_reports_the_plugin_versions_among_the_valid_ones(oracle: ModuleType) -> None:
    result = oracle.run_oracle("heat_template_version: 2099-01-01\nresources: {}\n")
    assert result["error_type"] == "InvalidTemplateVersion"
    assert "2016-10-14-heat-sync" in result["errors"][0]
    assert "wallaby-heat-sync" in result["errors"][0]


@pytest.mark.parametrize("version", ["2016-10-14", "wallaby", "2013-05-23"])
def test_plain_templates_are_untouched_by_the_plugin(oracle: ModuleType, version: str) -> None:
    text = (
        f"heat_template_version: {version}\n"
        "resources:\n"
        "  a: {type: OS::Heat::None}\n"
        "  b: {type: OS::Heat::None, depends_on: [a]}\n"
    )
    result = oracle.run_oracle(text)
    assert result["errors"] == []
    assert result["template_class"].startswith("heat.engine.hot.template.")
    assert result["edges"] == [["b", "a"]]
