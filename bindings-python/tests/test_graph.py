"""heat_sync.graph(): Heat's own answers (shared/corpus, made by Heat 27's engine) for
templates that exercise every argument: environments, params, files."""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import pytest
from conftest import shared_dir

import heat_sync

# Heat's own YAML loader reads the templates here: Heat set up offline, as the oracle does.
pytestmark = pytest.mark.usefixtures("oracle")

KEYS = [
    "version",
    "template_class",
    "resources",
    "edges",
    "implicit_edges",
    "errors",
    "conditions",
    "disabled_resources",
    "parameters",
    "creation_order",
]

# Each argument kind of graph(): environments (with params), params alone, CFN with
# params, the files map (provider templates), a hidden parameter, a Heat rejection.
CASES = [
    "handwritten/implicit-cases/p_cond.2.yaml",
    "handwritten/oracle-cases/10-env-registry.yaml",
    "handwritten/oracle-cases/03-hot-20161014-conditions.3.yaml",
    "handwritten/oracle-cases/06-cfn-basic.2.json",
    "heat-templates/hot/asg_of_stacks.yaml",
    "heat-templates/hot/resource_group/resource_group_index_lookup.yaml",
    "heat-templates/hot/multi_region_hello_world.yaml",
    "handwritten/oracle-cases/09-err-bad-ref.yaml",
]


def corpus_case(path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(graph() keyword arguments, Heat's expected answer) from index.tsv."""
    corpus = shared_dir() / "corpus"
    rows = dict(line.split("\t")[:2] for line in (corpus / "index.tsv").read_text().splitlines()[1:])
    argv = shlex.split(rows[path])
    kwargs: dict[str, Any] = {"template": (corpus / "templates" / path).read_text(), "environments": [], "params": {}, "files": {}}
    for flag, value in zip(argv, argv[1:]):
        if flag == "-e":
            kwargs["environments"].append((Path(value).name, (corpus / value).read_text()))
        elif flag == "--param":
            k, _, v = value.partition("=")
            kwargs["params"][k] = v
        elif flag == "--file":
            name, _, file = value.partition("=")
            kwargs["files"][name] = (corpus / file).read_text()
    expected = json.loads((corpus / "expected" / (path + ".json")).read_text())
    return kwargs, expected


def hidden(template: str) -> set[str]:
    from heat.common import template_format

    t = template_format.parse(template)
    params = t.get("parameters") or t.get("Parameters") or {}
    return {k for k, v in params.items() if str(v.get("hidden", v.get("NoEcho", ""))).lower() == "true"}


@pytest.mark.parametrize("path", CASES)
def test_graph_gives_heats_answer(path: str) -> None:
    kwargs, expected = corpus_case(path)
    got = heat_sync.graph(**kwargs)
    secret = hidden(kwargs["template"])
    for name in secret & set(expected.get("parameters", {})):
        # Every output of heat-sync shows hidden values as ****** (contracts.md).
        assert got["parameters"][name] == "******"
        expected["parameters"][name] = "******"
    assert {k: got.get(k) for k in KEYS} == {k: expected.get(k) for k in KEYS}


def test_hidden_parameters_are_masked() -> None:
    kwargs, expected = corpus_case("heat-templates/hot/multi_region_hello_world.yaml")
    assert "admin_pass" in hidden(kwargs["template"])
    got = heat_sync.graph(**kwargs)
    assert got["parameters"]["admin_pass"] == "******"
    assert "Abc123" not in json.dumps(got["parameters"])


def test_a_dict_template_reads_as_its_text() -> None:
    from heat.common import template_format

    kwargs, _ = corpus_case("handwritten/oracle-cases/10-env-registry.yaml")
    as_text = heat_sync.graph(**kwargs)
    kwargs["template"] = template_format.parse(kwargs["template"])
    kwargs["environments"] = [(name, template_format.simple_parse(text)) for name, text in kwargs["environments"]]
    assert heat_sync.graph(**kwargs) == as_text


def test_a_yaml_date_version_reads_as_heat_reads_it() -> None:
    import datetime

    # yaml.safe_load makes a date of `2016-10-14`; Heat's own loader keeps the string.
    t = {"heat_template_version": datetime.date(2016, 10, 14), "resources": {"a": {"type": "OS::Heat::None"}}}
    got = heat_sync.graph(t)
    assert got["errors"] == []
    assert got["version"] == "heat_template_version: 2016-10-14"


def test_python_parameter_values_read_as_command_line_values() -> None:
    template = """
heat_template_version: 2016-10-14
parameters:
  n: {type: number}
  flag: {type: boolean}
  names: {type: comma_delimited_list}
  blob: {type: json}
resources: {}
"""
    got = heat_sync.graph(template, params={"n": 3, "flag": True, "names": ["a", "b"], "blob": {"k": [1]}})
    assert got["errors"] == []
    assert got["parameters"] == {"n": 3, "flag": True, "names": ["a", "b"], "blob": {"k": [1]}}


def test_wrong_argument_types_are_type_errors() -> None:
    with pytest.raises(TypeError):
        heat_sync.graph(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        heat_sync.graph("heat_template_version: 2016-10-14", environments="not a list")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        heat_sync.graph("heat_template_version: 2016-10-14", params=["a=b"])  # type: ignore[arg-type]


def test_heat_rejections_are_answers_not_exceptions() -> None:
    got = heat_sync.graph("heat_template_version: 2099-01-01\nresources: {}\n")
    assert got["errors"] and "2099-01-01" in got["errors"][0]
    assert got["resources"] == {}
