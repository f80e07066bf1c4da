//! `result()` of the HOT function classes (`heat/engine/hot/functions.py`), on
//! resolved arguments.

use super::pyfmt::{json_dumps, json_dumps_sorted, py_eq, repr, str_of, truthy};
use super::{Call, FnError, Func, Scope};
use crate::template::sections::py_type;
use crate::{Map, Value};

fn repr200(v: &Value) -> String {
    repr(v).chars().take(200).collect()
}

fn get(m: &Value, key: &str) -> Value {
    m.get(key).cloned().unwrap_or(Value::Null)
}

pub(super) fn result(call: &Call, args: Value, scope: &dyn Scope) -> Result<Value, FnError> {
    let name = call.name;
    match call.func {
        Func::GetParam => get_param(name, args, scope),
        Func::GetFile => match &args {
            Value::String(f) => {
                scope.file(f).map(|s| Value::String(s.to_string())).ok_or_else(|| {
                    FnError::value(format!(
                        "No content found in the \"files\" section for {name} path: {f}"
                    ))
                })
            }
            _ => Err(FnError::type_error(format!("Argument to \"{name}\" must be a string"))),
        },
        Func::Replace
        | Func::ReplaceJson
        | Func::ReplaceJsonStrict
        | Func::ReplaceJsonVeryStrict => {
            replace(call.func, name, get(&args, "params"), get(&args, "template"))
        }
        Func::Join => {
            let Value::Array(parts) = args else { unreachable_args() };
            join(name, &parts[0], &parts[1])
        }
        Func::JoinMultiple => join_multiple(name, args),
        Func::MapMerge => map_merge(name, args),
        Func::MapReplace => map_replace(name, args),
        Func::Repeat | Func::RepeatWithMap | Func::RepeatWithNestedLoop => {
            repeat(call.func, name, args)
        }
        Func::Digest => digest(name, args),
        Func::StrSplit => str_split(name, args),
        Func::Equals | Func::CfnEquals => {
            let Value::Array(v) = args else { unreachable_args() };
            Ok(Value::Bool(py_eq(&v[0], &v[1])))
        }
        Func::Not => Ok(Value::Bool(!scope.condition(&args)?)),
        Func::CfnNot => {
            let Value::Array(v) = args else { unreachable_args() };
            Ok(Value::Bool(!scope.condition(&v[0])?))
        }
        Func::And | Func::CfnAnd | Func::Or | Func::CfnOr => {
            let all = matches!(call.func, Func::And | Func::CfnAnd);
            let items: Vec<Value> = match args {
                Value::Array(v) => v,
                Value::String(s) => s.chars().map(|c| Value::String(c.to_string())).collect(),
                _ => vec![],
            };
            for item in &items {
                let c = scope.condition(item)?;
                if all && !c {
                    return Ok(Value::Bool(false));
                }
                if !all && c {
                    return Ok(Value::Bool(true));
                }
            }
            Ok(Value::Bool(all))
        }
        Func::Filter => filter(name, args),
        Func::MakeUrl => make_url(name, args),
        Func::ListConcat | Func::ListConcatUnique => list_concat(call.func, name, args),
        Func::Contains => contains(name, args),
        Func::Removed => {
            let mut m = Map::new();
            m.insert(name.to_string(), args);
            Ok(Value::Object(m))
        }
        Func::Yaql => {
            let Value::String(expression) = get(&args, "expression") else {
                return Err(FnError::type_error(format!(
                    "The \"expression\" argument to {name} must contain a string."
                )));
            };
            let data = args.get("data").cloned().unwrap_or(Value::Object(Map::new()));
            super::yaql::evaluate(&expression, &data).map_err(|e| {
                FnError::other(
                    super::UNSUPPORTED,
                    format!("yaql expression outside heat-sync's subset ({}): {expression}", e.0),
                )
            })
        }
        _ => Err(FnError::other("NotHot", "")),
    }
}

fn unreachable_args() -> ! {
    unreachable!("argument shape is checked when the call is parsed")
}

fn get_param(name: &str, args: Value, scope: &dyn Scope) -> Result<Value, FnError> {
    if !truthy(&args) {
        return Err(FnError::value(format!("Function \"{name}\" must have arguments")));
    }
    let (param, path): (Value, Vec<Value>) = match args {
        Value::String(s) => (Value::String(s), vec![]),
        Value::Array(mut items) => {
            let first = items.remove(0);
            (first, items)
        }
        _ => {
            return Err(FnError::type_error(format!(
                "Argument to \"{name}\" must be string or list"
            )))
        }
    };
    let Value::String(param) = param else {
        return Err(FnError::type_error(format!("Parameter name in \"{name}\" must be string")));
    };
    let mut value = scope.param(&param)?;
    for key in path {
        let next = match (&value, &key) {
            (Value::Object(m), Value::String(k)) => m.get(k).cloned(),
            (Value::Array(a), k) => {
                index_of(k).and_then(|i| py_index(a.len(), i)).map(|i| a[i].clone())
            }
            (Value::String(s), k) => index_of(k).and_then(|i| {
                let chars: Vec<char> = s.chars().collect();
                py_index(chars.len(), i).map(|i| Value::String(chars[i].to_string()))
            }),
            _ => None,
        };
        match next {
            Some(v) => value = v,
            None => return Ok(Value::String(String::new())),
        }
    }
    Ok(value)
}

fn index_of(k: &Value) -> Option<i64> {
    match k {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    }
}

/// A Python index (negative counts from the end) into a sequence of `len`.
pub(super) fn py_index(len: usize, i: i64) -> Option<usize> {
    let idx = if i < 0 { len as i64 + i } else { i };
    (0..len as i64).contains(&idx).then_some(idx as usize)
}

/// Keys in Heat's replacement order: sorted, then longest first (stable).
fn replacement_order(mapping: &Map) -> Vec<String> {
    let mut keys: Vec<String> = mapping.keys().cloned().collect();
    keys.sort();
    keys.sort_by_key(|k| std::cmp::Reverse(k.chars().count()));
    keys
}

pub(super) fn replace(
    func: Func,
    name: &str,
    mapping: Value,
    template: Value,
) -> Result<Value, FnError> {
    let strict = matches!(func, Func::ReplaceJsonStrict | Func::ReplaceJsonVeryStrict);
    let allow_empty = func != Func::ReplaceJsonVeryStrict;
    let json = func != Func::Replace && func != Func::CfnReplace;
    let Value::String(template) = template else {
        return Err(FnError::type_error(format!("\"{name}\" template must be a string")));
    };
    let Value::Object(mapping) = mapping else {
        return Err(FnError::type_error(format!("\"{name}\" params must be a map")));
    };
    let keys = replacement_order(&mapping);
    let mut values = Vec::with_capacity(keys.len());
    let mut unreplaced: Vec<String> = if strict { keys.clone() } else { vec![] };
    fn rec(
        strings: Vec<String>,
        keys: &[String],
        mapping: &Map,
        values: &mut Vec<Result<String, FnError>>,
        depth: usize,
        unreplaced: &mut Vec<String>,
        validate: &dyn Fn(&Value, &str) -> Result<String, FnError>,
    ) -> Result<Vec<String>, FnError> {
        if keys.is_empty() {
            return Ok(strings);
        }
        let placeholder = &keys[0];
        if values.len() <= depth {
            values.push(validate(&mapping[placeholder.as_str()], placeholder));
        }
        let value = values[depth].clone()?;
        let mut out = Vec::with_capacity(strings.len());
        for s in strings {
            let parts: Vec<String> = s.split(placeholder.as_str()).map(str::to_string).collect();
            if parts.len() > 1 {
                unreplaced.retain(|k| k != placeholder);
            }
            out.push(
                rec(parts, &keys[1..], mapping, values, depth + 1, unreplaced, validate)?
                    .join(&value),
            );
        }
        Ok(out)
    }
    let validate = |v: &Value, param: &str| -> Result<String, FnError> {
        let empty_err = || {
            FnError::value(format!(
                "{name} has an undefined or empty value for param {param}, must be a defined non-empty value"
            ))
        };
        match v {
            Value::Null => {
                if allow_empty {
                    Ok(String::new())
                } else {
                    Err(empty_err())
                }
            }
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                let s = str_of(v);
                if !allow_empty && s.is_empty() {
                    Err(empty_err())
                } else {
                    Ok(s)
                }
            }
            Value::Array(_) | Value::Object(_) if json => {
                let len = match v {
                    Value::Array(a) => a.len(),
                    Value::Object(o) => o.len(),
                    _ => 0,
                };
                if !allow_empty && len == 0 {
                    return Err(empty_err());
                }
                Ok(json_dumps_sorted(v))
            }
            _ if json => Err(FnError::type_error(format!(
                "\"{name}\" params must be strings, numbers, list or map."
            ))),
            _ => Err(FnError::type_error(format!(
                "\"{name}\" params must be strings or numbers, param {param} is not valid"
            ))),
        }
    };
    let out = rec(vec![template], &keys, &mapping, &mut values, 0, &mut unreplaced, &validate)?;
    if strict && !unreplaced.is_empty() {
        let mut rest = unreplaced;
        rest.sort();
        rest.sort_by_key(|k| std::cmp::Reverse(k.chars().count()));
        return Err(FnError::value(format!(
            "The following params were not found in the template: {}",
            rest.join(",")
        )));
    }
    Ok(Value::String(out.into_iter().next().unwrap_or_default()))
}

pub(super) fn join(name: &str, delim: &Value, strings: &Value) -> Result<Value, FnError> {
    let strings = match strings {
        Value::Null => vec![],
        Value::Array(a) => a.clone(),
        _ => return Err(FnError::type_error(format!("\"{name}\" must operate on a list"))),
    };
    let Value::String(delim) = delim else {
        return Err(FnError::type_error(format!("\"{name}\" delimiter must be a string")));
    };
    let mut parts = Vec::with_capacity(strings.len());
    for s in &strings {
        match s {
            Value::Null => parts.push(String::new()),
            Value::String(s) => parts.push(s.clone()),
            other => {
                return Err(FnError::type_error(format!(
                    "Items to join must be strings not {}",
                    repr200(other)
                )))
            }
        }
    }
    Ok(Value::String(parts.join(delim)))
}

fn join_multiple(name: &str, args: Value) -> Result<Value, FnError> {
    let Value::Array(mut items) = args else { unreachable_args() };
    let delim = items.remove(0);
    let mut strings = Vec::new();
    for jl in items {
        if !truthy(&jl) {
            continue;
        }
        match jl {
            Value::Array(a) => strings.extend(a),
            _ => return Err(FnError::type_error(format!("\"{name}\" must operate on a list"))),
        }
    }
    let Value::String(delim) = delim else {
        return Err(FnError::type_error(format!("\"{name}\" delimiter must be a string")));
    };
    let mut parts = Vec::with_capacity(strings.len());
    for s in &strings {
        match s {
            Value::Null => parts.push(String::new()),
            Value::String(s) => parts.push(s.clone()),
            Value::Array(_) | Value::Object(_) => parts.push(json_dumps_sorted(s)),
            other => {
                return Err(FnError::type_error(format!(
                    "Items to join must be string, map or list not {}",
                    repr200(other)
                )))
            }
        }
    }
    Ok(Value::String(parts.join(&delim)))
}

fn map_merge(name: &str, args: Value) -> Result<Value, FnError> {
    let items: Vec<Value> = match args {
        Value::Array(a) => a,
        Value::String(s) => s.chars().map(|c| Value::String(c.to_string())).collect(),
        _ => {
            return Err(FnError::type_error(format!(
                "Incorrect arguments to \"{name}\" should be: \"{name}\" : [ {{ \"key1\": \"val1\" }}, {{ \"key2\": \"val2\" }} ]"
            )))
        }
    };
    let mut out = Map::new();
    for m in items {
        match m {
            Value::Null => {}
            Value::Object(o) => {
                for (k, v) in o {
                    out.insert(k, v);
                }
            }
            other => {
                return Err(FnError::type_error(format!(
                    "Incorrect arguments: Items to merge must be maps. {} is type <class '{}'> instead of a dict",
                    repr200(&other),
                    py_type(&other)
                )))
            }
        }
    }
    Ok(Value::Object(out))
}

fn map_replace(name: &str, args: Value) -> Result<Value, FnError> {
    let example = format!(
        "\"{name}\" : [ {{ \"key1\": \"val1\" }}, {{\"keys\": {{\"key1\": \"key2\"}}, \"values\": {{\"val1\": \"val2\"}}}}]"
    );
    let shape =
        || FnError::type_error(format!("Incorrect arguments to \"{name}\" should be: {example}"));
    let ensure_map = |m: Value| -> Result<Map, FnError> {
        match m {
            Value::Null => Ok(Map::new()),
            Value::Object(o) => Ok(o),
            _ => Err(FnError::type_error(format!(
                "Incorrect arguments: to \"{name}\", arguments must be a list of maps. Example:  {example}"
            ))),
        }
    };
    let Value::Array(items) = args else { return Err(shape()) };
    if items.len() != 2 {
        if items.is_empty() {
            return Err(shape());
        }
        ensure_map(items[0].clone())?;
        if items.len() > 1 {
            ensure_map(items[1].clone())?;
        }
        return Err(shape());
    }
    let mut it = items.into_iter();
    let in_map = ensure_map(it.next().unwrap_or(Value::Null))?;
    let repl = ensure_map(it.next().unwrap_or(Value::Null))?;
    if repl.keys().any(|k| k != "keys" && k != "values") {
        return Err(FnError::value(format!(
            "Incorrect arguments to \"{name}\" should be: {example}"
        )));
    }
    let keys = ensure_map(repl.get("keys").cloned().unwrap_or(Value::Object(Map::new())))?;
    let values = ensure_map(repl.get("values").cloned().unwrap_or(Value::Object(Map::new())))?;
    let mut out = Map::new();
    for (k, v) in &in_map {
        let key = match keys.get(k) {
            None | Some(Value::Null) => k.clone(),
            Some(new) => {
                let new = str_of(new);
                if in_map.contains_key(&new) && new != *k {
                    return Err(FnError::value(format!(
                        "key replacement {new} collides with a key in the input map"
                    )));
                }
                if out.contains_key(&new) {
                    return Err(FnError::value(format!(
                        "key replacement {new} collides with a key in the output map"
                    )));
                }
                new
            }
        };
        let value = match v {
            Value::String(s) => values.get(s).cloned().unwrap_or_else(|| v.clone()),
            Value::Number(_) | Value::Bool(_) | Value::Null => {
                values.get(&json_key(v)).cloned().unwrap_or_else(|| v.clone())
            }
            _ => v.clone(),
        };
        out.insert(key, value);
    }
    Ok(Value::Object(out))
}

/// The key a scalar becomes in our string-keyed maps.
fn json_key(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

fn repeat(func: Func, name: &str, args: Value) -> Result<Value, FnError> {
    let for_each = get(&args, "for_each");
    let template = get(&args, "template");
    let nested = match func {
        Func::RepeatWithNestedLoop => {
            args.get("permutations").and_then(Value::as_bool).unwrap_or(true)
        }
        _ => true,
    };
    let Value::Object(for_each) = for_each else {
        return Err(FnError::other(
            "AttributeError",
            format!("'{}' object has no attribute 'items'", py_type(&for_each)),
        ));
    };
    if for_each.is_empty() {
        return Err(FnError::value("not enough values to unpack (expected 2, got 0)"));
    }
    let allow_maps = func != Func::Repeat && nested;
    let mut keys = Vec::new();
    let mut lists: Vec<Vec<Value>> = Vec::new();
    let mut lens = Vec::new();
    for (k, v) in for_each {
        keys.push(k);
        match v {
            Value::Null => lists.push(vec![]),
            Value::Array(a) => {
                lens.push(a.len());
                lists.push(a);
            }
            Value::Object(o) if allow_maps => {
                lens.push(o.len());
                lists.push(o.keys().map(|k| Value::String(k.clone())).collect());
            }
            _ => {
                let what = if allow_maps { "lists or maps" } else { "lists" };
                return Err(FnError::type_error(format!(
                    "The values of the \"for_each\" argument to \"{name}\" must be {what}"
                )));
            }
        }
    }
    if !nested && !lens.is_empty() && lens.iter().any(|l| *l != lens[0]) {
        return Err(FnError::value(format!(
            "For {name}, the length of for_each values should be equal if no nested loop."
        )));
    }
    let combos: Vec<Vec<Value>> = if nested {
        let mut acc: Vec<Vec<Value>> = vec![vec![]];
        for list in &lists {
            let mut next = Vec::with_capacity(acc.len() * list.len());
            for prefix in &acc {
                for item in list {
                    let mut c = prefix.clone();
                    c.push(item.clone());
                    next.push(c);
                }
            }
            acc = next;
        }
        acc
    } else {
        let n = lists.iter().map(Vec::len).min().unwrap_or(0);
        (0..n).map(|i| lists.iter().map(|l| l[i].clone()).collect()).collect()
    };
    let mut out = Vec::with_capacity(combos.len());
    for combo in combos {
        out.push(do_replacement(&keys, &combo, &template)?);
    }
    Ok(Value::Array(out))
}

fn do_replacement(keys: &[String], values: &[Value], template: &Value) -> Result<Value, FnError> {
    Ok(match template {
        Value::String(s) => {
            let mut s = s.clone();
            for (k, v) in keys.iter().zip(values) {
                let Value::String(v) = v else {
                    return Err(FnError::type_error(format!(
                        "replace() argument 2 must be str, not {}",
                        py_type(v)
                    )));
                };
                s = s.replace(k.as_str(), v);
            }
            Value::String(s)
        }
        Value::Array(items) => Value::Array(
            items.iter().map(|i| do_replacement(keys, values, i)).collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                let key = match do_replacement(keys, values, &Value::String(k.clone()))? {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                out.insert(key, do_replacement(keys, values, v)?);
            }
            Value::Object(out)
        }
        other => other.clone(),
    })
}

fn digest(name: &str, args: Value) -> Result<Value, FnError> {
    use sha2::Digest as _;
    let ok = matches!(&args, Value::Array(a) if a.iter().all(Value::is_string));
    if !ok {
        return Err(FnError::type_error(format!(
            "Argument to function \"{name}\" must be a list of strings"
        )));
    }
    let Value::Array(a) = args else { unreachable!() };
    if a.len() != 2 {
        return Err(FnError::value(format!(
            "Function \"{name}\" usage: [\"<algorithm>\", \"<value>\"]"
        )));
    }
    let algo = a[0].as_str().unwrap_or_default().to_lowercase();
    let value = a[1].as_str().unwrap_or_default();
    let mut bytes = Vec::with_capacity(value.len());
    for c in value.chars() {
        let code = c as u32;
        if code > 255 {
            return Err(FnError::other(
                "UnicodeEncodeError",
                format!("'latin-1' codec can't encode character '\\u{code:04x}'"),
            ));
        }
        bytes.push(code as u8);
    }
    fn hex(b: &[u8]) -> String {
        b.iter().map(|x| format!("{x:02x}")).collect()
    }
    let out =
        match algo.as_str() {
            "md5" => hex(&md5::Md5::digest(&bytes)),
            "sha1" => hex(&sha1::Sha1::digest(&bytes)),
            "sha224" => hex(&sha2::Sha224::digest(&bytes)),
            "sha256" => hex(&sha2::Sha256::digest(&bytes)),
            "sha384" => hex(&sha2::Sha384::digest(&bytes)),
            "sha512" => hex(&sha2::Sha512::digest(&bytes)),
            _ => return Err(FnError::value(
                "Algorithm must be one of {'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'}",
            )),
        };
    Ok(Value::String(out))
}

fn str_split(name: &str, args: Value) -> Result<Value, FnError> {
    let shape = || {
        FnError::value(format!(
            "Incorrect arguments to \"{name}\" should be: \"{name}\" : [ \",\", \"apples,pears\", <index>]"
        ))
    };
    let Value::Array(items) = args else { return Err(shape()) };
    if items.len() < 2 {
        return Err(shape());
    }
    let (delim, text) = (&items[0], &items[1]);
    if text.is_null() {
        return Ok(Value::Null);
    }
    let Value::String(text) = text else {
        return Err(FnError::other(
            "AttributeError",
            format!("'{}' object has no attribute 'split'", py_type(text)),
        ));
    };
    let Value::String(delim) = delim else {
        return Err(FnError::type_error(format!("must be str or None, not {}", py_type(delim))));
    };
    if delim.is_empty() {
        return Err(FnError::value("empty separator"));
    }
    let parts: Vec<Value> = text.split(delim.as_str()).map(|s| Value::String(s.into())).collect();
    match items.get(2) {
        None => Ok(Value::Array(parts)),
        Some(index) => {
            let i = match index {
                Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                Value::Bool(b) => Some(*b as i64),
                _ => None,
            }
            .ok_or_else(|| {
                FnError::value(format!(
                    "Incorrect index to \"{name}\" should be: \"{name}\" : [ \",\", \"apples,pears\", <index>]"
                ))
            })?;
            py_index(parts.len(), i).map(|i| parts[i].clone()).ok_or_else(|| {
                FnError::value(format!(
                    "Incorrect index to \"{name}\" should be between 0 and {}",
                    parts.len() as i64 - 1
                ))
            })
        }
    }
}

fn filter(name: &str, args: Value) -> Result<Value, FnError> {
    let Value::Array(a) = args else { unreachable_args() };
    let (values, sequence) = (&a[0], &a[1]);
    if !truthy(sequence) {
        return Ok(sequence.clone());
    }
    let Value::Array(sequence) = sequence else {
        return Err(FnError::type_error(format!("\"{name}\" only works with lists")));
    };
    if !truthy(values) {
        return Ok(Value::Array(sequence.clone()));
    }
    let Value::Array(values) = values else {
        return Err(FnError::type_error(format!("\"{name}\" filters a list of values")));
    };
    Ok(Value::Array(
        sequence.iter().filter(|i| !values.iter().any(|v| py_eq(v, i))).cloned().collect(),
    ))
}

fn list_concat(func: Func, name: &str, args: Value) -> Result<Value, FnError> {
    let Value::Array(items) = &args else {
        return Err(FnError::type_error(format!(
            "Incorrect arguments to \"{name}\" should be: \"{name}\" : [ [ <value 1>, <value 2> ], [ <value 3>, <value 4> ] ]"
        )));
    };
    let mut out: Vec<Value> = Vec::new();
    for m in items {
        match m {
            Value::Null => {}
            Value::Array(a) => out.extend(a.iter().cloned()),
            other => {
                return Err(FnError::type_error(format!(
                    "Incorrect arguments: Items to concat must be lists. {} contains an item that is not a list: {}",
                    json_dumps(&args),
                    json_dumps(other)
                )))
            }
        }
    }
    if func == Func::ListConcatUnique {
        let mut unique: Vec<Value> = Vec::with_capacity(out.len());
        for item in out {
            if !unique.iter().any(|u| py_eq(u, &item)) {
                unique.push(item);
            }
        }
        return Ok(Value::Array(unique));
    }
    Ok(Value::Array(out))
}

fn contains(name: &str, args: Value) -> Result<Value, FnError> {
    let Value::Array(a) = args else { unreachable_args() };
    let (value, sequence) = (&a[0], &a[1]);
    match sequence {
        Value::Array(items) => Ok(Value::Bool(items.iter().any(|i| py_eq(i, value)))),
        Value::String(s) => match value {
            Value::String(v) => Ok(Value::Bool(s.contains(v.as_str()))),
            other => Err(FnError::type_error(format!(
                "'in <string>' requires string as left operand, not {}",
                py_type(other)
            ))),
        },
        _ => {
            Err(FnError::type_error(format!("Second argument to \"{name}\" should be a sequence.")))
        }
    }
}

const URL_KEYS: [&str; 8] =
    ["scheme", "username", "password", "host", "port", "path", "query", "fragment"];

/// `MakeURL._check_args` (run at validation and before evaluating).
pub(super) fn make_url_check(name: &str, args: &Map) -> Result<(), FnError> {
    for key in URL_KEYS {
        let Some(v) = args.get(key) else { continue };
        match key {
            "query" => {
                if !v.is_object() {
                    return Err(FnError::type_error(format!(
                        "The \"query\" argument to \"{name}\" must be a map"
                    )));
                }
                return Ok(());
            }
            "port" => {
                let port = match v {
                    Value::Number(n) => n.as_i64(),
                    Value::String(s) => Some(s.trim().parse::<i64>().map_err(|_| {
                        FnError::value(format!(
                            "Invalid URL port \"{s}\" for {name} called with {}",
                            repr(&Value::Object(args.clone()))
                        ))
                    })?),
                    _ => None,
                }
                .unwrap_or(0);
                if !(1..=65535).contains(&port) {
                    return Err(FnError::value(format!(
                        "Invalid URL port {port}, must be in range 1-65535"
                    )));
                }
            }
            _ => {
                if !v.is_string() {
                    return Err(FnError::type_error(format!(
                        "The \"{key}\" argument to \"{name}\" must be a string"
                    )));
                }
            }
        }
    }
    Ok(())
}

/// Python `urllib.parse.quote(s, safe)`.
fn quote(s: &str, safe: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        let c = b as char;
        if b.is_ascii_alphanumeric() || "_.-~".contains(c) || safe.contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn quote_plus(s: &str) -> String {
    quote(s, " ").replace(' ', "+")
}

fn make_url(name: &str, args: Value) -> Result<Value, FnError> {
    let Value::Object(args) = args else {
        return Err(FnError::type_error(format!("The arguments to \"{name}\" must be a map")));
    };
    make_url_check(name, &args)?;
    let s = |k: &str| args.get(k).map(str_of).unwrap_or_default();
    let scheme = s("scheme");
    if scheme.contains(':') {
        return Err(FnError::value("URL \"scheme\" should not contain ':'"));
    }
    let mut netloc = String::new();
    let (user, pass) = (quote(&s("username"), ""), quote(&s("password"), ""));
    if !user.is_empty() || !pass.is_empty() {
        netloc.push_str(&user);
        if !pass.is_empty() {
            netloc.push(':');
            netloc.push_str(&pass);
        }
        netloc.push('@');
    }
    let mut host = s("host");
    if host.starts_with('[') && host.ends_with(']') && host.len() >= 2 {
        host = host[1..host.len() - 1].to_string();
    }
    let mut host = quote(&host, ":");
    if host.contains(':') {
        host = format!("[{host}]");
    }
    netloc.push_str(&host);
    if let Some(port) = args.get("port").filter(|p| truthy(p)) {
        netloc.push(':');
        netloc.push_str(&str_of(port));
    }
    let path = quote(&s("path"), "/");
    let query = match args.get("query") {
        Some(Value::Object(q)) => q
            .iter()
            .map(|(k, v)| format!("{}={}", quote_plus(k), quote_plus(&str_of(v))))
            .collect::<Vec<_>>()
            .join("&")
            .replace("%2F", "/"),
        _ => String::new(),
    };
    let fragment = quote(&s("fragment"), "/");
    let mut url = path;
    let uses_netloc = [
        "",
        "ftp",
        "http",
        "gopher",
        "nntp",
        "telnet",
        "imap",
        "wais",
        "file",
        "mms",
        "https",
        "shttp",
        "snews",
        "prospero",
        "rtsp",
        "rtspu",
        "rsync",
        "svn",
        "svn+ssh",
        "sftp",
        "nfs",
        "git",
        "git+ssh",
        "ws",
        "wss",
        "itms-services",
    ];
    if !netloc.is_empty()
        || (!scheme.is_empty() && uses_netloc.contains(&scheme.as_str()) && !url.starts_with("//"))
    {
        if !url.is_empty() && !url.starts_with('/') {
            url = format!("/{url}");
        }
        url = format!("//{netloc}{url}");
    }
    if !scheme.is_empty() {
        url = format!("{scheme}:{url}");
    }
    if !query.is_empty() {
        url = format!("{url}?{query}");
    }
    if !fragment.is_empty() {
        url = format!("{url}#{fragment}");
    }
    Ok(Value::String(url))
}
