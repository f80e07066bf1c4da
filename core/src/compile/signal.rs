//! The wait conditions that make CREATE_COMPLETE mean "every role finished", and the
//! rewriting of references to role outputs outside heat_sync into reads of their data.
//!
//! Each coordinated resource gets an `OS::Heat::WaitConditionHandle` and an
//! `OS::Heat::WaitCondition` (in CFN templates too) counting one signal per server (the
//! group's member count for a group). Each agent signals once, with id its server
//! (`db`, `web.0`) and data the object of its outputs (agent::signal). The wait
//! condition's `data` attribute is then a JSON string `{id: {output: value}}`, taken
//! apart with `Fn::Select`, which parses JSON strings: directly in CFN and HOT up to
//! 2015-04-30, and for later HOT versions (which dropped `Fn::Select`) inside a small
//! `OS::Heat::Stack` written in HOT 2015-04-30, whose
//! outputs Heat exposes one by one.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::json;

use super::CompileError;
use crate::dataflow::analysis::Analysis;
use crate::dataflow::metadata::{Coordinated, GroupKind};
use crate::dataflow::problem::Code;
use crate::dataflow::refs::{self, Target};
use crate::dataflow::source::{call, Source};
use crate::dataflow::Problem;
use crate::{Map, Value};

/// The Heat resources added for one coordinated resource.
#[derive(Debug, Clone)]
pub struct WaitNames {
    /// The wait condition handle.
    pub handle: String,
    /// The wait condition.
    pub wait: String,
}

/// Picks resource names that the template does not use yet.
pub fn names(source: &Source, servers: &[Coordinated]) -> (Vec<WaitNames>, String) {
    let taken = |n: &str| source.resources().is_some_and(|r| r.contains_key(n));
    let fresh = |base: String| {
        let mut n = base;
        while taken(&n) {
            n.push('_');
        }
        n
    };
    let waits = servers
        .iter()
        .map(|c| WaitNames {
            handle: fresh(format!("{}_heat_sync_handle", c.resource)),
            wait: fresh(format!("{}_heat_sync_wait", c.resource)),
        })
        .collect();
    (waits, fresh("heat_sync_values".into()))
}

/// The seconds a wait condition allows: every role's timeout in the stack (the longest
/// chain of waits cannot be longer) plus 15 minutes to boot, within Heat's 43200.
pub fn timeout(servers: &[Coordinated]) -> u64 {
    let roles: u64 = servers.iter().flat_map(|c| c.roles.iter().map(|r| r.timeout)).sum();
    (roles + 900).min(43200)
}

/// The handle and wait condition resources of server `c`.
pub fn resources(
    source: &Source,
    c: &Coordinated,
    n: &WaitNames,
    timeout: u64,
) -> [(String, Value); 2] {
    let count = match &c.group {
        None => Value::from(1),
        // The group's own expression: the count the stack is created with.
        Some(g) => g.count_expr.clone(),
    };
    // OS::Heat handles in CFN templates too: one signal format (the agent's POST with a
    // token) and a `data` attribute in every dialect.
    let (t, p) = (source.key("type", "Type"), source.key("properties", "Properties"));
    // Built directly (json! would copy each value through serde, for every server).
    let mut handle = call(t, Value::from("OS::Heat::WaitConditionHandle"));
    let mut props = Map::new();
    props.insert("handle".into(), source.get_resource(&n.handle));
    props.insert("count".into(), count);
    props.insert("timeout".into(), Value::from(timeout));
    let mut wait = Map::new();
    wait.insert(t.into(), Value::from("OS::Heat::WaitCondition"));
    wait.insert(p.into(), Value::Object(props));
    // A server that exists only under a condition: its handle and wait condition exist
    // under the same one, or a stack created with the condition false would wait for a
    // signal from a server Heat never boots.
    let ckey = source.key("condition", "Condition");
    let condition = source.resources().and_then(|r| r.get(&c.resource)).and_then(|r| r.get(ckey));
    if let Some(condition) = condition {
        if let Value::Object(h) = &mut handle {
            h.insert(ckey.into(), condition.clone());
        }
        wait.insert(ckey.into(), condition.clone());
    }
    [(n.handle.clone(), handle), (n.wait.clone(), Value::Object(wait))]
}

fn select(index: Value, from: Value) -> Value {
    json!({"Fn::Select": [index, from]})
}

/// Rewrites references to published values into reads of the wait conditions' data.
pub struct Rewriter<'a> {
    a: &'a Analysis,
    waits: &'a [WaitNames],
    values_name: &'a str,
    /// Outputs of the `OS::Heat::Stack` that takes the data apart (HOT 2015-10-15 on).
    nested_outputs: BTreeMap<String, Value>,
    /// The wait conditions those outputs read.
    nested_waits: BTreeSet<usize>,
    /// The coordinated resources' names: only references to them are rewritten.
    coordinated: std::collections::HashSet<&'a str>,
    /// The heat_sync sections, never rewritten (they travel through the coordinator).
    sections: std::collections::HashSet<&'a str>,
    /// Warnings about the rewritten references.
    warnings: Vec<Problem>,
}

impl<'a> Rewriter<'a> {
    /// A rewriter for the analysis.
    pub fn new(a: &'a Analysis, waits: &'a [WaitNames], values_name: &'a str) -> Self {
        Rewriter {
            a,
            waits,
            values_name,
            nested_outputs: BTreeMap::new(),
            nested_waits: BTreeSet::new(),
            coordinated: a.servers.iter().map(|c| c.resource.as_str()).collect(),
            sections: a.servers.iter().map(|c| c.place.as_str()).collect(),
            warnings: Vec::new(),
        }
    }

    /// The warnings about the references rewritten so far.
    pub fn take_warnings(&mut self) -> Vec<Problem> {
        std::mem::take(&mut self.warnings)
    }

    /// One member's value: `Fn::Select` chains over the wait condition's data.
    fn read(&mut self, server: usize, id: &str, output: &str, path: &[Value]) -> Value {
        let source = &self.a.source;
        let wait = &self.waits[server].wait;
        if source.has_select() {
            let mut v = select(Value::from(id), source.get_attr(wait, "data"));
            v = select(Value::from(output), v);
            for p in path {
                v = select(p.clone(), v);
            }
            return v;
        }
        let mut v = select(Value::from(id), json!({"get_param": wait}));
        v = select(Value::from(output), v);
        for p in path {
            v = select(p.clone(), v);
        }
        let mut key = format!("{id}_{output}");
        for p in path {
            key.push('_');
            key.push_str(&p.to_string().replace('"', ""));
        }
        self.nested_outputs.insert(key.clone(), json!({"value": v}));
        self.nested_waits.insert(server);
        json!({"get_attr": [self.values_name, "outputs", key]})
    }

    fn replacement(&mut self, place: &str, t: &Target) -> Result<Option<Value>, CompileError> {
        Ok(Some(match t {
            Target::Published { server, member, output, path } => {
                let c = &self.a.servers[*server];
                let id = match member {
                    Some(m) => format!("{}.{m}", c.resource),
                    None => c.resource.clone(),
                };
                self.read(*server, &id, output, path)
            }
            Target::Gather { server, output, path } => {
                let c = &self.a.servers[*server];
                let count = match &c.group {
                    Some(g) if g.kind == GroupKind::ResourceGroup => g.count,
                    _ => None,
                };
                let Some(count) = count else {
                    return Err(CompileError::Invalid {
                        place: place.into(),
                        message: format!(
                            "Heat can read the gather {}.{output} only when the member count is known at compile time (a ResourceGroup whose count is a literal or a parameter with a value)",
                            c.resource
                        ),
                    });
                };
                let g = c.group.as_ref().expect("a gather reads a group");
                if !g.count_is_literal() {
                    self.warnings.push(Problem::warning(
                        Code::FixedGatherCount,
                        place,
                        format!(
                            "Heat lists {count} members of {}.{output}, the count known at compile \
                             time: a stack created with another count for {} (its count is {}) \
                             still lists {count} (the gathers of heat_sync inputs follow the \
                             count the stack is created with)",
                            c.resource, c.resource, g.count_expr
                        ),
                    ));
                }
                Value::Array(
                    (0..count)
                        .map(|i| self.read(*server, &format!("{}.{i}", c.resource), output, path))
                        .collect(),
                )
            }
            _ => return Ok(None),
        }))
    }

    /// Rewrites every reference in `v` (whose template path is `place`).
    pub fn rewrite(&mut self, v: &mut Value, place: &str) -> Result<(), CompileError> {
        let mut buf = place.to_string();
        self.rewrite_at(v, &mut buf)
    }

    fn rewrite_at(&mut self, v: &mut Value, place: &mut String) -> Result<(), CompileError> {
        // Section places end with `heat_sync`: most places need no lookup.
        if place.ends_with("heat_sync") && self.sections.contains(place.as_str()) {
            return Ok(());
        }
        if let Some((name, arg)) = refs::call(v) {
            let first = arg.get(0).and_then(Value::as_str).unwrap_or("");
            if (name == "get_attr" || name == "Fn::GetAtt") && self.coordinated.contains(first) {
                if let Some(t) = refs::target(&self.a.source, &self.a.servers, name, arg) {
                    if let Some(r) = self.replacement(place, &t)? {
                        *v = r;
                        return Ok(());
                    }
                }
            }
        }
        let len = place.len();
        match v {
            Value::Object(m) => {
                for (k, x) in m.iter_mut() {
                    place.push('.');
                    place.push_str(k);
                    self.rewrite_at(x, place)?;
                    place.truncate(len);
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter_mut().enumerate() {
                    use std::fmt::Write as _;
                    let _ = write!(place, "[{i}]");
                    self.rewrite_at(x, place)?;
                    place.truncate(len);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The `OS::Heat::Stack` taking the data apart, when some read needed it.
    pub fn values_stack(&self) -> Option<(String, Value)> {
        if self.nested_outputs.is_empty() {
            return None;
        }
        let mut params = Map::new();
        let mut nested_params = Map::new();
        for (i, w) in self.waits.iter().enumerate() {
            let used = self.nested_waits.contains(&i);
            if used {
                params.insert(w.wait.clone(), json!({"type": "string"}));
                nested_params.insert(w.wait.clone(), self.a.source.get_attr(&w.wait, "data"));
            }
        }
        let nested = json!({
            "heat_template_version": "2015-04-30",
            "description": "heat-sync: role outputs taken apart from the wait conditions' data",
            "parameters": params,
            "outputs": self.nested_outputs,
        });
        let text = serde_json::to_string_pretty(&nested).expect("a template serializes");
        Some((
            self.values_name.to_string(),
            json!({"type": "OS::Heat::Stack", "properties": {"template": text, "parameters": nested_params}}),
        ))
    }
}
