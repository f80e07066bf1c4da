//! Reading template and environment text the way Heat's loader does.
//!
//! Heat (`heat/common/template_format.py`) tries `json.loads` first and falls back to
//! PyYAML's `SafeLoader` with two changes: strings stay strings and timestamps stay
//! strings. PyYAML implements YAML 1.1, so plain scalars resolve differently from
//! YAML 1.2 (`yes`/`on` are booleans, `0755` is octal, `1e3` is a string, `1_000` is
//! an integer). This module drives yaml-rust2's event parser and resolves every
//! plain scalar with PyYAML's YAML 1.1 implicit resolvers into [`crate::Value`].

use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::{Map, Value};

/// Parses `text` as JSON if it is valid JSON, else as YAML 1.1 (Heat's order).
///
/// An empty YAML document gives `Value::Null` (Heat turns that into `{}` for
/// templates). The error is the parser's message with its line and column.
pub fn parse_json_or_yaml(text: &str) -> Result<Value, String> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok(v);
    }
    parse_yaml(text)
}

/// Parses `text` as YAML 1.1 (PyYAML `SafeLoader` semantics, timestamps as strings).
///
/// The common shapes of templates go through a fast parser (the private
/// `yaml_fast` module); anything else, every error included, through the
/// reference path [`parse_yaml_reference`]. Both give the same value.
pub fn parse_yaml(text: &str) -> Result<Value, String> {
    if let Some(doc) = parse_yaml_fast_doc(text) {
        return Ok(doc.to_value());
    }
    load_events(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The fast path alone: `None` when the text is outside its subset. For tests that
/// hold it to [`parse_yaml_reference`].
#[doc(hidden)]
pub fn parse_yaml_fast(text: &str) -> Option<Value> {
    parse_yaml_fast_doc(text).map(|doc| doc.to_value())
}

/// The fast path's document (strings borrowed from `text`), `None` when the text is
/// outside its subset; [`parse_yaml`] then reads it with the reference path.
pub fn parse_yaml_fast_doc(text: &str) -> Option<super::doc::Doc<'_>> {
    // PyYAML drops a byte order mark at the start of the stream.
    super::yaml_fast::parse(text.strip_prefix('\u{feff}').unwrap_or(text))
}

/// The reference path of [`parse_yaml`]: yaml-rust2's event parser with PyYAML's
/// scalar resolution, anchors and merge keys. Public so that tests and fuzzing can
/// hold the fast path to it.
pub fn parse_yaml_reference(text: &str) -> Result<Value, String> {
    load_events(text.strip_prefix('\u{feff}').unwrap_or(text))
}

fn load_events(text: &str) -> Result<Value, String> {
    let mut builder = Builder::default();
    let mut parser = Parser::new_from_str(text);
    parser.load(&mut builder, false).map_err(|e| e.to_string())?;
    if let Some(err) = builder.error {
        return Err(err);
    }
    Ok(builder.document.unwrap_or(Value::Null))
}

/// A container under construction.
enum Frame {
    Seq(usize, Vec<Value>),
    Map(usize, Map, Option<String>, Vec<Value>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<Frame>,
    anchors: std::collections::HashMap<usize, Value>,
    document: Option<Value>,
    error: Option<String>,
    /// Whether the pending key of the innermost mapping is the merge key `<<`.
    merge_pending: Vec<bool>,
}

impl Builder {
    fn push_value(&mut self, value: Value, anchor: usize, mark: Marker) {
        if anchor > 0 {
            self.anchors.insert(anchor, value.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.document.is_none() {
                    self.document = Some(value);
                }
            }
            Some(Frame::Seq(_, items)) => items.push(value),
            Some(Frame::Map(_, map, key, merges)) => match key.take() {
                None => {
                    if matches!(value, Value::Array(_) | Value::Object(_)) {
                        self.error.get_or_insert_with(|| {
                            format!(
                                "while constructing a mapping: found unhashable key \
                                 (line {}, column {})",
                                mark.line(),
                                mark.col() + 1
                            )
                        });
                    }
                    let is_merge = self.merge_pending.pop().unwrap_or(false);
                    self.merge_pending.push(false);
                    if is_merge {
                        *key = Some(MERGE_KEY.to_string());
                    } else {
                        *key = Some(key_string(&value));
                    }
                }
                Some(k) if k == MERGE_KEY && self.merge_pending.last() == Some(&false) => {
                    merges.push(value);
                }
                Some(k) => {
                    map.insert(k, value);
                }
            },
        }
    }
}

/// Internal marker for a `<<` merge key (a plain `<<` scalar in key position).
const MERGE_KEY: &str = "\u{0}<<merge>>";

/// The string form of a mapping key, as `json.dumps` would write a Python key.
pub(super) fn key_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.error.is_some() {
            return;
        }
        match ev {
            Event::Scalar(text, style, anchor, tag) => {
                let value = match resolve_scalar(&text, style, tag.as_ref()) {
                    Ok(v) => v,
                    Err(e) => {
                        self.error =
                            Some(format!("{e} (line {}, column {})", mark.line(), mark.col() + 1));
                        return;
                    }
                };
                // A plain `<<` in key position is PyYAML's merge key.
                if style == TScalarStyle::Plain && text == "<<" && tag.is_none() {
                    if let Some(Frame::Map(_, _, None, _)) = self.stack.last() {
                        if let Some(flag) = self.merge_pending.last_mut() {
                            *flag = true;
                        }
                    }
                }
                self.push_value(value, anchor, mark);
            }
            Event::Alias(id) => {
                let v = self.anchors.get(&id).cloned().unwrap_or(Value::Null);
                self.push_value(v, 0, mark);
            }
            Event::SequenceStart(anchor, _) => self.stack.push(Frame::Seq(anchor, Vec::new())),
            Event::MappingStart(anchor, _) => {
                self.stack.push(Frame::Map(anchor, Map::new(), None, Vec::new()));
                self.merge_pending.push(false);
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq(anchor, items)) = self.stack.pop() {
                    self.push_value(Value::Array(items), anchor, mark);
                }
            }
            Event::MappingEnd => {
                self.merge_pending.pop();
                if let Some(Frame::Map(anchor, own, _, merges)) = self.stack.pop() {
                    let map = if merges.is_empty() {
                        own
                    } else {
                        match apply_merges(own, merges) {
                            Ok(m) => m,
                            Err(e) => {
                                self.error = Some(e);
                                return;
                            }
                        }
                    };
                    self.push_value(Value::Object(map), anchor, mark);
                }
            }
            _ => {}
        }
    }
}

/// PyYAML's `flatten_mapping`: merged mappings first (earlier ones win over later
/// ones), then the mapping's own keys override.
fn apply_merges(own: Map, merges: Vec<Value>) -> Result<Map, String> {
    let mut sources: Vec<Map> = Vec::new();
    for m in merges {
        match m {
            Value::Object(o) => sources.push(o),
            Value::Array(items) => {
                // A list of mappings: the first one wins, so apply in reverse.
                for item in items.into_iter().rev() {
                    match item {
                        Value::Object(o) => sources.push(o),
                        _ => {
                            return Err("while constructing a mapping: expected a mapping \
                                        for merging"
                                .into())
                        }
                    }
                }
            }
            _ => {
                return Err("while constructing a mapping: expected a mapping or list of mappings \
                     for merging"
                    .into())
            }
        }
    }
    let mut out = Map::new();
    for src in sources {
        for (k, v) in src {
            out.insert(k, v);
        }
    }
    for (k, v) in own {
        out.insert(k, v);
    }
    Ok(out)
}

/// Resolves one scalar with PyYAML's YAML 1.1 rules.
fn resolve_scalar(
    text: &str,
    style: TScalarStyle,
    tag: Option<&yaml_rust2::parser::Tag>,
) -> Result<Value, String> {
    if let Some(tag) = tag {
        let name = if tag.handle == "!!" || tag.handle == "tag:yaml.org,2002:" {
            tag.suffix.as_str()
        } else if tag.handle == "!" && tag.suffix.is_empty() {
            "str"
        } else {
            return Err(format!(
                "could not determine a constructor for the tag '{}{}'",
                tag.handle, tag.suffix
            ));
        };
        return match name {
            "str" | "timestamp" | "binary" => Ok(Value::String(text.to_string())),
            "int" => int_value(text).ok_or_else(|| format!("invalid int '{text}'")),
            "float" => float_value(text).ok_or_else(|| format!("invalid float '{text}'")),
            "bool" => {
                bool_value(text).map(Value::Bool).ok_or_else(|| format!("invalid bool {text}"))
            }
            "null" => Ok(Value::Null),
            other => Err(format!(
                "could not determine a constructor for the tag 'tag:yaml.org,2002:{other}'"
            )),
        };
    }
    if style != TScalarStyle::Plain {
        return Ok(Value::String(text.to_string()));
    }
    Ok(resolve_plain(text))
}

/// The implicit resolution of a plain scalar (PyYAML `Resolver` for YAML 1.1).
pub fn resolve_plain(text: &str) -> Value {
    plain_scalar(text).unwrap_or_else(|| Value::String(text.to_string()))
}

/// [`resolve_plain`] for the scalars that are not strings (null, booleans, numbers);
/// `None` for a string.
pub(super) fn plain_scalar(text: &str) -> Option<Value> {
    // PyYAML picks its implicit resolvers by the first character: numbers start with a
    // sign, a digit or a dot; a letter or `~` can only start the null and boolean
    // words; everything else only starts strings.
    match text.as_bytes().first() {
        None => return Some(Value::Null),
        Some(b'-' | b'+' | b'.' | b'0'..=b'9') => {}
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => {
            return match text {
                "~" | "null" | "Null" | "NULL" => Some(Value::Null),
                _ => bool_value(text).map(Value::Bool),
            };
        }
        Some(_) => return None,
    }
    if is_int(text) {
        if let Some(v) = int_value(text) {
            return Some(v);
        }
    }
    if is_float(text) {
        if let Some(v) = float_value(text) {
            return Some(v);
        }
    }
    None
}

fn bool_value(text: &str) -> Option<bool> {
    match text {
        "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => Some(true),
        "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

fn split_sign(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    }
}

/// `[-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+ |
/// [-+]?[1-9][0-9_]*(:[0-5]?[0-9])+`
fn is_int(text: &str) -> bool {
    let (_, body) = split_sign(text);
    let b = body.as_bytes();
    if b.is_empty() {
        return false;
    }
    if let Some(rest) = body.strip_prefix("0b") {
        return !rest.is_empty() && rest.bytes().all(|c| c == b'0' || c == b'1' || c == b'_');
    }
    if let Some(rest) = body.strip_prefix("0x") {
        return !rest.is_empty() && rest.bytes().all(|c| c.is_ascii_hexdigit() || c == b'_');
    }
    if body == "0" {
        return true;
    }
    if b[0] == b'0' {
        return body[1..].bytes().all(|c| (b'0'..=b'7').contains(&c) || c == b'_')
            && body.len() > 1;
    }
    if !(b'1'..=b'9').contains(&b[0]) {
        return false;
    }
    let mut parts = body.split(':');
    let head = parts.next().unwrap_or("");
    if !head.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
        return false;
    }
    parts.all(is_sexagesimal_part)
}

fn is_sexagesimal_part(p: &str) -> bool {
    let b = p.as_bytes();
    match b.len() {
        1 => b[0].is_ascii_digit(),
        2 => (b'0'..=b'5').contains(&b[0]) && b[1].is_ascii_digit(),
        _ => false,
    }
}

/// PyYAML `construct_yaml_int`.
fn int_value(text: &str) -> Option<Value> {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect();
    let (neg, body) = split_sign(&cleaned);
    let magnitude: i128 = if body == "0" {
        0
    } else if let Some(rest) = body.strip_prefix("0b") {
        i128::from_str_radix(rest, 2).ok()?
    } else if let Some(rest) = body.strip_prefix("0x") {
        i128::from_str_radix(rest, 16).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        i128::from_str_radix(&body[1..], 8).ok()?
    } else if body.contains(':') {
        // Python's ints are unbounded; past i128 the value can only be shown as a float.
        let mut value: i128 = 0;
        let mut approx = 0f64;
        for part in body.split(':') {
            let digit = part.parse::<i128>().ok()?;
            approx = approx * 60.0 + digit as f64;
            value = match value.checked_mul(60).and_then(|v| v.checked_add(digit)) {
                Some(v) => v,
                None => {
                    let f = if neg { -approx } else { approx };
                    return serde_json::Number::from_f64(f).map(Value::Number);
                }
            };
        }
        value
    } else {
        body.parse::<i128>().ok()?
    };
    let v = if neg { -magnitude } else { magnitude };
    if let Ok(i) = i64::try_from(v) {
        Some(Value::from(i))
    } else if let Ok(u) = u64::try_from(v) {
        Some(Value::from(u))
    } else {
        serde_json::Number::from_f64(v as f64).map(Value::Number)
    }
}

/// `[-+]?([0-9][0-9_]*)\.[0-9_]*([eE][-+][0-9]+)? | \.[0-9][0-9_]*([eE][-+][0-9]+)? |
/// [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)`
fn is_float(text: &str) -> bool {
    if matches!(text, ".nan" | ".NaN" | ".NAN") {
        return true;
    }
    let (signed, body) = match text.as_bytes().first() {
        Some(b'-') | Some(b'+') => (true, &text[1..]),
        _ => (false, text),
    };
    if matches!(body, ".inf" | ".Inf" | ".INF") {
        return true;
    }
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    if let Some(exp) = exponent {
        let eb = exp.as_bytes();
        if eb.len() < 2
            || !(eb[0] == b'-' || eb[0] == b'+')
            || !eb[1..].iter().all(u8::is_ascii_digit)
        {
            return false;
        }
    }
    let Some(dot) = mantissa.find('.') else {
        return false;
    };
    let (int_part, frac) = (&mantissa[..dot], &mantissa[dot + 1..]);
    if !frac.bytes().all(|c| c.is_ascii_digit() || c == b'_') {
        return false;
    }
    if int_part.is_empty() {
        // `\.[0-9][0-9_]*` has no sign and needs a digit right after the dot.
        return !signed && frac.as_bytes().first().is_some_and(u8::is_ascii_digit);
    }
    if !int_part.as_bytes()[0].is_ascii_digit() {
        return false;
    }
    if int_part.contains(':') {
        if exponent.is_some() {
            return false;
        }
        let mut parts = int_part.split(':');
        let head = parts.next().unwrap_or("");
        return head.bytes().all(|c| c.is_ascii_digit() || c == b'_')
            && parts.all(is_sexagesimal_part);
    }
    int_part.bytes().all(|c| c.is_ascii_digit() || c == b'_')
}

/// PyYAML `construct_yaml_float` (infinities and NaN, which JSON cannot hold, become
/// the strings `inf`, `-inf` and `nan`).
fn float_value(text: &str) -> Option<Value> {
    let cleaned: String = text.chars().filter(|&c| c != '_').collect::<String>().to_lowercase();
    let (neg, body) = split_sign(&cleaned);
    let v: f64 = if body == ".inf" {
        return Some(Value::String(if neg { "-inf" } else { "inf" }.into()));
    } else if body == ".nan" {
        return Some(Value::String("nan".into()));
    } else if body.contains(':') {
        let mut value = 0.0;
        for part in body.split(':') {
            value = value * 60.0 + part.parse::<f64>().ok()?;
        }
        value
    } else {
        body.parse::<f64>().ok()?
    };
    serde_json::Number::from_f64(if neg { -v } else { v }).map(Value::Number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yaml_1_1_scalars() {
        let v = parse_yaml(
            "a: yes\nb: off\nc: 0755\nd: 1e3\ne: 1.5e+3\nf: 2013-05-23\ng: ~\nh: 0x1F\n\
             i: 1_000\nj: '0755'\nk: 190:20:30\nl: .5\nm: 1.\nn: True\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": true, "b": false, "c": 493, "d": "1e3", "e": 1500.0,
                   "f": "2013-05-23", "g": null, "h": 31, "i": 1000, "j": "0755",
                   "k": 685230, "l": 0.5, "m": 1.0, "n": true})
        );
    }

    #[test]
    fn words_and_numbers_by_their_first_character() {
        let v = parse_yaml(
            "a: Null\nb: NULL\nc: nothing\nd: Yesterday\ne: -.inf\nf: .NaN\ng: +12\nh: y\n\
             i: OFF\nj: Truth\nk: _1\nl: onion\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!({"a": null, "b": null, "c": "nothing", "d": "Yesterday", "e": "-inf",
                   "f": "nan", "g": 12, "h": "y", "i": false, "j": "Truth", "k": "_1",
                   "l": "onion"})
        );
    }

    #[test]
    fn json_first_then_yaml() {
        assert_eq!(parse_json_or_yaml("{\"a\": 1}").unwrap(), json!({"a": 1}));
        assert_eq!(parse_json_or_yaml("a: [1, x]").unwrap(), json!({"a": [1, "x"]}));
    }

    #[test]
    fn anchors_and_merge_keys() {
        let v = parse_yaml("base: &b {x: 1, y: 2}\nd:\n  <<: *b\n  y: 3\n").unwrap();
        assert_eq!(v, json!({"base": {"x": 1, "y": 2}, "d": {"x": 1, "y": 3}}));
    }

    #[test]
    fn syntax_error_is_reported() {
        assert!(parse_yaml("a: [1, 2\nb: c").is_err());
    }
}
