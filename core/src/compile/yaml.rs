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
    let mut out = String::with_capacity(4096);
    write_document(&mut out, v);
    out
}

/// Appends the document as block-style YAML to `out`.
pub fn write_document(out: &mut String, v: &Value) {
    match v {
        Value::Object(m) if !m.is_empty() => write_map(out, m, 0),
        Value::Array(a) if !a.is_empty() => write_seq(out, a, 0),
        other => {
            write_scalar(out, other, 0);
            out.push('\n');
        }
    }
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
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
            if fits_literal_block(s) {
                push_literal_block(out, s, level);
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
        push_quoted(out, s);
    }
}

/// `s` double-quoted with JSON's escapes (valid YAML escapes), as serde_json writes it.
fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let escape = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        // An ASCII byte is always a character boundary.
        out.push_str(&s[start..i]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{b:04x}");
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// The bytes a plain scalar may hold (others are quoted).
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'_' | b'-' | b'.' | b'/' | b':' | b'@' | b'%' | b'+' | b' ' | b'=' | b'(' | b')'
            );
        b += 1;
    }
    t
};

fn plain_ok(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
        "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL", "~", "<<",
        "=",
    ];
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else { return false };
    if !(first.is_ascii_alphabetic() || first == b'_' || first == b'/')
        || matches!(last, b':' | b' ')
    {
        return false;
    }
    // The YAML 1.1 words all start with one of these letters (most keys do not).
    if s.len() <= 5 && b"yYnNtTfFoO".contains(&first) && SPECIAL.contains(&s) {
        return false;
    }
    // Every byte plain, and no `: ` (a mapping); ` #` (a comment) cannot occur, as `#`
    // is not plain.
    let mut prev = 0;
    bytes.iter().all(|&b| {
        let ok = PLAIN[b as usize] && !(prev == b':' && b == b' ');
        prev = b;
        ok
    })
}

/// True for multi-line text that a literal block (`|`, `|-` or `|+`) holds exactly.
pub fn fits_literal_block(s: &str) -> bool {
    if !s.contains('\n') || s.starts_with(' ') || s.starts_with('\n') {
        return false;
    }
    // The ASCII control characters (tab and line feed excepted) and non-ASCII bytes, in
    // one pass without early exit, which the compiler vectorizes: user-data is long.
    let (mut control, mut high) = (false, false);
    for &b in s.as_bytes() {
        control |= (b < 0x20) & (b != b'\n') & (b != b'\t') | (b == 0x7f);
        high |= b >= 0x80;
    }
    if control {
        return false;
    }
    if !high {
        return true;
    }
    !s.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || c == '\u{feff}'
            || c == '\u{85}'
            || c == '\u{2028}'
            || c == '\u{2029}'
    })
}

/// Pushes `s` as a literal block at `level` (the caller adds the final newline).
fn push_literal_block(out: &mut String, s: &str, level: usize) {
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    out.push_str(match trailing {
        0 => "|-\n",
        1 => "|\n",
        _ => "|+\n",
    });
    for line in body.split('\n') {
        if !line.is_empty() {
            indent(out, level);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    // The caller adds the final newline after a scalar.
    out.pop();
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
    fn quotes_as_serde_json_does() {
        for s in ["a\"b\\c", "tab\there", "\u{1}\u{1f}\u{7f}é\u{2028}", "new\nline ", "", "x: y"] {
            let mut out = String::new();
            push_quoted(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap());
        }
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
