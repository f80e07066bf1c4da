//! Writing the compiled template as YAML that Heat reads back exactly.
//!
//! Heat reads YAML 1.1 (`yes`/`on` are booleans, `0755` is octal, `2016-10-14` is a
//! date), so a string is written plain only when YAML 1.1 cannot read it as anything
//! else; otherwise it is double-quoted with JSON escapes (valid YAML escapes).
//! Multi-line text (user-data, scripts) is written as a literal block.

use std::fmt::Write as _;

use crate::Value;

/// The document as block-style YAML.
pub fn to_string(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Object(m) if !m.is_empty() => write_map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(&mut out, a, 0),
        other => {
            write_scalar(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat(' ').take(n));
}

fn write_map(out: &mut String, m: &crate::Map, level: usize) {
    for (k, v) in m {
        indent(out, level);
        push_string(out, k);
        out.push(':');
        write_value_after(out, v, level);
    }
}

fn write_seq(out: &mut String, a: &[Value], level: usize) {
    for v in a {
        indent(out, level);
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                // The first entry on the dash's line, the rest aligned under it.
                let mut first = true;
                for (k, x) in m {
                    if first {
                        out.push(' ');
                        first = false;
                    } else {
                        indent(out, level + 2);
                    }
                    push_string(out, k);
                    out.push(':');
                    write_value_after(out, x, level + 2);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(out, inner, level + 2);
            }
            other => {
                out.push(' ');
                write_scalar(out, other, level + 2);
                out.push('\n');
            }
        }
    }
}

/// Writes what follows `key:` (a space and a scalar, or a newline and a nested block).
fn write_value_after(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(out, m, level + 2);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(out, a, level + 2);
        }
        other => {
            out.push(' ');
            write_scalar(out, other, level + 2);
            out.push('\n');
        }
    }
}

fn write_scalar(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => {
            if let Some(block) = literal_block(s, level) {
                out.push_str(&block);
            } else {
                push_string(out, s);
            }
        }
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
}

/// Pushes a one-line string: plain when YAML 1.1 reads it back as that string, else
/// double-quoted with JSON escapes.
fn push_string(out: &mut String, s: &str) {
    if plain_ok(s) {
        out.push_str(s);
    } else {
        out.push_str(&serde_json::to_string(s).expect("a string serializes"));
    }
}

fn plain_ok(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "<<",
        "=",
    ];
    let Some(first) = s.chars().next() else { return false };
    if !(first.is_ascii_alphabetic() || first == '_' || first == '/') || SPECIAL.contains(&s) {
        return false;
    }
    if s.ends_with(':') || s.contains(": ") || s.contains(" #") || s.ends_with(' ') {
        return false;
    }
    s.chars().all(|c| c.is_ascii_alphanumeric() || "_-./:@%+ =()".contains(c))
}

/// A literal block (`|`, `|-` or `|+`) for multi-line text it can hold exactly.
fn literal_block(s: &str, level: usize) -> Option<String> {
    if !s.contains('\n') || s.starts_with(' ') || s.starts_with('\n') {
        return None;
    }
    if s.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || c == '\u{feff}'
            || c == '\u{85}'
            || c == '\u{2028}'
            || c == '\u{2029}'
    }) {
        return None;
    }
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    let chomp = match trailing {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let mut out = format!("|{chomp}\n");
    let lines: Vec<&str> = body.split('\n').collect();
    for line in &lines {
        if !line.is_empty() {
            indent(&mut out, level);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    // The caller adds the final newline after a scalar.
    out.pop();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quotes_what_yaml_1_1_would_misread() {
        let v = json!({"a": "yes", "b": "0755", "c": "2016-10-14", "d": "plain text", "e": "on", "f": "x: y", "g": ""});
        let y = to_string(&v);
        assert!(
            y.contains("a: \"yes\"")
                && y.contains("b: \"0755\"")
                && y.contains("c: \"2016-10-14\""),
            "{y}"
        );
        assert!(
            y.contains("d: plain text") && y.contains("e: \"on\"") && y.contains("f: \"x: y\""),
            "{y}"
        );
        let back: Value = serde_yaml::from_str(&y).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn round_trips_blocks_and_nesting() {
        let v = json!({
            "list": [{"a": 1, "b": [1, 2, {"c": null}]}, [1, 2], "s", {}, []],
            "text": "line one\n  indented\n\nlast\n",
            "no_newline": "a\nb",
            "many": "a\nb\n\n\n",
            "tabs": "a\tb\nc",
            "empty": {},
        });
        let y = to_string(&v);
        let back: Value = serde_yaml::from_str(&y).unwrap();
        assert_eq!(back, v, "{y}");
    }
}
