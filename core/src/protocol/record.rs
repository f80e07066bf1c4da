//! The bytes stored in coordinator nodes, and their decoding.
//!
//! Every node holds one small JSON document. Decoding never panics: anything else is a
//! [`DecodeError`] naming the node, so a corrupt or foreign node cannot crash an agent.

use serde::{Deserialize, Serialize};

use crate::Value;

/// The content of one version of a value node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    /// The published value.
    Value(Value),
    /// The producing role failed before publishing: waits end at once with this error.
    Failed(Failure),
}

/// Why a value will not come: the producing role failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The role that failed (`mysql`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// Its error message.
    pub error: String,
}

/// The state of one role on one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum RoleStatus {
    /// Not started yet.
    Pending,
    /// Running now (possibly blocked on an input).
    Running,
    /// Finished; its outputs are published.
    Done,
    /// Failed; its unpublished outputs carry the error.
    Failed {
        /// The error message.
        error: String,
    },
}

impl RoleStatus {
    /// `pending`, `running`, `done` or `failed`.
    pub fn name(&self) -> &'static str {
        match self {
            RoleStatus::Pending => "pending",
            RoleStatus::Running => "running",
            RoleStatus::Done => "done",
            RoleStatus::Failed { .. } => "failed",
        }
    }
}

/// What a liveness node says about the agent holding it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Liveness {
    /// The agent's process id.
    pub pid: u32,
    /// When it started, in seconds since the Unix epoch.
    pub since: u64,
}

/// A node whose bytes are not what its place in the layout requires.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("coordinator node {path}: cannot decode: {message}")]
pub struct DecodeError {
    /// The node.
    pub path: String,
    /// What is wrong.
    pub message: String,
}

fn decode<T: serde::de::DeserializeOwned>(path: &str, bytes: &[u8]) -> Result<T, DecodeError> {
    serde_json::from_slice(bytes)
        .map_err(|e| DecodeError { path: path.to_string(), message: e.to_string() })
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records always serialize")
}

impl Record {
    /// The bytes stored for this record.
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decodes the bytes of the value node `path`.
    pub fn decode(path: &str, bytes: &[u8]) -> Result<Self, DecodeError> {
        decode(path, bytes)
    }
}

impl RoleStatus {
    /// The bytes stored for this status.
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decodes the bytes of the role node `path`.
    pub fn decode(path: &str, bytes: &[u8]) -> Result<Self, DecodeError> {
        decode(path, bytes)
    }
}

impl Liveness {
    /// The bytes stored for this liveness node.
    pub fn encode(&self) -> Vec<u8> {
        encode(self)
    }

    /// Decodes the bytes of the liveness node `path`.
    pub fn decode(path: &str, bytes: &[u8]) -> Result<Self, DecodeError> {
        decode(path, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_and_reject_garbage() {
        let r = Record::Value(serde_json::json!({"a": [1, "x"]}));
        assert_eq!(Record::decode("/p", &r.encode()).unwrap(), r);
        let f = Record::Failed(Failure { role: Some("mysql".into()), error: "exit 1".into() });
        assert_eq!(
            String::from_utf8(f.encode()).unwrap(),
            r#"{"failed":{"role":"mysql","error":"exit 1"}}"#
        );
        let e = Record::decode("/ns/values/db/x", b"\xff{").unwrap_err();
        assert!(
            e.to_string().starts_with("coordinator node /ns/values/db/x: cannot decode"),
            "{e}"
        );
        let s = RoleStatus::Failed { error: "boom".into() };
        assert_eq!(RoleStatus::decode("/p", &s.encode()).unwrap(), s);
        assert_eq!(String::from_utf8(RoleStatus::Done.encode()).unwrap(), r#"{"state":"done"}"#);
    }
}
