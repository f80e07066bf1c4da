//! The ZooKeeper digest identities of a stack, and how their passwords are derived from
//! the stack secret (docs/protocol.md, "Access control").
//!
//! Every password is `hex(sha256(S:purpose:namespace:name:S))` where `S` is the stack
//! secret (`heat_sync_secret`), `purpose` is `server`, `reader` or `admin`, `namespace`
//! the stack's namespace (`/heat-sync/<stack id>`) and `name` the server's resource name
//! (empty for the reader and the admin). Heat computes the very same string in the
//! compiled template (HOT 2015-04-30 on: `digest` over `list_join`, see
//! [`crate::compile::plans`]), so a server receives its own password and the stack's
//! read password, never the secret.
//!
//! Why this construction: Heat's `digest` is a plain hash, not an HMAC. A plain
//! `sha256(S || data)` could be extended by whoever knows one password (length
//! extension: `sha256(S || data || padding || more)` is computable without `S`). With `S`
//! also at the end, every valid input ends with the secret, which an extension cannot
//! produce. The fields are separated by `:`: the purpose and the namespace hold none, so
//! two different (purpose, namespace, name) never give the same string.
//!
//! Heat encodes the string as Latin-1 before hashing (`value.encode('latin-1')`), so
//! this does too; a secret or name outside Latin-1 makes Heat's `digest` fail at deploy
//! time, so no server can hold such a password anyway.

use base64::Engine;
use sha1::Digest;

/// What a derived password is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// One coordinated resource (a plain server, or every member of a group).
    Server,
    /// Reading the whole namespace (every server of the stack holds it).
    Reader,
    /// The stack's administrator (status, `coordinator init` and `remove`).
    Admin,
}

impl Purpose {
    /// The word in the derivation and in the digest user.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Server => "server",
            Purpose::Reader => "reader",
            Purpose::Admin => "admin",
        }
    }
}

/// The text whose SHA-256 is a password: `S:purpose:namespace:name:S`.
pub fn derivation_text(secret: &str, purpose: Purpose, namespace: &str, name: &str) -> String {
    format!("{secret}:{}:{namespace}:{name}:{secret}", purpose.as_str())
}

/// A derived password, as Heat's `digest: [sha256, ...]` gives it (lowercase hex).
pub fn derive_password(secret: &str, purpose: Purpose, namespace: &str, name: &str) -> String {
    let text = derivation_text(secret, purpose, namespace, name);
    // Latin-1 as Heat does; characters beyond it (which Heat refuses) as UTF-8.
    let bytes: Vec<u8> = if text.chars().all(|c| u32::from(c) <= 0xff) {
        text.chars().map(|c| c as u8).collect()
    } else {
        text.into_bytes()
    };
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// The digest user of an identity: `server/heat-sync/<id>/web`, `reader/heat-sync/<id>`.
/// ZooKeeper splits `user:password` at the first colon, so a colon in a name is escaped.
pub fn user(purpose: Purpose, namespace: &str, name: &str) -> String {
    let user = match purpose {
        Purpose::Server => format!("server{namespace}/{name}"),
        other => format!("{}{namespace}", other.as_str()),
    };
    user.replace(':', "%3A")
}

/// One digest identity: the `user:password` to authenticate with and its ACL id.
#[derive(Clone)]
pub struct Identity {
    /// The digest user.
    pub user: String,
    password: String,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity").field("user", &self.user).field("password", &"******").finish()
    }
}

impl Identity {
    /// An identity from its user and password.
    pub fn new(user: String, password: String) -> Self {
        Identity { user, password }
    }

    /// The bytes of `addauth digest user:password`.
    pub fn auth(&self) -> Vec<u8> {
        format!("{}:{}", self.user, self.password).into_bytes()
    }

    /// The ACL id `user:base64(sha1(user:password))`.
    pub fn acl_id(&self) -> String {
        let digest = sha1::Sha1::digest(self.auth());
        format!("{}:{}", self.user, base64::engine::general_purpose::STANDARD.encode(digest))
    }
}

/// Every identity of one stack, derived from its secret: what the administrator (who
/// holds the secret) authenticates with and puts on the nodes it creates.
///
/// - one server identity per coordinated resource: the only one that may create, change
///   or delete that resource's values, role statuses and liveness node (group members
///   share their group's, because Heat evaluates a group's member definition once);
/// - the reader identity: every server of the stack; reads the whole namespace;
/// - the administrator identity: creates the shared directories and the stack plan.
#[derive(Debug, Clone)]
pub struct Identities {
    namespace: String,
    secret: String,
}

impl Identities {
    /// The identities of the stack in `namespace` with the stack secret `secret`.
    pub fn new(namespace: &str, secret: &str) -> Self {
        Identities { namespace: namespace.to_string(), secret: secret.to_string() }
    }

    fn derive(&self, purpose: Purpose, name: &str) -> Identity {
        Identity {
            user: user(purpose, &self.namespace, name),
            password: derive_password(&self.secret, purpose, &self.namespace, name),
        }
    }

    /// The reader identity.
    pub fn reader(&self) -> Identity {
        self.derive(Purpose::Reader, "")
    }

    /// The administrator identity.
    pub fn admin(&self) -> Identity {
        self.derive(Purpose::Admin, "")
    }

    /// The identity of the coordinated resource `resource` (`db`, or the group `web`).
    pub fn server(&self, resource: &str) -> Identity {
        self.derive(Purpose::Server, resource)
    }

    /// The password of `resource`'s identity (what its server plan carries).
    pub fn server_password(&self, resource: &str) -> String {
        derive_password(&self.secret, Purpose::Server, &self.namespace, resource)
    }

    /// The stack's read password (what every server plan carries).
    pub fn read_password(&self) -> String {
        derive_password(&self.secret, Purpose::Reader, &self.namespace, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_distinct_per_stack_purpose_and_server() {
        let a = Identities::new("/heat-sync/a", "s3cret");
        let b = Identities::new("/heat-sync/b", "s3cret");
        assert_ne!(a.reader().acl_id(), b.reader().acl_id());
        let db = a.server("db");
        assert_eq!(db.user, "server/heat-sync/a/db");
        assert_ne!(db.acl_id(), a.server("web").acl_id());
        assert_ne!(a.reader().acl_id(), a.admin().acl_id());
        assert!(!format!("{db:?}").contains(&db.password));
        assert!(!String::from_utf8(db.auth()).unwrap().contains("s3cret"));
    }

    #[test]
    fn passwords_are_sha256_of_the_sandwiched_text() {
        // sha256("k:server:/heat-sync/x:db:k"), as Heat's digest computes it (checked
        // against Python's hashlib, which Heat's digest calls).
        assert_eq!(
            derive_password("k", Purpose::Server, "/heat-sync/x", "db"),
            "bb48d477acbc6b27c6cebce1da06e368666fa39d37839674c040ce51f200bba9"
        );
        // Latin-1, not UTF-8, as Heat encodes.
        let latin = derive_password("clé", Purpose::Reader, "/heat-sync/x", "");
        let expected: String = sha2::Sha256::digest(b"cl\xe9:reader:/heat-sync/x::cl\xe9")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(latin, expected);
    }
}
