//! The JSON answer of `heat-sync graph --format json`, in the shape of
//! shared/corpus/expected.

use serde_json::json;

use super::mask::{Hidden, MASK};
use super::Analysis;
use crate::functions::eval::partial_value;
use crate::functions::Snippet;
use crate::{Map, Value};

fn pairs(edges: Vec<[&str; 2]>) -> Value {
    Value::Array(edges.iter().map(|pair| json!(pair)).collect())
}

/// The answer; with `mask`, hidden parameter values and every resolved value derived
/// from one show as `******`.
pub(super) fn to_json(a: &Analysis, mask: bool) -> Value {
    let mut out = Map::new();
    out.insert("version".into(), a.version.clone().map(Value::String).unwrap_or(Value::Null));
    if let Some(c) = &a.template_class {
        out.insert("template_class".into(), Value::String(c.clone()));
    }
    out.insert("errors".into(), if mask { json!(a.shown_errors()) } else { json!(a.errors) });
    let graph = a.graph.as_ref().filter(|_| a.validated);
    let mut resources = Map::new();
    if let (Some(g), Some(scope)) = (graph, &a.scope) {
        // In name order, as the graph numbers them.
        for (name, requires) in g.requirements() {
            let position = scope.all_resources.position(name);
            let ty = position.map(|i| a.resources[i as usize].resource_type.as_str());
            resources.insert(
                name.to_string(),
                json!({"type": ty.unwrap_or_default(), "requires": requires}),
            );
        }
    }
    out.insert("resources".into(), Value::Object(resources));
    out.insert("edges".into(), graph.map(|g| pairs(g.edges())).unwrap_or(json!([])));
    if !a.validated {
        return Value::Object(out);
    }
    if let Some(g) = graph {
        out.insert("implicit_edges".into(), pairs(g.implicit_edges()));
        out.insert("creation_order".into(), json!(g.creation_order()));
    }
    out.insert("conditions".into(), json!(a.conditions));
    let mut disabled: Vec<&String> =
        a.resources.iter().filter(|r| !r.enabled).map(|r| &r.name).collect();
    disabled.sort();
    out.insert("disabled_resources".into(), json!(disabled));
    if let Some(p) = a.parameters() {
        let mut params = Map::new();
        let mut ok = true;
        for (name, param) in &p.params {
            match param.value() {
                Ok(_) if mask && param.schema.hidden => {
                    params.insert(name.clone(), Value::String(MASK.into()));
                }
                Ok(v) => {
                    params.insert(name.clone(), v);
                }
                Err(_) => ok = false,
            }
        }
        if ok {
            let mut sorted: Vec<(String, Value)> = params.into_iter().collect();
            sorted.sort_by(|x, y| x.0.cmp(&y.0));
            out.insert("parameters".into(), Value::Object(sorted.into_iter().collect()));
        }
    }
    out.insert("resolved".into(), resolved(a, mask));
    Value::Object(out)
}

/// The `resolved` field: static partial evaluation of every enabled resource's
/// sections and of every output (masked as in [`to_json`]).
fn resolved(a: &Analysis, mask: bool) -> Value {
    let Some(scope) = &a.scope else { return Value::Null };
    let hidden = Some(Hidden::new(&scope.parameters)).filter(|h| mask && h.any());
    let shown = |snippet: &Snippet| match &hidden {
        Some(hidden) => hidden.partial_value(snippet, scope),
        None => partial_value(snippet, scope),
    };
    let mut resources = Map::new();
    let mut defs: Vec<&super::ResourceDefn> = a.enabled_resources().collect();
    defs.sort_by(|x, y| x.name.cmp(&y.name));
    for d in defs {
        let mut entry = Map::new();
        entry.insert("type".into(), Value::String(d.resource_type.clone()));
        if let Some(p) = &d.properties {
            entry.insert("properties".into(), shown(p));
        }
        if let Some(m) = &d.metadata {
            entry.insert("metadata".into(), shown(m));
        }
        if let Some(dep) = &d.depends_on {
            entry.insert("depends_on".into(), json!(dep));
        }
        if let Some(p) = &d.deletion_policy {
            entry.insert("deletion_policy".into(), Value::String(p.clone()));
        }
        if let Some(u) = &d.update_policy {
            entry.insert("update_policy".into(), shown(u));
        }
        if let Some(e) = &d.external_id {
            entry.insert("external_id".into(), shown(e));
        }
        resources.insert(d.name.clone(), Value::Object(entry));
    }
    let mut outputs = Map::new();
    let mut outs: Vec<&super::OutputDefn> = a.outputs.iter().collect();
    outs.sort_by(|x, y| x.name.cmp(&y.name));
    for o in outs {
        let value = o.value.as_ref().map(&shown).unwrap_or(Value::Null);
        outputs.insert(o.name.clone(), json!({"value": value, "description": o.description}));
    }
    json!({"resources": resources, "outputs": outputs})
}
