//! Reading a Heat template exactly as Heat 27 reads it.
//!
//! - [`yaml`]: JSON first, then YAML 1.1 as PyYAML's `SafeLoader` reads it (dates stay
//!   strings).
//! - [`Template::load`]: Heat's size limit, the mapping check, the version key and its
//!   template class ([`Version`], with the function table of that version).
//! - [`parameters`]: parameter schemas, constraints, typed values, hidden flags.
//! - [`environment`]: environment files (parameters, parameter_defaults,
//!   resource_registry) merged in Heat's order, and the resource type registry.
//! - [`resource_types`]: the resource types Heat 27 ships (property and attribute
//!   names), from shared/heat/resource-types.json.
//! - [`sections`]: Heat's top-level and resource-level structure checks.

pub mod environment;
pub mod parameters;
pub mod resource_types;
pub mod sections;
pub mod version;
pub mod yaml;
mod yaml_fast;

pub use environment::Environment;
pub use parameters::{ParamSchema, Parameters};
pub use version::{Dialect, Version};

use crate::{Map, Value};

/// Heat's `max_template_size` (bytes; Heat counts characters).
pub const MAX_TEMPLATE_SIZE: usize = 524_288;

/// Heat's `max_resources_per_stack`.
pub const MAX_RESOURCES_PER_STACK: usize = 1000;

/// Errors reading, parsing or validating a template or environment.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum TemplateError {
    /// The template is invalid at `place`.
    #[error("{place}: {message}")]
    Invalid {
        /// Where (file and template path).
        place: String,
        /// Heat's cause.
        message: String,
    },
    /// Heat rejects the template with this message (Heat's own wording, which names
    /// the place: `resources.v.properties.value.Fn::Join: ...`).
    #[error("{message}")]
    Rejected {
        /// Heat's message.
        message: String,
    },
}

impl TemplateError {
    /// A rejection with Heat's message.
    pub fn rejected(message: impl Into<String>) -> Self {
        TemplateError::Rejected { message: message.into() }
    }

    /// The message alone (what Heat's API would return).
    pub fn message(&self) -> String {
        match self {
            TemplateError::Invalid { place, message } => format!("{place}: {message}"),
            TemplateError::Rejected { message } => message.clone(),
        }
    }
}

/// A loaded template: its top-level mapping and its version.
#[derive(Debug, Clone)]
pub struct Template {
    /// The template's name for messages (its path).
    pub name: String,
    /// The whole template as parsed, in template order.
    pub raw: Map,
    /// The version Heat picked from the version key.
    pub version: &'static Version,
}

/// Parses template text the way `template_format.parse` does: size limit, JSON or
/// YAML, a mapping, a version key present.
pub fn parse_text(text: &str, name: &str) -> Result<Map, TemplateError> {
    parse_text_limited(text, name, Some(MAX_TEMPLATE_SIZE))
}

/// [`parse_text`] with another size limit (`None`: unlimited, for benchmarks).
pub fn parse_text_limited(
    text: &str,
    name: &str,
    limit: Option<usize>,
) -> Result<Map, TemplateError> {
    let size = if limit.is_some_and(|l| text.len() > l) { text.chars().count() } else { 0 };
    if let Some(max) = limit.filter(|l| size > *l) {
        return Err(TemplateError::rejected(format!(
            "Request limit exceeded: Template size ({size} bytes) exceeds maximum allowed \
             size ({max} bytes)."
        )));
    }
    let value = yaml::parse_json_or_yaml(text)
        .map_err(|e| TemplateError::rejected(format!("Error parsing template {name} {e}")))?;
    let map = match value {
        Value::Object(m) => m,
        Value::Null => Map::new(),
        _ => {
            return Err(TemplateError::rejected(
                "The template is not a JSON object or YAML mapping.",
            ))
        }
    };
    if !version::VERSION_KEYS.iter().any(|k| map.contains_key(*k)) {
        return Err(TemplateError::rejected("Template format version not found."));
    }
    Ok(map)
}

/// Heat's `get_version` + `get_template_class`: the version key whose value is a
/// string, and the class registered for it.
pub fn find_version(raw: &Map) -> Result<&'static Version, TemplateError> {
    let present: Vec<&str> = version::VERSION_KEYS
        .iter()
        .copied()
        .filter(|k| raw.get(*k).is_some_and(Value::is_string))
        .collect();
    let invalid = |explanation: String| {
        TemplateError::rejected(format!("The template version is invalid: {explanation}"))
    };
    let key = match present.as_slice() {
        [] => return Err(invalid("Template version was not provided".into())),
        [one] => *one,
        many => return Err(invalid(format!("Ambiguous versions ({})", many.join(", ")))),
    };
    let value = raw[key].as_str().unwrap_or_default();
    if let Some(v) = version::find(key, value) {
        return Ok(v);
    }
    let mut available: Vec<&str> =
        version::all().iter().filter(|v| v.key == key).map(|v| v.value.as_str()).collect();
    available.sort_unstable();
    let which = if available.len() > 1 { "should be one of" } else { "should be" };
    Err(invalid(format!("\"{key}: {value}\". \"{key}\" {which}: {}", available.join(", "))))
}

impl Template {
    /// Loads a template from text: [`parse_text`] then [`find_version`].
    pub fn load(text: &str, name: &str) -> Result<Template, TemplateError> {
        let raw = parse_text(text, name)?;
        Template::from_map(raw, name)
    }

    /// A template from an already parsed mapping.
    pub fn from_map(raw: Map, name: &str) -> Result<Template, TemplateError> {
        let version = find_version(&raw)?;
        Ok(Template { name: name.to_string(), raw, version })
    }

    /// `version key: value` as Heat reports it (`heat_template_version: rocky`).
    pub fn version_string(&self) -> String {
        format!("{}: {}", self.version.key, self.version.value)
    }

    /// A top-level section, `None` when absent or null (Heat treats both as empty).
    pub fn section(&self, name: &str) -> Option<&Value> {
        self.raw.get(name).filter(|v| !v.is_null())
    }

    /// The resources section as a mapping (empty when absent or not a mapping).
    pub fn resources(&self) -> &Map {
        static EMPTY: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
        match self.section(self.version.resources_section()) {
            Some(Value::Object(m)) => m,
            _ => EMPTY.get_or_init(Map::new),
        }
    }

    /// The parameters section as a mapping (empty when absent).
    pub fn parameters(&self) -> Option<&Value> {
        self.section(self.version.parameters_section())
    }

    /// The outputs section.
    pub fn outputs(&self) -> Option<&Value> {
        self.section(self.version.outputs_section())
    }

    /// The conditions section (only for versions that have one).
    pub fn conditions(&self) -> Option<&Value> {
        if self.version.has_conditions {
            self.raw.get(self.version.conditions_section())
        } else {
            None
        }
    }

    /// The CFN `Mappings` section.
    pub fn mappings(&self) -> Option<&Value> {
        match self.version.dialect {
            Dialect::Cfn => self.section("Mappings"),
            Dialect::Hot => None,
        }
    }

    /// The description (Heat's default: `No description`).
    pub fn description(&self) -> String {
        let key = match self.version.dialect {
            Dialect::Hot => "description",
            Dialect::Cfn => "Description",
        };
        match self.section(key) {
            Some(Value::String(s)) if !s.is_empty() => s.clone(),
            _ => "No description".into(),
        }
    }
}
