//! Writing the compiled template as YAML that Heat reads back exactly.
//!
//! Heat reads YAML 1.1 (`yes`/`on` are booleans, `0755` is octal, `2016-10-14` is a
//! date), so a string is written plain only when YAML 1.1 cannot read it as anything
//! else; otherwise it is double-quoted with JSON escapes (valid YAML escapes).
//! Multi-line text (user-data, scripts) is written as a literal block. A short collection
//! inside a section entry is written on its line in flow style, as authors write function
//! calls (`image: {get_param: image}`): a flow string is plain only when it holds no `:`
//! (which old YAML readers end a flow scalar at), else double-quoted.

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
        let key_start = out.len();
        push_string(out, k);
        out.push(':');
        let column = level + (out.len() - key_start) + 1;
        write_value_after(out, v, level, column);
    }
}

/// The longest line a flow collection may make.
const FLOW_WIDTH: usize = 100;

/// The shallowest level a flow collection starts at: a section, its entries and their
/// keys stay blocks (`resources:`, `web:`, `properties:` each on its own line).
const FLOW_LEVEL: usize = 6;

/// Writes `v` in flow style when it is a collection that fits on the line (`column` is
/// where it starts) without multi-line text; false (and nothing written) otherwise.
fn try_flow(out: &mut String, v: &Value, level: usize, column: usize) -> bool {
    if level < FLOW_LEVEL || !matches!(v, Value::Object(_) | Value::Array(_)) {
        return false;
    }
    let start = out.len();
    if write_flow(out, v, start + FLOW_WIDTH.saturating_sub(column)) {
        true
    } else {
        out.truncate(start);
        false
    }
}

/// Writes `v` in flow style, giving up (false) past byte `end` of `out` or at
/// multi-line text.
fn write_flow(out: &mut String, v: &Value, end: usize) -> bool {
    match v {
        Value::Object(m) => {
            out.push('{');
            for (i, (k, x)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !push_flow_string(out, k) {
                    return false;
                }
                out.push_str(": ");
                if !write_flow(out, x, end) {
                    return false;
                }
            }
            out.push('}');
        }
        Value::Array(a) => {
            out.push('[');
            for (i, x) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !write_flow(out, x, end) {
                    return false;
                }
            }
            out.push(']');
        }
        Value::String(s) => {
            if !push_flow_string(out, s) {
                return false;
            }
        }
        other => write_scalar(out, other, 0),
    }
    out.len() <= end
}

/// Pushes a string inside a flow collection: plain when [`plain_ok`] and without `:`,
/// else double-quoted; false for multi-line text, which stays a block.
fn push_flow_string(out: &mut String, s: &str) -> bool {
    if s.contains('\n') {
        return false;
    }
    if plain_ok(s) && !s.contains(':') {
        out.push_str(s);
    } else {
        push_quoted(out, s);
    }
    true
}

fn write_seq(out: &mut String, a: &[Value], level: usize) {
    for v in a {
        indent(out, level);
        out.push('-');
        if matches!(v, Value::Object(m) if !m.is_empty())
            || matches!(v, Value::Array(a) if !a.is_empty())
        {
            out.push(' ');
            if try_flow(out, v, level + 2, level + 2) {
                out.push('\n');
                continue;
            }
            out.pop();
        }
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
                    let key_start = out.len();
                    push_string(out, k);
                    out.push(':');
                    let column = level + 2 + (out.len() - key_start) + 1;
                    write_value_after(out, x, level + 2, column);
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

/// Writes what follows `key:` (a space and a scalar or a flow collection, or a newline
/// and a nested block); `column` is where the value would start on the key's line.
fn write_value_after(out: &mut String, v: &Value, level: usize, column: usize) {
    out.push(' ');
    if try_flow(out, v, level + 2, column) {
        out.push('\n');
        return;
    }
    out.pop();
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
    // is not plain. Nor ` -` or ` :`: inside a flow collection yaml-rust2 reads each
    // word as if it started a scalar (`{a: _ -}` is an error there).
    let mut prev = 0;
    bytes.iter().all(|&b| {
        let ok = PLAIN[b as usize]
            && !(prev == b':' && b == b' ')
            && !(prev == b' ' && matches!(b, b'-' | b':'));
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
    fn short_collections_go_on_their_line_in_flow_style() {
        let v = json!({"resources": {"web": {"properties": {
            "image": {"get_param": "image"},
            "id": {"get_param": "OS::stack_id"},
            "networks": [{"port": {"get_resource": "p"}}],
            "script": {"str_replace": {"template": "a\nb\n", "params": {"$x": "y"}}},
            "long": {"list_join": [",", ["a very long item number one", "a very long item number two", "a third long item"]]},
        }}}});
        let y = to_string(&v);
        assert!(y.contains("      image: {get_param: image}\n"), "{y}");
        // `:` ends a plain scalar in old readers' flow collections: quoted.
        assert!(y.contains("      id: {get_param: \"OS::stack_id\"}\n"), "{y}");
        assert!(y.contains("      networks: [{port: {get_resource: p}}]\n"), "{y}");
        // Multi-line text stays a literal block; a collection past the width stays a block.
        assert!(y.contains("          template: |\n"), "{y}");
        assert!(y.contains("      long:\n        list_join:\n"), "{y}");
        // Sections and their entries stay blocks.
        assert!(y.starts_with("resources:\n  web:\n    properties:\n"), "{y}");
        let back = crate::template::yaml::parse_yaml_reference(&y).unwrap();
        assert_eq!(back, v, "{y}");
    }

    proptest::proptest! {
        /// Whatever the mix of blocks, flow collections, quoting and literal blocks, YAML
        /// 1.1 (the reference reader, as Heat reads) reads the document back as written.
        #[test]
        fn documents_read_back_as_written(v in document()) {
            let y = to_string(&v);
            let back = crate::template::yaml::parse_yaml_reference(&y).unwrap();
            proptest::prop_assert_eq!(back, v, "{}", y);
        }
    }

    fn document() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let text = prop_oneof![
            "[a-z_][a-z0-9_ .:/-]{0,12}",
            "[ -~]{0,10}",
            Just("yes".to_string()),
            Just("0755".to_string()),
            Just("2016-10-14".to_string()),
            Just("OS::stack_id".to_string()),
            Just("line one\n  two\n".to_string()),
            Just("a: b, {c}".to_string()),
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i32>().prop_map(Value::from),
            text.clone().prop_map(Value::String),
        ];
        let tree = leaf.prop_recursive(5, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                proptest::collection::vec(("[a-z][a-z_:]{0,8}", inner), 0..5)
                    .prop_map(|kv| Value::Object(kv.into_iter().collect())),
            ]
        });
        // Deep enough for flow collections (from level 6) under block sections.
        ("[a-z]{1,6}", "[a-z]{1,6}", "[a-z]{1,6}", tree)
            .prop_map(|(a, b, c, t)| json!({ a: { b: { c: t } } }))
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
