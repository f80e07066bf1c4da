//! The stack-wide view and administration: `heat-sync status`, `coordinator init` and
//! `coordinator remove`.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Client;
use crate::plan::{InputSource, ServerId, StackPlan, ValueKey};
use crate::protocol::layout::decode_segment;
use crate::protocol::{Liveness, Node, Record, RoleStatus};
use crate::store::driver::{Answer, Call};
use crate::store::{Access, CoordinatorError, Dir, NodeKind, StoreError};
use crate::{Result, Value};

/// Self-published attributes every coordinated server's agent publishes at boot.
const SELF_ATTRIBUTES: [&str; 2] = ["first_address", "name"];

/// One value of the stack as `heat-sync status` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueState {
    /// The key (`db.db_host`).
    pub key: String,
    /// Its producer (`db/mysql`), when the stack plan names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub producer: Option<String>,
    /// The latest version, `None` while unpublished.
    pub version: Option<u64>,
    /// The value; `"******"` when secret, `None` while unpublished or failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// The producer's error when its role failed before publishing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
    /// The consumers (`web/wordpress`) that need it, from the stack plan.
    pub consumers: Vec<String>,
}

/// One role of the stack.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleState {
    /// The server (`web.0`).
    pub server: String,
    /// The role.
    pub role: String,
    /// Its status (`pending` when never reported).
    pub status: RoleStatus,
}

/// Everything `heat-sync status` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StackStatus {
    /// The namespace.
    pub namespace: String,
    /// Whether `coordinator init` seeded the stack plan.
    pub seeded: bool,
    /// Every value known from the plan or found in the coordinator, by key.
    pub values: Vec<ValueState>,
    /// Every role, in plan order (then any found only in the coordinator).
    pub roles: Vec<RoleState>,
    /// The servers whose agent is alive now.
    pub alive: Vec<String>,
}

impl StackStatus {
    /// The consumers of `key` whose role is not finished: those waiting (or about to).
    pub fn waiting(&self, value: &ValueState) -> Vec<String> {
        if value.version.is_some() {
            return vec![];
        }
        value
            .consumers
            .iter()
            .filter(|c| {
                !self.roles.iter().any(|r| {
                    format!("{}/{}", r.server, r.role) == **c
                        && matches!(r.status, RoleStatus::Done | RoleStatus::Failed { .. })
                })
            })
            .cloned()
            .collect()
    }
}

/// The servers of a plan entry: the server itself, or each member of a group whose
/// count is known (AutoScalingGroup members are found in the coordinator).
fn members(plan_server: &crate::plan::StackServer, found: &[ServerId]) -> Vec<ServerId> {
    match (&plan_server.group, &plan_server.server.member) {
        (Some(g), _) => match g.count {
            Some(n) => (0..n)
                .map(|i| ServerId::member(&plan_server.server.resource, i.to_string()))
                .collect(),
            None => found
                .iter()
                .filter(|s| s.resource == plan_server.server.resource)
                .cloned()
                .collect(),
        },
        (None, _) => vec![plan_server.server.clone()],
    }
}

impl Client {
    fn list(&self, path: &str) -> Result<Vec<String>, StoreError> {
        match self.call(Call::List(path.to_string()))? {
            Answer::Children(c) => Ok(c),
            _ => Ok(vec![]),
        }
    }

    fn fetch(&self, path: &str) -> Result<Option<Node>, StoreError> {
        match self.call(Call::Fetch(path.to_string()))? {
            Answer::Node(n) => Ok(n),
            _ => Ok(None),
        }
    }

    /// Walks `dir/<server>/<leaf>` and `dir/<group>/<member>/<leaf>`: every leaf node
    /// with its server.
    fn walk(&self, dir: &str) -> Result<Vec<(ServerId, String, String, Node)>, StoreError> {
        let mut out = Vec::new();
        for first in self.list(dir)? {
            let first_path = format!("{dir}/{first}");
            let resource = decode_segment(&first).unwrap_or(first.clone());
            for second in self.list(&first_path)? {
                let second_path = format!("{first_path}/{second}");
                let second_name = decode_segment(&second).unwrap_or(second.clone());
                // A group member's directory is a node too (with ZooKeeper), but empty:
                // every value and status record has content.
                if let Some(node) = self.fetch(&second_path)?.filter(|n| !n.data.is_empty()) {
                    out.push((ServerId::plain(&resource), second_name, second_path, node));
                    continue;
                }
                for third in self.list(&second_path)? {
                    let path = format!("{second_path}/{third}");
                    if let Some(node) = self.fetch(&path)? {
                        let leaf = decode_segment(&third).unwrap_or(third.clone());
                        out.push((ServerId::member(&resource, &second_name), leaf, path, node));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The stack plan seeded by `coordinator init`, if any.
    pub fn stack_plan(&self) -> Result<Option<StackPlan>> {
        let path = self.layout().plan();
        match self.fetch(&path)? {
            None => Ok(None),
            Some(node) => {
                let text = String::from_utf8_lossy(&node.data);
                Ok(Some(StackPlan::from_json(&format!("coordinator node {path}"), &text)?))
            }
        }
    }

    /// Every value, waiter, role state and live agent of the stack. Values the plan
    /// marks secret show as `******`; without a seeded plan no value is shown.
    pub fn status(&self) -> Result<StackStatus> {
        let l = self.layout().clone();
        let plan = self.stack_plan()?;
        let found_values = self.walk(&l.values_dir())?;
        let found_roles = self.walk(&l.roles_dir())?;
        let found_servers: Vec<ServerId> = found_values.iter().map(|v| v.0.clone()).collect();

        #[derive(Default)]
        struct Info {
            producer: Option<String>,
            secret: bool,
            consumers: Vec<String>,
        }
        let mut infos: BTreeMap<ValueKey, Info> = BTreeMap::new();
        let mut roles: Vec<RoleState> = Vec::new();
        if let Some(plan) = &plan {
            for s in &plan.servers {
                let servers = members(s, &found_servers);
                for server in &servers {
                    for role in &s.roles {
                        roles.push(RoleState {
                            server: server.to_string(),
                            role: role.name.clone(),
                            status: RoleStatus::Pending,
                        });
                        for o in &role.outputs {
                            let key = ValueKey { server: server.clone(), output: o.name.clone() };
                            let info = infos.entry(key).or_default();
                            info.producer = Some(format!("{server}/{}", role.name));
                            info.secret = o.secret;
                        }
                        for input in &role.inputs {
                            let consumer = format!("{server}/{}", role.name);
                            let mut keys: Vec<ValueKey> = Vec::new();
                            for awaited in input.source.awaited() {
                                keys.extend(match awaited {
                                    InputSource::Static { .. } | InputSource::Expression { .. } => {
                                        vec![]
                                    }
                                    InputSource::Wait { key, producer } => {
                                        let info = infos.entry(key.clone()).or_default();
                                        info.producer.get_or_insert_with(|| producer.to_string());
                                        vec![key.clone()]
                                    }
                                    InputSource::Gather { group, output, count, .. } => {
                                        let group_members: Vec<ServerId> = match count {
                                            Some(n) => (0..*n)
                                                .map(|i| ServerId::member(group, i.to_string()))
                                                .collect(),
                                            None => found_servers
                                                .iter()
                                                .filter(|x| &x.resource == group)
                                                .cloned()
                                                .collect(),
                                        };
                                        group_members
                                            .into_iter()
                                            .map(|m| ValueKey { server: m, output: output.clone() })
                                            .collect()
                                    }
                                });
                            }
                            for key in keys {
                                let info = infos.entry(key).or_default();
                                if !info.consumers.contains(&consumer) {
                                    info.consumers.push(consumer.clone());
                                }
                            }
                        }
                    }
                }
            }
        }
        let mut published: BTreeMap<ValueKey, (u64, Result<Record, String>)> = BTreeMap::new();
        for (server, output, path, node) in found_values {
            let record = Record::decode(&path, &node.data).map_err(|e| e.to_string());
            let key = ValueKey { server, output };
            infos.entry(key.clone()).or_default();
            published.insert(key, (node.version, record));
        }
        let values = infos
            .into_iter()
            .map(|(key, info)| {
                let found = published.get(&key);
                let (value, failed) = match found.map(|f| &f.1) {
                    Some(Ok(Record::Value(v))) if plan.is_some() => {
                        let shown = if info.secret { Value::from("******") } else { v.clone() };
                        (Some(shown), None)
                    }
                    Some(Ok(Record::Value(_))) => (Some(Value::from("******")), None),
                    Some(Ok(Record::Failed(f))) => (None, Some(f.error.clone())),
                    Some(Err(e)) => (None, Some(e.clone())),
                    None => (None, None),
                };
                let version = match found {
                    Some((v, Ok(Record::Value(_)))) => Some(*v),
                    _ => None,
                };
                let producer = info.producer.or_else(|| {
                    SELF_ATTRIBUTES
                        .contains(&key.output.as_str())
                        .then(|| format!("{} (agent)", key.server))
                });
                ValueState {
                    key: key.to_string(),
                    producer,
                    version,
                    value,
                    failed,
                    consumers: info.consumers,
                }
            })
            .collect();
        for (server, role, path, node) in found_roles {
            let status = RoleStatus::decode(&path, &node.data)
                .unwrap_or_else(|e| RoleStatus::Failed { error: e.to_string() });
            let name = server.to_string();
            match roles.iter_mut().find(|r| r.server == name && r.role == role) {
                Some(r) => r.status = status,
                None => roles.push(RoleState { server: name, role, status }),
            }
        }
        let mut alive = Vec::new();
        for name in self.list(&l.live_dir())? {
            let path = format!("{}/{name}", l.live_dir());
            if let Some(node) = self.fetch(&path)? {
                if Liveness::decode(&path, &node.data).is_ok() {
                    alive.push(decode_segment(&name).unwrap_or(name));
                }
            }
        }
        Ok(StackStatus {
            namespace: l.root().to_string(),
            seeded: plan.is_some(),
            values,
            roles,
            alive,
        })
    }

    /// Seeds the stack's namespace from its stack plan: the shared directories, one
    /// directory per server writable by that server only, and the plan itself.
    pub fn init_stack(&self, plan: &StackPlan) -> Result<()> {
        let l = self.layout().clone();
        let mut dirs: Vec<(String, Dir)> = vec![
            (l.root().into(), Dir::Shared),
            (l.values_dir(), Dir::Shared),
            (l.roles_dir(), Dir::Shared),
            (l.live_dir(), Dir::Joint),
        ];
        for s in &plan.servers {
            // A group's directories belong to the group: its members (which share the
            // group's identity) add their own inside.
            let owner = Dir::Owned(s.server.resource.clone());
            if s.group.is_some() {
                dirs.push((l.group_values(&s.server.resource), owner.clone()));
                dirs.push((
                    format!(
                        "{}/{}",
                        l.roles_dir(),
                        crate::protocol::layout::encode_segment(&s.server.resource)
                    ),
                    owner.clone(),
                ));
            }
            for server in members(s, &[]) {
                dirs.push((l.server_values(&server), owner.clone()));
                dirs.push((l.server_roles(&server), owner.clone()));
            }
        }
        self.call(Call::Prepare(dirs))?;
        self.call(Call::Put(
            l.plan(),
            plan.to_json().into_bytes(),
            NodeKind::Persistent(Access::Stack),
        ))?;
        Ok(())
    }

    /// Removes the stack's namespace and everything in it. With ZooKeeper this needs the
    /// stack secret: the session also acts as each server whose directory it finds, to
    /// remove what that server created.
    pub fn remove_stack(&self) -> Result<()> {
        let l = self.layout();
        let mut resources = Vec::new();
        for dir in [l.values_dir(), l.roles_dir()] {
            for child in self.list(&dir)? {
                let resource = decode_segment(&child).unwrap_or(child);
                if !resources.contains(&resource) {
                    resources.push(resource);
                }
            }
        }
        self.call(Call::ActAs(resources))?;
        self.call(Call::Delete(l.root().to_string()))?;
        Ok(())
    }

    /// Fails with [`CoordinatorError::NotInitialized`] when no stack plan was seeded.
    pub fn require_seeded(&self) -> Result<StackPlan> {
        self.stack_plan()?.ok_or_else(|| {
            CoordinatorError::NotInitialized { namespace: self.layout().root().into() }.into()
        })
    }
}
