//! The protocol's decoding of what it reads from the coordinator and its configuration:
//! the bytes of value, role and liveness nodes (`Record`, `RoleStatus`, `Liveness`), node
//! paths (`Layout::key_of`, `decode_segment`) and coordinator addresses
//! (`Address::parse`). Anything a corrupt or foreign node, or a user, can hand it gives a
//! value or an error naming the node, never a panic; what decodes re-encodes to the same
//! thing; every key maps to a path ZooKeeper accepts and back to the same key.
#![no_main]

use heat_sync::plan::{ServerId, ValueKey};
use heat_sync::protocol::layout::{decode_segment, encode_segment};
use heat_sync::protocol::{Layout, Liveness, Record, RoleStatus};
use heat_sync::store::Address;
use libfuzzer_sys::fuzz_target;

const NODE: &str = "/heat-sync/s/values/db/x";

/// ZooKeeper's own path rule (`PathUtils.validatePath`): the characters it refuses.
fn zookeeper_accepts(path: &str) -> bool {
    path.starts_with('/')
        && !path.ends_with('/')
        && path[1..].split('/').all(|s| !s.is_empty() && s != "." && s != "..")
        && !path.chars().any(|c| {
            matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{e000}'..='\u{f8ff}' | '\u{fff0}'..='\u{ffff}')
        })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    match mode % 4 {
        0 => {
            if let Ok(r) = Record::decode(NODE, rest) {
                assert_eq!(Record::decode(NODE, &r.encode()).expect("own encoding decodes"), r);
            } else if let Err(e) = Record::decode(NODE, rest) {
                assert!(e.to_string().contains(NODE), "{e}");
            }
            if let Ok(s) = RoleStatus::decode(NODE, rest) {
                assert_eq!(RoleStatus::decode(NODE, &s.encode()).expect("own encoding decodes"), s);
            }
            if let Ok(l) = Liveness::decode(NODE, rest) {
                assert_eq!(Liveness::decode(NODE, &l.encode()).expect("own encoding decodes"), l);
            }
        }
        1 => {
            // Names from a template (resource, member, output) -> a node path -> the key.
            let Ok(text) = std::str::from_utf8(rest) else { return };
            let parts: Vec<&str> = text.splitn(3, '\u{1}').collect();
            let key = match parts.as_slice() {
                [server, output] => ValueKey { server: ServerId::plain(*server), output: (*output).into() },
                [group, member, output] => {
                    ValueKey { server: ServerId::member(*group, *member), output: (*output).into() }
                }
                _ => return,
            };
            let layout = Layout::new("/heat-sync/stack-1");
            let path = layout.value(&key);
            assert!(zookeeper_accepts(&path), "ZooKeeper refuses the node path {path:?} of {key:?}");
            assert_eq!(layout.key_of(&path).as_ref(), Some(&key), "{path:?}");
            let name = parts.join("/");
            assert_eq!(decode_segment(&encode_segment(&name)).as_deref(), Some(name.as_str()));
        }
        2 => {
            // Paths read back from the coordinator (children of values/).
            let Ok(text) = std::str::from_utf8(rest) else { return };
            let layout = Layout::new("/heat-sync/stack-1");
            let _ = layout.key_of(&format!("/heat-sync/stack-1/values/{text}"));
            let _ = decode_segment(text);
        }
        _ => {
            let Ok(text) = std::str::from_utf8(rest) else { return };
            match Address::parse(text) {
                Ok(a) => {
                    let again = Address::parse(&a.to_string()).expect("an address's own form parses");
                    assert_eq!(a, again, "{text:?}");
                }
                Err(e) => assert!(e.to_string().contains(&format!("{text:?}")), "{e}"),
            }
        }
    }
});
