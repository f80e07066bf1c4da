"""Hidden parameter values never appear in what the Python functions return or raise
(contracts.md: every output of heat-sync shows them as ``******``)."""

from __future__ import annotations

import json
from typing import Any

import pytest

import heat_sync
from conftest import read

SECRET = "Sup3rS3cretValue"

TEMPLATE = """heat_template_version: 2016-10-14
parameters:
  db_password: {type: string, hidden: true}
resources:
  nested:
    type: OS::Heat::Stack
    properties:
      template: {get_file: child.yaml}
      parameters:
        password: {get_param: db_password}
        url: {str_replace: {template: "mysql://app:P@db", params: {P: {get_param: db_password}}}}
        digest: {digest: [sha256, {get_param: db_password}]}
  db:
    type: OS::Nova::Server
    properties: {image: debian-12, flavor: m1.small, admin_pass: {get_param: db_password}}
outputs:
  dsn: {value: {list_join: ["", ["pw=", {get_param: db_password}]]}}
"""
CHILD = (
    "heat_template_version: 2016-10-14\n"
    "parameters: {password: {type: string}, url: {type: string}, digest: {type: string}}\n"
    "resources: {}\n"
)


def text_of(answer: Any) -> str:
    return json.dumps(answer)


def test_graph_masks_values_a_hidden_parameter_passes_on() -> None:
    answer = heat_sync.graph(TEMPLATE, params={"db_password": SECRET}, files={"child.yaml": CHILD})
    assert answer["errors"] == []
    assert SECRET not in text_of(answer)
    nested = answer["resolved"]["resources"]["nested"]["properties"]["parameters"]
    assert nested == {"password": "******", "url": "mysql://app:******@db", "digest": "******"}
    assert answer["resolved"]["resources"]["db"]["properties"]["admin_pass"] == "******"
    assert answer["resolved"]["outputs"]["dsn"]["value"] == "pw=******"
    assert answer["parameters"]["db_password"] == "******"


@pytest.mark.parametrize(
    "call",
    [
        lambda t, p: heat_sync.graph(t, params=p),
        lambda t, p: heat_sync.graph(t, params=p, dataflow=True),
        lambda t, p: heat_sync.check(t, params=p),
        lambda t, p: heat_sync.compile(t, params=p),
    ],
    ids=["graph", "dataflow", "check", "compile"],
)
def test_no_function_returns_a_hidden_value(call: Any) -> None:
    # The WordPress test template reads its hidden db_password in both servers' roles.
    assert SECRET not in text_of(call(read("wordpress.yaml"), {"db_password": SECRET}))


def test_a_hidden_value_is_not_quoted_in_errors() -> None:
    template = "heat_template_version: 2016-10-14\nparameters:\n  pin: {type: number, hidden: true}\nresources: {}\n"
    assert SECRET not in text_of(heat_sync.graph(template, params={"pin": SECRET}))
    for call in (heat_sync.check, heat_sync.compile):
        with pytest.raises(heat_sync.TemplateError) as info:
            call(template, params={"pin": SECRET})
        assert SECRET not in str(info.value) and "******" in str(info.value)
