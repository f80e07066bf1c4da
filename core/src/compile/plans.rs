//! The stack plan and the server plans of an analysed template.
//!
//! A server plan is built with placeholder tokens (`@@heat_sync_...@@`) where Heat fills
//! in values at deploy time: the coordinator address, the stack id, the server's
//! credentials (derived by Heat from the stack secret, [`credential_params`]), the wait
//! condition handle, and every Heat-resolved input. The user-data
//! substitutes them with `str_replace`; `simulate` substitutes them locally.

use crate::dataflow::analysis::{Analysis, Resolved};
use crate::dataflow::metadata::{Coordinated, GroupKind};
use crate::dataflow::source::call;
use crate::dataflow::source::Source;
use crate::plan::{
    CoordinatorConfig, Credentials, GroupInfo, InputSource, PlanInput, PlanOutput, PlanRole,
    Producer, ServerId, ServerPlan, SignalConfig, StackPlan, StackServer, ValueKey, PLAN_VERSION,
    SERVER_PLAN_FORMAT, STACK_PLAN_FORMAT,
};
use crate::store::identity::Purpose;
use crate::{Map, Value};

/// Replaced by the coordinator connect string (`heat_sync_coordinator`).
pub const COORDINATOR: &str = "@@heat_sync_coordinator@@";
/// Replaced by the Heat stack id.
pub const STACK_ID: &str = "@@heat_sync_stack_id@@";
/// Replaced by this server's password, which Heat derives from the stack secret
/// ([`credential_params`]); by the stack secret itself where the template version has
/// no `digest`.
pub const PASSWORD: &str = "@@heat_sync_password@@";
/// Replaced by the stack's read password, which Heat derives from the stack secret.
pub const READ_PASSWORD: &str = "@@heat_sync_read_password@@";
/// Replaced by the wait condition handle's URL.
pub const SIGNAL_URL: &str = "@@heat_sync_signal_url@@";
/// Replaced by the wait condition handle's token (HOT only).
pub const SIGNAL_TOKEN: &str = "@@heat_sync_signal_token@@";
/// Replaced on the server by its instance id (AutoScalingGroup members).
pub const INSTANCE: &str = "@HEAT_SYNC_INSTANCE@";
/// A Heat-resolved input of a server plan: `token` stands for the input's whole source.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatValue {
    /// The token (`@@heat_sync_v0@@`).
    pub token: String,
    /// The Heat expression.
    pub expr: Value,
    /// True when it reads a hidden parameter.
    pub secret: bool,
    /// Its value with the parameter values compile was given (defaults included), for
    /// a local run (`simulate`); `None` when only Heat knows it.
    pub known: Option<Value>,
}

/// The member part of a coordinated server's id inside its own plan.
pub fn member_token(c: &Coordinated) -> Option<String> {
    c.group.as_ref().map(|g| match g.kind {
        GroupKind::ResourceGroup => g.index_var.clone(),
        GroupKind::AutoScalingGroup => INSTANCE.to_string(),
    })
}

/// The credentials of server `c`'s plan, as tokens: derived passwords where Heat has
/// `digest` (HOT 2015-04-30 on), else the stack secret. Group members share their
/// group's identity: Heat evaluates a group's member definition once, before it
/// replaces the index.
fn credentials(src: &Source, c: &Coordinated) -> Credentials {
    if src.has_digest() {
        Credentials {
            user: c.resource.clone(),
            secret: None,
            password: Some(PASSWORD.into()),
            read_password: Some(READ_PASSWORD.into()),
        }
    } else {
        Credentials::stack_secret(&c.resource, PASSWORD)
    }
}

/// The Heat expressions standing for the credential tokens of server `c`'s plan.
///
/// With `digest`, each password is `digest(sha256, S:purpose:/heat-sync/<stack id>:name:S)`
/// over the hidden stack secret `S`, exactly what [`crate::store::identity`] computes for
/// the administrator; the server receives its own password and the read password only.
pub fn credential_params(src: &Source, c: &Coordinated) -> Vec<(&'static str, Value)> {
    let secret = src.get_param(super::SECRET_PARAM);
    if !src.has_digest() {
        return vec![(PASSWORD, secret)];
    }
    // Built directly: json! would copy `secret` through serde for every server.
    let derived = |purpose: Purpose, name: &str| {
        let parts = vec![
            secret.clone(),
            Value::String(format!(":{}:/heat-sync/", purpose.as_str())),
            call("get_param", Value::from("OS::stack_id")),
            Value::String(format!(":{name}:")),
            secret.clone(),
        ];
        let joined = call("list_join", Value::Array(vec![Value::from(""), Value::Array(parts)]));
        call("digest", Value::Array(vec![Value::from("sha256"), joined]))
    };
    vec![
        (PASSWORD, derived(Purpose::Server, &c.resource)),
        (READ_PASSWORD, derived(Purpose::Reader, "")),
    ]
}

fn producer_id(a: &Analysis, server: usize, member: Option<&str>) -> ServerId {
    let c = &a.servers[server];
    match member {
        Some(m) => ServerId::member(&c.resource, m),
        None => ServerId::plain(&c.resource),
    }
}

/// The plan's source of one classified input; `heat` makes the source of a value Heat
/// resolves at deploy time (its expression, whether it is secret, and its compile-time
/// value when it has one). A value from parameters is one: a parameter given at stack
/// create must reach the server.
fn source(
    a: &Analysis,
    r: &Resolved,
    heat: &mut impl FnMut(&Value, bool, Option<&Value>) -> InputSource,
) -> InputSource {
    match r {
        Resolved::Static { value, params_expr: None } => {
            InputSource::Static { value: value.clone(), secret: false }
        }
        Resolved::Static { value, params_expr: Some(expr) } => heat(expr, false, Some(value)),
        Resolved::Heat { expr, secret } => heat(expr, *secret, None),
        Resolved::Wait { server, member, output } => {
            let id = producer_id(a, *server, member.as_deref());
            InputSource::Wait {
                key: ValueKey { server: id.clone(), output: output.clone() },
                producer: Producer {
                    server: id,
                    role: a.producer_role(*server, output).map(String::from),
                },
            }
        }
        Resolved::Gather { server, output } => {
            let g = a.servers[*server].group.as_ref();
            InputSource::Gather {
                group: a.servers[*server].resource.clone(),
                output: output.clone(),
                role: a.producer_role(*server, output).map(String::from),
                count: g.filter(|g| g.kind == GroupKind::ResourceGroup).and_then(|g| g.count),
            }
        }
        Resolved::Expression { expr, args } => InputSource::Expression {
            template_version: crate::plan::expression::version_key(a.source.heat_version),
            expression: expr.clone(),
            args: args.iter().map(|r| source(a, r, heat)).collect(),
        },
    }
}

fn roles(
    a: &Analysis,
    si: usize,
    mut heat: impl FnMut(&Value, bool, Option<&Value>) -> InputSource,
) -> Vec<PlanRole> {
    let c = &a.servers[si];
    c.roles
        .iter()
        .enumerate()
        .map(|(ri, role)| PlanRole {
            name: role.name.clone(),
            run_list: role.run_list.clone(),
            run: role.run.clone(),
            timeout: role.timeout,
            inputs: role
                .inputs
                .iter()
                .zip(&a.resolved[si][ri])
                .map(|(input, r)| PlanInput {
                    path: input.path.clone(),
                    place: input.place.clone(),
                    source: source(a, r, &mut heat),
                })
                .collect(),
            outputs: role
                .outputs
                .iter()
                .map(|o| PlanOutput {
                    name: o.name.clone(),
                    path: o.path.clone(),
                    publish: o.publish,
                    secret: o.secret,
                })
                .collect(),
        })
        .collect()
}

/// The stack plan (Heat-resolved inputs as `Static` holding the Heat expression).
pub fn stack_plan(a: &Analysis) -> StackPlan {
    let servers = (0..a.servers.len())
        .map(|si| {
            let c = &a.servers[si];
            StackServer {
                server: ServerId::plain(&c.resource),
                resource_type: c.server_type.clone(),
                group: c
                    .group
                    .as_ref()
                    .map(|g| GroupInfo { group_type: g.kind.type_name().into(), count: g.count }),
                tool: c.tool,
                roles: roles(a, si, |expr, secret, _| InputSource::Static {
                    value: expr.clone(),
                    secret,
                }),
            }
        })
        .collect();
    StackPlan { format: STACK_PLAN_FORMAT.into(), version: PLAN_VERSION, servers }
}

/// A gathered ResourceGroup whose member count is not a literal: its count in the
/// server plan's text is `token`, which Heat replaces with the group's own count
/// expression, the count the stack is created with (it can differ from the one known at
/// compile time, the typed plan's `count`, which `simulate` uses).
#[derive(Debug, Clone, PartialEq)]
pub struct CountToken {
    /// The group's resource name.
    pub group: String,
    /// The token (`@@heat_sync_count_2@@`; ending in `@@`, so none is a prefix of another).
    pub token: String,
    /// The group's `count` as the template writes it.
    pub expr: Value,
}

/// The [`CountToken`]s of `plan`'s gathers.
pub fn count_tokens(a: &Analysis, plan: &ServerPlan) -> Vec<CountToken> {
    fn groups<'p>(source: &'p InputSource, out: &mut Vec<&'p str>) {
        match source {
            InputSource::Gather { group, .. } => out.push(group),
            InputSource::Expression { args, .. } => args.iter().for_each(|s| groups(s, out)),
            _ => {}
        }
    }
    let mut names = Vec::new();
    for input in plan.roles.iter().flat_map(|r| &r.inputs) {
        groups(&input.source, &mut names);
    }
    names.sort_unstable();
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let si = a.server(name)?;
            let g = a.servers[si].group.as_ref()?;
            (g.kind == GroupKind::ResourceGroup && !g.count_is_literal()).then(|| CountToken {
                group: name.to_string(),
                token: format!("@@heat_sync_count_{si}@@"),
                expr: g.count_expr.clone(),
            })
        })
        .collect()
}

/// The plan as one line of JSON, the count of each gather over a group of `counts`
/// written as its bare token (`"count":@@heat_sync_count_2@@`), where Heat's substitution
/// puts the number.
pub fn plan_text(plan: &ServerPlan, counts: &[CountToken]) -> String {
    if counts.is_empty() {
        return serde_json::to_string(plan).expect("a plan serializes");
    }
    fn set(v: &mut Value, counts: &[CountToken]) {
        match v {
            Value::Object(m) => {
                if m.get("kind").and_then(Value::as_str) == Some("gather") {
                    let group = m.get("group").and_then(Value::as_str);
                    if let Some(c) = counts.iter().find(|c| Some(c.group.as_str()) == group) {
                        m.insert("count".into(), Value::String(c.token.clone()));
                    }
                }
                m.values_mut().for_each(|x| set(x, counts));
            }
            Value::Array(items) => items.iter_mut().for_each(|x| set(x, counts)),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(plan).expect("a plan serializes");
    set(&mut v, counts);
    let mut text = serde_json::to_string(&v).expect("a plan serializes");
    for c in counts {
        text = text.replace(&format!("\"{}\"", c.token), &c.token);
    }
    text
}

/// The server plan of coordinated server `si` with placeholder tokens, and its
/// Heat-resolved inputs (their sources are `Static` with the token as value).
pub fn server_plan(a: &Analysis, si: usize) -> (ServerPlan, Vec<HeatValue>) {
    let c = &a.servers[si];
    let mut values = Vec::new();
    let roles = roles(a, si, |expr, secret, known| {
        let token = format!("@@heat_sync_v{}@@", values.len());
        values.push(HeatValue {
            token: token.clone(),
            expr: expr.clone(),
            secret,
            known: known.cloned(),
        });
        InputSource::Static { value: Value::String(token), secret }
    });
    let member = member_token(c);
    let server = match &member {
        Some(m) => ServerId::member(&c.resource, m),
        None => ServerId::plain(&c.resource),
    };
    let mut headers = Map::new();
    headers.insert("X-Auth-Token".into(), Value::String(SIGNAL_TOKEN.into()));
    let credentials = credentials(&a.source, c);
    let plan = ServerPlan {
        format: SERVER_PLAN_FORMAT.into(),
        version: ServerPlan::version_for(Some(&credentials)),
        server,
        tool: c.tool,
        roles,
        coordinator: CoordinatorConfig {
            address: COORDINATOR.into(),
            namespace: format!("/heat-sync/{STACK_ID}"),
            credentials: Some(credentials),
        },
        signal: Some(SignalConfig { url: SIGNAL_URL.into(), headers }),
    };
    (plan, values)
}
