//! `result()` of the CloudFormation function classes (`heat/engine/cfn/functions.py`),
//! on resolved arguments.

use super::pyfmt::str_of;
use super::{Call, FnError, Func, Scope};
use crate::template::sections::py_type;
use crate::{Map, Value};

pub(super) fn result(call: &Call, args: Value, scope: &dyn Scope) -> Result<Value, FnError> {
    let name = call.name;
    let items = |v: Value| -> Vec<Value> {
        match v {
            Value::Array(a) => a,
            Value::String(s) => s.chars().map(|c| Value::String(c.to_string())).collect(),
            Value::Object(o) => o.keys().map(|k| Value::String(k.clone())).collect(),
            _ => vec![],
        }
    };
    match call.func {
        Func::CfnFindInMap => {
            let a = items(args);
            let key_error = |v: &Value| FnError::key(str_of(v));
            let maps = scope.mappings().cloned().unwrap_or(Value::Object(Map::new()));
            let mapping = lookup(&maps, &a[0]).ok_or_else(|| key_error(&a[0]))?;
            let inner = lookup(mapping, &a[1]).ok_or_else(|| key_error(&a[1]))?;
            lookup(inner, &a[2]).cloned().ok_or_else(|| key_error(&a[2]))
        }
        Func::CfnParamRef => {
            let param = str_of(&args);
            if !scope.declares_param(&param) {
                return Err(FnError::bad_reference(&param, "unknown"));
            }
            scope.param(&param)
        }
        Func::CfnSelect => {
            let a = items(args);
            select(name, &a[0], &a[1])
        }
        Func::CfnJoin => {
            let a = items(args);
            super::hot::join(name, &a[0], &a[1])
        }
        Func::CfnSplit => {
            let Some(super::Snippet::List(raw)) = Some(&call.args) else {
                return Err(FnError::type_error(format!("Delimiter for {name} must be string")));
            };
            let a = items(args);
            let Some(super::Snippet::Data(Value::String(delim))) = raw.first() else {
                return Err(FnError::type_error(format!("Delimiter for {name} must be string")));
            };
            let Value::String(text) = &a[1] else {
                return Err(FnError::type_error(format!(
                    "String to split must be string; got <class '{}'>",
                    py_type(&a[1])
                )));
            };
            if delim.is_empty() {
                return Err(FnError::value("empty separator"));
            }
            Ok(Value::Array(text.split(delim.as_str()).map(|s| Value::String(s.into())).collect()))
        }
        Func::CfnReplace => {
            let a = items(args);
            super::hot::replace(Func::CfnReplace, name, a[0].clone(), a[1].clone())
        }
        Func::CfnBase64 => match args {
            Value::String(_) => Ok(args),
            _ => Err(FnError::type_error(format!("\"{name}\" argument must be a string"))),
        },
        Func::CfnMemberListToMap => {
            let a = items(args);
            let (key_name, value_name) = (str_of(&a[0]), str_of(&a[1]));
            let list = match &a[2] {
                Value::Array(l) => l.clone(),
                Value::String(s) => s.chars().map(|c| Value::String(c.to_string())).collect(),
                Value::Object(o) => o.keys().map(|k| Value::String(k.clone())).collect(),
                _ => return Err(FnError::type_error("Member list must be a list")),
            };
            let mut partials: Vec<(String, String)> = Vec::new();
            for (i, s) in list.iter().enumerate() {
                let Value::String(s) = s else {
                    return Err(FnError::type_error("Member list items must be strings"));
                };
                let Some((k, v)) = s.split_once('=') else {
                    return Err(FnError::value(format!(
                        "dictionary update sequence element #{i} has length 1; 2 is required"
                    )));
                };
                partials.retain(|(pk, _)| pk != k);
                partials.push((k.to_string(), v.to_string()));
            }
            let mut members: std::collections::BTreeMap<u64, Map> = Default::default();
            for (k, v) in partials {
                let Some(rest) = k.strip_prefix(".member.") else { continue };
                let Some((idx, field)) = rest.split_once('.') else { continue };
                let Ok(idx) = idx.parse::<u64>() else { continue };
                members.entry(idx).or_default().insert(field.to_string(), Value::String(v));
            }
            let mut out = Map::new();
            for m in members.values() {
                if let (Some(k), Some(v)) = (m.get(&key_name), m.get(&value_name)) {
                    out.insert(str_of(k), v.clone());
                }
            }
            Ok(Value::Object(out))
        }
        _ => {
            Err(FnError::other("NotImplemented", format!("{name} cannot be evaluated statically")))
        }
    }
}

fn lookup<'v>(container: &'v Value, key: &Value) -> Option<&'v Value> {
    match (container, key) {
        (Value::Object(m), Value::String(k)) => m.get(k),
        (Value::Object(m), other) => m.get(&other.to_string()),
        _ => None,
    }
}

fn select(name: &str, index: &Value, strings: &Value) -> Result<Value, FnError> {
    let mut strings = strings.clone();
    if strings == Value::String(String::new()) {
        return Ok(strings);
    }
    if let Value::String(s) = &strings {
        strings =
            serde_json::from_str(s).map_err(|e| FnError::value(format!("\"{name}\": {e}")))?;
    }
    if let Value::Object(m) = &strings {
        let Value::String(k) = index else {
            return Err(FnError::type_error(format!("Index to \"{name}\" must be a string")));
        };
        return Ok(m.get(k).cloned().unwrap_or(Value::String(String::new())));
    }
    let idx = match index {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        Value::Bool(b) => Some(*b as i64),
        _ => None,
    };
    match &strings {
        Value::Array(a) => {
            let Some(i) = idx else {
                return Err(FnError::type_error(format!("Index to \"{name}\" must be an integer")));
            };
            Ok(super::hot::py_index(a.len(), i)
                .map(|i| a[i].clone())
                .unwrap_or(Value::String(String::new())))
        }
        Value::Null => Ok(Value::String(String::new())),
        _ => Err(FnError::type_error(format!("Arguments to {name} not fully resolved"))),
    }
}
