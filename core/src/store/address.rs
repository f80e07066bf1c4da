//! Coordinator addresses: `zk://host:port[,host:port...][/chroot]` and
//! `embedded:///absolute/directory`.

use std::fmt;
use std::path::PathBuf;

use super::CoordinatorError;

/// A parsed coordinator address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    /// A ZooKeeper ensemble.
    ZooKeeper {
        /// `host:port,host:port` (no chroot).
        hosts: String,
        /// The chroot (`/` when none).
        chroot: String,
    },
    /// The embedded store in a local directory.
    Embedded {
        /// The directory.
        dir: PathBuf,
    },
}

impl Address {
    /// Parses an address, with an error naming it and saying what is wrong.
    pub fn parse(address: &str) -> Result<Self, CoordinatorError> {
        let bad = |message: &str| CoordinatorError::Address {
            address: address.to_string(),
            message: message.to_string(),
        };
        if let Some(rest) = address.strip_prefix("zk://") {
            let (hosts, chroot) = match rest.find('/') {
                Some(i) => (&rest[..i], &rest[i..]),
                None => (rest, "/"),
            };
            if hosts.is_empty() {
                return Err(bad("no host:port before the chroot"));
            }
            for host in hosts.split(',') {
                let Some((name, port)) = host.rsplit_once(':') else {
                    return Err(bad(&format!("{host:?} is not host:port")));
                };
                if name.is_empty() || port.parse::<u16>().map_or(true, |p| p == 0) {
                    return Err(bad(&format!("{host:?} is not host:port")));
                }
            }
            let chroot = chroot.trim_end_matches('/');
            if chroot.split('/').skip(1).any(|s| s.is_empty() || s == "." || s == "..") {
                return Err(bad("the chroot must be a path such as /heat-sync-root"));
            }
            let chroot = if chroot.is_empty() { "/".to_string() } else { chroot.to_string() };
            Ok(Address::ZooKeeper { hosts: hosts.to_string(), chroot })
        } else if let Some(path) = address.strip_prefix("embedded://") {
            if !path.starts_with('/') {
                return Err(bad(
                    "the embedded store needs an absolute directory: embedded:///path",
                ));
            }
            Ok(Address::Embedded { dir: PathBuf::from(path) })
        } else {
            Err(bad("expected zk://host:port[,host:port...][/chroot] or embedded:///directory"))
        }
    }

    /// The connect string for the ZooKeeper client (`hosts/chroot`).
    pub fn connect_string(&self) -> Option<String> {
        match self {
            Address::ZooKeeper { hosts, chroot } if chroot == "/" => Some(hosts.clone()),
            Address::ZooKeeper { hosts, chroot } => Some(format!("{hosts}{chroot}")),
            Address::Embedded { .. } => None,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::ZooKeeper { hosts, chroot } if chroot == "/" => write!(f, "zk://{hosts}"),
            Address::ZooKeeper { hosts, chroot } => write!(f, "zk://{hosts}{chroot}"),
            Address::Embedded { dir } => write!(f, "embedded://{}", dir.display()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects_addresses() {
        assert_eq!(
            Address::parse("zk://127.0.0.1:2181,127.0.0.1:2182/hs").unwrap(),
            Address::ZooKeeper {
                hosts: "127.0.0.1:2181,127.0.0.1:2182".into(),
                chroot: "/hs".into()
            }
        );
        let a = Address::parse("zk://h:1").unwrap();
        assert_eq!(a.connect_string().unwrap(), "h:1");
        assert_eq!(a.to_string(), "zk://h:1");
        assert_eq!(
            Address::parse("embedded:///tmp/x").unwrap(),
            Address::Embedded { dir: "/tmp/x".into() }
        );
        for bad in ["zk://", "zk://h", "zk://h:0", "zk://h:1//x", "embedded://rel", "http://x", ""]
        {
            let e = Address::parse(bad).unwrap_err();
            assert!(e.to_string().starts_with(&format!("coordinator address {bad:?}")), "{e}");
        }
    }
}
