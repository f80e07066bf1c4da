//! Environment files and the resource type registry
//! (`heat/common/environment_format.py`, `heat/common/environment_util.py`,
//! `heat/engine/environment.py`).
//!
//! Merge order is the engine's: the request's `--param` values form the first
//! environment, then each `-e` file is merged over it in order, so a value in an
//! environment file's `parameters` wins over the same `--param`.

use indexmap::IndexMap;

use super::parameters::{ParamSchema, ParamType};
use super::{resource_types, yaml, TemplateError};
use crate::{Map, Value};

/// The merged environment.
#[derive(Debug, Clone, Default)]
pub struct Environment {
    /// `parameters`: user values.
    pub parameters: Map,
    /// `parameter_defaults`.
    pub parameter_defaults: Map,
    /// `resource_registry`, as merged.
    pub resource_registry: Map,
}

const SECTIONS: [&str; 6] = [
    "parameters",
    "resource_registry",
    "parameter_defaults",
    "encrypted_param_names",
    "event_sinks",
    "parameter_merge_strategies",
];

/// `environment_format.parse`.
pub fn parse_environment(text: &str) -> Result<Map, String> {
    let v = yaml::parse_yaml(text)?;
    let m = match v {
        Value::Null => Map::new(),
        Value::Object(m) => m,
        _ => return Err("The environment is not a valid YAML mapping data type.".into()),
    };
    for (k, v) in &m {
        if !SECTIONS.contains(&k.as_str()) {
            return Err(format!("environment has wrong section \"{k}\""));
        }
        if v.is_null() {
            return Err(format!("environment has empty section \"{k}\""));
        }
        // Heat merges every section but `encrypted_param_names` and `event_sinks` with
        // `dict.update`, which refuses anything but a mapping.
        let mapping_section = !matches!(k.as_str(), "encrypted_param_names" | "event_sinks");
        if mapping_section && !v.is_object() {
            return Err(format!("environment section \"{k}\" must be a mapping"));
        }
    }
    Ok(m)
}

fn merge_map(old: Map, new: &Map, deep: bool) -> Map {
    if old.is_empty() {
        return new.clone();
    }
    let mut old = old;
    for (k, v) in new {
        if v.is_null() {
            continue;
        }
        if !deep {
            old.insert(k.clone(), v.clone());
            continue;
        }
        let merged = match (old.get(k), v) {
            (Some(Value::Object(o)), Value::Object(n)) if !o.is_empty() => {
                Value::Object(merge_map(o.clone(), n, true))
            }
            (Some(o), Value::Array(_)) if crate::functions::pyfmt::truthy(o) => {
                merge_list(o.clone(), v)
            }
            (o, Value::String(s)) => {
                let prefix = o.and_then(Value::as_str).unwrap_or("");
                Value::String(format!("{prefix}{s}"))
            }
            _ => v.clone(),
        };
        old.insert(k.clone(), merged);
    }
    old
}

fn merge_list(old: Value, new: &Value) -> Value {
    if !crate::functions::pyfmt::truthy(&old) {
        return new.clone();
    }
    match (old, new) {
        (Value::Array(mut o), Value::Array(n)) => {
            o.extend(n.iter().cloned());
            Value::Array(o)
        }
        (o, n) => Value::String(format!(
            "{},{}",
            crate::functions::pyfmt::str_of(&o),
            crate::functions::pyfmt::str_of(n)
        )),
    }
}

/// Merges the parameters of one environment file (`merge_parameters`).
fn merge_parameters(
    old: Map,
    new: &Map,
    schemata: &IndexMap<String, ParamSchema>,
    strategies: &Map,
    available: &mut IndexMap<String, String>,
    file: &str,
) -> Result<Map, String> {
    let strategy_of = |key: &str, available: &IndexMap<String, String>| -> String {
        let default = strategies.get("default").and_then(Value::as_str).unwrap_or("overwrite");
        let s = strategies
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| available.get(key).cloned())
            .unwrap_or_else(|| default.to_string());
        if ["overwrite", "merge", "deep_merge"].contains(&s.as_str()) {
            s
        } else {
            default.to_string()
        }
    };
    for (key, value) in new {
        if schemata.contains_key(key) && !value.is_null() {
            let s = strategy_of(key, available);
            match available.get(key) {
                None => {
                    available.insert(key.clone(), s);
                }
                Some(prev) if *prev != s => {
                    return Err(format!(
                        "Conflicting merge strategy '{s}' for parameter '{key}' in file '{file}'."
                    ))
                }
                _ => {}
            }
        }
    }
    if old.is_empty() {
        return Ok(new.clone());
    }
    let mut old = old;
    for (key, value) in new {
        let Some(schema) = schemata.get(key) else { continue };
        if value.is_null() {
            continue;
        }
        let strategy = available.get(key).cloned().unwrap_or_default();
        if strategy == "overwrite" {
            old.insert(key.clone(), value.clone());
            continue;
        }
        let deep = strategy == "deep_merge";
        let merged = match schema.param_type {
            ParamType::Json => {
                let parsed = match value {
                    Value::String(s) if !s.is_empty() => serde_json::from_str(s)
                        .map_err(|e| format!("Invalid parameter in environment {e}."))?,
                    v => v.clone(),
                };
                let prev = old.get(key).and_then(Value::as_object).cloned().unwrap_or_default();
                match parsed {
                    Value::Object(n) => Value::Object(merge_map(prev, &n, deep)),
                    other => other,
                }
            }
            ParamType::List => merge_list(old.get(key).cloned().unwrap_or(Value::Null), value),
            ParamType::String => Value::String(format!(
                "{}{}",
                old.get(key).and_then(Value::as_str).unwrap_or(""),
                value.as_str().unwrap_or("")
            )),
            ParamType::Number => {
                let a = old.get(key).and_then(Value::as_f64).unwrap_or(0.0);
                let b = value.as_f64().unwrap_or(0.0);
                serde_json::Number::from_f64(a + b).map(Value::Number).unwrap_or(Value::Null)
            }
            ParamType::Boolean => {
                return Err(format!("Invalid merge strategy 'merge' for parameter '{key}'."))
            }
        };
        old.insert(key.clone(), merged);
    }
    Ok(old)
}

impl Environment {
    /// The environment of a request: `--param` values, then each environment file
    /// merged in order (`merge_environments`). `schemata` are the parameter schemas of
    /// the template (and of the files, as Heat's `all_param_schemata`).
    pub fn merge(
        cli_params: &[(String, String)],
        files: &[(String, String)],
        schemata: &IndexMap<String, ParamSchema>,
    ) -> Result<Environment, TemplateError> {
        let mut env = Environment::default();
        for (k, v) in cli_params {
            env.parameters.insert(k.clone(), Value::String(v.clone()));
        }
        let mut available = IndexMap::new();
        for (name, text) in files {
            let mut parsed = parse_environment(text)
                .map_err(|e| TemplateError::rejected(format!("{name}: {e}")))?;
            let strategies = match parsed.shift_remove("parameter_merge_strategies") {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
            for (section, value) in parsed {
                if !crate::functions::pyfmt::truthy(&value) {
                    continue;
                }
                let Value::Object(value) = value else { continue };
                match section.as_str() {
                    "parameters" | "parameter_defaults" => {
                        let target = if section == "parameters" {
                            &mut env.parameters
                        } else {
                            &mut env.parameter_defaults
                        };
                        let old = std::mem::take(target);
                        *target = merge_parameters(
                            old,
                            &value,
                            schemata,
                            &strategies,
                            &mut available,
                            name,
                        )
                        .map_err(TemplateError::rejected)?;
                    }
                    "resource_registry" => {
                        let old = std::mem::take(&mut env.resource_registry);
                        env.resource_registry = merge_map(old, &value, false);
                    }
                    _ => {}
                }
            }
        }
        Ok(env)
    }

    /// The registry of this environment over Heat's global one.
    pub fn registry(&self) -> Registry<'_> {
        Registry { user: &self.resource_registry }
    }
}

/// What a resource type resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResolvedType {
    /// A built-in plugin type (the registry name of its class: `OS::Neutron::Subnet`
    /// for `OS::Quantum::Subnet` or a user alias of it).
    Plugin(String),
    /// A provider template.
    Template {
        /// The template file name (a key of the files map) or URL.
        template: String,
        /// Whether the user's environment (or the template itself) named it; a
        /// global one is read from /etc/heat/templates.
        user: bool,
    },
}

/// Heat's resource registry: the user's `resource_registry` over the global one.
#[derive(Debug, Clone, Copy)]
pub struct Registry<'a> {
    user: &'a Map,
}

fn is_template_name(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".template")
}

/// A registry entry found while resolving: (user?, path length, path, target).
struct Candidate {
    user: bool,
    path: Vec<String>,
    target: Target,
}

enum Target {
    Plugin(String),
    Template(String),
    Map(String),
    Glob { prefix: String, value: String },
}

impl Registry<'_> {
    /// Resolves `resource_type` for resource `resource_name` (Heat's
    /// `get_resource_info`), or Heat's message
    /// `The Resource Type (X) could not be found.`
    pub fn resolve(
        &self,
        resource_type: &str,
        resource_name: &str,
    ) -> Result<ResolvedType, String> {
        self.resolve_depth(resource_type, resource_name, 0)
            .ok_or_else(|| format!("The Resource Type ({resource_type}) could not be found."))
    }

    /// Whether the user's registry has entries of its own for resource
    /// `resource_name` (`resources: {name: {...}}`): without them, what a type
    /// resolves to is the same for every resource, and callers may reuse it.
    pub fn has_resource_entries(&self, resource_name: &str) -> bool {
        match self.user.get("resources") {
            Some(Value::Object(per)) => per.contains_key(resource_name),
            _ => false,
        }
    }

    fn entry_target(name: &str, value: &Value) -> Option<Target> {
        let Value::String(v) = value else { return None };
        if is_template_name(name) || is_template_name(v) {
            Some(Target::Template(if is_template_name(name) { name.into() } else { v.clone() }))
        } else if let Some(prefix) = name.strip_suffix('*') {
            Some(Target::Glob { prefix: prefix.into(), value: v.clone() })
        } else {
            Some(Target::Map(v.clone()))
        }
    }

    fn candidates(&self, ty: &str, name: &str) -> Vec<Candidate> {
        let mut out = Vec::new();
        if is_template_name(ty) {
            out.push(Candidate {
                user: true,
                path: vec![ty.into()],
                target: Target::Template(ty.into()),
            });
        }
        if let Some(Value::Object(per)) = self.user.get("resources") {
            if let Some(Value::Object(entries)) = per.get(name) {
                if let Some(v) = entries.get(ty) {
                    if let Some(target) = Self::entry_target(ty, v) {
                        out.push(Candidate {
                            user: true,
                            path: vec!["resources".into(), name.into(), ty.into()],
                            target,
                        });
                    }
                }
            }
        }
        if let Some(v) = self.user.get(ty) {
            if let Some(target) = Self::entry_target(ty, v) {
                out.push(Candidate { user: true, path: vec![ty.into()], target });
            }
        }
        for (k, v) in self.user {
            if let (Some(prefix), Value::String(value)) = (k.strip_suffix('*'), v) {
                if ty != value && ty.starts_with(prefix) {
                    if let Some(target) = Self::entry_target(k, v) {
                        out.push(Candidate { user: true, path: vec![k.clone()], target });
                    }
                }
            }
        }
        // The global registry: plugin classes, provider templates and aliases.
        if let Some(t) = resource_types::get(ty) {
            let target = match &t.provider_template {
                Some(url) if t.kind == "template" => Target::Template(url.clone()),
                _ => Target::Plugin(ty.into()),
            };
            out.push(Candidate { user: false, path: vec![ty.into()], target });
        } else if let Some(alias) = resource_types::global_alias(ty) {
            out.push(Candidate {
                user: false,
                path: vec![ty.into()],
                target: Target::Map(alias.into()),
            });
        }
        out.sort_by(|a, b| {
            b.user.cmp(&a.user).then(b.path.len().cmp(&a.path.len())).then(a.path.cmp(&b.path))
        });
        out
    }

    fn resolve_depth(&self, ty: &str, name: &str, depth: usize) -> Option<ResolvedType> {
        if depth > 20 {
            return None;
        }
        for c in self.candidates(ty, name) {
            let found = match c.target {
                Target::Plugin(p) => Some(ResolvedType::Plugin(p)),
                Target::Template(t) => Some(ResolvedType::Template { template: t, user: c.user }),
                Target::Map(to) => {
                    if c.user {
                        self.resolve_depth(&to, name, depth + 1)
                    } else {
                        Registry { user: empty_map() }.resolve_depth(&to, name, depth + 1)
                    }
                }
                Target::Glob { prefix, value } => {
                    let new_type = match value.strip_suffix('*') {
                        Some(v) => format!("{v}{}", &ty[prefix.len().min(ty.len())..]),
                        None => value,
                    };
                    self.resolve_depth(&new_type, name, depth + 1)
                }
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
}

fn empty_map() -> &'static Map {
    static EMPTY: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Map::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn registry_aliases_and_templates() {
        let user = json!({"My::Subnet": "OS::Neutron::Subnet", "My::Nested": "nested.yaml",
                          "resources": {"r1": {"My::Thing": "OS::Heat::None"}}});
        let reg = Registry { user: user.as_object().unwrap() };
        assert_eq!(
            reg.resolve("My::Subnet", "a").unwrap(),
            ResolvedType::Plugin("OS::Neutron::Subnet".into())
        );
        assert_eq!(
            reg.resolve("OS::Quantum::Subnet", "a").unwrap(),
            ResolvedType::Plugin("OS::Neutron::Subnet".into())
        );
        assert_eq!(
            reg.resolve("My::Nested", "a").unwrap(),
            ResolvedType::Template { template: "nested.yaml".into(), user: true }
        );
        assert_eq!(
            reg.resolve("My::Thing", "r1").unwrap(),
            ResolvedType::Plugin("OS::Heat::None".into())
        );
        assert!(reg.resolve("My::Thing", "r2").is_err());
    }

    #[test]
    fn env_parameters_beat_cli() {
        let schema = ParamSchema::from_dict(
            "label",
            &json!({"type": "string"}),
            crate::template::version::find("heat_template_version", "2018-08-31").unwrap(),
        )
        .unwrap();
        let mut schemata = IndexMap::new();
        schemata.insert("label".to_string(), schema);
        let env = Environment::merge(
            &[("label".into(), "from-cli".into())],
            &[("e.yaml".into(), "parameters: {label: from-env}".into())],
            &schemata,
        )
        .unwrap();
        assert_eq!(env.parameters["label"], json!("from-env"));
    }
}
