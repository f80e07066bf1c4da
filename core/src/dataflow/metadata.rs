//! Parsing the `heat_sync` metadata sections into [`Coordinated`] servers.
//!
//! A section is read on `OS::Nova::Server` and `AWS::EC2::Instance` resources
//! (`metadata` / `Metadata`) and on the member definitions of `OS::Heat::ResourceGroup`
//! (`properties.resource_def.metadata`) and `OS::Heat::AutoScalingGroup`
//! (`properties.resource.metadata`). Every problem names its place.

use super::path;
use super::problem::{Code, Problem};
use super::source::{Dialect, Param, Source};
use crate::plan::{AttrPath, Publish, Tool};
use crate::{Map, Value};

/// Server resource types that can carry `heat_sync` metadata.
pub const SERVER_TYPES: &[&str] = &["OS::Nova::Server", "AWS::EC2::Instance"];

/// The default role timeout in seconds.
pub const DEFAULT_TIMEOUT: u64 = 3600;

/// Attributes of a coordinated server that its agent publishes itself at boot.
pub const AGENT_ATTRIBUTES: &[&str] = &["first_address", "name"];

/// Heat's own attributes of the server types (from Heat 27's resource registry).
pub fn heat_attributes(server_type: &str) -> &'static [&'static str] {
    match server_type {
        "OS::Nova::Server" => &[
            "accessIPv4",
            "accessIPv6",
            "addresses",
            "console_urls",
            "first_address",
            "instance_name",
            "name",
            "networks",
            "os_collect_config",
            "show",
            "tags",
        ],
        "AWS::EC2::Instance" => &[
            "AvailabilityZone",
            "PrivateDnsName",
            "PrivateIp",
            "PublicDnsName",
            "PublicIp",
            "show",
        ],
        _ => &[],
    }
}

/// The group a coordinated member definition belongs to.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupKind {
    /// `OS::Heat::ResourceGroup`: members `0..count`, gathers in index order.
    ResourceGroup,
    /// `OS::Heat::AutoScalingGroup`: the current members, gathers as a set.
    AutoScalingGroup,
}

impl GroupKind {
    /// The Heat resource type.
    pub fn type_name(&self) -> &'static str {
        match self {
            GroupKind::ResourceGroup => "OS::Heat::ResourceGroup",
            GroupKind::AutoScalingGroup => "OS::Heat::AutoScalingGroup",
        }
    }
}

/// A coordinated group.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// ResourceGroup or AutoScalingGroup.
    pub kind: GroupKind,
    /// The member count when known at compile time.
    pub count: Option<u64>,
    /// The count as the template writes it (for the wait condition's count).
    pub count_expr: Value,
    /// The ResourceGroup's index variable (`%index%` unless `index_var` says otherwise).
    pub index_var: String,
}

impl Group {
    /// True when the member count is written as a number: otherwise it comes from
    /// parameters (or other resources), and a stack created with other parameter values
    /// has another count than [`Group::count`], the one known at compile time.
    pub fn count_is_literal(&self) -> bool {
        !matches!(self.count_expr, Value::Object(_) | Value::Array(_))
    }
}

/// One declared input.
#[derive(Debug, Clone, PartialEq)]
pub struct Input {
    /// The node attribute path.
    pub path: AttrPath,
    /// The path as written.
    pub path_text: String,
    /// The Heat expression bound to it.
    pub expr: Value,
    /// The place of the input.
    pub place: String,
}

/// One declared output.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    /// The attribute name it becomes.
    pub name: String,
    /// The node attribute path it is read from.
    pub path: AttrPath,
    /// When it is published.
    pub publish: Publish,
    /// Never printed.
    pub secret: bool,
    /// The place of the output.
    pub place: String,
}

/// One role.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    /// The role name.
    pub name: String,
    /// The place of the role (`...heat_sync.roles[0]`).
    pub place: String,
    /// Chef run list.
    pub run_list: Vec<String>,
    /// Inline script.
    pub run: Option<String>,
    /// Seconds the role may take.
    pub timeout: u64,
    /// Inputs in declaration order.
    pub inputs: Vec<Input>,
    /// Outputs in declaration order.
    pub outputs: Vec<Output>,
}

/// A server resource (or group member definition) with a `heat_sync` section.
#[derive(Debug, Clone, PartialEq)]
pub struct Coordinated {
    /// The resource name.
    pub resource: String,
    /// The server resource type (the member type for a group).
    pub server_type: String,
    /// The group, for a member definition.
    pub group: Option<Group>,
    /// The tool running the roles.
    pub tool: Tool,
    /// The roles in order.
    pub roles: Vec<Role>,
    /// The place of the `heat_sync` section.
    pub place: String,
    /// The place of the member's definition (the resource itself, or
    /// `resources.G.properties.resource_def`), which compile rewrites.
    pub definition_place: Vec<String>,
}

impl Coordinated {
    /// The role producing output `name`, with the output.
    pub fn output(&self, name: &str) -> Option<(&Role, &Output)> {
        self.roles.iter().find_map(|r| r.outputs.iter().find(|o| o.name == name).map(|o| (r, o)))
    }

    /// Every output name, in declaration order.
    pub fn output_names(&self) -> impl Iterator<Item = &str> {
        self.roles.iter().flat_map(|r| r.outputs.iter().map(|o| o.name.as_str()))
    }
}

/// Reads every `heat_sync` section of the template; problems in them are returned
/// beside the servers that could be read. The sections it reads are taken out of
/// `source.template` (moved, not copied, into the servers): the rest of the pipeline
/// works on the servers, and the compiled template drops them.
pub fn read(
    source: &mut Source,
    files: &std::collections::BTreeMap<String, String>,
) -> (Vec<Coordinated>, Vec<Problem>) {
    let mut servers = Vec::new();
    let mut problems = Vec::new();
    let rkey = source.key("resources", "Resources");
    let (tkey, pkey, mkey) = match source.dialect {
        Dialect::Hot => ("type", "properties", "metadata"),
        Dialect::Cfn => ("Type", "Properties", "Metadata"),
    };
    let Source { template, params, .. } = source;
    let Some(resources) = template.get_mut(rkey).and_then(Value::as_object_mut) else {
        return (servers, problems);
    };
    for (name, res) in resources.iter_mut() {
        let rtype = res.get(tkey).and_then(Value::as_str).unwrap_or("").to_string();
        let (def, def_place, group): (Option<&mut Value>, Vec<String>, Option<Group>) =
            match rtype.as_str() {
                "OS::Heat::ResourceGroup" => {
                    let props = res.get(pkey).and_then(Value::as_object);
                    let count_expr =
                        props.and_then(|p| p.get("count")).cloned().unwrap_or(Value::from(1));
                    let index_var = props
                        .and_then(|p| p.get("index_var"))
                        .and_then(Value::as_str)
                        .unwrap_or("%index%")
                        .to_string();
                    let count = static_count(params, &count_expr);
                    let g = Group { kind: GroupKind::ResourceGroup, count, count_expr, index_var };
                    let def = res.get_mut(pkey).and_then(|p| p.get_mut("resource_def"));
                    let place = vec![rkey.into(), name.clone(), pkey.into(), "resource_def".into()];
                    (def, place, Some(g))
                }
                "OS::Heat::AutoScalingGroup" => {
                    let props = res.get(pkey).and_then(Value::as_object);
                    let count_expr = props
                        .and_then(|p| p.get("desired_capacity").or_else(|| p.get("min_size")))
                        .cloned()
                        .unwrap_or(Value::from(0));
                    let count = static_count(params, &count_expr);
                    let g = Group {
                        kind: GroupKind::AutoScalingGroup,
                        count,
                        count_expr,
                        index_var: String::new(),
                    };
                    let def = res.get_mut(pkey).and_then(|p| p.get_mut("resource"));
                    let place = vec![rkey.into(), name.clone(), pkey.into(), "resource".into()];
                    (def, place, Some(g))
                }
                _ => (Some(res), vec![rkey.into(), name.clone()], None),
            };
        let Some(def) = def.and_then(Value::as_object_mut) else { continue };
        // Member definitions are in HOT form (lower-case keys) in both dialects.
        let mkey = if group.is_some() { "metadata" } else { mkey };
        let server_type = if group.is_some() {
            def.get("type").and_then(Value::as_str).unwrap_or("").to_string()
        } else {
            rtype
        };
        let Some(metadata) = def.get_mut(mkey).and_then(Value::as_object_mut) else { continue };
        if !metadata.contains_key("heat_sync") {
            continue;
        }
        let place = format!("{}.{mkey}.heat_sync", def_place.join("."));
        if !SERVER_TYPES.contains(&server_type.as_str()) {
            let what = if group.is_some() {
                format!("a group of {server_type}")
            } else {
                server_type.clone()
            };
            problems.push(Problem::error(
                Code::InvalidMetadata,
                &place,
                format!(
                    "heat_sync is read only on {} (or a group of them), not on {what}",
                    SERVER_TYPES.join(" and ")
                ),
            ));
            continue;
        }
        // Taken out in place, the author's other metadata kept in order.
        let section = metadata.shift_remove("heat_sync").expect("checked above");
        let mut reader = Reader { problems: &mut problems, files };
        if let Some(c) = reader.section(name, &server_type, group, section, &place, def_place) {
            servers.push(c);
        }
    }
    source.server_index =
        servers.iter().enumerate().map(|(i, c)| (c.resource.clone(), i)).collect();
    (servers, problems)
}

fn static_count(params: &std::collections::BTreeMap<String, Param>, expr: &Value) -> Option<u64> {
    match expr {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        Value::Object(m) if m.len() == 1 => {
            let (f, arg) = m.iter().next()?;
            if f != "get_param" && f != "Ref" {
                return None;
            }
            let p = params.get(arg.as_str()?)?;
            if p.hidden {
                return None;
            }
            static_count(params, p.value.as_ref()?)
        }
        _ => None,
    }
}

struct Reader<'a> {
    problems: &'a mut Vec<Problem>,
    files: &'a std::collections::BTreeMap<String, String>,
}

impl Reader<'_> {
    fn bad(&mut self, place: &str, message: impl Into<String>) {
        self.problems.push(Problem::error(Code::InvalidMetadata, place, message.into()));
    }

    fn section(
        &mut self,
        resource: &str,
        server_type: &str,
        group: Option<Group>,
        section: Value,
        place: &str,
        definition_place: Vec<String>,
    ) -> Option<Coordinated> {
        let Value::Object(mut map) = section else {
            self.bad(place, "heat_sync must be a mapping with `roles` (and optionally `tool`)");
            return None;
        };
        for k in map.keys() {
            if k != "tool" && k != "roles" {
                self.bad(
                    &format!("{place}.{k}"),
                    format!("unknown key {k:?} (heat_sync takes `tool` and `roles`)"),
                );
            }
        }
        let tool = match map.get("tool") {
            None => Tool::Chef,
            Some(Value::String(s)) if s == "chef" => Tool::Chef,
            Some(Value::String(s)) if s == "script" => Tool::Script,
            Some(other) => {
                self.bad(
                    &format!("{place}.tool"),
                    format!("tool must be `chef` or `script`, not {other}"),
                );
                Tool::Chef
            }
        };
        let Some(Value::Array(roles)) = map.remove("roles") else {
            self.bad(&format!("{place}.roles"), "roles must be a list of roles");
            return None;
        };
        let roles = roles
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| self.role(r, &format!("{place}.roles[{i}]"), tool))
            .collect();
        Some(Coordinated {
            resource: resource.into(),
            server_type: server_type.into(),
            group,
            tool,
            roles,
            place: place.into(),
            definition_place,
        })
    }

    fn role(&mut self, role: Value, place: &str, tool: Tool) -> Option<Role> {
        let Value::Object(mut map) = role else {
            self.bad(place, "a role is a mapping with at least `name`");
            return None;
        };
        const KEYS: &[&str] = &["name", "run_list", "run", "inputs", "outputs", "timeout"];
        for k in map.keys().filter(|k| !KEYS.contains(&k.as_str())) {
            self.bad(
                &format!("{place}.{k}"),
                format!("unknown key {k:?} (a role takes {})", KEYS.join(", ")),
            );
        }
        let name = match map.remove("name") {
            Some(Value::String(s)) if !s.is_empty() && !s.contains('/') => s,
            Some(other) => {
                self.bad(
                    &format!("{place}.name"),
                    format!("a role name is a non-empty string without `/`, not {other}"),
                );
                return None;
            }
            None => {
                self.bad(place, "a role needs a `name`");
                return None;
            }
        };
        let run_list = match map.remove("run_list") {
            None => Vec::new(),
            Some(Value::Array(items)) if items.iter().all(Value::is_string) => items
                .into_iter()
                .filter_map(|v| match v {
                    Value::String(s) => Some(s),
                    _ => None,
                })
                .collect(),
            Some(Value::String(s)) => vec![s],
            Some(other) => {
                self.bad(
                    &format!("{place}.run_list"),
                    format!("run_list is a list of strings, not {other}"),
                );
                Vec::new()
            }
        };
        let has_run = map.contains_key("run");
        let run = match map.remove("run") {
            None => None,
            Some(Value::String(s)) => Some(s),
            Some(Value::Object(m)) if m.len() == 1 && m.contains_key("get_file") => {
                let file = m["get_file"].as_str().unwrap_or("");
                match self.files.get(file) {
                    Some(text) => Some(text.clone()),
                    None => {
                        self.bad(&format!("{place}.run"), format!("get_file {file:?} is not in the files map (give it with --file {file}=PATH)"));
                        None
                    }
                }
            }
            Some(other) => {
                self.bad(
                    &format!("{place}.run"),
                    format!("run is an inline script or a get_file, not {other}"),
                );
                None
            }
        };
        match tool {
            Tool::Chef if run.is_some() => self.bad(
                &format!("{place}.run"),
                "`run` is for tool script; a chef role has a run_list",
            ),
            Tool::Script if !run_list.is_empty() => self.bad(
                &format!("{place}.run_list"),
                "`run_list` is for tool chef; a script role has `run`",
            ),
            Tool::Script if run.is_none() && !has_run => {
                self.bad(place, "a script role needs `run`")
            }
            _ => {}
        }
        let timeout = match map.get("timeout") {
            None => DEFAULT_TIMEOUT,
            Some(v) => match v.as_u64().or_else(|| v.as_str().and_then(|s| s.parse().ok())) {
                Some(t) if t > 0 => t,
                _ => {
                    self.bad(
                        &format!("{place}.timeout"),
                        format!("timeout is a positive number of seconds, not {v}"),
                    );
                    DEFAULT_TIMEOUT
                }
            },
        };
        let inputs = self.inputs(map.remove("inputs"), &format!("{place}.inputs"));
        let outputs = self.outputs(map.remove("outputs"), &format!("{place}.outputs"));
        Some(Role { name, place: place.into(), run_list, run, timeout, inputs, outputs })
    }

    fn inputs(&mut self, v: Option<Value>, place: &str) -> Vec<Input> {
        let map: Map = match v {
            None => return Vec::new(),
            Some(Value::Object(m)) => m,
            Some(other) => {
                self.bad(place, format!("inputs map node attribute paths to values, not {other}"));
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (k, expr) in map {
            let iplace = format!("{place}.{k}");
            match path::parse(&k) {
                Ok(path) => out.push(Input { path, path_text: k, expr, place: iplace }),
                Err(e) => self.bad(&iplace, e),
            }
        }
        out
    }

    fn outputs(&mut self, v: Option<Value>, place: &str) -> Vec<Output> {
        let map: Map = match v {
            None => return Vec::new(),
            Some(Value::Object(m)) => m,
            Some(other) => {
                self.bad(
                    place,
                    format!("outputs map attribute names to node attribute paths, not {other}"),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (name, spec) in map {
            let oplace = format!("{place}.{name}");
            if AGENT_ATTRIBUTES.contains(&name.as_str()) {
                self.bad(
                    &oplace,
                    format!("{name} is published by the agent itself; choose another output name"),
                );
                continue;
            }
            // `name: path`, `name: [keys]`, or `name: {path: ..., publish: on_write, secret: true}`.
            let (pathv, publish, secret) = match spec {
                Value::Object(m) => {
                    for k in
                        m.keys().filter(|k| !["path", "publish", "secret"].contains(&k.as_str()))
                    {
                        self.bad(
                            &format!("{oplace}.{k}"),
                            format!("unknown key {k:?} (an output takes path, publish, secret)"),
                        );
                    }
                    let publish = match m.get("publish").and_then(Value::as_str) {
                        None | Some("on_finish") => Publish::OnFinish,
                        Some("on_write") => Publish::OnWrite,
                        Some(o) => {
                            self.bad(
                                &format!("{oplace}.publish"),
                                format!("publish is on_finish or on_write, not {o:?}"),
                            );
                            Publish::OnFinish
                        }
                    };
                    let secret = m.get("secret").and_then(Value::as_bool).unwrap_or(false);
                    (m.get("path").cloned().unwrap_or(Value::Null), publish, secret)
                }
                other => (other.clone(), Publish::OnFinish, false),
            };
            match path::parse_value(&pathv) {
                Ok(path) => {
                    out.push(Output { name: name.clone(), path, publish, secret, place: oplace })
                }
                Err(e) => self.bad(&oplace, e),
            }
        }
        out
    }
}
