//! Finding Heat function calls in expressions and what they refer to.

use super::metadata::{self, Coordinated, GroupKind};
use super::source::{Dialect, Source};
use crate::Value;

/// Every intrinsic function name of some Heat template version: a one-key mapping whose
/// key is one of these is a function call (one list, shared with the graph).
pub use crate::graph::FUNCTIONS;

/// True when `name` is a function of some Heat template version (a sorted copy of
/// [`FUNCTIONS`], searched in halves: every one-key mapping of a template is asked).
fn is_function(name: &str) -> bool {
    static SORTED: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    let sorted = SORTED.get_or_init(|| {
        let mut v = FUNCTIONS.to_vec();
        v.sort_unstable();
        v
    });
    sorted.binary_search(&name).is_ok()
}

/// The function name and argument of a call, if `v` is one.
pub fn call(v: &Value) -> Option<(&str, &Value)> {
    let m = v.as_object()?;
    if m.len() != 1 {
        return None;
    }
    let (k, a) = m.iter().next()?;
    is_function(k).then_some((k.as_str(), a))
}

/// What one `get_attr` / `Fn::GetAtt` / `get_resource` / `Ref` refers to.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A role output or agent-published attribute of one coordinated server
    /// (`member` set for `resource.N` of a group).
    Published {
        /// Index into the coordinated servers.
        server: usize,
        /// The group member, for `[group, resource.N, out]`.
        member: Option<String>,
        /// The output or attribute name.
        output: String,
        /// Attribute path after the name (`get_attr: [db, out, key]`).
        path: Vec<Value>,
    },
    /// Every member's value of a group output (a gather).
    Gather {
        /// Index into the coordinated servers.
        server: usize,
        /// The output or attribute name.
        output: String,
        /// Attribute path after the name.
        path: Vec<Value>,
    },
    /// A Heat attribute or reference of a coordinated server: Heat orders the reader
    /// after that server.
    HeatOfCoordinated {
        /// Index into the coordinated servers.
        server: usize,
        /// What is read (`networks`, `get_resource`, ...).
        what: String,
    },
    /// Anything about a resource that is not coordinated.
    Other,
    /// A parameter reference (`get_param`, or CFN `Ref` to a parameter).
    Param(String),
    /// A problem: the message (no place).
    Unknown(super::problem::Code, String),
}

/// Resolves a reference call to its [`Target`]; `None` for calls that are not references.
pub fn target(source: &Source, servers: &[Coordinated], name: &str, arg: &Value) -> Option<Target> {
    let resources = source.resources();
    let exists = |r: &str| resources.is_some_and(|m| m.contains_key(r));
    let coordinated = |r: &str| source.server(r).filter(|&i| i < servers.len());
    match name {
        "get_param" => {
            let p = match arg {
                Value::String(s) => s.clone(),
                Value::Array(a) => a.first()?.as_str()?.to_string(),
                _ => return None,
            };
            Some(Target::Param(p))
        }
        "Ref" | "get_resource" => {
            let r = arg.as_str()?;
            if name == "Ref" && !exists(r) {
                return Some(Target::Param(r.into()));
            }
            if !exists(r) {
                return Some(Target::Unknown(
                    super::problem::Code::UnknownResource,
                    format!("there is no resource {r}"),
                ));
            }
            Some(match coordinated(r) {
                Some(i) => Target::HeatOfCoordinated { server: i, what: format!("{name} {r}") },
                None => Target::Other,
            })
        }
        "get_attr" | "Fn::GetAtt" => {
            let args = arg.as_array()?;
            let r = args.first()?.as_str()?;
            if !exists(r) {
                let hint = resources
                    .and_then(|m| super::problem::did_you_mean(r, m.keys().map(String::as_str)))
                    .map(|s| format!(" (did you mean {s}?)"))
                    .unwrap_or_default();
                return Some(Target::Unknown(
                    super::problem::Code::UnknownResource,
                    format!("there is no resource {r}{hint}"),
                ));
            }
            let Some(i) = coordinated(r) else { return Some(Target::Other) };
            let c = &servers[i];
            let Some(attr) = args.get(1).and_then(Value::as_str) else {
                return Some(Target::Other);
            };
            let rest: Vec<Value> = args[2..].to_vec();
            Some(attr_target(c, i, attr, rest))
        }
        _ => None,
    }
}

fn attr_target(c: &Coordinated, i: usize, attr: &str, rest: Vec<Value>) -> Target {
    let published =
        |name: &str| c.output(name).is_some() || metadata::AGENT_ATTRIBUTES.contains(&name);
    let unknown = |name: &str, whose: &str| {
        let names: Vec<&str> = c
            .output_names()
            .chain(metadata::AGENT_ATTRIBUTES.iter().copied())
            .chain(metadata::heat_attributes(&c.server_type).iter().copied())
            .collect();
        let hint = super::problem::did_you_mean(name, names.iter().copied())
            .map(|s| format!(" (did you mean {s}?)"))
            .unwrap_or_default();
        Target::Unknown(
            super::problem::Code::UnknownOutput,
            format!("{whose} has no output {name}{hint}"),
        )
    };
    match &c.group {
        None => {
            if published(attr) {
                Target::Published { server: i, member: None, output: attr.into(), path: rest }
            } else if metadata::heat_attributes(&c.server_type).contains(&attr) {
                Target::HeatOfCoordinated { server: i, what: format!("attribute {attr}") }
            } else {
                unknown(attr, &c.resource)
            }
        }
        Some(g) => {
            // `[group, resource.N, out]` or `[group, "resource.N.out"]`.
            if let Some(member) = attr.strip_prefix("resource.") {
                let (member, out, rest) = match member.split_once('.') {
                    Some((m, o)) => (m.to_string(), Some(o.to_string()), rest),
                    None => {
                        let out = rest.first().and_then(Value::as_str).map(String::from);
                        (
                            member.to_string(),
                            out,
                            rest.get(1..).map(<[Value]>::to_vec).unwrap_or_default(),
                        )
                    }
                };
                if g.kind == GroupKind::AutoScalingGroup {
                    return Target::Unknown(
                        super::problem::Code::UnknownOutput,
                        format!("{} is an AutoScalingGroup: its members have no fixed index (resource.{member} is an error), gather with [{}, OUTPUT]", c.resource, c.resource),
                    );
                }
                let Some(out) = out else {
                    return Target::HeatOfCoordinated {
                        server: i,
                        what: format!("resource.{member}"),
                    };
                };
                if published(&out) {
                    if let (Some(n), Some(count)) = (member.parse::<u64>().ok(), g.count) {
                        if n >= count {
                            return Target::Unknown(
                                super::problem::Code::UnknownResource,
                                format!(
                                    "{} has {count} members: there is no resource.{member}",
                                    c.resource
                                ),
                            );
                        }
                    }
                    return Target::Published {
                        server: i,
                        member: Some(member),
                        output: out,
                        path: rest,
                    };
                }
                if metadata::heat_attributes(&c.server_type).contains(&out.as_str()) {
                    return Target::HeatOfCoordinated {
                        server: i,
                        what: format!("attribute resource.{member}.{out}"),
                    };
                }
                return unknown(&out, &format!("{}.{member}", c.resource));
            }
            const GROUP_ATTRS: &[&str] = &[
                "refs",
                "refs_map",
                "attributes",
                "removed_rsrc_list",
                "outputs",
                "outputs_list",
                "current_size",
            ];
            if published(attr) {
                Target::Gather { server: i, output: attr.into(), path: rest }
            } else if GROUP_ATTRS.contains(&attr)
                || metadata::heat_attributes(&c.server_type).contains(&attr)
            {
                Target::HeatOfCoordinated { server: i, what: format!("attribute {attr}") }
            } else {
                unknown(attr, &c.resource)
            }
        }
    }
}

/// Calls `f(place, name, arg)` for every function call in `v`, depth first, with the
/// template path of the call.
pub fn walk(v: &Value, place: &str, f: &mut dyn FnMut(&str, &str, &Value)) {
    walk_except(v, place, &|_| false, f);
}

/// [`walk`], not entering the places for which `skip` is true.
pub fn walk_except(
    v: &Value,
    place: &str,
    skip: &dyn Fn(&str) -> bool,
    f: &mut dyn FnMut(&str, &str, &Value),
) {
    // One growing buffer for the place, not a string per node: templates are walked whole.
    fn inner(
        v: &Value,
        place: &mut String,
        skip: &dyn Fn(&str) -> bool,
        f: &mut dyn FnMut(&str, &str, &Value),
    ) {
        if skip(place) {
            return;
        }
        if let Some((name, arg)) = call(v) {
            f(place, name, arg);
        }
        let len = place.len();
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    place.push('.');
                    place.push_str(k);
                    inner(x, place, skip, f);
                    place.truncate(len);
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    use std::fmt::Write as _;
                    let _ = write!(place, "[{i}]");
                    inner(x, place, skip, f);
                    place.truncate(len);
                }
            }
            _ => {}
        }
    }
    let mut buf = place.to_string();
    inner(v, &mut buf, skip, f);
}

/// Replaces every parameter reference by its known, non-hidden value; `None` when a
/// parameter is hidden or has no value, or another function call remains.
pub fn resolve_static(source: &Source, v: &Value) -> Option<Value> {
    if let Some((name, arg)) = call(v) {
        let pname = match (name, arg) {
            ("get_param", Value::String(s)) => s.as_str(),
            ("Ref", Value::String(s))
                if source.dialect == Dialect::Cfn
                    || !source.resources().is_some_and(|r| r.contains_key(s)) =>
            {
                s.as_str()
            }
            ("get_param", Value::Array(a)) => {
                let base = source.params.get(a.first()?.as_str()?)?;
                if base.hidden {
                    return None;
                }
                let mut cur = base.value.clone()?;
                for key in &a[1..] {
                    let key = resolve_static(source, key)?;
                    cur = match (&cur, &key) {
                        (Value::Object(m), Value::String(k)) => m.get(k)?.clone(),
                        (Value::Array(l), Value::Number(n)) => {
                            l.get(usize::try_from(n.as_u64()?).ok()?)?.clone()
                        }
                        (Value::Array(l), Value::String(n)) => {
                            l.get(n.parse::<usize>().ok()?)?.clone()
                        }
                        _ => return None,
                    };
                }
                return Some(cur);
            }
            _ => return None,
        };
        if let Some(pseudo) = pseudo_param(pname) {
            let _ = pseudo;
            return None;
        }
        let p = source.params.get(pname)?;
        return if p.hidden { None } else { p.value.clone() };
    }
    match v {
        Value::Object(m) => {
            let mut out = crate::Map::new();
            for (k, x) in m {
                out.insert(k.clone(), resolve_static(source, x)?);
            }
            Some(Value::Object(out))
        }
        Value::Array(a) => a
            .iter()
            .map(|x| resolve_static(source, x))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        other => Some(other.clone()),
    }
}

/// Heat's pseudo parameters, known only at deploy time.
fn pseudo_param(name: &str) -> Option<&'static str> {
    [
        "OS::stack_name",
        "OS::stack_id",
        "OS::project_id",
        "AWS::StackName",
        "AWS::StackId",
        "AWS::Region",
    ]
    .into_iter()
    .find(|p| *p == name)
}

/// `v` itself when it reads a template or pseudo parameter anywhere: a value that
/// depends on what is given at stack create (see [`super::analysis::Resolved::Static`]).
pub fn params_expr(source: &Source, v: &Value) -> Option<Value> {
    let mut reads = false;
    walk(v, "", &mut |_, name, arg| {
        reads |= matches!(target(source, &[], name, arg), Some(Target::Param(_)));
    });
    reads.then(|| v.clone())
}

/// True when `v` reads a hidden parameter anywhere.
pub fn reads_hidden(source: &Source, v: &Value) -> bool {
    let mut hidden = false;
    walk(v, "", &mut |_, name, arg| {
        let p = match (name, arg) {
            ("get_param" | "Ref", Value::String(s)) => Some(s.as_str()),
            ("get_param", Value::Array(a)) => a.first().and_then(Value::as_str),
            _ => None,
        };
        if p.and_then(|p| source.params.get(p)).is_some_and(|p| p.hidden) {
            hidden = true;
        }
    });
    hidden
}
