//! Inputs whose expression reads run-time values inside Heat functions
//! (`{str_replace: {template: "mysql://$h/", params: {$h: {get_attr: [db, db_host]}}}}`,
//! `{list_join: [",", {get_attr: [web, url]}]}`): the server evaluates the expression
//! once every run-time value has arrived (crate::plan::expression).
//!
//! The expression is split here: each run-time reference, and each call that does not
//! depend on one (a parameter, a Heat-resolved attribute, a `get_file`), becomes an
//! argument (compile-time values as they are, Heat-resolved ones substituted by Heat
//! into the user-data); what is left between them must be functions a server can
//! evaluate ([`crate::plan::expression::is_pure`]) and plain data.

use super::analysis::Resolved;
use super::metadata::{Coordinated, Input};
use super::problem::{Code, Problem};
use super::refs::{self, Target};
use super::source::Source;
use crate::plan::expression::{self as plan_expression, is_pure};
use crate::Value;

/// True when `v` reads a run-time value anywhere (a role output or agent attribute of a
/// coordinated server, or a gather).
pub fn reads_runtime(source: &Source, servers: &[Coordinated], v: &Value) -> bool {
    let mut found = false;
    refs::walk(v, "", &mut |_, name, arg| {
        found |= matches!(
            refs::target(source, servers, name, arg),
            Some(Target::Published { .. } | Target::Gather { .. })
        );
    });
    found
}

/// Classifies an input whose expression reads run-time values inside functions; every
/// part that cannot be evaluated on a server is a problem at its place.
pub fn classify(
    source: &Source,
    servers: &[Coordinated],
    input: &Input,
    problems: &mut Vec<Problem>,
) -> Resolved {
    let mut split = Split { source, servers, args: Vec::new(), problems, failed: false };
    let mut place = input.place.clone();
    let expr = split.part(&input.expr, &mut place);
    let Split { args, failed, problems, .. } = split;
    if !failed {
        let version = plan_expression::version_key(source.heat_version);
        if let Err(e) = plan_expression::validate(&version, &expr, args.len()) {
            problems.push(Problem::error(
                Code::UnsupportedInput,
                &input.place,
                format!("this expression reads run-time values, so the server evaluates it, and it cannot: {e}"),
            ));
        }
    }
    Resolved::Expression { expr, args }
}

struct Split<'a> {
    source: &'a Source,
    servers: &'a [Coordinated],
    args: Vec<Resolved>,
    problems: &'a mut Vec<Problem>,
    failed: bool,
}

impl Split<'_> {
    fn error(&mut self, place: &str, message: String) {
        self.problems.push(Problem::error(Code::UnsupportedInput, place, message));
        self.failed = true;
    }

    fn arg(&mut self, r: Resolved) -> Value {
        self.args.push(r);
        plan_expression::marker(self.source.heat_version, self.args.len() - 1)
    }

    /// The expression the server evaluates for `v` (at `place`), arguments as markers.
    fn part(&mut self, v: &Value, place: &mut String) -> Value {
        let len = place.len();
        if let Some((name, arg)) = refs::call(v) {
            match refs::target(self.source, self.servers, name, arg) {
                Some(Target::Published { server, member, output, path }) => {
                    if !path.is_empty() {
                        self.error(place, format!("an attribute path after the run-time value {}.{output} is not supported: publish the part you need as its own output", self.servers[server].resource));
                    }
                    return self.arg(Resolved::Wait { server, member, output });
                }
                Some(Target::Gather { server, output, path }) => {
                    if !path.is_empty() {
                        self.error(
                            place,
                            format!(
                                "an attribute path after the gather {}.{output} is not supported",
                                self.servers[server].resource
                            ),
                        );
                    }
                    return self.arg(Resolved::Gather { server, output });
                }
                _ => {}
            }
            if !reads_runtime(self.source, self.servers, v) {
                // Known now, or resolved by Heat at deploy time: an argument.
                let r = match refs::resolve_static(self.source, v) {
                    Some(value) => {
                        Resolved::Static { value, params_expr: refs::params_expr(self.source, v) }
                    }
                    None => Resolved::Heat {
                        expr: v.clone(),
                        secret: refs::reads_hidden(self.source, v),
                    },
                };
                return self.arg(r);
            }
            let version = self.source.heat_version;
            match version.function(name) {
                Some(f) if is_pure(f) => {
                    place.push('.');
                    place.push_str(name);
                    let built = self.part(arg, place);
                    place.truncate(len);
                    let mut m = crate::Map::new();
                    m.insert(name.to_string(), built);
                    return Value::Object(m);
                }
                Some(f) => {
                    let why = if f.is_macro() {
                        format!("{name} is decided by the template's conditions, which only Heat knows; put the run-time value in both branches' own inputs instead")
                    } else {
                        format!("{name} is resolved by Heat before the servers boot, so its arguments cannot be run-time values")
                    };
                    self.error(place, why);
                    return v.clone();
                }
                // Not a function of this version: Heat reads it as data.
                None => {}
            }
        }
        match v {
            Value::Object(m) => {
                let mut out = crate::Map::new();
                for (k, x) in m {
                    place.push('.');
                    place.push_str(k);
                    out.insert(k.clone(), self.part(x, place));
                    place.truncate(len);
                }
                Value::Object(out)
            }
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, x) in items.iter().enumerate() {
                    use std::fmt::Write as _;
                    let _ = write!(place, "[{i}]");
                    out.push(self.part(x, place));
                    place.truncate(len);
                }
                Value::Array(out)
            }
            other => other.clone(),
        }
    }
}
