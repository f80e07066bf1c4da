//! The [`Scope`] of one stack: what function evaluation reads (parameters, condition
//! values, resource names, files, mappings, attribute schemas).

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::graph::{FastMap, Names};

use indexmap::IndexMap;

use crate::functions::{self, pyfmt, FnError, Scope, Snippet};
use crate::template::{Parameters, Version};
use crate::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CondState {
    InProgress,
    Done(bool),
}

/// What evaluation knows of one resource of the template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceState {
    /// Not enabled: its condition is false, or resource conditions are not known yet.
    Disabled,
    /// Enabled, with its attribute names (`None`: any name is valid, or the names
    /// are not known yet).
    Enabled(Option<&'static [String]>),
}

/// The evaluation context of one stack.
#[derive(Debug)]
pub struct StackScope {
    /// The template version.
    pub version: &'static Version,
    /// Parameter values.
    pub parameters: Parameters,
    /// Every resource name of the template's resources section, in template order:
    /// a resource's position here is its position among the resource definitions.
    pub all_resources: Names,
    /// Per resource, by position in `all_resources`: whether it is enabled (all are
    /// disabled until resource conditions are known) and its attribute names.
    pub resource_states: Vec<ResourceState>,
    /// The files map.
    pub files: BTreeMap<String, String>,
    /// The CFN `Mappings` section.
    pub mappings: Option<Value>,
    /// Parsed condition definitions, by name.
    pub conditions: IndexMap<String, Snippet>,
    /// Condition values, and the conditions being evaluated (a cycle check). Behind
    /// a lock so that resource definitions can be read on several threads.
    memo: Mutex<FastMap<String, CondState>>,
}

impl StackScope {
    /// A scope with no conditions and no enabled resources yet.
    pub fn new(
        version: &'static Version,
        parameters: Parameters,
        all_resources: Names,
        files: BTreeMap<String, String>,
        mappings: Option<Value>,
    ) -> Self {
        StackScope {
            version,
            parameters,
            resource_states: vec![ResourceState::Disabled; all_resources.len()],
            all_resources,
            files,
            mappings,
            conditions: IndexMap::new(),
            memo: Mutex::new(FastMap::default()),
        }
    }

    fn memo(&self) -> MutexGuard<'_, FastMap<String, CondState>> {
        // A panic while the lock was held left a consistent map (one insert or remove).
        self.memo.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The position of `name` among the resources when it is an enabled one.
    pub fn enabled_position(&self, name: &str) -> Option<u32> {
        self.all_resources
            .position(name)
            .filter(|&i| matches!(self.resource_states[i as usize], ResourceState::Enabled(_)))
    }

    fn resolve_condition(&self, name: &str) -> Result<bool, FnError> {
        let snippet = &self.conditions[name];
        let v = functions::resolve(snippet, self)?;
        match v {
            Value::Bool(b) => Ok(b),
            other => Err(FnError::other(
                "StackValidationFailed",
                format!(
                    "Condition validation error: The definition of condition \"{name}\" is invalid: {}",
                    pyfmt::str_of(&other)
                ),
            )),
        }
    }
}

impl Scope for StackScope {
    fn version(&self) -> &'static Version {
        self.version
    }

    fn param(&self, name: &str) -> Result<Value, FnError> {
        self.parameters.value(name)
    }

    fn declares_param(&self, name: &str) -> bool {
        self.parameters.contains(name)
    }

    fn has_resource(&self, name: &str) -> bool {
        self.all_resources.contains(name)
    }

    fn is_enabled_resource(&self, name: &str) -> bool {
        self.enabled_position(name).is_some()
    }

    fn condition(&self, name: &Value) -> Result<bool, FnError> {
        let key = match name {
            Value::Null => return Ok(true),
            Value::Bool(b) => return Ok(*b),
            Value::String(s) if self.conditions.contains_key(s) => s.clone(),
            other => {
                return Err(FnError::value(format!(
                    "Invalid condition \"{}\"",
                    pyfmt::str_of(other)
                )))
            }
        };
        let state = self.memo().get(&key).copied();
        match state {
            Some(CondState::Done(b)) => Ok(b),
            Some(CondState::InProgress) => Err(FnError::other(
                "StackValidationFailed",
                format!("Condition validation error: Circular definition for condition \"{key}\""),
            )),
            None => {
                self.memo().insert(key.clone(), CondState::InProgress);
                let r = self.resolve_condition(&key);
                match &r {
                    Ok(b) => {
                        self.memo().insert(key, CondState::Done(*b));
                    }
                    Err(_) => {
                        self.memo().remove(&key);
                    }
                }
                r
            }
        }
    }

    fn file(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(String::as_str)
    }

    fn mappings(&self) -> Option<&Value> {
        self.mappings.as_ref()
    }

    fn has_attribute(&self, resource: &str, attr: &str) -> bool {
        let state = self.all_resources.position(resource).map(|i| self.resource_states[i as usize]);
        match state {
            Some(ResourceState::Enabled(Some(names))) => names.iter().any(|n| n == attr),
            _ => true,
        }
    }
}
