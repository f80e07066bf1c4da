//! Heat's `Template.validate()`: the top-level sections and the shape of each
//! resource definition, before anything is parsed for functions.

use super::{Dialect, Template, TemplateError};
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

/// `Template.validate()` (and HOT's `validate_section` for resources).
pub fn validate(t: &Template) -> Result<(), TemplateError> {
    let v = t.version;
    for k in t.raw.keys() {
        if !v.sections.iter().any(|s| s == k) {
            return Err(TemplateError::rejected(format!("The template section is invalid: {k}")));
        }
    }
    let section = v.resources_section();
    let resources = match t.raw.get(section) {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Object(m)) => m,
        Some(other) => {
            if !pyfmt::truthy(other) {
                return Ok(());
            }
            return Err(TemplateError::rejected(format!(
                "'{}' object has no attribute 'items'",
                py_type(other)
            )));
        }
    };
    match v.dialect {
        Dialect::Hot => {
            let check = |attrs: &Value| -> Result<(), TemplateError> {
                let missing = || TemplateError::rejected("Each resource must contain a type key.");
                if !pyfmt::truthy(attrs) {
                    return Err(missing());
                }
                let Value::Object(attrs) = attrs else {
                    return Err(TemplateError::rejected(format!(
                        "\"resources\" must contain a map of resource maps. Found a [<class \
                         '{}'>] instead",
                        py_type(attrs)
                    )));
                };
                for key in attrs.keys() {
                    if !v.resource_keys.iter().any(|k| k == key) {
                        return Err(TemplateError::rejected(format!(
                            "\"{key}\" is not a valid keyword inside a resource definition"
                        )));
                    }
                }
                if !attrs.keys().any(|k| k == "type") {
                    return Err(missing());
                }
                Ok(())
            };
            // Heat reports the first failing resource in name order: sort the names
            // only when one fails.
            if !resources.values().all(|attrs| check(attrs).is_ok()) {
                let mut names: Vec<&String> = resources.keys().collect();
                names.sort();
                for name in names {
                    check(&resources[name.as_str()])?;
                }
            }
            for attrs in resources.values() {
                // A scan: the keys are few, and serde_json's map hashes with SipHash.
                let ty = attrs.as_object().and_then(|m| m.iter().find(|(k, _)| *k == "type"));
                let ty = ty.map(|(_, t)| t);
                if ty.map_or(true, |t| !pyfmt::truthy(t)) {
                    return Err(TemplateError::rejected("Each Resource must contain a Type key."));
                }
            }
        }
        Dialect::Cfn => {
            for res in resources.values() {
                match res {
                    Value::Object(m) => {
                        if m.is_empty() || m.get("Type").map_or(true, |t| !pyfmt::truthy(t)) {
                            return Err(TemplateError::rejected(
                                "Each Resource must contain a Type key.",
                            ));
                        }
                    }
                    other if !pyfmt::truthy(other) => {
                        return Err(TemplateError::rejected(
                            "Each Resource must contain a Type key.",
                        ))
                    }
                    other => {
                        return Err(TemplateError::rejected(format!(
                            "Resources must contain Resource. Found a [<class '{}'>] instead",
                            py_type(other)
                        )))
                    }
                }
            }
        }
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
