//! The files handed from compile time to run time (contracts.md, docs/plan.md).
//!
//! - The **stack plan** (`"format": "heat-sync/stack-plan"`) is written by
//!   `heat-sync compile --plan-out` and seeded into the coordinator by
//!   `heat-sync coordinator init` or the Heat lifecycle plugin: who produces what, who
//!   waits for what, the roles of every server.
//! - The **server plan** (`"format": "heat-sync/server-plan"`) is written on each server
//!   by the generated user-data (mode 0600) and read by the agent and the gem: that
//!   server's roles in order, each input static or awaited, its outputs, and how to reach
//!   the coordinator.
//!
//! Neither holds an administrator credential. Readers reject other formats and versions
//! with a [`PlanError`] that names the file.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{Map, Value};

pub mod expression;

/// The `format` value of a stack plan.
pub const STACK_PLAN_FORMAT: &str = "heat-sync/stack-plan";
/// The `format` value of a server plan.
pub const SERVER_PLAN_FORMAT: &str = "heat-sync/server-plan";
/// The stack plan's `version`, and the server plan's when its credentials hold the stack
/// secret (or none).
pub const PLAN_VERSION: u32 = 1;
/// The server plan's `version` when its credentials are derived ([`Credentials::derived`]):
/// a reader that knows only version 1 refuses it clearly instead of missing the secret.
pub const DERIVED_PLAN_VERSION: u32 = 2;

/// Errors reading or validating a plan file.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlanError {
    /// The file is not valid JSON or does not have the plan's shape.
    #[error("{file}: not a valid {expected}: {message}")]
    Malformed {
        /// The plan file (or `<memory>`).
        file: String,
        /// The expected format (`heat-sync/server-plan`, ...).
        expected: &'static str,
        /// What is wrong, with its JSON path when known.
        message: String,
    },
    /// The `format` field names another kind of file.
    #[error("{file}: format is {found:?}, expected {expected:?}")]
    WrongFormat {
        /// The plan file.
        file: String,
        /// The format this reader wants.
        expected: &'static str,
        /// The format the file declares.
        found: String,
    },
    /// The `version` field is one this build does not know.
    #[error("{file}: plan version {found} is not supported (this heat-sync reads {supported})")]
    UnsupportedVersion {
        /// The plan file.
        file: String,
        /// The version the file declares.
        found: u64,
        /// The versions this build reads, in words.
        supported: &'static str,
    },
    /// An input's expression could not be evaluated (Heat's error, as Heat words it).
    #[error("{place}: {message}")]
    Expression {
        /// The input's place in the template.
        place: String,
        /// What failed.
        message: String,
    },
    /// A field is present but its value cannot work (e.g. an empty namespace).
    #[error("{file}: {field}: {message}")]
    Invalid {
        /// The plan file.
        file: String,
        /// The JSON path of the field.
        field: String,
        /// What is wrong.
        message: String,
    },
}

/// One coordinated server: a plain server resource, or one member of a group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ServerId {
    /// The resource name in the template (the group's name for a group member).
    pub resource: String,
    /// The member index inside a ResourceGroup, or the member's name inside an
    /// AutoScalingGroup; `None` for a plain server.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub member: Option<String>,
}

impl ServerId {
    /// A plain (non-group) server.
    pub fn plain(resource: impl Into<String>) -> Self {
        ServerId { resource: resource.into(), member: None }
    }

    /// A member of a group.
    pub fn member(group: impl Into<String>, member: impl Into<String>) -> Self {
        ServerId { resource: group.into(), member: Some(member.into()) }
    }
}

impl fmt::Display for ServerId {
    /// `db` for a plain server, `web.3` for a group member (as in `resource.3`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.member {
            None => write!(f, "{}", self.resource),
            Some(m) => write!(f, "{}.{}", self.resource, m),
        }
    }
}

/// The coordinator key of one published value: an output (or a self-published
/// attribute such as `first_address`) of one server.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ValueKey {
    /// The producing server.
    pub server: ServerId,
    /// The attribute name (`db_host`, `first_address`, ...).
    pub output: String,
}

impl fmt::Display for ValueKey {
    /// `db.db_host`, `web.0.url`: the form used in messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.server, self.output)
    }
}

/// A Chef node attribute path, one entry per key (`a.b\.c.0` is `["a", "b.c", "0"]`).
/// A segment that is a whole number indexes an array.
pub type AttrPath = Vec<String>;

/// The configuration tool that runs a server's roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tool {
    /// chef-solo with the heat_sync gem (the default).
    #[default]
    Chef,
    /// Executables; inputs as environment and a JSON file.
    Script,
}

/// When an output is published (contracts.md "Values").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Publish {
    /// Once, with its final value, when the role finishes.
    #[default]
    OnFinish,
    /// At the first write during the role's run (attribute-file defaults never publish).
    OnWrite,
}

/// Where the producer of an awaited value runs, for messages
/// (`waiting 12 s for db.db_host from db/mysql`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Producer {
    /// The producing server (for a gather: the group).
    pub server: ServerId,
    /// The producing role; `None` for attributes the agent publishes at boot
    /// (`first_address`, `name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl fmt::Display for Producer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.role {
            Some(r) => write!(f, "{}/{}", self.server, r),
            None => write!(f, "{} (agent)", self.server),
        }
    }
}

/// How an input gets its value on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum InputSource {
    /// Known before the role runs: a literal, a parameter resolved at compile time, or a
    /// value Heat substituted into the user-data at deploy time. In the stack plan (written
    /// before Heat runs), a Heat-resolved input is a `Static` whose value is the Heat
    /// expression as the template writes it (`{"get_param": "db_password"}`).
    Static {
        /// The value.
        value: Value,
        /// True when the value comes from a hidden parameter or is otherwise secret:
        /// it is never printed.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        secret: bool,
    },
    /// One value published by another server.
    Wait {
        /// The coordinator key.
        key: ValueKey,
        /// Who produces it.
        producer: Producer,
    },
    /// Every member's value of a group output, in member order (a gather).
    Gather {
        /// The group resource name.
        group: String,
        /// The output (or self-published attribute) of each member.
        output: String,
        /// The producing role inside each member, for messages.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role: Option<String>,
        /// ResourceGroup: the member count known at compile time (members `0..count`).
        /// `None` for an AutoScalingGroup, whose members are the current ones.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        count: Option<u64>,
    },
    /// A Heat expression over run-time values, evaluated on the server with the core's
    /// function evaluator once every argument has arrived ([`expression`]).
    Expression {
        /// The template version whose functions evaluate it, as Heat's plugin keys write
        /// it: `heat_template_version.2016-10-14`, `AWSTemplateFormatVersion.2010-09-09`.
        template_version: String,
        /// The expression in template syntax, holding only functions that need nothing
        /// but their arguments (`str_replace`, `list_join`, `yaql`, ...). Argument `N`
        /// appears as `{"get_attr": ["heat_sync_args", "N"]}` (`Fn::GetAtt` in CFN), so
        /// Heat's parser sees a function call where the template had one.
        expression: Value,
        /// The arguments in order: `Static` (literals, compile-time and Heat-resolved
        /// values), `Wait` or `Gather` sources; never `Expression`.
        args: Vec<InputSource>,
    },
}

impl InputSource {
    /// The sources this one waits for through the coordinator: itself for `Wait` and
    /// `Gather`, an expression's run-time arguments, nothing for `Static`.
    pub fn awaited(&self) -> Vec<&InputSource> {
        match self {
            InputSource::Static { .. } => Vec::new(),
            InputSource::Wait { .. } | InputSource::Gather { .. } => vec![self],
            InputSource::Expression { args, .. } => {
                args.iter().flat_map(InputSource::awaited).collect()
            }
        }
    }

    /// True when the value is known before the role runs (no wait).
    pub fn is_static(&self) -> bool {
        matches!(self, InputSource::Static { .. })
    }

    /// True when the value (or a part of it) comes from a hidden parameter.
    pub fn is_secret(&self) -> bool {
        match self {
            InputSource::Static { secret, .. } => *secret,
            InputSource::Wait { .. } | InputSource::Gather { .. } => false,
            InputSource::Expression { args, .. } => args.iter().any(InputSource::is_secret),
        }
    }
}

/// One declared input of a role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanInput {
    /// The node attribute path the value is placed at (force_override for Chef).
    pub path: AttrPath,
    /// The place in the source template, for messages.
    pub place: String,
    /// Where the value comes from.
    pub source: InputSource,
}

/// One declared output of a role.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanOutput {
    /// The attribute name the output becomes on its resource.
    pub name: String,
    /// The node attribute path it is read from.
    pub path: AttrPath,
    /// When it is published.
    #[serde(default)]
    pub publish: Publish,
    /// True when the value must never be printed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret: bool,
}

/// One role as a server runs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanRole {
    /// The role name, unique on its server.
    pub name: String,
    /// Chef run list (tool `chef`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub run_list: Vec<String>,
    /// Inline script (tool `script`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run: Option<String>,
    /// Seconds the role may take, waits included.
    pub timeout: u64,
    /// Inputs in declaration order.
    #[serde(default)]
    pub inputs: Vec<PlanInput>,
    /// Outputs in declaration order.
    #[serde(default)]
    pub outputs: Vec<PlanOutput>,
}

/// The credentials a session uses with the coordinator (docs/plan.md, "Credentials").
///
/// Two shapes, both digest identities with ZooKeeper (`store::identity`):
/// - **derived** (server plans of HOT 2015-04-30 and later, version 2): `password` is this
///   server's own password and `read_password` the stack's read password, both computed
///   by Heat from the stack secret; the plan holds no secret that opens another server's
///   nodes;
/// - **stack secret** (older HOT, CFN, administrators): `secret` is the stack secret,
///   from which the store derives the same identities itself.
///
/// Never printed.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// The coordinated resource whose identity this is (`db`; a group member's is its
    /// group, `web`); informative with a stack secret.
    pub user: String,
    /// The stack secret (`heat_sync_secret`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// This resource's derived password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The stack's derived read password.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_password: Option<String>,
}

impl Credentials {
    /// Credentials holding the stack secret (administrators, and servers of templates
    /// whose version has no `digest`).
    pub fn stack_secret(user: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials {
            user: user.into(),
            secret: Some(secret.into()),
            password: None,
            read_password: None,
        }
    }

    /// The derived credentials of coordinated resource `resource` of the stack in
    /// `namespace`: what Heat puts in that server's plan (HOT 2015-04-30 on).
    pub fn derived(namespace: &str, secret: &str, resource: &str) -> Self {
        let ids = crate::store::identity::Identities::new(namespace, secret);
        Credentials {
            user: resource.to_string(),
            secret: None,
            password: Some(ids.server_password(resource)),
            read_password: Some(ids.read_password()),
        }
    }

    /// True for derived credentials (no stack secret).
    pub fn is_derived(&self) -> bool {
        self.secret.is_none()
    }

    /// Checks that exactly one shape is given; `Err` says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        match (&self.secret, &self.password, &self.read_password) {
            (Some(_), None, None) | (None, Some(_), Some(_)) => Ok(()),
            (Some(_), _, _) => {
                Err("give either `secret` or `password` and `read_password`, not both".into())
            }
            (None, _, _) => Err("needs `secret`, or both `password` and `read_password`".into()),
        }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let hide = |o: &Option<String>| o.as_ref().map(|_| "******");
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("secret", &hide(&self.secret))
            .field("password", &hide(&self.password))
            .field("read_password", &hide(&self.read_password))
            .finish()
    }
}

/// How to reach the coordinator and which part of it belongs to the stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoordinatorConfig {
    /// `zk://host:port,host:port/chroot` for ZooKeeper, `embedded:///path/to/dir` for
    /// the embedded store.
    pub address: String,
    /// The stack namespace, `/heat-sync/<stack id>`.
    pub namespace: String,
    /// This server's credentials; `None` where the store needs none (embedded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
}

/// Where the agent reports success or failure to Heat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalConfig {
    /// The wait condition handle's URL (curl-style signal, JSON body).
    pub url: String,
    /// Extra HTTP headers (e.g. `X-Auth-Token`), never printed.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub headers: Map,
}

/// The server plan: everything one server's agent (and the gem) needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerPlan {
    /// Always [`SERVER_PLAN_FORMAT`].
    pub format: String,
    /// [`PLAN_VERSION`], or [`DERIVED_PLAN_VERSION`] when the credentials are derived
    /// (see [`ServerPlan::version_for`]).
    pub version: u32,
    /// This server.
    pub server: ServerId,
    /// The tool that runs the roles.
    #[serde(default)]
    pub tool: Tool,
    /// The roles, in the order they run.
    pub roles: Vec<PlanRole>,
    /// The coordinator.
    pub coordinator: CoordinatorConfig,
    /// Where to signal Heat; `None` in a simulation without Heat.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<SignalConfig>,
}

/// One server's roles in the stack plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackServer {
    /// The server (group members appear once, under the group, with `member` unset).
    pub server: ServerId,
    /// The resource type (`OS::Nova::Server`, ...).
    #[serde(rename = "type")]
    pub resource_type: String,
    /// For a group member definition: `OS::Heat::ResourceGroup` or
    /// `OS::Heat::AutoScalingGroup`, and the member count when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<GroupInfo>,
    /// The tool that runs the roles.
    #[serde(default)]
    pub tool: Tool,
    /// Its roles, in order.
    pub roles: Vec<PlanRole>,
}

/// The group a coordinated member definition belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupInfo {
    /// The group's resource type.
    #[serde(rename = "type")]
    pub group_type: String,
    /// ResourceGroup: the member count known at compile time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
}

/// The stack plan: the whole stack's data flow, seeded into the coordinator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StackPlan {
    /// Always [`STACK_PLAN_FORMAT`].
    pub format: String,
    /// Always [`PLAN_VERSION`].
    pub version: u32,
    /// Every coordinated server (group member definitions once each).
    pub servers: Vec<StackServer>,
}

/// The versions each format's readers accept, and how the error names them.
fn versions(format: &str) -> (&'static [u64], &'static str) {
    if format == SERVER_PLAN_FORMAT {
        (&[PLAN_VERSION as u64, DERIVED_PLAN_VERSION as u64], "versions 1 and 2")
    } else {
        (&[PLAN_VERSION as u64], "version 1")
    }
}

fn check_header(file: &str, doc: &Value, expected: &'static str) -> Result<(), PlanError> {
    let format = doc.get("format").and_then(Value::as_str);
    match format {
        Some(f) if f == expected => {}
        Some(f) => {
            return Err(PlanError::WrongFormat { file: file.into(), expected, found: f.into() })
        }
        None => {
            return Err(PlanError::Malformed {
                file: file.into(),
                expected,
                message: "missing string field `format`".into(),
            })
        }
    }
    let (accepted, supported) = versions(expected);
    match doc.get("version").and_then(Value::as_u64) {
        Some(v) if accepted.contains(&v) => Ok(()),
        Some(v) => Err(PlanError::UnsupportedVersion { file: file.into(), found: v, supported }),
        None => Err(PlanError::Malformed {
            file: file.into(),
            expected,
            message: "missing integer field `version`".into(),
        }),
    }
}

fn parse_plan<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    expected: &'static str,
) -> Result<T, PlanError> {
    let doc: Value = serde_json::from_str(text).map_err(|e| PlanError::Malformed {
        file: file.into(),
        expected,
        message: e.to_string(),
    })?;
    check_header(file, &doc, expected)?;
    // The error names the field it is about (`roles[0].timeout: invalid value ...`).
    serde_path_to_error::deserialize(doc).map_err(|e| PlanError::Malformed {
        file: file.into(),
        expected,
        message: match e.path().to_string().as_str() {
            "." => e.inner().to_string(),
            path => format!("{path}: {}", e.inner()),
        },
    })
}

fn read(path: &Path) -> crate::Result<String> {
    std::fs::read_to_string(path).map_err(|e| crate::Error::io(PathBuf::from(path), e))
}

impl ServerPlan {
    /// The version a server plan with these credentials is written with.
    pub fn version_for(credentials: Option<&Credentials>) -> u32 {
        match credentials {
            Some(c) if c.is_derived() => DERIVED_PLAN_VERSION,
            _ => PLAN_VERSION,
        }
    }

    /// Parses a server plan from JSON text; `file` names it in errors.
    pub fn from_json(file: &str, text: &str) -> Result<Self, PlanError> {
        let plan: ServerPlan = parse_plan(file, text, SERVER_PLAN_FORMAT)?;
        if plan.coordinator.namespace.is_empty() || !plan.coordinator.namespace.starts_with('/') {
            return Err(PlanError::Invalid {
                file: file.into(),
                field: "coordinator.namespace".into(),
                message: "must be an absolute path such as /heat-sync/<stack id>".into(),
            });
        }
        if let Some(c) = &plan.coordinator.credentials {
            c.check().map_err(|message| PlanError::Invalid {
                file: file.into(),
                field: "coordinator.credentials".into(),
                message,
            })?;
        }
        Ok(plan)
    }

    /// Reads a server plan file.
    pub fn load(path: &Path) -> crate::Result<Self> {
        Ok(Self::from_json(&path.display().to_string(), &read(path)?)?)
    }

    /// The plan as pretty JSON (what the user-data writes).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a plan always serializes")
    }
}

impl StackPlan {
    /// Parses a stack plan from JSON text; `file` names it in errors.
    pub fn from_json(file: &str, text: &str) -> Result<Self, PlanError> {
        parse_plan(file, text, STACK_PLAN_FORMAT)
    }

    /// Reads a stack plan file.
    pub fn load(path: &Path) -> crate::Result<Self> {
        Ok(Self::from_json(&path.display().to_string(), &read(path)?)?)
    }

    /// The plan as pretty JSON (what `--plan-out` writes).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a plan always serializes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_other_versions_and_formats() {
        let e =
            ServerPlan::from_json("p.json", r#"{"format":"heat-sync/server-plan","version":3}"#)
                .unwrap_err();
        assert!(matches!(e, PlanError::UnsupportedVersion { found: 3, .. }), "{e}");
        assert!(e.to_string().ends_with("(this heat-sync reads versions 1 and 2)"), "{e}");
        let e = StackPlan::from_json("s.json", r#"{"format":"heat-sync/stack-plan","version":2}"#)
            .unwrap_err();
        assert!(e.to_string().ends_with("(this heat-sync reads version 1)"), "{e}");
        let e = ServerPlan::from_json("p.json", r#"{"format":"heat-sync/stack-plan","version":1}"#)
            .unwrap_err();
        assert!(e.to_string().contains("p.json: format is"), "{e}");
        let e = StackPlan::from_json("s.json", "{").unwrap_err();
        assert!(e.to_string().starts_with("s.json: not a valid heat-sync/stack-plan"), "{e}");
    }

    #[test]
    fn credentials_never_print_their_secret() {
        let c = Credentials::stack_secret("db", "hunter2");
        assert!(!format!("{c:?}").contains("hunter2"));
        let d = Credentials::derived("/heat-sync/x", "hunter2", "db");
        let shown = format!("{d:?}");
        assert!(!shown.contains(d.password.as_deref().unwrap()), "{shown}");
        assert!(!shown.contains(d.read_password.as_deref().unwrap()), "{shown}");
    }

    #[test]
    fn server_plans_take_one_credential_shape() {
        let plan = |creds: &str| {
            format!(
                r#"{{"format":"heat-sync/server-plan","version":2,"server":{{"resource":"db"}},"roles":[],
                "coordinator":{{"address":"zk://h:1","namespace":"/heat-sync/x","credentials":{creds}}}}}"#
            )
        };
        let ok = plan(r#"{"user":"db","password":"p","read_password":"r"}"#);
        assert!(ServerPlan::from_json("p.json", &ok).is_ok());
        for bad in [
            r#"{"user":"db","password":"p"}"#,
            r#"{"user":"db","secret":"s","password":"p","read_password":"r"}"#,
            r#"{"user":"db"}"#,
        ] {
            let e = ServerPlan::from_json("p.json", &plan(bad)).unwrap_err().to_string();
            assert!(e.starts_with("p.json: coordinator.credentials: "), "{e}");
        }
    }

    #[test]
    fn keys_display_as_in_messages() {
        let k = ValueKey { server: ServerId::member("web", "0"), output: "url".into() };
        assert_eq!(k.to_string(), "web.0.url");
        let p = Producer { server: ServerId::plain("db"), role: Some("mysql".into()) };
        assert_eq!(p.to_string(), "db/mysql");
    }
}
