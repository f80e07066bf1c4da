//! The template as the data-flow analysis sees it: the parsed document, its dialect and
//! version (which decide the Heat functions the compiled template may use), and the
//! parameter values known at compile time.

use std::collections::BTreeMap;

use super::DataFlowError;
use crate::stack::Inputs;
use crate::{Map, Value};

/// CFN (`AWSTemplateFormatVersion` / `HeatTemplateFormatVersion`) or HOT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// CloudFormation-compatible: `Resources`, `Fn::GetAtt`, `Ref`.
    Cfn,
    /// Heat Orchestration Template: `resources`, `get_attr`, `get_param`.
    Hot,
}

/// One template parameter as compile time knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// The value from `--param`, an environment or the default; `None` when Heat gets it
    /// only at stack create.
    pub value: Option<Value>,
    /// `hidden: true` (HOT) or `NoEcho: true` (CFN): never resolved, never printed.
    pub hidden: bool,
}

/// A loaded template.
#[derive(Debug, Clone)]
pub struct Source {
    /// The template's name for messages.
    pub name: String,
    /// The document.
    pub template: Value,
    /// True when the input was JSON (the compiled template is then written as JSON).
    pub is_json: bool,
    /// CFN or HOT.
    pub dialect: Dialect,
    /// The HOT version as a date (`2016-10-14`, aliases such as `newton` mapped to
    /// their date); `2010-09-09` for CFN.
    pub version: String,
    /// Parameters by name.
    pub params: BTreeMap<String, Param>,
}

const HOT_ALIASES: &[(&str, &str)] = &[
    ("newton", "2016-10-14"),
    ("ocata", "2017-02-24"),
    ("pike", "2017-09-01"),
    ("queens", "2018-03-02"),
    ("rocky", "2018-08-31"),
    ("wallaby", "2021-04-16"),
];

impl Source {
    /// The section key in this dialect (`resources` or `Resources`, ...).
    pub fn key(&self, hot: &'static str, cfn: &'static str) -> &'static str {
        match self.dialect {
            Dialect::Hot => hot,
            Dialect::Cfn => cfn,
        }
    }

    /// The `resources` mapping (empty when absent).
    pub fn resources(&self) -> Option<&Map> {
        self.template.get(self.key("resources", "Resources")).and_then(Value::as_object)
    }

    /// True for HOT versions from `date` on.
    pub fn hot_since(&self, date: &str) -> bool {
        self.dialect == Dialect::Hot && self.version.as_str() >= date
    }

    /// True when `Fn::Select` exists (CFN and HOT up to 2015-04-30); it also parses a JSON
    /// string, which is how wait condition data is taken apart.
    pub fn has_select(&self) -> bool {
        self.dialect == Dialect::Cfn || self.version.as_str() <= "2015-04-30"
    }

    /// True when `digest` exists (HOT 2015-04-30 on).
    pub fn has_digest(&self) -> bool {
        self.hot_since("2015-04-30")
    }

    /// True when `str_replace` serializes list and map params as JSON (HOT 2015-10-15 on).
    pub fn json_replace(&self) -> bool {
        self.hot_since("2015-10-15")
    }

    /// The attribute-reading function of the dialect.
    pub fn get_attr(&self, resource: &str, attr: &str) -> Value {
        match self.dialect {
            Dialect::Hot => serde_json::json!({"get_attr": [resource, attr]}),
            Dialect::Cfn => serde_json::json!({"Fn::GetAtt": [resource, attr]}),
        }
    }

    /// The parameter-reading function of the dialect.
    pub fn get_param(&self, name: &str) -> Value {
        match self.dialect {
            Dialect::Hot => serde_json::json!({"get_param": name}),
            Dialect::Cfn => serde_json::json!({"Ref": name}),
        }
    }

    /// The resource-reference function of the dialect.
    pub fn get_resource(&self, name: &str) -> Value {
        match self.dialect {
            Dialect::Hot => serde_json::json!({"get_resource": name}),
            Dialect::Cfn => serde_json::json!({"Ref": name}),
        }
    }
}

/// Reads a template document: JSON when it starts with `{`, YAML otherwise.
pub fn parse_document(name: &str, text: &str) -> Result<(Value, bool), DataFlowError> {
    let is_json = text.trim_start().starts_with('{');
    let doc: Result<Value, String> = if is_json {
        serde_json::from_str(text).map_err(|e| e.to_string())
    } else {
        serde_yaml::from_str(text).map_err(|e| e.to_string())
    };
    let doc = doc.map_err(|e| DataFlowError::Invalid { place: name.into(), message: e })?;
    if !doc.is_object() {
        return Err(DataFlowError::Invalid {
            place: name.into(),
            message: "the template is not a mapping".into(),
        });
    }
    Ok((doc, is_json))
}

/// Loads the template of `inputs` with its parameter values (`--param`, then every
/// environment's `parameters` and `parameter_defaults`, then the defaults).
pub fn load(inputs: &Inputs) -> Result<Source, DataFlowError> {
    let name = if inputs.template_name.is_empty() { "<template>" } else { &inputs.template_name };
    let (template, is_json) = parse_document(name, &inputs.template)?;
    let (dialect, version) = if let Some(v) = template.get("heat_template_version") {
        let v = match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let v = HOT_ALIASES.iter().find(|(a, _)| *a == v).map_or(v, |(_, d)| d.to_string());
        (Dialect::Hot, v)
    } else if template.get("AWSTemplateFormatVersion").is_some()
        || template.get("HeatTemplateFormatVersion").is_some()
    {
        (Dialect::Cfn, "2010-09-09".to_string())
    } else {
        return Err(DataFlowError::Invalid {
            place: name.into(),
            message: "no heat_template_version or AWSTemplateFormatVersion".into(),
        });
    };
    let mut source =
        Source { name: name.into(), template, is_json, dialect, version, params: BTreeMap::new() };
    source.params = param_values(&source, inputs)?;
    Ok(source)
}

fn param_values(
    source: &Source,
    inputs: &Inputs,
) -> Result<BTreeMap<String, Param>, DataFlowError> {
    let mut given: BTreeMap<String, Value> = BTreeMap::new();
    let mut defaults: BTreeMap<String, Value> = BTreeMap::new();
    for (k, v) in &inputs.params {
        given.insert(k.clone(), Value::String(v.clone()));
    }
    for (env_name, text) in &inputs.environments {
        let (env, _) = parse_document(env_name, text)?;
        for (section, into) in [("parameters", &mut given), ("parameter_defaults", &mut defaults)] {
            if let Some(m) = env.get(section).and_then(Value::as_object) {
                for (k, v) in m {
                    into.insert(k.clone(), v.clone());
                }
            }
        }
    }
    let decls =
        source.template.get(source.key("parameters", "Parameters")).and_then(Value::as_object);
    let mut params = BTreeMap::new();
    for (pname, decl) in decls.into_iter().flatten() {
        let hidden = match source.dialect {
            Dialect::Hot => truthy(decl.get("hidden")),
            Dialect::Cfn => truthy(decl.get("NoEcho")),
        };
        let default = decl.get(source.key("default", "Default")).cloned();
        let value = given.get(pname).or_else(|| defaults.get(pname)).cloned().or(default);
        let ptype =
            decl.get(source.key("type", "Type")).and_then(Value::as_str).unwrap_or("string");
        let value = value.map(|v| typed(ptype, v));
        params.insert(pname.clone(), Param { value, hidden });
    }
    Ok(params)
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Converts a string parameter value to its declared type, as Heat does.
fn typed(ptype: &str, v: Value) -> Value {
    let Value::String(s) = &v else { return v };
    match ptype {
        "number" | "Number" => s
            .parse::<i64>()
            .map(Value::from)
            .or_else(|_| s.parse::<f64>().map(Value::from))
            .unwrap_or(v),
        "boolean" => match s.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "t" | "y" | "1" => Value::Bool(true),
            "false" | "no" | "off" | "f" | "n" | "0" => Value::Bool(false),
            _ => v,
        },
        "comma_delimited_list" | "CommaDelimitedList" | "List<String>" => {
            Value::Array(s.split(',').map(|x| Value::String(x.trim().to_string())).collect())
        }
        "json" => serde_json::from_str(s).unwrap_or(v),
        _ => v,
    }
}
