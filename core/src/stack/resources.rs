//! Resource and output definitions as Heat builds them (`_rsrc_defn_args`,
//! `resource_definitions`, `outputs`).

use super::scope::StackScope;
use crate::functions::path::Path;
use crate::functions::{self, pyfmt, Scope, Snippet};
use crate::template::node::{Kind, Node};
use crate::template::{sections::py_type, Dialect, Template, Version};
use crate::Value;

/// One resource definition of the template, parsed for its version.
#[derive(Debug, Clone)]
pub struct ResourceDefn {
    /// The resource name.
    pub name: String,
    /// The type as written.
    pub resource_type: String,
    /// `properties` / `Properties`, parsed (`None` when absent).
    pub properties: Option<Snippet>,
    /// `metadata` / `Metadata`, parsed.
    pub metadata: Option<Snippet>,
    /// `depends_on` / `DependsOn` (never parsed for functions; a string becomes a
    /// one-element list). `None` when absent.
    pub depends_on: Option<Vec<String>>,
    /// The deletion policy, resolved and canonical (`Delete`, `Retain`, `Snapshot`).
    pub deletion_policy: Option<String>,
    /// The deletion policy field as parsed (for resolved output).
    pub deletion_policy_raw: Option<Snippet>,
    /// `update_policy` / `UpdatePolicy`, parsed.
    pub update_policy: Option<Snippet>,
    /// `external_id` (HOT 2016-10-14 on), parsed.
    pub external_id: Option<Snippet>,
    /// The description.
    pub description: Option<String>,
    /// The `condition` field as resolved (a condition name or a boolean); `None` when
    /// absent.
    pub condition: Option<Value>,
    /// Whether the resource is enabled (its condition is true or absent).
    pub enabled: bool,
}

/// The fields of a resource definition, by their HOT names, in slot order.
const FIELDS: [&str; 9] = [
    "type",
    "properties",
    "metadata",
    "depends_on",
    "deletion_policy",
    "update_policy",
    "description",
    "condition",
    "external_id",
];

/// The slot of a field of [`FIELDS`].
fn slot(hot: &str) -> usize {
    FIELDS.iter().position(|f| *f == hot).expect("a resource field")
}

/// The slot of the field a definition's `key` is in `dialect` (`None`: not a field).
/// One match per key, instead of a search per field.
fn slot_of_key(key: &str, dialect: Dialect) -> Option<usize> {
    let hot = dialect == Dialect::Hot;
    Some(match key {
        "type" if hot => 0,
        "Type" if !hot => 0,
        "properties" if hot => 1,
        "Properties" if !hot => 1,
        "metadata" if hot => 2,
        "Metadata" if !hot => 2,
        "depends_on" if hot => 3,
        "DependsOn" if !hot => 3,
        "deletion_policy" if hot => 4,
        "DeletionPolicy" if !hot => 4,
        "update_policy" if hot => 5,
        "UpdatePolicy" if !hot => 5,
        "description" if hot => 6,
        "Description" if !hot => 6,
        "condition" if hot => 7,
        "Condition" if !hot => 7,
        "external_id" => 8,
        _ => return None,
    })
}

fn type_error(name: &str, key: &str, typename: &str) -> String {
    format!("Resource {name} {key} type must be {typename}")
}

/// Parses every resource definition of the resources section `resources` (a
/// mapping, as [`crate::template::sections::validate`] checked) in template order and
/// decides which are enabled. The error is Heat's message.
///
/// A large section of a template without conditions is read in two halves on two
/// threads: each definition is read on its own, and without conditions reading one
/// shares nothing that changes (condition values are computed once and kept, and
/// which thread computes one first would decide which reports a circular one).
pub fn definitions<'r, N: Node<'r>>(
    resources: N,
    v: &Version,
    scope: &StackScope,
) -> Result<Vec<ResourceDefn>, String> {
    let entries: Vec<(&str, N)> = resources.entries().collect();
    let [first, second] =
        super::halves::in_halves(&entries, scope.conditions.is_empty(), |_, part| {
            definitions_of(part, v, scope)
        });
    // The first error in template order, as one thread would have met it.
    let mut out = first?;
    out.extend(second?);
    Ok(out)
}

/// [`definitions`] of some of the section's entries, on this thread.
fn definitions_of<'r, N: Node<'r>>(
    entries: &[(&str, N)],
    v: &Version,
    scope: &StackScope,
) -> Result<Vec<ResourceDefn>, String> {
    let section = v.resources_section();
    let mut out = Vec::with_capacity(entries.len());
    let section_path = Path::root(section);
    for &(name, data) in entries {
        if !data.is_map() {
            return Err(format!("'{}' object has no attribute 'get'", data.kind().py_type()));
        }
        let key = |hot: &str| v.resource_key(hot);
        let mut fields = [None; FIELDS.len()];
        for (k, node) in data.entries() {
            if let Some(i) = slot_of_key(k, v.dialect) {
                fields[i] = Some(node);
            }
        }
        let field = |hot: &str| fields[slot(hot)];
        let resource_path = section_path.part(name);
        let parse = |hot: &str| -> Result<Option<Snippet>, String> {
            match field(hot) {
                None => Ok(None),
                Some(raw) => functions::parse::parse_at(raw, &resource_path.part(key(hot)), scope)
                    .map(Some)
                    .map_err(|e| e.to_string()),
            }
        };
        let Some(_) = field("type") else {
            return Err(format!("Resource {name} is missing \"{}\"", key("type")));
        };
        let resource_type = match parse("type")? {
            Some(Snippet::Data(Value::String(s))) => s,
            _ => return Err(type_error(name, key("type"), "string")),
        };
        let object = |s: Option<Snippet>, hot: &str| -> Result<Option<Snippet>, String> {
            match s {
                None | Some(Snippet::Map(_)) | Some(Snippet::Call(_)) => Ok(s),
                Some(_) => Err(type_error(name, key(hot), "object")),
            }
        };
        let properties = object(parse("properties")?, "properties")?;
        let metadata = object(parse("metadata")?, "metadata")?;
        let depends_on = match field("depends_on") {
            None => None,
            Some(d) => match (d.kind(), d.as_str()) {
                (_, Some(s)) => Some(vec![s.to_string()]),
                (Kind::List, None) => {
                    let mut deps = Vec::with_capacity(d.len());
                    for item in d.items() {
                        match item.as_str() {
                            Some(s) => deps.push(s.to_string()),
                            None => {
                                return Err(format!(
                                    "Resource {name} {} must be a list of strings",
                                    key("depends_on")
                                ))
                            }
                        }
                    }
                    Some(deps)
                }
                _ => return Err(type_error(name, key("depends_on"), "list or string")),
            },
        };
        let deletion_policy_raw = parse("deletion_policy")?;
        let deletion_policy = match &deletion_policy_raw {
            None => None,
            Some(s @ (Snippet::Data(Value::String(_)) | Snippet::Call(_))) => {
                let resolved = functions::resolve(s, scope).map_err(|e| e.message)?;
                match resolved {
                    Value::Null => None,
                    other => {
                        let text = pyfmt::str_of(&other);
                        match v.deletion_policies.get(&text) {
                            Some(p) => Some(p.clone()),
                            None => return Err(format!("Invalid deletion policy \"{text}\"")),
                        }
                    }
                }
            }
            Some(_) => return Err(type_error(name, key("deletion_policy"), "string")),
        };
        let update_policy = object(parse("update_policy")?, "update_policy")?;
        let description = match field("description") {
            None => None,
            Some(d) => match d.as_str() {
                Some(s) => Some(s.to_string()),
                None => return Err(type_error(name, key("description"), "string")),
            },
        };
        let has_external = v.resource_keys.iter().any(|k| k == "external_id");
        let external_id = if has_external {
            match parse("external_id")? {
                None => None,
                Some(s @ (Snippet::Data(Value::String(_)) | Snippet::Call(_))) => Some(s),
                Some(_) => return Err(type_error(name, "external_id", "string")),
            }
        } else {
            None
        };
        // Heat retains what it did not create.
        let deletion_policy =
            if external_id.is_some() { Some("Retain".to_string()) } else { deletion_policy };
        let mut condition = None;
        if v.has_conditions {
            if let Some(raw) = field("condition") {
                let parsed = functions::parse::parse_condition_at(
                    raw,
                    &resource_path.part(key("condition")),
                    scope,
                )
                .map_err(|e| e.to_string())?;
                match &parsed {
                    Snippet::Data(Value::String(_) | Value::Bool(_)) | Snippet::Call(_) => {}
                    _ => {
                        let typename = if v.dialect == Dialect::Hot {
                            "string_or_boolean"
                        } else {
                            "string or boolean"
                        };
                        return Err(type_error(name, key("condition"), typename));
                    }
                }
                condition = Some(functions::resolve(&parsed, scope).map_err(|e| e.message)?);
            }
        }
        let enabled = match &condition {
            None => true,
            // Heat adds the place to a ValueError only (a circular definition
            // already is a validation failure and keeps its own message).
            Some(c) => scope.condition(c).map_err(|e| match e.kind {
                "ValueError" => format!("{section}.{name}.{}: {}", key("condition"), e.message),
                _ => e.message,
            })?,
        };
        out.push(ResourceDefn {
            name: name.to_string(),
            resource_type,
            properties,
            metadata,
            depends_on,
            deletion_policy,
            deletion_policy_raw,
            update_policy,
            external_id,
            description,
            condition,
            enabled,
        });
    }
    Ok(out)
}

/// One output definition.
#[derive(Debug, Clone)]
pub struct OutputDefn {
    /// The output name.
    pub name: String,
    /// The parsed value; `None` when the output's condition is false.
    pub value: Option<Snippet>,
    /// The description (Heat's default: `No description given`).
    pub description: String,
    /// Whether the output is enabled.
    pub enabled: bool,
}

/// Heat's `outputs(stack)`: parses enabled outputs, in template order.
pub fn outputs(t: &Template, scope: &StackScope) -> Result<Vec<OutputDefn>, String> {
    let v = t.version;
    let section = v.outputs_section();
    let Some(raw) = t.outputs() else { return Ok(vec![]) };
    let Value::Object(outputs) = raw else {
        return Err(format!("'{}' object has no attribute 'items'", py_type(raw)));
    };
    let value_key = v.resource_key("value");
    let (desc_key, cond_key) = match v.dialect {
        Dialect::Hot => ("description", "condition"),
        Dialect::Cfn => ("Description", "Condition"),
    };
    let mut out = Vec::with_capacity(outputs.len());
    for (name, val) in outputs {
        let Value::Object(val) = val else {
            return Err(format!(
                "Output validation error: {section}.{name}: Output definitions must be a map. Found a {} instead",
                py_type(val)
            ));
        };
        if !val.contains_key(value_key) {
            return Err(format!(
                "Output validation error: {section}.{name}: Each output definition must contain a {value_key} key."
            ));
        }
        let description = match val.get(desc_key) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            Some(d) if !d.is_null() && pyfmt::truthy(d) => pyfmt::str_of(d),
            _ => "No description given".into(),
        };
        let mut enabled = true;
        if v.output_keys.iter().any(|k| k == cond_key) {
            let cpath = format!("{section}.{name}.{cond_key}");
            let raw_cond = val.get(cond_key).cloned().unwrap_or(Value::Null);
            let parsed =
                functions::parse_condition(&raw_cond, &cpath, scope).map_err(|e| e.to_string())?;
            let resolved = functions::resolve(&parsed, scope)
                .map_err(|e| format!("{cpath}: {}", e.message))?;
            enabled = scope.condition(&resolved).map_err(|e| match e.kind {
                "ValueError" => format!("{cpath}: {}", e.message),
                _ => e.message,
            })?;
        }
        let value = if enabled {
            let vpath = format!("{section}.{name}.{value_key}");
            Some(functions::parse(&val[value_key], &vpath, scope).map_err(|e| e.to_string())?)
        } else {
            None
        };
        out.push(OutputDefn { name: name.clone(), value, description, enabled });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_its_slot_under_its_name_in_each_dialect() {
        for v in crate::template::version::all() {
            for (i, hot) in FIELDS.iter().enumerate() {
                assert_eq!(slot(hot), i);
                assert_eq!(slot_of_key(v.resource_key(hot), v.dialect), Some(i), "{hot}");
            }
            assert_eq!(slot_of_key("types", v.dialect), None);
        }
    }
}
