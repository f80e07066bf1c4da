//! Concrete server plans for `heat-sync simulate`: every group member expanded, the
//! coordinator, namespace and credentials filled in (each server's own, derived from the
//! stack secret as Heat derives them), and Heat-resolved inputs evaluated
//! locally where that is possible without a cloud.
//!
//! Resolved locally: parameters (hidden ones included: their values come from
//! `--param` or environments and are never printed), the pseudo parameters
//! `OS::stack_id` / `OS::stack_name` / `AWS::StackName`, and `str_replace`,
//! `list_join` and `Fn::Join` over those. Not resolvable here (no cloud): attributes and
//! ids of resources that are not coordinated (networks, volumes, ...), `get_file` of
//! files not given, and every other function; such an input gets the text
//! `<<heat: EXPRESSION>>` so a role can still run and shows what it would have had.

use super::plans::HeatValue;
use super::Compiled;
use crate::dataflow::metadata::GroupKind;
use crate::dataflow::refs;
use crate::dataflow::source::Source;
use crate::plan::{CoordinatorConfig, Credentials, InputSource, ServerId, ServerPlan};
use crate::Value;

/// Where and as what the simulated stack runs.
#[derive(Debug, Clone)]
pub struct SimulateOptions {
    /// The coordinator address (`embedded:///dir` or `zk://...`).
    pub address: String,
    /// The stack id (the namespace is `/heat-sync/<stack id>`).
    pub stack_id: String,
    /// The stack name (`OS::stack_name`).
    pub stack_name: String,
    /// The stack secret, from which each server's credentials are derived as Heat would;
    /// `None` gives plans without credentials (embedded store).
    pub secret: Option<String>,
}

/// One concrete plan per coordinated server (group members expanded), in template
/// order. A group whose member count is not known at compile time is an error.
pub fn simulate_plans(c: &Compiled, opts: &SimulateOptions) -> crate::Result<Vec<ServerPlan>> {
    let a = &c.analysis;
    let mut out = Vec::new();
    for (si, (plan, values)) in c.server_plans.iter().zip(&c.heat_values).enumerate() {
        let s = &a.servers[si];
        let members: Vec<Option<String>> = match &s.group {
            None => vec![None],
            Some(g) => {
                let n = g.count.ok_or_else(|| {
                    crate::Error::from(super::CompileError::Invalid {
                        place: s.place.clone(),
                        message: format!("{}: the member count must be known to simulate (give the parameter a value)", s.resource),
                    })
                })?;
                (0..n).map(|i| Some(i.to_string())).collect()
            }
        };
        for member in members {
            let mut p = plan.clone();
            let index_var = s
                .group
                .as_ref()
                .filter(|g| g.kind == GroupKind::ResourceGroup)
                .map(|g| g.index_var.clone());
            if let (Some(var), Some(m)) = (&index_var, &member) {
                // What Heat's ResourceGroup does to the member definition.
                let mut v = serde_json::to_value(&p.roles).expect("roles serialize");
                replace_strings(&mut v, var, m);
                p.roles = serde_json::from_value(v).expect("roles deserialize");
            }
            p.server = match &member {
                Some(m) => ServerId::member(&s.resource, m),
                None => ServerId::plain(&s.resource),
            };
            for role in &mut p.roles {
                for input in &mut role.inputs {
                    fill(&mut input.source, &a.source, values, opts);
                }
            }
            // What Heat would give this server: its own derived passwords where the
            // template's version has `digest`, else the stack secret.
            let namespace = format!("/heat-sync/{}", opts.stack_id);
            let derived =
                plan.coordinator.credentials.as_ref().is_some_and(Credentials::is_derived);
            let credentials = opts.secret.as_ref().map(|secret| match derived {
                true => Credentials::derived(&namespace, secret, &s.resource),
                false => Credentials::stack_secret(&s.resource, secret.as_str()),
            });
            p.version = ServerPlan::version_for(credentials.as_ref());
            p.coordinator =
                CoordinatorConfig { address: opts.address.clone(), namespace, credentials };
            p.signal = None;
            out.push(p);
        }
    }
    Ok(out)
}

/// Replaces the tokens of Heat-resolved values (an input's, or an expression
/// argument's) by their local values.
fn fill(source: &mut InputSource, src: &Source, values: &[HeatValue], opts: &SimulateOptions) {
    match source {
        InputSource::Static { value: Value::String(tok), secret } => {
            if let Some(hv) = values.iter().find(|h| &h.token == tok) {
                *source = InputSource::Static { value: resolve(src, hv, opts), secret: *secret };
            }
        }
        InputSource::Expression { args, .. } => {
            args.iter_mut().for_each(|arg| fill(arg, src, values, opts));
        }
        _ => {}
    }
}

fn replace_strings(v: &mut Value, from: &str, to: &str) {
    match v {
        Value::String(s) if s.contains(from) => *s = s.replace(from, to),
        Value::Array(a) => a.iter_mut().for_each(|x| replace_strings(x, from, to)),
        Value::Object(m) => m.values_mut().for_each(|x| replace_strings(x, from, to)),
        _ => {}
    }
}

fn resolve(source: &Source, hv: &HeatValue, opts: &SimulateOptions) -> Value {
    if let Some(known) = &hv.known {
        return known.clone();
    }
    eval(source, &hv.expr, opts).unwrap_or_else(|| {
        Value::String(format!("<<heat: {}>>", serde_json::to_string(&hv.expr).unwrap_or_default()))
    })
}

fn eval(source: &Source, v: &Value, opts: &SimulateOptions) -> Option<Value> {
    let Some((name, arg)) = refs::call(v) else {
        return match v {
            Value::Array(a) => a
                .iter()
                .map(|x| eval(source, x, opts))
                .collect::<Option<Vec<_>>>()
                .map(Value::Array),
            Value::Object(m) => {
                let mut out = crate::Map::new();
                for (k, x) in m {
                    out.insert(k.clone(), eval(source, x, opts)?);
                }
                Some(Value::Object(out))
            }
            other => Some(other.clone()),
        };
    };
    let text = |v: Value| match v {
        Value::String(s) => s,
        other => other.to_string(),
    };
    match (name, arg) {
        ("get_param" | "Ref", Value::String(p)) => match p.as_str() {
            "OS::stack_id" | "AWS::StackId" => Some(Value::String(opts.stack_id.clone())),
            "OS::stack_name" | "AWS::StackName" => Some(Value::String(opts.stack_name.clone())),
            _ => source.params.get(p)?.value.clone(),
        },
        ("list_join" | "Fn::Join", Value::Array(a)) if a.len() == 2 => {
            let sep = text(eval(source, &a[0], opts)?);
            let items = eval(source, &a[1], opts)?;
            let items = items.as_array()?.iter().cloned().map(text).collect::<Vec<_>>();
            Some(Value::String(items.join(&sep)))
        }
        ("str_replace", Value::Object(m)) => {
            let mut t = text(eval(source, m.get("template")?, opts)?);
            let params = eval(source, m.get("params")?, opts)?;
            let mut keys: Vec<(&String, &Value)> = params.as_object()?.iter().collect();
            keys.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
            for (k, v) in keys {
                t = t.replace(k.as_str(), &text(v.clone()));
            }
            Some(Value::String(t))
        }
        _ => None,
    }
}
