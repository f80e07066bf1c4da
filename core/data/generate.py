#!/usr/bin/env python3
"""Derive heat-sync's compact Heat tables from the shared Heat 27.0.1 facts.

Inputs: ../shared/heat/functions.json and ../shared/heat/resource-types.json
(HEAT_SYNC_SHARED overrides the folder). Outputs, next to this script:
versions.json (one entry per template version: version key, class, function and
condition-function tables, sections, resource/output keys, parameter schema keys,
deletion policies) and resource-types.json (per resource type: class name,
top-level property names, attribute names, whether any attribute name is
accepted, the reference id before creation, whether the Snapshot deletion policy
is supported, update policy keys; plus the global aliases).

`snapshot` is the one fact not in the shared files: it is true for the classes
that define handle_snapshot_delete in Heat 27.0.1 (checked with Heat itself).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get('HEAT_SYNC_SHARED',
                        os.path.join(HERE, '..', '..', '..', 'shared'))
SNAPSHOT = {'AWS::EC2::Volume', 'OS::Cinder::Volume',
            'OS::Heat::DeployedServer', 'OS::Nova::Server'}


def short(cls):
    return cls.rsplit('.', 1)[-1]


def fn_class(cls):
    """`heat.engine.cfn.functions.Replace` -> `cfn.Replace`, `...function.Invalid` ->
    `function.Invalid`: the module matters (HOT and CFN both have a Replace)."""
    parts = cls.split('.')
    module = parts[-2] if parts[-2] != 'functions' else parts[-3]
    return module + '.' + parts[-1]


def versions():
    data = json.load(open(os.path.join(SHARED, 'heat', 'functions.json')))
    out = []
    for v in data['versions']:
        out.append({
            'key': v['key'],
            'value': v['value'],
            'class': v['class'],
            'functions': {k: fn_class(f['class'])
                          for k, f in sorted(v['functions'].items())},
            'condition_functions': {
                k: fn_class(f['class'])
                for k, f in sorted(v['condition_parser_functions'].items())},
            'sections': v['sections'],
            'resource_keys': v['resource_keys'],
            'output_keys': v['output_keys'],
            'param_keys': v['param_schema']['keys'],
            'param_types': v['param_schema']['types'],
            'constraint_keys': v['param_schema']['constraint_keys'],
            'param_schema': short(v['param_schema']['class']),
            'deletion_policies': v['deletion_policies'],
            'has_conditions': v['has_conditions_section'],
        })
    return out


def resource_types():
    data = json.load(open(os.path.join(SHARED, 'heat',
                                       'resource-types.json')))
    types = {}
    for name, t in sorted(data['resource_types'].items()):
        types[name] = {
            'class': short(t['class']),
            'kind': t['kind'],
            'properties': sorted(t.get('properties') or {}),
            'attributes': sorted(t.get('attributes') or {}),
            'any_attribute': t['get_attr_any_name'],
            'reference_id': t['reference_id_before_create'],
            'snapshot': name in SNAPSHOT,
            'update_policy': sorted(t.get('update_policy') or {}),
            'provider_template': t.get('provider_template'),
        }
    aliases = {}
    for name, a in sorted(data['aliases'].items()):
        if 'expands_to' in a:
            aliases.update(a['expands_to'])
        elif a['kind'] == 'map':
            aliases[name] = a['target']
    return {'types': types, 'aliases': aliases}


def main():
    with open(os.path.join(HERE, 'versions.json'), 'w') as f:
        json.dump(versions(), f, indent=0, sort_keys=True)
        f.write('\n')
    with open(os.path.join(HERE, 'resource-types.json'), 'w') as f:
        json.dump(resource_types(), f, indent=0, sort_keys=True)
        f.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
