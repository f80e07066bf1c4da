//! Where every piece of a stack lives in the coordinator (docs/protocol.md, "Layout").
//!
//! ```text
//! /heat-sync/<stack id>                       the stack namespace
//!     plan                                    the stack plan (coordinator init)
//!     values/<server>/<output>                one published value (plain server)
//!     values/<group>/<member>/<output>        one published value (group member)
//!     roles/<server>/<role>                   a role's status
//!     roles/<group>/<member>/<role>
//!     live/<server>                           ephemeral: the server's agent is alive
//! ```
//!
//! Every name becomes one path segment: `/` and `%` are percent-encoded, and the
//! segments ZooKeeper refuses (`.`, `..`, empty) are escaped the same way.

use crate::plan::{ServerId, ValueKey};

/// The paths of one stack namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    namespace: String,
}

/// Encodes one name as one path segment (reversible with [`decode_segment`]).
pub fn encode_segment(name: &str) -> String {
    if name.is_empty() {
        return "%".into();
    }
    if name == "." || name == ".." {
        return name.replace('.', "%2E");
    }
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '/' => out.push_str("%2F"),
            '%' => out.push_str("%25"),
            c if c.is_control() => out.push_str(&format!("%{:02X}", c as u32 & 0xff)),
            c => out.push(c),
        }
    }
    out
}

/// Decodes a segment written by [`encode_segment`]; `None` when it is not one.
pub fn decode_segment(segment: &str) -> Option<String> {
    if segment == "%" {
        return Some(String::new());
    }
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = segment.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

impl Layout {
    /// The layout of the namespace `/heat-sync/<stack id>` (any absolute path works).
    pub fn new(namespace: &str) -> Self {
        Layout { namespace: namespace.trim_end_matches('/').to_string() }
    }

    /// The namespace root.
    pub fn root(&self) -> &str {
        &self.namespace
    }

    /// The stack plan node.
    pub fn plan(&self) -> String {
        format!("{}/plan", self.namespace)
    }

    /// The directory of every published value.
    pub fn values_dir(&self) -> String {
        format!("{}/values", self.namespace)
    }

    /// The directory of every role status.
    pub fn roles_dir(&self) -> String {
        format!("{}/roles", self.namespace)
    }

    /// The directory of the liveness nodes.
    pub fn live_dir(&self) -> String {
        format!("{}/live", self.namespace)
    }

    fn server_part(server: &ServerId) -> String {
        match &server.member {
            None => encode_segment(&server.resource),
            Some(m) => format!("{}/{}", encode_segment(&server.resource), encode_segment(m)),
        }
    }

    /// The directory holding one server's values (written only by that server).
    pub fn server_values(&self, server: &ServerId) -> String {
        format!("{}/values/{}", self.namespace, Self::server_part(server))
    }

    /// The directory holding one server's role statuses.
    pub fn server_roles(&self, server: &ServerId) -> String {
        format!("{}/roles/{}", self.namespace, Self::server_part(server))
    }

    /// The directory whose children are the members of a group.
    pub fn group_values(&self, group: &str) -> String {
        format!("{}/values/{}", self.namespace, encode_segment(group))
    }

    /// The node of one published value.
    pub fn value(&self, key: &ValueKey) -> String {
        format!("{}/{}", self.server_values(&key.server), encode_segment(&key.output))
    }

    /// The node of one role's status.
    pub fn role(&self, server: &ServerId, role: &str) -> String {
        format!("{}/{}", self.server_roles(server), encode_segment(role))
    }

    /// The ephemeral node that says a server's agent is alive.
    pub fn live(&self, server: &ServerId) -> String {
        format!("{}/live/{}", self.namespace, encode_segment(&server.to_string()))
    }

    /// The key a value node stands for (the inverse of [`Layout::value`]).
    pub fn key_of(&self, path: &str) -> Option<ValueKey> {
        let rest = path.strip_prefix(&self.values_dir())?.strip_prefix('/')?;
        let parts: Vec<&str> = rest.split('/').collect();
        match parts.as_slice() {
            [server, output] => Some(ValueKey {
                server: ServerId::plain(decode_segment(server)?),
                output: decode_segment(output)?,
            }),
            [group, member, output] => Some(ValueKey {
                server: ServerId::member(decode_segment(group)?, decode_segment(member)?),
                output: decode_segment(output)?,
            }),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_paths_round_trip() {
        let l = Layout::new("/heat-sync/s1/");
        for key in [
            ValueKey { server: ServerId::plain("db"), output: "db_host".into() },
            ValueKey { server: ServerId::member("web", "0"), output: "url".into() },
            ValueKey { server: ServerId::plain("a/b"), output: "..".into() },
            ValueKey { server: ServerId::member("g", ""), output: "100%".into() },
        ] {
            let p = l.value(&key);
            assert!(p.starts_with("/heat-sync/s1/values/"), "{p}");
            assert_eq!(p.matches('/').count(), 5 + usize::from(key.server.member.is_some()), "{p}");
            assert_eq!(l.key_of(&p), Some(key));
        }
        assert_eq!(
            l.value(&ValueKey { server: ServerId::plain("db"), output: "h".into() }),
            "/heat-sync/s1/values/db/h"
        );
        assert_eq!(l.live(&ServerId::member("web", "1")), "/heat-sync/s1/live/web.1");
        assert_eq!(decode_segment("%zz"), None);
    }
}
