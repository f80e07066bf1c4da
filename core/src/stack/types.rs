//! What the environment's registry makes of each enabled resource's type, worked out
//! once per type: resolving walks the whole registry, a plugin's data sits in a map
//! keyed by type name, and a provider template is parsed for its parameters. Thousands
//! of resources share a handful of types.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::resources::ResourceDefn;
use crate::graph::FastMap;
use crate::template::environment::ResolvedType;
use crate::template::resource_types::{self, ResourceType};
use crate::template::{self as tmpl, Environment, Template};
use crate::Value;

/// The property names a resource accepts (a built-in type's, or a provider template's
/// parameters).
pub(super) type PropertyNames = Cow<'static, [String]>;

/// One resolved type.
pub(super) struct TypeInfo {
    /// What the registry resolved it to.
    pub(super) resolved: ResolvedType,
    /// The plugin's data (`None` for a provider template).
    pub(super) plugin: Option<&'static ResourceType>,
    /// The type Heat's implicit-dependency rules match on: the plugin's registry name,
    /// or the type as written for a provider template.
    pub(super) graph_name: String,
    /// The property names a resource of this type accepts (`None`: any).
    pub(super) property_names: Option<PropertyNames>,
    /// The provider template's load error, which Heat reports when it validates a
    /// resource of this type.
    pub(super) deferred: Option<String>,
}

impl TypeInfo {
    /// The attribute names `get_attr` accepts, unless the plugin accepts any.
    pub(super) fn closed_attributes(&self) -> Option<&'static [String]> {
        self.plugin.filter(|rt| !rt.any_attribute).map(|rt| rt.attributes.as_slice())
    }
}

/// The types of the enabled resources, each resolved once.
pub(super) struct ResourceTypes {
    infos: Vec<TypeInfo>,
    /// Per resource (by position in the definitions), an index into `infos`
    /// (`u32::MAX`: disabled).
    of_resource: Vec<u32>,
}

impl ResourceTypes {
    /// Resolves the type of each enabled resource of `defs` in template order, failing
    /// as Heat does while building the resources (a `/` in a name, an unknown type, a
    /// provider template that is not one).
    pub(super) fn resolve(
        defs: &[ResourceDefn],
        environment: &Environment,
        files: &BTreeMap<String, String>,
    ) -> Result<Self, String> {
        let registry = environment.registry();
        // Without registry entries for single resources (the usual case) a type
        // resolves the same for every resource.
        let per_resource_entries = matches!(
            environment.resource_registry.get("resources"),
            Some(Value::Object(m)) if !m.is_empty()
        );
        let mut ids: FastMap<&str, u32> = FastMap::default();
        let mut this = ResourceTypes { infos: Vec::new(), of_resource: vec![u32::MAX; defs.len()] };
        for (i, d) in defs.iter().enumerate().filter(|(_, d)| d.enabled) {
            if d.name.contains('/') {
                return Err("Resource name may not contain \"/\"".into());
            }
            let own_entries = per_resource_entries && registry.has_resource_entries(&d.name);
            let id = match ids.get(d.resource_type.as_str()) {
                Some(&id) if !own_entries => id,
                _ => {
                    let resolved = registry.resolve(&d.resource_type, &d.name)?;
                    this.infos.push(TypeInfo::new(resolved, &d.resource_type, files)?);
                    let id = this.infos.len() as u32 - 1;
                    if !own_entries {
                        ids.insert(&d.resource_type, id);
                    }
                    id
                }
            };
            this.of_resource[i] = id;
        }
        Ok(this)
    }

    /// The type of resource `i` (`None` for a disabled one).
    pub(super) fn of(&self, i: usize) -> Option<&TypeInfo> {
        self.infos.get(self.of_resource[i] as usize)
    }

    /// The type id of resource `i`: an index into [`ResourceTypes::infos`].
    pub(super) fn id_of(&self, i: usize) -> u32 {
        self.of_resource[i]
    }

    /// Every type, by id.
    pub(super) fn infos(&self) -> &[TypeInfo] {
        &self.infos
    }
}

impl TypeInfo {
    fn new(
        resolved: ResolvedType,
        written: &str,
        files: &BTreeMap<String, String>,
    ) -> Result<Self, String> {
        let mut info = TypeInfo {
            plugin: None,
            graph_name: String::new(),
            property_names: None,
            deferred: None,
            resolved,
        };
        match &info.resolved {
            ResolvedType::Plugin(p) => {
                let rt = resource_types::get(p).expect("registry only resolves known types");
                info.plugin = Some(rt);
                info.graph_name = p.clone();
                // NoneResource and the removed types built on it accept any property.
                let any_property = rt.properties.is_empty() && rt.any_attribute;
                info.property_names = (!any_property).then_some(Cow::Borrowed(&rt.properties[..]));
            }
            ResolvedType::Template { template, user } => {
                info.graph_name = written.to_string();
                match provider_template(template, *user, files) {
                    Ok(params) => info.property_names = Some(Cow::Owned(params)),
                    Err(ProviderError::Deferred(msg)) => {
                        info.deferred = Some(msg);
                        info.property_names = Some(Cow::Owned(vec![]));
                    }
                    Err(ProviderError::Fatal(msg)) => return Err(msg),
                }
            }
        }
        Ok(info)
    }
}

enum ProviderError {
    /// Heat keeps the error and reports it when the resource is validated.
    Deferred(String),
    /// Heat fails while building the resource.
    Fatal(String),
}

/// Loads a provider template: its parameter names are the resource's properties.
fn provider_template(
    name: &str,
    user: bool,
    files: &BTreeMap<String, String>,
) -> Result<Vec<String>, ProviderError> {
    let Some(text) = files.get(name).filter(|t| !t.is_empty()) else {
        let msg = if let Some(path) = name.strip_prefix("file://") {
            if user {
                format!("Could not fetch remote template \"{name}\": Invalid URL scheme file")
            } else {
                format!(
                    "Could not fetch remote template \"{name}\": Failed to retrieve template: <urlopen error \
                     [Errno 2] No such file or directory: '{path}'>"
                )
            }
        } else if name.starts_with("http://") || name.starts_with("https://") {
            format!(
                "Could not fetch remote template \"{name}\": Failed to retrieve template: offline"
            )
        } else {
            let scheme = name.split_once("://").map(|(s, _)| s).unwrap_or("");
            format!("Could not fetch remote template \"{name}\": Invalid URL scheme {scheme}")
        };
        return Err(ProviderError::Deferred(msg));
    };
    let raw = tmpl::parse_text(text, name).map_err(|e| ProviderError::Deferred(e.message()))?;
    let nested = Template::from_map(raw, name).map_err(|e| ProviderError::Fatal(e.message()))?;
    let params = super::analyse::param_schemata(&nested).map_err(ProviderError::Fatal)?;
    Ok(params.keys().cloned().collect())
}
