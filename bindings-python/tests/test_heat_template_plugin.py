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


# ---------------------------------------------------------------- compile on load

import json  # noqa: E402

import heat_sync  # noqa: E402
from conftest import read  # noqa: E402

KEYS = ["version", "resources", "edges", "implicit_edges", "creation_order", "conditions", "disabled_resources", "parameters", "errors"]
HOT_PARAMS = {"db_password": "pw", "heat_sync_secret": "stack-secret", "heat_sync_coordinator": "zk://127.0.0.1:2181"}
CFN_PARAMS = {"DbPassword": "pw", "heat_sync_secret": "stack-secret", "heat_sync_coordinator": "zk://127.0.0.1:2181"}
HOT_VERSIONS = [
    "2013-05-23", "2014-10-16", "2015-04-30", "2015-10-15", "2016-04-08", "2016-10-14", "2017-02-24",
    "2017-09-01", "2018-03-02", "2018-08-31", "2021-04-16", "newton", "ocata", "pike", "queens", "rocky", "wallaby",
]  # fmt: skip


def with_version(text: str, key: str, old: str, new: str) -> str:
    for sep in (": ", '": "'):
        if f"{key}{sep}{old}" in text:
            return text.replace(f"{key}{sep}{old}", f"{key}{sep}{new}", 1)
    raise AssertionError(f"{key} {old} not in the template")


def heat_answers(oracle: ModuleType, text: str, params: dict[str, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Heat's answer for an opted-in template (through the plugin) and for the template
    heat_sync.compile makes of the same source, both with static resolution."""
    through_plugin = oracle.run_oracle(text, "template", params, resolve=True)
    source = json.loads(text) if text.lstrip().startswith("{") else text
    if isinstance(source, dict):
        key, value = plugin.heat_version(source) or ("", "")
        source[key] = value
    else:
        source = source.replace(SUFFIX, "", 1)
    compiled = heat_sync.compile(source)["template"]
    direct = oracle.run_oracle(json.dumps(compiled), "template", params, resolve=True)
    return through_plugin, direct


@pytest.mark.parametrize("version", HOT_VERSIONS)
def test_heat_accepts_an_augmented_template_as_its_compiled_template(oracle: ModuleType, version: str) -> None:
    text = with_version(read("wordpress.yaml"), "heat_template_version", "2016-10-14", version + SUFFIX)
    through_plugin, direct = heat_answers(oracle, text, HOT_PARAMS)
    assert through_plugin["errors"] == [], through_plugin["errors"]
    heat_class = direct["template_class"].rsplit(".", 1)[1]
    assert through_plugin["template_class"] == f"heat_sync.heat_plugin.template.{heat_class}"
    assert through_plugin["version"] == f"heat_template_version: {version}"
    # Heat's validation, graph and static resolution are those of the compiled template.
    assert {k: through_plugin.get(k) for k in KEYS} == {k: direct.get(k) for k in KEYS}
    assert through_plugin["resolved"] == direct["resolved"]
    # ... in which the two servers no longer wait for each other.
    assert through_plugin["resources"]["web"]["requires"] == direct["resources"]["web"]["requires"]
    assert "db" not in through_plugin["resources"]["web"]["requires"]
    assert "heat_sync" not in json.dumps(through_plugin["resolved"]["resources"]["web"].get("metadata"))


def test_heat_accepts_an_augmented_cfn_template(oracle: ModuleType) -> None:
    text = with_version(read("wordpress-cfn.json"), "AWSTemplateFormatVersion", "2010-09-09", "2010-09-09" + SUFFIX)
    through_plugin, direct = heat_answers(oracle, text, CFN_PARAMS)
    assert through_plugin["errors"] == [], through_plugin["errors"]
    assert through_plugin["template_class"] == "heat_sync.heat_plugin.template.CfnTemplate"
    assert {k: through_plugin.get(k) for k in KEYS} == {k: direct.get(k) for k in KEYS}
    assert through_plugin["resolved"] == direct["resolved"]


def test_without_the_plugin_heat_rejects_the_same_template(oracle: ModuleType) -> None:
    """What the plugin changes: stock Heat reads the values the two servers exchange
    as resource dependencies both ways, a circular dependency."""
    raw = oracle.run_oracle(read("wordpress.yaml"), "template", {"db_password": "pw"})
    assert raw["errors"] and raw["errors"][0].startswith("Circular Dependency Found")


def test_heat_reports_heat_sync_problems_as_its_own_validation_errors(oracle: ModuleType) -> None:
    text = with_version(read("deadlock.yaml"), "heat_template_version", "2016-10-14", "2016-10-14" + SUFFIX)
    result = oracle.run_oracle(text)
    assert result["error_type"] == "StackValidationFailed"
    assert len(result["errors"]) == 1
    message = result["errors"][0]
    assert message.startswith("heat-sync: resources.a.metadata.heat_sync.roles[0].inputs")
    assert "deadlock" in message and "a/first" in message and "b/second" in message


def test_the_coordinator_default_comes_from_heat_conf(oracle: ModuleType) -> None:
    from oslo_config import cfg

    cfg.CONF.set_override("coordinator", "zk://zk1:2181,zk2:2181/heat-sync", group="heat_sync")
    try:
        text = with_version(read("wordpress.yaml"), "heat_template_version", "2016-10-14", "2016-10-14" + SUFFIX)
        params = {k: v for k, v in HOT_PARAMS.items() if k != "heat_sync_coordinator"}
        result = oracle.run_oracle(text, "template", params)
    finally:
        cfg.CONF.clear_override("coordinator", group="heat_sync")
    assert result["errors"] == []
    assert result["parameters"]["heat_sync_coordinator"] == "zk://zk1:2181,zk2:2181/heat-sync"


def test_heat_keeps_the_compiled_template_and_the_stack_plan(oracle: ModuleType) -> None:
    from heat.common import template_format
    from heat.engine import template as heat_template

    text = with_version(read("wordpress.yaml"), "heat_template_version", "2016-10-14", "2016-10-14" + SUFFIX)
    tmpl = heat_template.Template(template_format.parse(text))
    assert isinstance(tmpl, plugin.CompileOnLoad)
    # What Heat stores (raw_template) and deep-copies is the compiled template: a copy
    # is Heat's own class, and nothing is compiled twice.
    assert tmpl.t["heat_template_version"] == "2016-10-14"
    assert "heat_sync_secret" in tmpl.t["parameters"]
    import copy

    assert type(copy.deepcopy(tmpl)).__module__ == "heat.engine.hot.template"
    plan = tmpl.heat_sync_stack_plan
    assert plan is not None and plan["format"] == "heat-sync/stack-plan"


def test_check_warnings_reach_heats_log(oracle: ModuleType, caplog: pytest.LogCaptureFixture) -> None:
    import logging

    text = with_version(read("wordpress.yaml"), "heat_template_version", "2016-10-14", "2016-10-14" + SUFFIX)
    text = text.replace("              db_port: mysql.port\n", "              db_port: mysql.port\n              unread: mysql.unread\n")
    logging.disable(logging.NOTSET)  # the oracle silences logging process-wide
    try:
        with caplog.at_level(logging.WARNING, logger="heat_sync.heat_plugin.template"):
            result = oracle.run_oracle(text, "template", HOT_PARAMS)
    finally:
        logging.disable(logging.CRITICAL)
    assert result["errors"] == []
    warnings = [r.getMessage() for r in caplog.records]
    assert any("resources.db.metadata.heat_sync" in w and "unread" in w for w in warnings), warnings
