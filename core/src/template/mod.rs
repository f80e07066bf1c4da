//! Reading a Heat template exactly as Heat 27 reads it.
//!
//! - [`yaml`]: JSON first, then YAML 1.1 as PyYAML's `SafeLoader` reads it (dates stay
//!   strings). The common shapes of YAML go through a fast path into a [`doc::Doc`], an
//!   arena that borrows its strings from the text; the analysis reads resource
//!   definitions from it through [`node::Node`] (which `serde_json` values implement
//!   too) and builds values only for the other sections ([`parse_text_doc`],
//!   [`Template::from_doc`]).
//! - [`Template::load`]: Heat's size limit, the mapping check, the version key and its
//!   template class ([`Version`], with the function table of that version).
//! - [`parameters`]: parameter schemas, constraints, typed values, hidden flags.
//! - [`environment`]: environment files (parameters, parameter_defaults,
//!   resource_registry) merged in Heat's order, and the resource type registry.
//! - [`resource_types`]: the resource types Heat 27 ships (property and attribute
//!   names), from shared/heat/resource-types.json.
//! - [`sections`]: Heat's top-level and resource-level structure checks.

pub mod doc;
pub mod environment;
pub mod node;
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
use node::Node;

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
    /// The whole template as parsed, in template order; see [`Template::raw`].
    raw: Map,
    /// The version Heat picked from the version key.
    pub version: &'static Version,
    /// Set when the resources section was read into definitions straight from the
    /// text (the fast YAML path's [`doc::Doc`]): `raw` holds a null in its place until
    /// someone asks for the whole template.
    deferred: Option<Box<Deferred>>,
}

/// The text of a template whose resources section is not in [`Template::raw`] yet.
#[derive(Debug, Clone)]
struct Deferred {
    text: Box<str>,
    full: std::sync::OnceLock<Map>,
}

/// Template text as read by [`parse_text_doc`].
#[derive(Debug)]
pub enum ParsedText<'t> {
    /// JSON, or YAML outside the fast path's subset: the whole mapping.
    Value(Map),
    /// YAML read by the fast path, strings borrowed from the text.
    Doc(doc::Doc<'t>),
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
    match parse_text_doc(text, name, limit)? {
        ParsedText::Value(map) => Ok(map),
        ParsedText::Doc(doc) => match doc.to_value() {
            Value::Object(map) => Ok(map),
            _ => unreachable!("parse_text_doc checked the top level is a mapping"),
        },
    }
}

/// [`parse_text_limited`] that keeps YAML the fast path reads as its document (what
/// the analysis reads resource definitions from without building their values).
/// Same checks, same errors.
pub fn parse_text_doc<'t>(
    text: &'t str,
    name: &str,
    limit: Option<usize>,
) -> Result<ParsedText<'t>, TemplateError> {
    check_size(text, limit)?;
    // Heat's order: JSON, then YAML (the fast path's document, else the reference).
    if let Ok(value) = serde_json::from_str::<Value>(text) {
        return top_level_map(value).map(ParsedText::Value);
    }
    if let Some(doc) = yaml::parse_yaml_fast_doc(text) {
        check_top_level(doc.root())?;
        return Ok(ParsedText::Doc(doc));
    }
    let value = yaml::parse_yaml_reference(text)
        .map_err(|e| TemplateError::rejected(format!("Error parsing template {name} {e}")))?;
    top_level_map(value).map(ParsedText::Value)
}

/// Heat's checks of a parsed template's top level: a mapping (an empty document is an
/// empty one) holding a version key.
fn check_top_level<'r>(root: impl Node<'r>) -> Result<(), TemplateError> {
    match root.kind() {
        node::Kind::Map if version::VERSION_KEYS.iter().any(|k| root.get(k).is_some()) => Ok(()),
        node::Kind::Map | node::Kind::Null => Err(version_not_found()),
        _ => Err(not_a_mapping()),
    }
}

/// The top-level mapping of a parsed template, [`check_top_level`] passed.
fn top_level_map(value: Value) -> Result<Map, TemplateError> {
    check_top_level(&value)?;
    match value {
        Value::Object(map) => Ok(map),
        _ => unreachable!("checked: a mapping"),
    }
}

fn check_size(text: &str, limit: Option<usize>) -> Result<(), TemplateError> {
    let size = if limit.is_some_and(|l| text.len() > l) { text.chars().count() } else { 0 };
    match limit.filter(|l| size > *l) {
        Some(max) => Err(TemplateError::rejected(format!(
            "Request limit exceeded: Template size ({size} bytes) exceeds maximum allowed \
             size ({max} bytes)."
        ))),
        None => Ok(()),
    }
}

fn version_not_found() -> TemplateError {
    TemplateError::rejected("Template format version not found.")
}

fn not_a_mapping() -> TemplateError {
    TemplateError::rejected("The template is not a JSON object or YAML mapping.")
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
        Ok(Template { name: name.to_string(), raw, version, deferred: None })
    }

    /// A template from the fast path's document of `text`, every section but the
    /// resources section as values (the caller reads resource definitions from the
    /// document; [`Template::raw`] reads the section from `text` when asked).
    pub fn from_doc(doc: &doc::Doc<'_>, text: &str, name: &str) -> Result<Template, TemplateError> {
        let root = doc.root();
        let versions: Map = root
            .entries()
            .filter(|(k, _)| version::VERSION_KEYS.contains(k))
            .map(|(k, v)| (k.to_string(), v.to_value()))
            .collect();
        let version = find_version(&versions)?;
        let resources = version.resources_section();
        let mut deferred = None;
        let mut raw = Map::with_capacity(root.len());
        for (k, v) in root.entries() {
            let value = if k == resources && v.kind() != node::Kind::Null {
                deferred = Some(Box::new(Deferred {
                    text: text.into(),
                    full: std::sync::OnceLock::new(),
                }));
                Value::Null
            } else {
                v.to_value()
            };
            raw.insert(k.to_string(), value);
        }
        Ok(Template { name: name.to_string(), raw, version, deferred })
    }

    /// The whole template as parsed, in template order. A template read by
    /// [`Template::from_doc`] reads its text again the first time.
    pub fn raw(&self) -> &Map {
        match &self.deferred {
            None => &self.raw,
            Some(d) => d.full.get_or_init(|| {
                parse_text_limited(&d.text, &self.name, None)
                    .expect("the text parsed once already (the fast path gives what the reference path gives)")
            }),
        }
    }

    /// [`Template::raw`], taken.
    pub fn into_raw(self) -> Map {
        match self.deferred {
            None => self.raw,
            Some(_) => self.raw().clone(),
        }
    }

    /// The names of the top-level sections, in template order.
    pub fn section_names(&self) -> impl Iterator<Item = &str> {
        self.raw.keys().map(String::as_str)
    }

    /// `version key: value` as Heat reports it (`heat_template_version: rocky`).
    pub fn version_string(&self) -> String {
        format!("{}: {}", self.version.key, self.version.value)
    }

    /// A top-level section, `None` when absent or null (Heat treats both as empty).
    pub fn section(&self, name: &str) -> Option<&Value> {
        let raw = match &self.deferred {
            Some(_) if name == self.version.resources_section() => self.raw(),
            _ => &self.raw,
        };
        raw.get(name).filter(|v| !v.is_null())
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
