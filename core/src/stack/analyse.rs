//! The pipeline, step by step in Heat's order (the oracle's `build_template`,
//! `engine_validate_template`, `Stack.validate(validate_res_tmpl_only=True)`, then
//! `Stack.dependencies` and the static evaluation).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

use super::dependencies::Dependencies;
use super::resources::{self, ResourceDefn};
use super::scope::{ResourceState, StackScope};
use super::types::{ResourceTypes, TypeInfo};
use super::{Analysis, Inputs, Options};
use crate::functions::path::Path;
use crate::functions::{self, deps, pyfmt, Scope, Snippet};
use crate::graph::{Adjacency, FastMap, Names, NodeProperties};
use crate::template::doc::Doc;
use crate::template::node::Node;
use crate::template::parameters::{Param, ParamSchema};
use crate::template::{
    self as tmpl, sections, Dialect, Environment, Parameters, ParsedText, Template,
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

pub(super) fn param_schemata(t: &Template) -> Result<IndexMap<String, ParamSchema>, String> {
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
    let mut all_names = Names::with_capacity(resources.map_or(0, Node::len));
    for (name, _) in resources.iter().flat_map(|r| r.entries()) {
        all_names.push(name);
    }
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
    let types = ResourceTypes::resolve(&defs, &a.environment, &scope.files)?;
    // Looked up once per resource: compile opens every coordinated server's attributes.
    let open_attributes: crate::graph::FastSet<&str> =
        options.open_attributes.iter().map(String::as_str).collect();
    for (i, d) in defs.iter().enumerate().filter(|(_, d)| d.enabled) {
        let open = !open_attributes.is_empty() && open_attributes.contains(d.name.as_str());
        let closed = types.of(i).and_then(TypeInfo::closed_attributes).filter(|_| !open);
        scope.resource_states[i] = ResourceState::Enabled(closed);
    }
    let resolved = |i: usize| types.of(i).map(|t| &t.resolved);
    a.resources = defs;
    let defs = &a.resources;

    // Duplicate names between parameters and resources.
    let dups: BTreeSet<&String> =
        scope.parameters.params.keys().filter(|n| scope.enabled_position(n).is_some()).collect();
    if !dups.is_empty() {
        let items: Vec<String> = dups.iter().map(|d| pyfmt::repr_str(d)).collect();
        return Err(format!("Duplicate names {{{}}}", items.join(", ")));
    }

    // Explicit dependencies, then the toposort Heat validates in. The walk that finds
    // the references in properties and metadata also validates them; its verdicts
    // wait in `walk_invalid` for Heat's validation order (validating has no effect).
    // Each resource is walked on its own: a large template's in two halves on two
    // threads (as its definitions were read), the first error in template order.
    let walk = |start: usize, half: &[ResourceDefn]| walk_references(start, half, defs, t, scope);
    let [first, second] = super::halves::in_halves(defs, scope.conditions.is_empty(), walk);
    let (mut requires, mut walk_invalid) = first?;
    let (second_requires, second_invalid) = second?;
    requires.append(second_requires);
    walk_invalid.extend(second_invalid);
    let dependencies = Dependencies::new(defs, requires);
    let enabled = |i: usize| matches!(scope.resource_states[i], ResourceState::Enabled(_));
    let name_order = dependencies.name_order(&scope.all_resources, enabled);
    let order = dependencies
        .toposort(&name_order)
        .map_err(|cycle| dependencies.cycle_message(&cycle, resolved))?;

    // Each resource in that order: validate_template.
    for &i in &order {
        let i = i as usize;
        let walked = walk_invalid.get(&(i as u32));
        validate_resource(&defs[i], t, scope, types.of(i), walked)?;
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
    // statically resolved properties the plugin rules read (those of each type's
    // rules, worked out once per type).
    let rule_keys: Vec<&[&str]> = types
        .infos()
        .iter()
        .map(|t| crate::graph::implicit_rule_properties(&t.graph_name))
        .collect();
    // Resolved in template order, the order the snippets lie in memory.
    let mut properties: Vec<RuleProperties> = Vec::with_capacity(defs.len());
    let mut property_pairs: Vec<(&'static str, Cow<'_, Value>)> = Vec::new();
    for (i, d) in defs.iter().enumerate() {
        let keys = match d.enabled {
            true => rule_keys[types.id_of(i) as usize],
            false => &[],
        };
        properties.push(rule_properties(d.properties.as_ref(), keys, scope, &mut property_pairs));
    }
    let nodes = crate::graph::NamedNodes {
        names: name_order.by_name.iter().map(|&i| scope.all_resources.get(i as usize)).collect(),
        types: crate::graph::Types {
            names: types.infos().iter().map(|t| t.graph_name.clone()).collect(),
            of_node: name_order.by_name.iter().map(|&i| types.id_of(i as usize)).collect(),
        },
        explicit: dependencies.by_rank(&name_order),
        properties: name_order
            .by_name
            .iter()
            .map(|&i| match &properties[i as usize] {
                RuleProperties::Null => NodeProperties::Value(&Value::Null),
                RuleProperties::Whole(v) => NodeProperties::Value(v),
                RuleProperties::Pairs(start, end) => {
                    NodeProperties::Pairs(&property_pairs[*start as usize..*end as usize])
                }
            })
            .collect(),
    };
    let graph = crate::graph::DependencyGraph::from_named(nodes).map_err(|e| e.to_string())?;
    a.graph = Some(graph);
    for name in scope.parameters.params.keys() {
        scope.parameters.value(name).map_err(|e| e.message)?;
    }
    Ok(())
}

/// What each resource of `half` (the definitions from number `start` on) requires
/// (`depends_on`, then the references found in its properties and metadata), and the
/// verdicts of validating those, by resource number.
fn walk_references(
    start: usize,
    half: &[ResourceDefn],
    defs: &[ResourceDefn],
    t: &Template,
    scope: &StackScope,
) -> Result<(Adjacency, FastMap<u32, String>), String> {
    let mut requires = Adjacency::with_capacity(half.len(), 3 * half.len());
    let mut walk_invalid: FastMap<u32, String> = FastMap::default();
    let mut referenced: Vec<u32> = Vec::new();
    let version = t.version;
    let resources_root = Path::root(version.resources_section());
    let sections = [
        ("Properties", version.resource_key("properties")),
        ("Metadata", version.resource_key("metadata")),
    ];
    for (i, d) in half.iter().enumerate() {
        let i = start + i;
        if !d.enabled {
            requires.push([]);
            continue;
        }
        referenced.clear();
        let heat_path = Path::root(&d.name); // Heat's `web.Properties`
        let validation_path = resources_root.part(&d.name); // `resources.web.properties`
        for (snippet, (section, key)) in [&d.properties, &d.metadata].into_iter().zip(sections) {
            if let Some(s) = snippet {
                let mut found = |name: &str| match scope.enabled_position(name) {
                    Some(j) => {
                        referenced.push(j);
                        true
                    }
                    None => false,
                };
                let (path, vpath) = (heat_path.part(section), validation_path.part(key));
                let verdict = deps::references_and_validation(s, &path, &vpath, scope, &mut found)
                    .map_err(|e| e.message)?;
                if let Err(e) = verdict {
                    walk_invalid.entry(i as u32).or_insert_with(|| e.render());
                }
            }
        }
        let external = match &d.external_id {
            Some(s) => functions::resolve(s, scope).ok().filter(pyfmt::truthy),
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
    Ok((requires, walk_invalid))
}

/// A resource's statically resolved properties, limited to those Heat's
/// implicit-dependency rules read for its type: resolving every property of every
/// resource was most of the cost of building the graph's input.
enum RuleProperties {
    /// No properties, or none the rules read.
    Null,
    /// The whole map, when a function gives it (`get_param`, `map_merge`, ...).
    Whole(Value),
    /// `pairs[start..end]` of the pairs collected for every resource (one vector, not
    /// a map per resource).
    Pairs(u32, u32),
}

/// The [`RuleProperties`] of a resource whose rules read `keys`; plain data is
/// borrowed from the template, the rest appended to `pairs` as resolved.
fn rule_properties<'d>(
    properties: Option<&'d Snippet>,
    keys: &[&'static str],
    scope: &StackScope,
    pairs: &mut Vec<(&'static str, Cow<'d, Value>)>,
) -> RuleProperties {
    match properties {
        None => RuleProperties::Null,
        Some(_) if keys.is_empty() => RuleProperties::Null,
        Some(Snippet::Map(items)) => {
            let start = pairs.len() as u32;
            for (k, v) in items {
                let Some(&key) = keys.iter().find(|&&key| key == k) else { continue };
                match v {
                    // What `partial` would give, without the copy.
                    Snippet::Data(v) => pairs.push((key, Cow::Borrowed(v))),
                    v => {
                        if let Some(v) = functions::partial(v, scope).value {
                            pairs.push((key, Cow::Owned(v)));
                        }
                    }
                }
            }
            RuleProperties::Pairs(start, pairs.len() as u32)
        }
        Some(other) => RuleProperties::Whole(functions::eval::partial_value(other, scope)),
    }
}

struct FnErrorRef;

impl FnErrorRef {
    fn bad(resource: &str, key: &str) -> String {
        format!("The specified reference \"{resource}\" (in {key}) is incorrect.")
    }
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
/// `walked` is the verdict of the validation of its properties and metadata, made
/// in the walk that found their references.
fn validate_resource(
    d: &ResourceDefn,
    t: &Template,
    scope: &StackScope,
    info: Option<&TypeInfo>,
    walked: Option<&String>,
) -> Result<(), String> {
    if let Some(msg) = info.and_then(|info| info.deferred.as_ref()) {
        return Err(msg.clone());
    }
    if let Some(msg) = walked {
        return Err(msg.clone());
    }
    let plugin = info.and_then(|info| info.plugin);
    let property_names = info.and_then(|info| info.property_names.as_ref());
    let v = t.version;
    let section = v.resources_section();
    let resource_path = Path::root(section);
    let resource_path = resource_path.part(&d.name);
    for (snippet, key) in [
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
        let supported = plugin.is_some_and(|t| t.snapshot);
        if !supported {
            return Err(format!(
                "{}.{}.{}: \"Snapshot\" deletion policy not supported",
                section,
                d.name,
                v.resource_key("deletion_policy")
            ));
        }
    }
    if let (Some(Snippet::Map(items)), Some(plugin)) = (&d.update_policy, plugin) {
        let allowed = &plugin.update_policy;
        if let Some((k, _)) = items.iter().find(|(k, _)| !allowed.iter().any(|a| a == k)) {
            return Err(format!(
                "Property error: {section}.{}.{}: Unknown Property {k}",
                d.name,
                v.resource_key("update_policy")
            ));
        }
    }
    if let (Some(Snippet::Map(items)), Some(names)) = (&d.properties, property_names) {
        if let Some((k, _)) = items.iter().find(|(k, _)| !names.iter().any(|n| n == k)) {
            return Err(format!(
                "Property error: {section}.{}.{}: Unknown Property {k}",
                d.name,
                v.resource_key("properties")
            ));
        }
    }
    Ok(())
}
