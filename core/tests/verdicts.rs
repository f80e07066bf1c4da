//! Heat's verdict and message on templates outside the corpus, one per check of
//! Heat's validation order (each expected message is what Heat 27's engine returned
//! for the same text through shared/tools/heat_oracle.py).

use heat_sync::stack::{analyse, Inputs};

/// (name, template, Heat's first error or None when Heat accepts it).
const CASES: &[(&str, &str, Option<&str>)] = &[
    (
        "e01-dup.yaml",
        "heat_template_version: 2016-10-14\nparameters: {x: {type: string, default: a}}\nresources: {x: {type: OS::Heat::None}}\n",
        Some("Duplicate names {'x'}"),
    ),
    (
        "e02-depbad.yaml",
        "heat_template_version: 2016-10-14\nresources: {a: {type: OS::Heat::None, depends_on: {x: 1}}}\n",
        Some("Resource a depends_on type must be list or string"),
    ),
    (
        "e03-delpol.yaml",
        "heat_template_version: 2016-10-14\nresources: {a: {type: OS::Heat::None, deletion_policy: Keep}}\n",
        Some("Invalid deletion policy \"Keep\""),
    ),
    (
        "e04-attr.yaml",
        "heat_template_version: 2016-10-14\nresources:\n  s: {type: OS::Nova::Server, properties: {image: x, flavor: y}}\n  v: {type: OS::Heat::Value, properties: {value: {get_attr: [s, nosuch]}}}\n",
        Some("resources.v.properties.value.get_attr: The Referenced Attribute (s nosuch) is incorrect."),
    ),
    (
        "e05-outref.yaml",
        "heat_template_version: 2016-10-14\nresources: {a: {type: OS::Heat::None}}\noutputs: {o: {value: {get_attr: [b, x]}}}\n",
        Some("outputs.o.value.get_attr: The specified reference \"b\" (in unknown) is incorrect."),
    ),
    (
        "e06-baddefault.yaml",
        "heat_template_version: 2016-10-14\nparameters: {p: {type: number, default: 50, constraints: [{range: {min: 1, max: 10}}]}}\nresources: {a: {type: OS::Heat::None}}\n",
        Some("Parameter 'p' is invalid: Invalid default 50 (50 is out of range (min: 1, max: 10))"),
    ),
    (
        "e07-pgroups.yaml",
        "heat_template_version: 2016-10-14\nparameter_groups: [{label: g, parameters: [nope]}]\nresources: {a: {type: OS::Heat::None}}\n",
        Some("Parameter Groups error: parameter_groups.g: The grouped parameter nope does not reference a valid parameter."),
    ),
    (
        "e08-condcirc.yaml",
        "heat_template_version: 2016-10-14\nconditions: {a: {not: b}, b: {not: a}}\nresources: {r: {type: OS::Heat::None, condition: a}}\n",
        Some("Condition validation error: Circular definition for condition \"a\""),
    ),
    (
        "e09-condbad.yaml",
        "heat_template_version: 2016-10-14\nconditions: {a: [1]}\nresources: {r: {type: OS::Heat::None}}\n",
        Some("Condition validation error: The definition of condition \"a\" is invalid: [1]"),
    ),
    (
        "e10-ext.yaml",
        "heat_template_version: 2016-10-14\nresources:\n  a: {type: OS::Heat::None}\n  b: {type: OS::Heat::None, external_id: abc, depends_on: [a]}\n",
        Some("Invalid dependency with external OS::Heat::None resource: abc"),
    ),
    (
        "e11-slash.yaml",
        "heat_template_version: 2016-10-14\nresources: {a/b: {type: OS::Heat::None}}\n",
        Some("Resource name may not contain \"/\""),
    ),
    (
        "e13-list.yaml",
        "[1, 2]\n",
        Some("The template is not a JSON object or YAML mapping."),
    ),
    (
        "e14-noversion.yaml",
        "resources: {}\n",
        Some("Template format version not found."),
    ),
    (
        "e15-condinval.yaml",
        "heat_template_version: 2016-10-14\nresources: {r: {type: OS::Heat::None, condition: nope}}\n",
        Some("resources.r.condition: Invalid condition \"nope\""),
    ),
    (
        "e17-dep-disabled.yaml",
        "heat_template_version: 2016-10-14\nresources:\n  r: {type: OS::Heat::None, condition: false}\n  v: {type: OS::Heat::None, depends_on: r}\n",
        None,
    ),
    (
        "e18-selfref.yaml",
        "heat_template_version: 2016-10-14\nresources: {a: {type: OS::Heat::None, depends_on: a}}\n",
        Some("Circular Dependency Found: {NoneResource \"a\": {NoneResource \"a\"}}"),
    ),
    (
        "e19-repeatmap.yaml",
        "heat_template_version: 2016-10-14\nresources: {v: {type: OS::Heat::Value, properties: {value: {repeat: {for_each: [1], template: x}}}}}\n",
        Some("resources.v.properties.value.repeat: The \"for_each\" argument to \"repeat\" must contain a map"),
    ),
    (
        "e20-typefn.yaml",
        "heat_template_version: 2016-10-14\nresources: {v: {type: {get_param: t}}}\n",
        Some("Resource v type type must be string"),
    ),
    (
        "e21-unkparam-type.yaml",
        "heat_template_version: 2016-10-14\nparameters: {p: {type: string, foo: 1}}\nresources: {v: {type: OS::Heat::None}}\n",
        Some("Invalid key 'foo' for parameter (p)"),
    ),
    (
        "e22-getparam-badcond.yaml",
        "heat_template_version: 2016-10-14\nconditions: {c: {get_resource: x}}\nresources: {v: {type: OS::Heat::None}}\n",
        Some("conditions.c.get_resource: The function \"get_resource\" is invalid in this context"),
    ),
    (
        "e23-outputs-nokey.yaml",
        "heat_template_version: 2016-10-14\nresources: {v: {type: OS::Heat::None}}\noutputs: {o: {description: x}}\n",
        Some("Output validation error: outputs.o: Each output definition must contain a value key."),
    ),
    (
        "e24-props-notmap.yaml",
        "heat_template_version: 2016-10-14\nresources: {v: {type: OS::Heat::None, properties: [1]}}\n",
        Some("Resource v properties type must be object"),
    ),
    (
        "e26-strsplit-err.yaml",
        "heat_template_version: 2016-10-14\nresources: {v: {type: OS::Heat::Value, properties: {value: {str_split: ','}}}}\n",
        Some("resources.v.properties.value.str_split: Incorrect arguments to \"str_split\" should be: \"str_split\" : [ \",\", \"apples,pears\", <index>]"),
    ),
    (
        "e27-hidden-outdesc.yaml",
        "heat_template_version: 2013-05-23\nparameters: {p: {type: json, default: {a: 1}}, q: {type: boolean, default: \"yes\"}, l: {type: comma_delimited_list, default: [1, 2]}}\nresources: {v: {type: OS::Heat::None}}\noutputs: {o: {value: {get_param: [p, a]}}}\n",
        None,
    ),
    (
        "e28-getattr-nolist.yaml",
        "heat_template_version: 2016-10-14\nresources:\n  a: {type: OS::Heat::None}\n  v: {type: OS::Heat::Value, properties: {value: {get_attr: a}}}\n",
        None,
    ),
    (
        "e25-cfn-unkkey.json",
        "{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {\"a\": {\"Type\": \"OS::Heat::None\", \"Foo\": 1}}}\n",
        None,
    ),
];

#[test]
fn heat_verdicts_and_messages() {
    let mut wrong = Vec::new();
    for (name, template, heat) in CASES {
        let inputs = Inputs {
            template_name: name.to_string(),
            template: template.to_string(),
            ..Inputs::default()
        };
        let ours = analyse(&inputs).errors;
        if ours.first().map(String::as_str) != *heat {
            wrong.push(format!("{name}: heat {heat:?}, ours {ours:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
