//! The analysis pipeline: template + environments + parameters + files in, Heat's
//! answer (verdict, graph, conditions, parameters, resolved values) out.
//!
//! Owner: issue 2 (template core). [`Inputs`] is shared by every command that reads a
//! template (`graph`, `check`, `compile`, `simulate`) and by the bindings.
//!
//! ```no_run
//! use heat_sync::stack::{analyse, Inputs};
//! let inputs = Inputs {
//!     template_name: "t.yaml".into(),
//!     template: std::fs::read_to_string("t.yaml").unwrap(),
//!     ..Inputs::default()
//! };
//! let analysis = analyse(&inputs);
//! if analysis.is_ok() {
//!     for r in analysis.enabled_resources() {
//!         // r.properties / r.metadata are parsed snippets; resolve them statically:
//!         let metadata = r.metadata.as_ref().map(|m| analysis.resolve_snippet(m));
//!         println!("{} {} {:?}", r.name, r.resource_type, metadata);
//!     }
//! } else {
//!     eprintln!("{}", analysis.errors.join("\n"));
//! }
//! ```
//!
//! What the other parts use:
//! - [`Analysis::errors`]: Heat's verdict (empty = accepted), messages naming the place.
//! - [`Analysis::resources`] ([`ResourceDefn`]): type, parsed properties / metadata,
//!   depends_on, condition, enabled flag, in template order.
//! - [`Analysis::parameters`]: typed values with hidden flags.
//! - [`Analysis::resolve_value`] / [`Analysis::resolve_snippet`]: the static resolver
//!   for any template snippet (e.g. role inputs inside metadata).
//! - [`Analysis::version`] and [`Analysis::functions`]: the template version and its
//!   function table.
//! - [`Analysis::to_json`]: the `heat-sync graph --format json` answer, the shape of
//!   shared/corpus/expected.

mod analyse;
mod dependencies;
mod halves;
mod json;
mod mask;
pub mod resources;
pub mod scope;
mod types;

use std::collections::BTreeMap;

pub use analyse::{analyse, analyse_parsed, analyse_with};
pub use resources::{OutputDefn, ResourceDefn};
pub use scope::{ResourceState, StackScope};

use crate::functions::{self, Snippet};
use crate::template::{Environment, Parameters, Template, Version};
use crate::Value;

/// Everything a command is given to read one template, as the CLI's
/// `TEMPLATE [-e ENV]... [--param K=V]... [--file NAME=PATH]...` or the bindings'
/// `(template, environments, params, files)`.
#[derive(Debug, Clone, Default)]
pub struct Inputs {
    /// The template's name as shown in messages (its path, or `<template>`).
    pub template_name: String,
    /// The template text (JSON or YAML).
    pub template: String,
    /// Environment files in merge order: `(name for messages, text)`.
    pub environments: Vec<(String, String)>,
    /// `--param K=V` values, in the order given.
    pub params: Vec<(String, String)>,
    /// The files map: `get_file` and provider template names exactly as the template
    /// writes them, to their contents.
    pub files: BTreeMap<String, String>,
}

/// Knobs of the analysis that are not template inputs.
#[derive(Debug, Clone)]
pub struct Options {
    /// The stack name seen by `OS::stack_name` / `AWS::StackName`. The default is the
    /// oracle's (`oracle`), so answers compare with shared/corpus; `None` leaves those
    /// pseudo parameters undefined.
    pub stack_name: Option<String>,
    /// Heat's `max_resources_per_stack` (1000); `None` lifts the limit (benchmarks).
    pub max_resources: Option<usize>,
    /// Heat's `max_template_size` (524288 characters); `None` lifts the limit.
    pub max_template_size: Option<usize>,
    /// Resources whose attributes are open: any name is valid in `get_attr` /
    /// `Fn::GetAtt` (heat-sync's coordinated servers, whose role outputs become
    /// attributes once compiled).
    pub open_attributes: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            stack_name: Some("oracle".into()),
            max_resources: Some(crate::template::MAX_RESOURCES_PER_STACK),
            max_template_size: Some(crate::template::MAX_TEMPLATE_SIZE),
            open_attributes: Vec::new(),
        }
    }
}

/// Heat's answer for one template, plus everything the other parts of heat-sync read.
#[derive(Debug)]
pub struct Analysis {
    /// `key: value` of the version (`heat_template_version: 2016-10-14`), `None` when
    /// Heat found none.
    pub version: Option<String>,
    /// Heat's template class, `None` when parsing failed before it was known.
    pub template_class: Option<String>,
    /// The loaded template (`None` when it could not be parsed).
    pub template: Option<Template>,
    /// The merged environment.
    pub environment: Environment,
    /// The evaluation scope (parameters, conditions, files) once built.
    pub scope: Option<StackScope>,
    /// Every resource of the template in template order (disabled ones included,
    /// with `enabled: false`). Empty when Heat rejected the template before.
    pub resources: Vec<ResourceDefn>,
    /// The outputs (enabled ones parsed).
    pub outputs: Vec<OutputDefn>,
    /// Condition values by name.
    pub conditions: BTreeMap<String, bool>,
    /// Heat's messages: empty when Heat accepts the template.
    pub errors: Vec<String>,
    /// Whether Heat's validation passed (the graph, parameters and resolved values
    /// are Heat's answer only then).
    pub validated: bool,
    /// The dependency graph of the enabled resources (present when validation
    /// passed): edges, implicit edges, creation order, each resource's requirements.
    pub graph: Option<crate::graph::DependencyGraph>,
}

impl Analysis {
    /// Whether Heat accepts the template.
    pub fn is_ok(&self) -> bool {
        self.errors.is_empty()
    }

    /// Heat's messages as they may be shown: a hidden parameter's value quoted in one
    /// (Heat quotes a value it cannot type) shows as `******`.
    pub fn shown_errors(&self) -> Vec<String> {
        match &self.scope {
            Some(scope) => {
                let hidden = mask::Hidden::new(&scope.parameters);
                self.errors.iter().map(|e| hidden.scrub(e)).collect()
            }
            None => self.errors.clone(),
        }
    }

    /// The template version, when the template got that far.
    pub fn version_info(&self) -> Option<&'static Version> {
        self.template.as_ref().map(|t| t.version)
    }

    /// The function table of the template's version (name to class).
    pub fn functions(&self) -> Option<&'static crate::template::version::FunctionTable> {
        self.version_info().map(|v| &v.functions)
    }

    /// The parameters (typed values, hidden flags), once built.
    pub fn parameters(&self) -> Option<&Parameters> {
        self.scope.as_ref().map(|s| &s.parameters)
    }

    /// The enabled resources, in template order.
    pub fn enabled_resources(&self) -> impl Iterator<Item = &ResourceDefn> {
        self.resources.iter().filter(|r| r.enabled)
    }

    /// A resource definition by name.
    pub fn resource(&self, name: &str) -> Option<&ResourceDefn> {
        self.resources.iter().find(|r| r.name == name)
    }

    /// The resources the properties and metadata of enabled resource `name` reference
    /// (`get_resource`, `get_attr`, `Ref`, `Fn::GetAtt`), sorted, deduplicated.
    /// `None` for a name that is not an enabled resource, or when Heat rejects one of
    /// those references. (Computed on demand: the analysis itself needs only the
    /// graph's edges.)
    pub fn references(&self, name: &str) -> Option<Vec<String>> {
        let scope = self.scope.as_ref()?;
        let d = self.resource(name).filter(|d| d.enabled)?;
        let mut names = Vec::new();
        let heat_path = functions::path::Path::root(&d.name);
        for (snippet, section) in [(&d.properties, "Properties"), (&d.metadata, "Metadata")] {
            if let Some(s) = snippet {
                functions::deps::referenced_resources(
                    s,
                    &heat_path.part(section),
                    scope,
                    &mut names,
                )
                .ok()?;
            }
        }
        names.sort_unstable();
        names.dedup();
        Some(names)
    }

    /// What the type of enabled resource `name` resolves to in the environment's
    /// registry (`OS::Neutron::Subnet` for `OS::Quantum::Subnet` or a user alias), or
    /// the provider template file; `None` for a name that is not an enabled resource
    /// or a type the registry does not know.
    pub fn resolved_type(&self, name: &str) -> Option<crate::template::environment::ResolvedType> {
        let d = self.resource(name).filter(|d| d.enabled)?;
        self.environment.registry().resolve(&d.resource_type, &d.name).ok()
    }

    /// Statically resolves a parsed snippet (run-time calls kept as one-key maps,
    /// failing calls tagged with `__error__`).
    pub fn resolve_snippet(&self, snippet: &Snippet) -> Value {
        match &self.scope {
            Some(scope) => functions::eval::partial_value(snippet, scope),
            None => snippet.to_value(),
        }
    }

    /// Parses a raw template snippet with the template's version (macros expanded
    /// with this stack's conditions) and resolves it statically. `path` is the
    /// snippet's template path, used in messages
    /// (`resources.web.metadata.heat_sync.roles[0].inputs`).
    pub fn resolve_value(
        &self,
        raw: &Value,
        path: &str,
    ) -> Result<Value, crate::template::TemplateError> {
        let snippet = self.parse_value(raw, path)?;
        Ok(self.resolve_snippet(&snippet))
    }

    /// Parses a raw template snippet with the template's version.
    pub fn parse_value(
        &self,
        raw: &Value,
        path: &str,
    ) -> Result<Snippet, crate::template::TemplateError> {
        let scope = self.scope.as_ref().ok_or_else(|| crate::template::TemplateError::Invalid {
            place: path.to_string(),
            message: "the template could not be read".into(),
        })?;
        functions::parse(raw, path, scope).map_err(|e| crate::template::TemplateError::Invalid {
            place: e.path,
            message: e.message,
        })
    }

    /// The `heat-sync graph --format json` answer (the fields of
    /// shared/corpus/expected), as it may be shown: hidden parameter values, and every
    /// resolved value derived from one, as `******`.
    pub fn to_json(&self) -> Value {
        json::to_json(self, true)
    }

    /// The same answer with hidden values as Heat computes them, for comparison with
    /// Heat's own answers (shared/corpus). Never print it.
    pub fn to_json_unmasked(&self) -> Value {
        json::to_json(self, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::environment::ResolvedType;

    #[test]
    fn references_and_resolved_types_are_computed_on_demand() {
        let template = "heat_template_version: 2018-08-31\nresources:\n  a:\n    type: OS::Heat::Value\n    properties: {value: x}\n  b:\n    type: OS::Heat::Value\n    metadata: {m: {get_attr: [a, value]}}\n    properties: {value: {get_resource: a}}\n  c:\n    type: OS::Quantum::Net\n";
        let analysis = analyse(&Inputs { template: template.into(), ..Inputs::default() });
        assert!(analysis.is_ok(), "{:?}", analysis.errors);
        assert_eq!(analysis.references("b"), Some(vec!["a".to_string()]));
        assert_eq!(analysis.references("a"), Some(vec![]));
        assert_eq!(analysis.references("nope"), None);
        assert_eq!(
            analysis.resolved_type("c"),
            Some(ResolvedType::Plugin("OS::Neutron::Net".into()))
        );
    }
}
