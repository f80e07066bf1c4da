//! The pipeline, step by step in Heat's order (the oracle's `build_template`,
//! `engine_validate_template`, `Stack.validate(validate_res_tmpl_only=True)`, then
//! `Stack.dependencies` and the static evaluation).

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

use super::dependencies::Dependencies;
use super::resources::{self, ResourceDefn};
use super::scope::{ResourceState, StackScope};
use super::{Analysis, Inputs, Options};
use crate::functions::path::Path;
use crate::functions::{self, deps, pyfmt, Scope, Snippet};
use crate::graph::{Adjacency, FastMap, Names};
use crate::template::doc::Doc;
use crate::template::environment::ResolvedType;
use crate::template::node::Node;
use crate::template::parameters::{Param, ParamSchema};
use crate::template::{
    self as tmpl, resource_types, sections, Dialect, Environment, Parameters, ParsedText, Template,
};
use crate::Value;

/// Analyses a template with the default [`Options`].
pub fn analyse(inputs: &Inputs) -> Analysis {
    analyse_with(inputs, &Options::default())
}

/// Analyses a template: Heat's verdict, graph, conditions, parameters. Never fails:
/// Heat's rejections are in [`Analysis::errors`].
pub fn analyse_with(inputs: &Inputs, options: &Options) -> Analysis {
    // build_template: parse and version. YAML the fast path reads stays its document:
    // resource definitions are read from it without building their values.
    let name = &inputs.template_name;
    match tmpl::parse_text_doc(&inputs.template, name, options.max_template_size) {
        Ok(ParsedText::Doc(doc)) => {
            let loaded = Template::from_doc(&doc, &inputs.template, name);
            analyse_loaded(inputs, loaded, Some(&doc), options)
        }
        Ok(ParsedText::Value(raw)) => analyse_parsed(inputs, raw, options),
        Err(e) => analyse_loaded(inputs, Err(e), None, options),
    }
}

/// [`analyse_with`] on a template already parsed: `raw` stands for the text of
/// `inputs.template`, which is not read (callers that hold the parsed template, such
/// as the data-flow analysis, save a second parse).
pub fn analyse_parsed(inputs: &Inputs, raw: crate::Map, options: &Options) -> Analysis {
    analyse_loaded(inputs, Template::from_map(raw, &inputs.template_name), None, options)
}

/// The analysis of a loaded template; `doc` is the document it was read from when
/// its resources section is not in [`Template::raw`].
fn analyse_loaded(
    inputs: &Inputs,
    loaded: Result<Template, tmpl::TemplateError>,
    doc: Option<&Doc<'_>>,
    options: &Options,
) -> Analysis {
    let mut a = Analysis {
        version: None,
        template_class: None,
        template: None,
        environment: Environment::default(),
        scope: None,
        resources: Vec::new(),
        outputs: Vec::new(),
        conditions: BTreeMap::new(),
        errors: Vec::new(),
        validated: false,
        graph: None,
    };
    let t = match loaded {
        Ok(t) => t,
        Err(e) => {
            a.errors.push(e.message());
            return a;
        }
    };
    a.version = Some(t.version_string());
    a.template_class = Some(t.version.class.clone());
    let section = t.version.resources_section();
    let result = match doc {
        Some(doc) => run(&mut a, &t, doc.root().get(section), inputs, options),
        None => run(&mut a, &t, t.raw().get(section), inputs, options),
    };
    if let Err(e) = result {
        a.errors.push(e);
    }
    a.template = Some(t);
    a
}

/// The parameter schemas of the template and of every file that is a template
/// (Heat's `all_param_schemata`; the template's own win).
fn all_param_schemata(
    t: &Template,
    files: &BTreeMap<String, String>,
) -> Result<IndexMap<String, ParamSchema>, String> {
    let mut out = IndexMap::new();
    for text in files.values() {
        let Ok(raw) = tmpl::parse_text(text, "") else { continue };
        let sub = Template::from_map(raw, "").map_err(|e| e.message())?;
        out.extend(param_schemata(&sub)?);
    }
    out.extend(param_schemata(t)?);
    Ok(out)
}

fn param_schemata(t: &Template) -> Result<IndexMap<String, ParamSchema>, String> {
    let mut out = IndexMap::new();
    match t.parameters() {
        None => {}
        Some(Value::Object(m)) => {
            for (name, raw) in m {
                out.insert(name.clone(), ParamSchema::from_dict(name, raw, t.version)?);
            }
        }
        Some(other) => {
            return Err(format!("'{}' object has no attribute 'items'", sections::py_type(other)));
        }
    }
    Ok(out)
}

fn build_parameters(
    t: &Template,
    env: &Environment,
    options: &Options,
) -> Result<Parameters, String> {
    let mut p = Parameters::default();
    match t.version.dialect {
        Dialect::Hot => {
            p.runtime_pseudo = vec!["OS::stack_id".into(), "OS::project_id".into()];
            if let Some(name) = options.stack_name.as_ref().filter(|n| !n.is_empty()) {
                p.pseudo.insert("OS::stack_name".into(), Value::String(name.clone()));
            }
        }
        Dialect::Cfn => {
            p.runtime_pseudo = vec!["AWS::StackId".into()];
            if let Some(name) = options.stack_name.as_ref().filter(|n| !n.is_empty()) {
                p.pseudo.insert("AWS::StackName".into(), Value::String(name.clone()));
                p.pseudo.insert("AWS::Region".into(), Value::String("ap-southeast-1".into()));
            }
        }
    }
    for (name, schema) in param_schemata(t)? {
        let user_value = env.parameters.get(&name).filter(|v| !v.is_null()).cloned();
        let user_default = env.parameter_defaults.get(&name).filter(|v| !v.is_null()).cloned();
        p.params.insert(name, Param { schema, user_value, user_default });
    }
    Ok(p)
}

/// Heat's steps; `resources` is the template's resources section as parsed (`None`
/// when absent).
fn run<'r, N: Node<'r>>(
    a: &mut Analysis,
    t: &Template,
    resources: Option<N>,
    inputs: &Inputs,
    options: &Options,
) -> Result<(), String> {
    // build_template: the environment merge.
    let mut files = inputs.files.clone();
    for (name, text) in &inputs.environments {
        files.insert(name.clone(), text.clone());
    }
    let schemata = all_param_schemata(t, &files)?;
    a.environment = Environment::merge(&inputs.params, &inputs.environments, &schemata)
        .map_err(|e| e.message())?;

    // engine_validate_template: sections, resource limit.
    sections::validate(t, resources).map_err(|e| e.message())?;
    // Past validation the section is a mapping, or empty.
    let resources = resources.filter(|r| r.is_map());
    if let Some(max) = options.max_resources {
        if resources.map_or(0, Node::len) > max {
            return Err(
                "Request limit exceeded: You have reached the maximum resources per stack, please \
                        contact your cloud administrator."
                    .into(),
            );
        }
    }

    // Stack(): parameters.
    let parameters = build_parameters(t, &a.environment, options)?;
    let all_names: Names = resources.iter().flat_map(|r| r.entries()).map(|(k, _)| k).collect();
    let mappings = t.mappings().cloned();
    let mut scope = StackScope::new(t.version, parameters, all_names, files, mappings);

    // Stack.validate: parameters, parameter groups.
    for name in a.environment.parameters.keys() {
        if !schemata.contains_key(name) && !scope.parameters.params.contains_key(name) {
            return Err(format!("The Parameter ({name}) was not defined in template."));
        }
    }
    for (name, p) in &scope.parameters.params {
        p.schema.validate().map_err(|e| format!("Parameter '{name}' is invalid: {e}"))?;
    }
    validate_parameter_groups(t, &scope.parameters)?;

    // Conditions.
    parse_conditions(t, &mut scope)?;
    a.scope = Some(scope);
    let scope = a.scope.as_mut().expect("just set");
    for (name, snippet) in &scope.conditions {
        if !matches!(snippet, Snippet::Data(Value::Bool(_)) | Snippet::Call(_)) {
            return Err(format!(
                "Condition validation error: The definition of condition \"{name}\" is invalid: {}",
                pyfmt::repr(&snippet.to_value())
            ));
        }
        deps::validate(snippet, &[], &*scope).map_err(|e| e.render())?;
    }

    // Resource definitions (conditions decide which are enabled), then types. From
    // here on a resource is its position in `defs`; the per-resource tables are
    // vectors in that order.
    let defs = match resources {
        Some(section) => resources::definitions(section, t.version, scope)?,
        None => Vec::new(),
    };
    debug_assert!(
        defs.iter().map(|d| d.name.as_str()).eq(scope.all_resources.iter()),
        "one definition per resource, in template order"
    );
    for (state, d) in scope.resource_states.iter_mut().zip(&defs) {
        if d.enabled {
            *state = ResourceState::Enabled(None);
        }
    }
    let registry = a.environment.registry();
    // Without registry entries for single resources (the usual case), a type resolves
    // the same for every resource: resolving walks the whole registry, so once per
    // type. `type_of[i]` indexes `resolved_types` (`u32::MAX`: disabled).
    let per_resource_entries = matches!(
        a.environment.resource_registry.get("resources"),
        Some(Value::Object(m)) if !m.is_empty()
    );
    let mut resolved_types: Vec<ResolvedType> = Vec::new();
    let mut type_ids: FastMap<&str, u32> = FastMap::default();
    let mut type_of: Vec<u32> = vec![u32::MAX; defs.len()];
    let mut deferred: Vec<Option<String>> = vec![None; defs.len()];
    let mut property_names: Vec<Option<PropertyNames>> = vec![None; defs.len()];
    // Looked up once per resource: compile opens every coordinated server's attributes.
    let open_attributes: crate::graph::FastSet<&str> =
        options.open_attributes.iter().map(String::as_str).collect();
    for (i, d) in defs.iter().enumerate().filter(|(_, d)| d.enabled) {
        if d.name.contains('/') {
            return Err("Resource name may not contain \"/\"".into());
        }
        let id = if per_resource_entries && registry.has_resource_entries(&d.name) {
            resolved_types.push(registry.resolve(&d.resource_type, &d.name)?);
            resolved_types.len() as u32 - 1
        } else if let Some(&id) = type_ids.get(d.resource_type.as_str()) {
            id
        } else {
            resolved_types.push(registry.resolve(&d.resource_type, &d.name)?);
            type_ids.insert(&d.resource_type, resolved_types.len() as u32 - 1);
            resolved_types.len() as u32 - 1
        };
        type_of[i] = id;
        match &resolved_types[id as usize] {
            ResolvedType::Plugin(p) => {
                let rt = resource_types::get(p).expect("registry only resolves known types");
                let open = rt.any_attribute || open_attributes.contains(d.name.as_str());
                if !open {
                    scope.resource_states[i] =
                        ResourceState::Enabled(Some(rt.attributes.as_slice()));
                }
                // NoneResource and the removed types built on it accept any property.
                let any_property = rt.properties.is_empty() && rt.any_attribute;
                property_names[i] =
                    (!any_property).then_some(std::borrow::Cow::Borrowed(rt.properties.as_slice()));
            }
            ResolvedType::Template { template, user } => {
                match provider_template(template, *user, &scope.files) {
                    Ok(params) => property_names[i] = Some(std::borrow::Cow::Owned(params)),
                    Err(ProviderError::Deferred(msg)) => {
                        deferred[i] = Some(msg);
                        property_names[i] = Some(std::borrow::Cow::Owned(vec![]));
                    }
                    Err(ProviderError::Fatal(msg)) => return Err(msg),
                }
            }
        }
    }
    let resolved = |i: usize| resolved_types.get(type_of[i] as usize);
    a.resources = defs;
    let defs = &a.resources;

    // Duplicate names between parameters and resources.
    let dups: BTreeSet<&String> =
        scope.parameters.params.keys().filter(|n| scope.enabled_position(n).is_some()).collect();
    if !dups.is_empty() {
        let items: Vec<String> = dups.iter().map(|d| pyfmt::repr_str(d)).collect();
        return Err(format!("Duplicate names {{{}}}", items.join(", ")));
    }

    // Explicit dependencies, then the toposort Heat validates in.
    let mut requires = Adjacency::with_capacity(defs.len(), 3 * defs.len());
    let mut referenced: Vec<u32> = Vec::new();
    for d in defs {
        if !d.enabled {
            requires.push([]);
            continue;
        }
        referenced.clear();
        let heat_path = Path::root(&d.name); // Heat's `web.Properties`
        for (snippet, section) in [(&d.properties, "Properties"), (&d.metadata, "Metadata")] {
            if let Some(s) = snippet {
                let mut found = |name: &str| match scope.enabled_position(name) {
                    Some(j) => {
                        referenced.push(j);
                        true
                    }
                    None => false,
                };
                let path = heat_path.part(section);
                deps::for_each_referenced_resource(s, &path, &*scope, &mut found)
                    .map_err(|e| e.message)?;
            }
        }
        let external = match &d.external_id {
            Some(s) => functions::resolve(s, &*scope).ok().filter(pyfmt::truthy),
            None => None,
        };
        if let Some(ext) = external {
            if d.depends_on.as_ref().is_some_and(|v| !v.is_empty()) {
                return Err(format!(
                    "Invalid dependency with external {} resource: {}",
                    d.resource_type,
                    pyfmt::str_of(&ext)
                ));
            }
            requires.push([]);
        } else {
            let mut depends_on = Vec::new();
            for dep in d.depends_on.iter().flatten() {
                match scope.all_resources.position(dep) {
                    Some(j) if defs[j as usize].enabled => depends_on.push(j),
                    Some(_) => {}
                    None => return Err(FnErrorRef::bad(dep, &d.name)),
                }
            }
            requires.push(depends_on.into_iter().chain(referenced.iter().copied()));
        }
    }
    let dependencies = Dependencies::new(defs, requires);
    let name_order = dependencies.name_order();
    let order = dependencies
        .toposort(&name_order)
        .map_err(|cycle| dependencies.cycle_message(&cycle, resolved))?;

    // Each resource in that order: validate_template.
    for &i in &order {
        let i = i as usize;
        let names = property_names[i].as_ref();
        validate_resource(&defs[i], t, scope, deferred[i].as_ref(), names, resolved(i))?;
    }

    // Outputs.
    // (HOT's output keyword check only runs when a parent stack reads the outputs as
    // a provider template's attributes, not here.)
    a.outputs = resources::outputs(t, scope)?;
    let outputs_section = t.version.outputs_section();
    for o in &a.outputs {
        if let Some(v) = &o.value {
            deps::validate(
                v,
                &[
                    outputs_section.to_string(),
                    o.name.clone(),
                    t.version.resource_key("value").into(),
                ],
                &*scope,
            )
            .map_err(|e| e.render())?;
        }
    }
    a.validated = true;

    // After validation: condition values, graph, parameter values.
    if let Some(Value::Object(conds)) = t.conditions() {
        for name in conds.keys() {
            let v = scope.condition(&Value::String(name.clone())).map_err(|e| e.message)?;
            a.conditions.insert(name.clone(), v);
        }
    }
    // The graph module's view of the enabled resources, in name order: the registry's
    // type (what Heat's plugin rules match on), explicit requirements and the
    // statically resolved properties the plugin rules read.
    let resource_type = |i: usize| match resolved(i) {
        Some(ResolvedType::Plugin(p)) => p.as_str(),
        _ => defs[i].resource_type.as_str(),
    };
    // Resolved in template order, the order the snippets lie in memory.
    let properties: Vec<Value> = defs
        .iter()
        .enumerate()
        .map(|(i, d)| match d.enabled {
            true => rule_properties(d.properties.as_ref(), resource_type(i), scope),
            false => Value::Null,
        })
        .collect();
    let nodes = crate::graph::NamedNodes {
        names: name_order.by_name.iter().map(|&i| defs[i as usize].name.as_str()).collect(),
        types: name_order.by_name.iter().map(|&i| resource_type(i as usize)).collect(),
        explicit: dependencies.by_rank(&name_order),
        properties: name_order.by_name.iter().map(|&i| &properties[i as usize]).collect(),
    };
    let graph = crate::graph::DependencyGraph::from_named(nodes).map_err(|e| e.to_string())?;
    a.graph = Some(graph);
    for name in scope.parameters.params.keys() {
        scope.parameters.value(name).map_err(|e| e.message)?;
    }
    Ok(())
}

/// The statically resolved properties of a resource of `resource_type`, limited to
/// those Heat's implicit-dependency rules read: resolving every property of every
/// resource was most of the cost of building the graph's input.
fn rule_properties(properties: Option<&Snippet>, resource_type: &str, scope: &StackScope) -> Value {
    let keys = crate::graph::implicit_rule_properties(resource_type);
    match properties {
        None => Value::Null,
        Some(_) if keys.is_empty() => Value::Null,
        Some(Snippet::Map(items)) => {
            let mut out = crate::Map::new();
            for (k, v) in items.iter().filter(|(k, _)| keys.contains(&k.as_str())) {
                if let Some(v) = functions::partial(v, scope).value {
                    out.insert(k.clone(), v);
                }
            }
            Value::Object(out)
        }
        // A function giving the whole map (`get_param`, `map_merge`, ...).
        Some(other) => functions::eval::partial_value(other, scope),
    }
}

/// The property names a resource accepts (a built-in type's, or a provider template's
/// parameters).
type PropertyNames = std::borrow::Cow<'static, [String]>;

struct FnErrorRef;

impl FnErrorRef {
    fn bad(resource: &str, key: &str) -> String {
        format!("The specified reference \"{resource}\" (in {key}) is incorrect.")
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
    let params = param_schemata(&nested).map_err(ProviderError::Fatal)?;
    Ok(params.keys().cloned().collect())
}

fn validate_parameter_groups(t: &Template, params: &Parameters) -> Result<(), String> {
    if t.version.dialect != Dialect::Hot {
        return Ok(());
    }
    let Some(groups) = t.section("parameter_groups").filter(|g| pyfmt::truthy(g)) else {
        return Ok(());
    };
    let err = |label: &str, msg: String| {
        let path = if label.is_empty() {
            "parameter_groups".to_string()
        } else {
            format!("parameter_groups.{label}")
        };
        Err(format!("Parameter Groups error: {path}: {msg}"))
    };
    let Value::Array(groups) = groups else {
        return Err(
            "Parameter Groups error: parameter_groups: The parameter_groups should be a list."
                .into(),
        );
    };
    let mut seen: Vec<String> = Vec::new();
    for group in groups {
        let label = group.get("label").map(pyfmt::str_of).unwrap_or_default();
        let parameters = match group.get("parameters") {
            None | Some(Value::Null) => {
                return err(
                    &label,
                    "The parameters must be provided for each parameter group.".into(),
                )
            }
            Some(Value::Array(p)) => p,
            Some(_) => {
                return err(&label, "The parameters of parameter group should be a list.".into())
            }
        };
        for p in parameters {
            let p = pyfmt::str_of(p);
            if seen.contains(&p) {
                return err(
                    &label,
                    format!("The {p} parameter must be assigned to one parameter group only."),
                );
            }
            seen.push(p.clone());
            if !params.contains(&p) {
                return err(
                    &label,
                    format!("The grouped parameter {p} does not reference a valid parameter."),
                );
            }
        }
    }
    Ok(())
}

fn parse_conditions(t: &Template, scope: &mut StackScope) -> Result<(), String> {
    if !t.version.has_conditions {
        return Ok(());
    }
    let section = t.version.conditions_section();
    let defs = match t.conditions() {
        None => return Ok(()),
        Some(Value::Object(m)) => m.clone(),
        Some(other) => {
            return Err(format!(
            "Conditions validation error: Condition definitions must be a map. Found a {} instead",
            sections::py_type(other)
        ))
        }
    };
    let mut parsed = IndexMap::new();
    for (name, raw) in &defs {
        let s = functions::parse_condition(raw, &format!("{section}.{name}"), &*scope)
            .map_err(|e| e.to_string())?;
        parsed.insert(name.clone(), s);
    }
    scope.conditions = parsed;
    Ok(())
}

/// `Resource.validate_template` for one resource.
fn validate_resource(
    d: &ResourceDefn,
    t: &Template,
    scope: &StackScope,
    deferred: Option<&String>,
    property_names: Option<&PropertyNames>,
    resolved: Option<&ResolvedType>,
) -> Result<(), String> {
    if let Some(msg) = deferred {
        return Err(msg.clone());
    }
    let v = t.version;
    let section = v.resources_section();
    let resource_path = Path::root(section);
    let resource_path = resource_path.part(&d.name);
    for (snippet, key) in [
        (&d.properties, "properties"),
        (&d.metadata, "metadata"),
        (&d.deletion_policy_raw, "deletion_policy"),
        (&d.update_policy, "update_policy"),
        (&d.external_id, "external_id"),
    ] {
        if let Some(s) = snippet {
            deps::validate_path(s, &resource_path.part(v.resource_key(key)), scope)
                .map_err(|e| e.render())?;
        }
    }
    if d.deletion_policy.as_deref() == Some("Snapshot") {
        let supported = match resolved {
            Some(ResolvedType::Plugin(p)) => resource_types::get(p).is_some_and(|t| t.snapshot),
            _ => false,
        };
        if !supported {
            return Err(format!(
                "{}.{}.{}: \"Snapshot\" deletion policy not supported",
                section,
                d.name,
                v.resource_key("deletion_policy")
            ));
        }
    }
    if let (Some(Snippet::Map(items)), Some(ResolvedType::Plugin(p))) = (&d.update_policy, resolved)
    {
        let allowed = resource_types::get(p).map(|t| t.update_policy.clone()).unwrap_or_default();
        if let Some((k, _)) = items.iter().find(|(k, _)| !allowed.contains(k)) {
            return Err(format!(
                "Property error: {section}.{}.{}: Unknown Property {k}",
                d.name,
                v.resource_key("update_policy")
            ));
        }
    }
    if let (Some(Snippet::Map(items)), Some(names)) = (&d.properties, property_names) {
        if let Some((k, _)) = items.iter().find(|(k, _)| !names.contains(k)) {
            return Err(format!(
                "Property error: {section}.{}.{}: Unknown Property {k}",
                d.name,
                v.resource_key("properties")
            ));
        }
    }
    Ok(())
}
