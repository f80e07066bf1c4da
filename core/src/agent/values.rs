//! Node attribute paths over JSON trees: placing resolved inputs, reading outputs, and
//! the environment variable names of script inputs.

use crate::plan::AttrPath;
use crate::{Map, Value};

/// The prefix of the environment variable that carries one script input.
pub const INPUT_ENV_PREFIX: &str = "HEAT_SYNC_INPUT_";

/// The environment variable name of the input at `path`:
/// `HEAT_SYNC_INPUT_` + each segment upper-cased, every character other than `A-Z`,
/// `0-9` replaced by `_`, segments joined by `__`. `wordpress.db.host` gives
/// `HEAT_SYNC_INPUT_WORDPRESS__DB__HOST`, `sites.example\.com` gives
/// `HEAT_SYNC_INPUT_SITES__EXAMPLE_COM`.
pub fn input_env_name(path: &AttrPath) -> String {
    let segments: Vec<String> = path
        .iter()
        .map(|s| {
            s.chars()
                .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' })
                .collect()
        })
        .collect();
    format!("{INPUT_ENV_PREFIX}{}", segments.join("__"))
}

/// The text of a value in an environment variable: strings as they are, everything else
/// as compact JSON.
pub fn env_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The dotted form of a path for messages (`a.b\.c.0`).
pub fn display_path(path: &AttrPath) -> String {
    path.iter().map(|s| s.replace('.', "\\.")).collect::<Vec<_>>().join(".")
}

fn index_of(segment: &str) -> Option<usize> {
    if segment.is_empty() || !segment.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    segment.parse().ok()
}

/// Places `value` at `path` inside `tree`, creating objects (or arrays, for whole-number
/// segments) on the way; a non-container found on the way is replaced.
pub fn place(tree: &mut Value, path: &[String], value: Value) {
    let Some((first, rest)) = path.split_first() else {
        *tree = value;
        return;
    };
    let slot = match (index_of(first), &mut *tree) {
        (Some(i), Value::Array(items)) => {
            if items.len() <= i {
                items.resize(i + 1, Value::Null);
            }
            &mut items[i]
        }
        (Some(i), t) if !t.is_object() => {
            *t = Value::Array(vec![Value::Null; i + 1]);
            &mut t.as_array_mut().expect("just made an array")[i]
        }
        (_, t) => {
            if !t.is_object() {
                *t = Value::Object(Map::new());
            }
            t.as_object_mut()
                .expect("just made an object")
                .entry(first.clone())
                .or_insert(Value::Null)
        }
    };
    place(slot, rest, value);
}

/// The value at `path` inside `tree`, if there is one (a null counts as absent).
pub fn lookup<'a>(tree: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut here = tree;
    for segment in path {
        here = match here {
            Value::Object(m) => m.get(segment)?,
            Value::Array(items) => items.get(index_of(segment)?)?,
            _ => return None,
        };
    }
    (!here.is_null()).then_some(here)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(s: &[&str]) -> AttrPath {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn env_names_follow_the_documented_rule() {
        assert_eq!(
            input_env_name(&p(&["wordpress", "db", "host"])),
            "HEAT_SYNC_INPUT_WORDPRESS__DB__HOST"
        );
        assert_eq!(
            input_env_name(&p(&["sites", "example.com", "root-dir"])),
            "HEAT_SYNC_INPUT_SITES__EXAMPLE_COM__ROOT_DIR"
        );
        assert_eq!(env_text(&json!("x y")), "x y");
        assert_eq!(env_text(&json!(["a", 1])), r#"["a",1]"#);
    }

    #[test]
    fn place_and_lookup_round_trip_with_arrays() {
        let mut t = json!({});
        place(&mut t, &p(&["mysql", "port"]), json!(3306));
        place(&mut t, &p(&["servers", "1", "ip"]), json!("10.0.0.2"));
        place(&mut t, &p(&["mysql", "host"]), json!("db"));
        assert_eq!(
            t,
            json!({"mysql": {"port": 3306, "host": "db"}, "servers": [null, {"ip": "10.0.0.2"}]})
        );
        assert_eq!(lookup(&t, &p(&["servers", "1", "ip"])), Some(&json!("10.0.0.2")));
        assert_eq!(lookup(&t, &p(&["servers", "0", "ip"])), None);
        assert_eq!(lookup(&t, &p(&["mysql", "nope"])), None);
        assert_eq!(display_path(&p(&["a", "b.c"])), "a.b\\.c");
    }
}
