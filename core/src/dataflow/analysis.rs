//! The analysis behind `check`, `graph --dataflow` and `compile`: metadata read,
//! every input classified, every reference to a role output found, problems collected.

use std::collections::BTreeSet;

use super::metadata::{self, Coordinated};
use super::path;
use super::problem::{Code, Problem};
use super::refs::{self, Target};
use super::source::{self, Source};
use crate::stack::Inputs;
use crate::Value;

/// How one input gets its value (design.md section 3).
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// Known at compile time.
    Static {
        /// The value.
        value: Value,
        /// The template's expression, when the value comes from template parameters
        /// (their defaults, or values given to `check`/`compile`). A compiled template
        /// lets Heat evaluate it at deploy time, so that a parameter value given at
        /// stack create reaches the server as it reaches every other resource; the
        /// value is what `check`, `graph` and `simulate` show and use.
        params_expr: Option<Value>,
    },
    /// Left to Heat as a function in the user-data (parameters without values, hidden
    /// parameters, attributes of resources that are not coordinated).
    Heat {
        /// The expression as the template writes it.
        expr: Value,
        /// True when it reads a hidden parameter.
        secret: bool,
    },
    /// One value another server publishes through the coordinator.
    Wait {
        /// Index of the producing server.
        server: usize,
        /// The group member (`resource.N`).
        member: Option<String>,
        /// The output or agent-published attribute.
        output: String,
    },
    /// Every member's value of a group output.
    Gather {
        /// Index of the producing group.
        server: usize,
        /// The output or agent-published attribute.
        output: String,
    },
    /// An expression over run-time values that the server evaluates
    /// ([`super::expression`]).
    Expression {
        /// The expression, argument `N` written as
        /// [`crate::plan::expression::marker`]`(N)`.
        expr: Value,
        /// The arguments: `Static`, `Heat`, `Wait` or `Gather`.
        args: Vec<Resolved>,
    },
}

impl Resolved {
    /// `static`, `heat` or `runtime`.
    pub fn class(&self) -> &'static str {
        match self {
            Resolved::Static { .. } => "static",
            Resolved::Heat { .. } => "heat",
            Resolved::Wait { .. } | Resolved::Gather { .. } | Resolved::Expression { .. } => {
                "runtime"
            }
        }
    }

    /// The run-time values it waits for (`Wait` and `Gather`: itself; an expression:
    /// its run-time arguments).
    pub fn waits(&self) -> Vec<&Resolved> {
        match self {
            Resolved::Static { .. } | Resolved::Heat { .. } => Vec::new(),
            Resolved::Wait { .. } | Resolved::Gather { .. } => vec![self],
            Resolved::Expression { args, .. } => args.iter().flat_map(Resolved::waits).collect(),
        }
    }
}

/// A reference to a published value outside the heat_sync sections (stack outputs,
/// properties of other resources), which compile rewrites to read the wait condition.
#[derive(Debug, Clone, PartialEq)]
pub struct Use {
    /// The template path of the call.
    pub place: String,
    /// [`Target::Published`] or [`Target::Gather`].
    pub target: Target,
}

/// The analysed template.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// The template and its parameter values.
    pub source: Source,
    /// The coordinated servers, in template order.
    pub servers: Vec<Coordinated>,
    /// `resolved[server][role][input]`.
    pub resolved: Vec<Vec<Vec<Resolved>>>,
    /// References to published values outside heat_sync sections.
    pub uses: Vec<Use>,
    /// Every problem found, errors and warnings, in a stable order.
    pub problems: Vec<Problem>,
}

impl Analysis {
    /// True when some problem is an error.
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(Problem::is_error)
    }

    /// The server index of a resource name.
    pub fn server(&self, resource: &str) -> Option<usize> {
        self.source.server(resource).filter(|&i| i < self.servers.len())
    }

    /// The role (name) producing `output` on server `i`, `None` for agent attributes.
    pub fn producer_role(&self, i: usize, output: &str) -> Option<&str> {
        self.servers[i].output(output).map(|(r, _)| r.name.as_str())
    }
}

/// Analyses a template: reads the metadata, classifies every input, finds every
/// reference to a role output, and checks the data flow. Only unreadable input (not a
/// template, a broken environment) is an `Err`; everything else is a problem.
pub fn analyse(inputs: &Inputs) -> crate::Result<Analysis> {
    let mut source = source::load(inputs)?;
    let (servers, mut problems) = metadata::read(&mut source, &inputs.files);

    for c in &servers {
        duplicates(c, &mut problems);
    }
    let mut resolved = Vec::with_capacity(servers.len());
    for c in &servers {
        let roles = c
            .roles
            .iter()
            .map(|r| {
                r.inputs.iter().map(|i| classify(&source, &servers, c, i, &mut problems)).collect()
            })
            .collect();
        resolved.push(roles);
    }
    let uses = outside_uses(&source, &servers, &mut problems);
    shared_secret(&source, &servers, &mut problems);
    // Heat's verdict once heat-sync's own reading is clean (Heat stops at its first
    // error, and ours name the heat_sync places more precisely).
    if !problems.iter().any(Problem::is_error) {
        problems.extend(super::heat::verdict(inputs, &mut source.template, &servers));
    }
    let mut analysis = Analysis { source, servers, resolved, uses, problems: Vec::new() };
    unread_outputs(&analysis, &mut problems);
    conditional_producers(&analysis, &mut problems);
    problems.extend(super::graph::deadlocks(&analysis));
    problems.sort_by(|a, b| (a.severity, &a.place).cmp(&(b.severity, &b.place)));
    problems.dedup();
    analysis.problems = problems;
    Ok(analysis)
}

/// Without Heat's `digest` (CFN, HOT before 2015-04-30) the compiled template cannot
/// derive per-server credentials, so every coordinated server's user-data carries the
/// stack secret (docs/security.md).
fn shared_secret(source: &Source, servers: &[Coordinated], problems: &mut Vec<Problem>) {
    if servers.is_empty() || source.has_digest() {
        return;
    }
    let keys = ["heat_template_version", "AWSTemplateFormatVersion", "HeatTemplateFormatVersion"];
    let place = keys.into_iter().find(|k| source.template.get(*k).is_some()).unwrap_or(keys[1]);
    problems.push(Problem::warning(
        Code::SharedStackSecret,
        place,
        format!(
            "version {} has no digest function, so every coordinated server receives the \
             stack secret and a compromised server can act as any server of the stack; \
             heat_template_version 2015-04-30 or later gives each server its own credentials",
            source.version
        ),
    ));
}

fn duplicates(c: &Coordinated, problems: &mut Vec<Problem>) {
    let mut roles = BTreeSet::new();
    let mut outputs = BTreeSet::new();
    for role in &c.roles {
        if !roles.insert(role.name.as_str()) {
            problems.push(Problem::error(
                Code::DuplicateRole,
                &format!("{}.name", role.place),
                format!("{} has two roles named {}", c.resource, role.name),
            ));
        }
        for o in &role.outputs {
            if !outputs.insert(o.name.as_str()) {
                problems.push(Problem::error(
                    Code::DuplicateOutput,
                    &o.place,
                    format!("{} already has an output {} (an output names one attribute of the resource)", c.resource, o.name),
                ));
            }
        }
        for (j, b) in role.inputs.iter().enumerate() {
            for a in &role.inputs[..j] {
                if !path::overlaps(&a.path, &b.path) {
                    continue;
                }
                let (parent, child) = if a.path.len() <= b.path.len() { (a, b) } else { (b, a) };
                // A parent bound to a literal map binds the child only if the map has it.
                if parent.path.len() < child.path.len() {
                    if let Some(m) =
                        parent.expr.as_object().filter(|_| refs::call(&parent.expr).is_none())
                    {
                        let mut cur: Option<&Value> = m.get(&child.path[parent.path.len()]);
                        for k in &child.path[parent.path.len() + 1..] {
                            cur = cur.and_then(|v| v.get(k));
                        }
                        if cur.is_none() {
                            continue;
                        }
                    }
                }
                let how = if a.path == b.path {
                    "directly".to_string()
                } else {
                    format!("inside the value bound to {}", parent.path_text)
                };
                problems.push(Problem::error(
                    Code::DuplicatePath,
                    &b.place,
                    format!(
                        "node attribute {} is bound twice in role {} (also {how})",
                        path::format(&child.path),
                        role.name
                    ),
                ));
            }
        }
    }
}

fn classify(
    source: &Source,
    servers: &[Coordinated],
    reader: &Coordinated,
    input: &metadata::Input,
    problems: &mut Vec<Problem>,
) -> Resolved {
    let place = &input.place;
    // A whole-input reference to a published value travels through the coordinator.
    if let Some((name, arg)) = refs::call(&input.expr) {
        match refs::target(source, servers, name, arg) {
            Some(Target::Published { server, member, output, path }) => {
                if !path.is_empty() {
                    problems.push(Problem::error(Code::UnsupportedInput, place, format!(
                        "an attribute path after the run-time value {}.{output} is not supported: publish the part you need as its own output",
                        servers[server].resource)));
                }
                return Resolved::Wait { server, member, output };
            }
            Some(Target::Gather { server, output, path }) => {
                if !path.is_empty() {
                    problems.push(Problem::error(
                        Code::UnsupportedInput,
                        place,
                        format!(
                            "an attribute path after the gather {}.{output} is not supported",
                            servers[server].resource
                        ),
                    ));
                }
                return Resolved::Gather { server, output };
            }
            _ => {}
        }
    }
    let mut has_calls = false;
    let mut runtime = false;
    let mut reads_params = false;
    refs::walk(&input.expr, place, &mut |at, name, arg| {
        has_calls = true;
        let target = refs::target(source, servers, name, arg);
        reads_params |= matches!(target, Some(Target::Param(_)));
        match target {
            Some(Target::Published { .. } | Target::Gather { .. }) => runtime = true,
            Some(Target::HeatOfCoordinated { server, what }) => {
                let other = &servers[server].resource;
                let msg = if other == &reader.resource {
                    format!("{what} of {other} itself can only be resolved after it is created: Heat rejects this as a circular dependency")
                } else {
                    format!("{what} of {other} is resolved by Heat, so {} boots only after {other} is created (only first_address, name and role outputs travel through the coordinator)", reader.resource)
                };
                problems.push(Problem::warning(Code::SerializedBoot, at, msg));
            }
            Some(Target::Unknown(code, msg)) => problems.push(Problem::error(code, at, msg)),
            Some(Target::Param(p))
                if !source.params.contains_key(&p)
                    && !p.starts_with("OS::")
                    && !p.starts_with("AWS::") =>
            {
                problems.push(Problem::error(
                    Code::UnknownResource,
                    at,
                    format!("there is no parameter {p}"),
                ));
            }
            _ => {}
        }
    });
    if runtime {
        return super::expression::classify(source, servers, input, problems);
    }
    if !has_calls {
        return Resolved::Static { value: input.expr.clone(), params_expr: None };
    }
    match refs::resolve_static(source, &input.expr) {
        Some(value) => {
            Resolved::Static { value, params_expr: reads_params.then(|| input.expr.clone()) }
        }
        None => Resolved::Heat {
            expr: input.expr.clone(),
            secret: refs::reads_hidden(source, &input.expr),
        },
    }
}

fn outside_uses(source: &Source, servers: &[Coordinated], problems: &mut Vec<Problem>) -> Vec<Use> {
    let mut uses = Vec::new();
    let Some(doc) = source.template.as_object() else { return uses };
    let sections: std::collections::HashSet<&str> =
        servers.iter().map(|c| c.place.as_str()).collect();
    for (k, v) in doc {
        refs::walk_except(
            v,
            k,
            // Section places end with `heat_sync`: most places need no lookup.
            &|at| at.ends_with("heat_sync") && sections.contains(at),
            &mut |at, name, arg| match refs::target(source, servers, name, arg) {
                Some(t @ (Target::Published { .. } | Target::Gather { .. })) => {
                    uses.push(Use { place: at.to_string(), target: t });
                }
                Some(Target::Unknown(code, msg)) if code == Code::UnknownOutput => {
                    problems.push(Problem::error(code, at, msg));
                }
                _ => {}
            },
        );
    }
    uses
}

/// A wait on a server that exists only under a condition: when the stack is created with
/// the condition false, Heat boots no producer and the reader waits until its role's
/// timeout (Heat itself gives `null` for an attribute of a disabled resource, which a
/// run-time value cannot).
fn conditional_producers(a: &Analysis, problems: &mut Vec<Problem>) {
    let ckey = a.source.key("condition", "Condition");
    let resources = a.source.resources();
    let condition = |server: usize| {
        let r = resources?.get(&a.servers[server].resource)?.get(ckey)?;
        Some(r.as_str().map_or_else(|| r.to_string(), str::to_string))
    };
    for (si, c) in a.servers.iter().enumerate() {
        for (ri, role) in c.roles.iter().enumerate() {
            for (input, r) in role.inputs.iter().zip(&a.resolved[si][ri]) {
                for w in r.waits() {
                    let (Resolved::Wait { server, .. } | Resolved::Gather { server, .. }) = w
                    else {
                        continue;
                    };
                    if *server == si {
                        continue;
                    }
                    if let Some(cond) = condition(*server) {
                        let producer = &a.servers[*server].resource;
                        problems.push(Problem::warning(
                            Code::ConditionalProducer,
                            &input.place,
                            format!(
                                "{}/{} waits for {producer}, which exists only when condition {cond} \
                                 is true: created with it false, the role waits until its timeout",
                                c.resource, role.name
                            ),
                        ));
                    }
                }
            }
        }
    }
}

fn unread_outputs(a: &Analysis, problems: &mut Vec<Problem>) {
    let mut read: BTreeSet<(usize, &str)> = BTreeSet::new();
    for r in a.resolved.iter().flatten().flatten().flat_map(Resolved::waits) {
        if let Resolved::Wait { server, output, .. } | Resolved::Gather { server, output } = r {
            read.insert((*server, output.as_str()));
        }
    }
    for u in &a.uses {
        if let Target::Published { server, output, .. } | Target::Gather { server, output, .. } =
            &u.target
        {
            read.insert((*server, output.as_str()));
        }
    }
    for (i, c) in a.servers.iter().enumerate() {
        for role in &c.roles {
            for o in &role.outputs {
                if !read.contains(&(i, o.name.as_str())) {
                    problems.push(Problem::warning(
                        Code::UnreadOutput,
                        &o.place,
                        format!(
                            "nobody reads {}.{} (no input, resource or stack output uses it)",
                            c.resource, o.name
                        ),
                    ));
                }
            }
        }
    }
}
