//! Heat's `Template.validate()`: the top-level sections and the shape of each
//! resource definition, before anything is parsed for functions.

use super::node::{Kind, Node};
use super::{Dialect, Template, TemplateError, Version};
use crate::functions::pyfmt;
use crate::Value;

/// The Python type name Heat prints in "Found a [<class 'str'>] instead".
pub fn py_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// `Template.validate()` (and HOT's `validate_section` for resources): `resources`
/// is the template's resources section (`None` when absent), as parsed.
pub fn validate<'r, N: Node<'r>>(t: &Template, resources: Option<N>) -> Result<(), TemplateError> {
    let v = t.version;
    for k in t.section_names() {
        if !v.sections.iter().any(|s| s == k) {
            return Err(TemplateError::rejected(format!("The template section is invalid: {k}")));
        }
    }
    let Some(resources) = resources else { return Ok(()) };
    match resources.kind() {
        Kind::Null => return Ok(()),
        Kind::Map => {}
        other => {
            if !resources.truthy() {
                return Ok(());
            }
            return Err(TemplateError::rejected(format!(
                "'{}' object has no attribute 'items'",
                other.py_type()
            )));
        }
    }
    match v.dialect {
        Dialect::Hot => {
            // Heat reports the first failing resource in name order: sort the names
            // only when one fails.
            if !resources.entries().all(|(_, attrs)| check_hot_resource(attrs, v).is_ok()) {
                let mut sorted: Vec<(&str, N)> = resources.entries().collect();
                sorted.sort_by(|a, b| a.0.cmp(b.0));
                for (_, attrs) in sorted {
                    check_hot_resource(attrs, v)?;
                }
            }
            for (_, attrs) in resources.entries() {
                if !attrs.get("type").is_some_and(Node::truthy) {
                    return Err(TemplateError::rejected("Each Resource must contain a Type key."));
                }
            }
        }
        Dialect::Cfn => {
            for (_, res) in resources.entries() {
                match res.kind() {
                    Kind::Map => {
                        if res.is_empty() || !res.get("Type").is_some_and(Node::truthy) {
                            return Err(TemplateError::rejected(
                                "Each Resource must contain a Type key.",
                            ));
                        }
                    }
                    _ if !res.truthy() => {
                        return Err(TemplateError::rejected(
                            "Each Resource must contain a Type key.",
                        ))
                    }
                    other => {
                        return Err(TemplateError::rejected(format!(
                            "Resources must contain Resource. Found a [<class '{}'>] instead",
                            other.py_type()
                        )))
                    }
                }
            }
        }
    }
    Ok(())
}

/// HOT's checks of one resource definition's shape.
fn check_hot_resource<'r>(attrs: impl Node<'r>, v: &Version) -> Result<(), TemplateError> {
    let missing = || TemplateError::rejected("Each resource must contain a type key.");
    if !attrs.truthy() {
        return Err(missing());
    }
    if attrs.kind() != Kind::Map {
        return Err(TemplateError::rejected(format!(
            "\"resources\" must contain a map of resource maps. Found a [<class '{}'>] instead",
            attrs.kind().py_type()
        )));
    }
    for (key, _) in attrs.entries() {
        if !v.resource_keys.iter().any(|k| k == key) {
            return Err(TemplateError::rejected(format!(
                "\"{key}\" is not a valid keyword inside a resource definition"
            )));
        }
    }
    if attrs.get("type").is_none() {
        return Err(missing());
    }
    Ok(())
}

/// HOT's output section check (`validate_section` for outputs), run when Heat first
/// reads the outputs.
pub fn validate_hot_outputs(t: &Template) -> Result<(), TemplateError> {
    let v = t.version;
    let Some(Value::Object(outputs)) = t.outputs() else {
        return Ok(());
    };
    let mut names: Vec<&String> = outputs.keys().collect();
    names.sort();
    for name in names {
        let attrs = &outputs[name.as_str()];
        let missing = || TemplateError::rejected("Each output must contain a value key.");
        if !pyfmt::truthy(attrs) {
            return Err(missing());
        }
        let Value::Object(attrs) = attrs else {
            return Err(TemplateError::rejected(format!(
                "\"outputs\" must contain a map of output maps. Found a [<class '{}'>] instead",
                py_type(attrs)
            )));
        };
        for key in attrs.keys() {
            if !v.output_keys.iter().any(|k| k == key) {
                return Err(TemplateError::rejected(format!(
                    "\"{key}\" is not a valid keyword inside a output definition"
                )));
            }
        }
        if !attrs.contains_key("value") {
            return Err(missing());
        }
    }
    Ok(())
}
