//! The template as the data-flow analysis sees it: the parsed document, its dialect and
//! version (which decide the Heat functions the compiled template may use), and the
//! parameter values known at compile time.

use std::collections::BTreeMap;

use crate::stack::Inputs;
use crate::template::TemplateError;
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
    /// The document, without the `heat_sync` sections that [`super::metadata::read`]
    /// took out (they live on as the analysis' servers).
    pub template: Value,
    /// True when the input was JSON (the compiled template is then written as JSON).
    pub is_json: bool,
    /// CFN or HOT.
    pub dialect: Dialect,
    /// The HOT version as a date (`2016-10-14`, aliases such as `newton` mapped to
    /// their date); `2010-09-09` for CFN.
    pub version: String,
    /// Parameters by name (values and hidden flags from the template core).
    pub params: BTreeMap<String, Param>,
    /// Heat's version of the template (its function table).
    pub heat_version: &'static crate::template::Version,
    /// The index of each coordinated server (by resource name) among the servers
    /// [`super::metadata::read`] found, so that resolving a reference is not a search
    /// through every server.
    pub(super) server_index: crate::graph::FastMap<String, usize>,
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
    /// The index of the coordinated server `resource` among the analysis' servers.
    pub fn server(&self, resource: &str) -> Option<usize> {
        self.server_index.get(resource).copied()
    }

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
        let name = self.key("get_attr", "Fn::GetAtt");
        call(name, Value::Array(vec![Value::from(resource), Value::from(attr)]))
    }

    /// The parameter-reading function of the dialect.
    pub fn get_param(&self, name: &str) -> Value {
        call(self.key("get_param", "Ref"), Value::from(name))
    }

    /// The resource-reference function of the dialect.
    pub fn get_resource(&self, name: &str) -> Value {
        call(self.key("get_resource", "Ref"), Value::from(name))
    }
}

/// A template that cannot be read, named by its file (`name`).
fn unreadable(name: &str, message: impl ToString) -> TemplateError {
    TemplateError::Invalid { place: name.into(), message: message.to_string() }
}

/// The function call `{name: arg}`, built directly: compile writes these for every
/// server, and json! would copy what it interpolates through serde.
pub fn call(name: &str, arg: Value) -> Value {
    let mut m = Map::new();
    m.insert(name.to_string(), arg);
    Value::Object(m)
}

/// Reads a template document as Heat does (JSON, or YAML 1.1), through the template
/// core's parser.
pub fn parse_document(name: &str, text: &str) -> Result<(Value, bool), TemplateError> {
    let is_json = text.trim_start().starts_with('{');
    let doc = crate::template::parse_text(text, name).map_err(|e| unreadable(name, e))?;
    Ok((Value::Object(doc), is_json))
}

/// Loads the template of `inputs` with its parameter values (`--param`, then every
/// environment's `parameters` and `parameter_defaults`, then the defaults).
pub fn load(inputs: &Inputs) -> Result<Source, TemplateError> {
    let name = if inputs.template_name.is_empty() { "<template>" } else { &inputs.template_name };
    let (template, is_json) = parse_document(name, &inputs.template)?;
    // Heat rejects a version it does not know (`1999-01-01`); so must we, before reading on.
    let heat_version = crate::template::find_version(template.as_object().unwrap_or(&Map::new()))
        .map_err(|e| unreadable(name, e))?;
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
        return Err(unreadable(name, "no heat_template_version or AWSTemplateFormatVersion"));
    };
    let params = param_values(name, &template, inputs)?;
    Ok(Source {
        name: name.into(),
        template,
        is_json,
        dialect,
        version,
        params,
        heat_version,
        server_index: Default::default(),
    })
}

/// Parameter values and hidden flags as the template core reads them (Heat's schema
/// parsing, environment merge and typing), without the rest of its pipeline. A
/// parameter whose declaration or value Heat rejects is an error naming it
/// (`parameters.port`), its value masked when it is hidden.
fn param_values(
    name: &str,
    doc: &Value,
    inputs: &Inputs,
) -> Result<BTreeMap<String, Param>, TemplateError> {
    use crate::template::parameters::{Param as HeatParam, ParamSchema};
    // Only the version and the parameters section: the rest (every resource) is not
    // needed here, and copying it would cost as much as reading it.
    let mut raw = crate::Map::new();
    for (k, v) in doc.as_object().into_iter().flatten() {
        if crate::template::version::VERSION_KEYS.contains(&k.as_str())
            || k == "parameters"
            || k == "Parameters"
        {
            raw.insert(k.clone(), v.clone());
        }
    }
    let t = crate::template::Template::from_map(raw, name)
        .map_err(|e| unreadable(name, e.message()))?;
    let mut schemata = indexmap::IndexMap::new();
    if let Some(Value::Object(m)) = t.parameters() {
        for (k, raw) in m {
            let schema = ParamSchema::from_dict(k, raw, t.version)
                .map_err(|e| unreadable(name, format!("parameters.{k}: {e}")))?;
            schemata.insert(k.clone(), schema);
        }
    }
    let env = crate::template::Environment::merge(&inputs.params, &inputs.environments, &schemata)
        .map_err(|e| unreadable(name, e.message()))?;
    let mut params = BTreeMap::new();
    for (k, schema) in schemata {
        let p = HeatParam {
            user_value: env.parameters.get(&k).filter(|v| !v.is_null()).cloned(),
            user_default: env.parameter_defaults.get(&k).filter(|v| !v.is_null()).cloned(),
            schema,
        };
        let value = match p.raw_value() {
            None => None,
            Some(raw) => Some(p.value().map_err(|e| {
                let mut message = e.message;
                if p.schema.hidden {
                    message = message.replace(&crate::functions::pyfmt::str_of(raw), "******");
                }
                unreadable(name, format!("parameters.{k}: {message}"))
            })?),
        };
        params.insert(k, Param { value, hidden: p.schema.hidden });
    }
    Ok(params)
}
