//! Node attribute paths: `a.b\.c.0` is the keys `a`, `b.c`, `0`.
//!
//! An input path is a mapping key, so it is always a string; an output path may also be
//! a list of keys. A segment that is a whole number indexes an array.

use crate::plan::AttrPath;
use crate::Value;

/// Parses a dotted path with `\.` for a dot inside a key and `\\` for a backslash.
///
/// Returns a message (without place) when the path is empty or has an empty segment.
pub fn parse(text: &str) -> Result<AttrPath, String> {
    let mut keys = Vec::new();
    let mut key = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('.' | '\\')) => key.push(e),
                Some(e) => {
                    return Err(format!(
                        "unknown escape `\\{e}` in path {text:?} (only `\\.` and `\\\\`)"
                    ))
                }
                None => return Err(format!("path {text:?} ends with a lone backslash")),
            },
            '.' => keys.push(std::mem::take(&mut key)),
            c => key.push(c),
        }
    }
    keys.push(key);
    if keys.iter().any(String::is_empty) {
        return Err(format!("path {text:?} has an empty key (write a dot inside a key as `\\.`)"));
    }
    Ok(keys)
}

/// Parses an output path: a dotted string or a list of keys (strings or whole numbers).
pub fn parse_value(value: &Value) -> Result<AttrPath, String> {
    match value {
        Value::String(s) => parse(s),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|k| match k {
                Value::String(s) if !s.is_empty() => Ok(s.clone()),
                Value::Number(n) if n.is_u64() => Ok(n.to_string()),
                other => Err(format!(
                    "path keys must be non-empty strings or whole numbers, not {other}"
                )),
            })
            .collect(),
        other => {
            Err(format!("a node attribute path is a dotted string or a list of keys, not {other}"))
        }
    }
}

/// Formats a path back into its dotted form, escaping dots and backslashes in keys.
pub fn format(path: &[String]) -> String {
    path.iter().map(|k| k.replace('\\', "\\\\").replace('.', "\\.")).collect::<Vec<_>>().join(".")
}

/// True when `a` is `b` or one of them is a prefix of the other (they bind overlapping
/// parts of the node).
pub fn overlaps(a: &[String], b: &[String]) -> bool {
    let n = a.len().min(b.len());
    a[..n] == b[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_indices() {
        assert_eq!(
            parse("nginx.sites.example\\.com.root").unwrap(),
            ["nginx", "sites", "example.com", "root"]
        );
        assert_eq!(parse("servers.0.ip").unwrap(), ["servers", "0", "ip"]);
        assert_eq!(parse("a\\\\b").unwrap(), ["a\\b"]);
        assert!(parse("a..b").unwrap_err().contains("empty key"));
        assert!(parse("").is_err());
        assert!(parse("a\\x").unwrap_err().contains("unknown escape"));
        let p = parse("x.y\\.z").unwrap();
        assert_eq!(format(&p), "x.y\\.z");
    }

    #[test]
    fn list_paths() {
        let v = serde_json::json!(["nginx", "sites", "example.com", 0]);
        assert_eq!(parse_value(&v).unwrap(), ["nginx", "sites", "example.com", "0"]);
        assert!(parse_value(&serde_json::json!([])).is_err());
        assert!(parse_value(&serde_json::json!({"a": 1})).is_err());
    }

    #[test]
    fn overlap_is_prefix_either_way() {
        let a = parse("a.b").unwrap();
        assert!(overlaps(&a, &parse("a.b.c").unwrap()));
        assert!(overlaps(&parse("a.b.c").unwrap(), &a));
        assert!(!overlaps(&a, &parse("a.bc").unwrap()));
    }
}
