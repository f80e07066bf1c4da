//! The resource types Heat 27 ships: property names, attribute names and the facts
//! the graph needs (`core/data/resource-types.json`, derived from
//! shared/heat/resource-types.json by `core/data/generate.py`).

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

/// One built-in resource type.
#[derive(Debug, Deserialize)]
pub struct ResourceType {
    /// The Heat class name (`Server`, `Subnet`, `TemplateResource`, ...), as Heat
    /// prints it in `Circular Dependency Found` messages.
    pub class: String,
    /// `class` for a plugin, `template` for a type implemented by a provider template
    /// shipped in /etc/heat/templates.
    pub kind: String,
    /// Top-level property names.
    pub properties: Vec<String>,
    /// Attribute names (including `show`).
    pub attributes: Vec<String>,
    /// Whether `get_attr` accepts any attribute name.
    pub any_attribute: bool,
    /// What `get_resource` gives before the resource exists: `"$name"` (the resource
    /// name), `null` or a literal.
    pub reference_id: Option<String>,
    /// Whether the `Snapshot` deletion policy is supported.
    pub snapshot: bool,
    /// Allowed update policy keys.
    pub update_policy: Vec<String>,
    /// For `template` kinds: the provider template URL.
    pub provider_template: Option<String>,
}

#[derive(Deserialize)]
struct Data {
    types: HashMap<String, ResourceType>,
    aliases: HashMap<String, String>,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("../../data/resource-types.json"))
            .expect("core/data/resource-types.json is valid")
    })
}

/// A built-in type by name.
pub fn get(name: &str) -> Option<&'static ResourceType> {
    data().types.get(name)
}

/// The global environment's aliases (`OS::Quantum::*` to `OS::Neutron::*`,
/// `OS::Ceilometer::Alarm` to `OS::Aodh::Alarm`, ...).
pub fn global_alias(name: &str) -> Option<&'static str> {
    data().aliases.get(name).map(String::as_str)
}

impl ResourceType {
    /// Whether `get_attr` may name `attr` on this type.
    pub fn has_attribute(&self, attr: &str) -> bool {
        self.any_attribute || self.attributes.iter().any(|a| a == attr)
    }

    /// Whether `name` is a property of this type.
    pub fn has_property(&self, name: &str) -> bool {
        self.properties.iter().any(|p| p == name)
    }
}
