//! The stack outputs of a simulated run: the template's `outputs` evaluated with the
//! values the agents published.
//!
//! A simulation has no Heat engine, so only what the agents know can be evaluated:
//! `get_attr` / `Fn::GetAtt` on coordinated servers and groups (role outputs,
//! `first_address`, `name`; a group gathers its members in order, `resource.N` picks
//! one), with `list_join`, `str_replace`, `Fn::Join` and literals around them. Anything
//! else (attributes of resources that only Heat creates) is reported as unknown.

use std::collections::BTreeMap;

use crate::{Map, Value};

/// What the agents published, by server (`db`, `web.0`) then output name.
pub type Published = BTreeMap<String, Map>;

/// Group sizes by group name, for gathers.
pub type Groups = BTreeMap<String, u64>;

/// Evaluates one output expression; `None` when it needs something only Heat knows.
pub fn evaluate(expr: &Value, published: &Published, groups: &Groups) -> Option<Value> {
    match expr {
        Value::Array(items) => items
            .iter()
            .map(|v| evaluate(v, published, groups))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        Value::Object(m) if m.len() == 1 => {
            let (name, args) = m.iter().next().expect("one entry");
            match name.as_str() {
                "get_attr" | "Fn::GetAtt" => get_attr(args, published, groups),
                "list_join" | "Fn::Join" => {
                    let args = evaluate(args, published, groups)?;
                    let sep = args.get(0)?.as_str()?.to_string();
                    let mut parts = Vec::new();
                    for list in args.as_array()?.iter().skip(1) {
                        for item in list.as_array()? {
                            parts.push(text(item));
                        }
                    }
                    Some(Value::String(parts.join(&sep)))
                }
                "str_replace" => {
                    let args = evaluate(args, published, groups)?;
                    let mut out = args.get("template")?.as_str()?.to_string();
                    for (k, v) in args.get("params")?.as_object()? {
                        out = out.replace(k.as_str(), &text(v));
                    }
                    Some(Value::String(out))
                }
                _ if name.starts_with("Fn::") || is_hot_function(name) => None,
                _ => plain_object(m, published, groups),
            }
        }
        Value::Object(m) => plain_object(m, published, groups),
        other => Some(other.clone()),
    }
}

fn plain_object(m: &Map, published: &Published, groups: &Groups) -> Option<Value> {
    let mut out = Map::new();
    for (k, v) in m {
        out.insert(k.clone(), evaluate(v, published, groups)?);
    }
    Some(Value::Object(out))
}

fn is_hot_function(name: &str) -> bool {
    const HOT: &[&str] = &[
        "get_param",
        "get_resource",
        "get_file",
        "digest",
        "repeat",
        "map_merge",
        "map_replace",
        "str_split",
        "yaql",
        "equals",
        "if",
        "not",
        "and",
        "or",
        "filter",
        "make_url",
        "list_concat",
        "list_concat_unique",
        "contains",
        "resource_facade",
    ];
    HOT.contains(&name)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn get_attr(args: &Value, published: &Published, groups: &Groups) -> Option<Value> {
    let args = evaluate(args, published, groups)?;
    let args = args.as_array()?;
    let resource = args.first()?.as_str()?;
    let attr = args.get(1)?.as_str()?;
    let (value, rest) = if let Some(count) = groups.get(resource) {
        if let Some(index) = attr.strip_prefix("resource.") {
            let member = format!("{resource}.{index}");
            (published.get(&member)?.get(args.get(2)?.as_str()?)?.clone(), &args[3..])
        } else {
            let values = (0..*count)
                .map(|i| published.get(&format!("{resource}.{i}"))?.get(attr).cloned())
                .collect::<Option<Vec<_>>>()?;
            (Value::Array(values), &args[2..])
        }
    } else {
        (published.get(resource)?.get(attr)?.clone(), &args[2..])
    };
    rest.iter().try_fold(value, |here, key| match (&here, key) {
        (Value::Object(m), Value::String(k)) => m.get(k).cloned(),
        (Value::Array(items), Value::Number(n)) => items.get(n.as_u64()? as usize).cloned(),
        (Value::Array(items), Value::String(k)) => items.get(k.parse::<usize>().ok()?).cloned(),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn evaluates_attributes_gathers_and_joins() {
        let mut published = Published::new();
        published.insert("db".into(), json!({"db_host": "10.0.0.2"}).as_object().unwrap().clone());
        for i in 0..2 {
            published.insert(
                format!("web.{i}"),
                json!({"address": format!("10.0.1.{i}")}).as_object().unwrap().clone(),
            );
        }
        let groups: Groups = [("web".to_string(), 2)].into();
        let eval = |e: Value| evaluate(&e, &published, &groups);
        assert_eq!(eval(json!({"get_attr": ["db", "db_host"]})), Some(json!("10.0.0.2")));
        assert_eq!(
            eval(json!({"get_attr": ["web", "address"]})),
            Some(json!(["10.0.1.0", "10.0.1.1"]))
        );
        assert_eq!(
            eval(json!({"get_attr": ["web", "resource.1", "address"]})),
            Some(json!("10.0.1.1"))
        );
        assert_eq!(
            eval(json!({"list_join": [",", {"get_attr": ["web", "address"]}]})),
            Some(json!("10.0.1.0,10.0.1.1"))
        );
        assert_eq!(
            eval(
                json!({"str_replace": {"template": "http://H/", "params": {"H": {"get_attr": ["db", "db_host"]}}}})
            ),
            Some(json!("http://10.0.0.2/"))
        );
        assert_eq!(eval(json!({"Fn::GetAtt": ["db", "db_host"]})), Some(json!("10.0.0.2")));
        assert_eq!(eval(json!({"get_resource": "net"})), None);
        assert_eq!(eval(json!({"get_attr": ["net", "cidr"]})), None);
    }
}
