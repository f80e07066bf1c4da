//! Property values as Heat's resource plugins read them while the stack does not exist
//! yet (`shared/heat/implicit-dependencies.md` §3.0), for the implicit-dependency rules.
//!
//! The input is a resource's statically resolved properties, where run-time functions
//! are still one-key maps (`{"get_resource": "net"}`, `{"get_attr": [...]}`). Heat's
//! `Properties` object sees them as follows:
//! - `get_resource X` / `Ref X` is X's reference id before creation: X's name, or None
//!   for Neutron resources (see [`super::types`]);
//! - `list_join` / `Fn::Join` and `str_replace` / `Fn::Replace` around them are
//!   evaluated with those reference ids, as Heat would;
//! - every other function still in the value (`get_attr`, `Fn::GetAtt`, pseudo
//!   parameters, another function wrapping one of them) is None;
//! - a String property that is present reads None as `''` (no rule reads a property
//!   with a default); an absent one reads None, or fails when it is required;
//! - a deprecated property is moved onto its replacement (`network_id` → `network`),
//!   after which the deprecated name reads None.
//!
//! A read that Heat would fail with ValueError or TypeError is `Err(ReadError)`; each
//! rule decides, like Heat's code, whether that skips a pair or the whole rule.

use std::borrow::Cow;

use super::Types;

use crate::Value;

use super::types::reference_id_before_create;

/// A property read that Heat fails with ValueError or TypeError.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReadError;

/// The outcome of reading one property.
pub(crate) type Read<T> = Result<T, ReadError>;

/// A String property's value: `None` is Python's None, `Some("")` the empty string.
/// Borrowed from the properties when they hold it as it is read (most do).
pub(crate) type Str<'v> = Option<Cow<'v, str>>;

/// Intrinsic function names (every template version). A one-key map with one of these
/// keys in the resolved properties is a function Heat has not evaluated statically.
pub const FUNCTIONS: &[&str] = &[
    "Fn::And",
    "Fn::Base64",
    "Fn::Equals",
    "Fn::FindInMap",
    "Fn::GetAZs",
    "Fn::GetAtt",
    "Fn::If",
    "Fn::Join",
    "Fn::MemberListToMap",
    "Fn::Not",
    "Fn::Or",
    "Fn::Replace",
    "Fn::ResourceFacade",
    "Fn::Select",
    "Fn::Split",
    "Ref",
    "and",
    "contains",
    "digest",
    "equals",
    "filter",
    "get_attr",
    "get_file",
    "get_param",
    "get_resource",
    "if",
    "list_concat",
    "list_concat_unique",
    "list_join",
    "make_url",
    "map_merge",
    "map_replace",
    "not",
    "or",
    "repeat",
    "resource_facade",
    "str_replace",
    "str_replace_strict",
    "str_replace_vstrict",
    "str_split",
    "yaql",
];

/// Resolves run-time functions the way Heat does before anything is created.
pub(crate) struct Resolver<'a> {
    /// The resource names in order: a resource's index is its position.
    names: &'a [&'a str],
    /// Resource types by index, for reference ids.
    types: &'a Types,
}

impl<'a> Resolver<'a> {
    /// A resolver over the resources `names` (sorted), whose types are `types`.
    pub(crate) fn new(names: &'a [&'a str], types: &'a Types) -> Self {
        Resolver { names, types }
    }

    /// `value` with every function replaced by what it gives before creation.
    pub(crate) fn resolve(&self, value: &Value) -> Value {
        match value {
            Value::Object(map) => {
                if let Some(call) = self.function_call(map) {
                    return call;
                }
                Value::Object(map.iter().map(|(k, v)| (k.clone(), self.resolve(v))).collect())
            }
            Value::Array(items) => Value::Array(items.iter().map(|v| self.resolve(v)).collect()),
            other => other.clone(),
        }
    }

    /// The value of a function call, or None when `map` is plain data.
    fn function_call(&self, map: &crate::Map) -> Option<Value> {
        let mut keys = map.keys();
        let first = keys.next()?;
        // A call Heat failed on keeps its arguments next to an `__error__` key.
        let is_call = match keys.next() {
            None => FUNCTIONS.contains(&first.as_str()),
            Some(second) => map.len() == 2 && (first == "__error__" || second == "__error__"),
        };
        if !is_call {
            return None;
        }
        let args = map.get(first).filter(|_| map.len() == 1);
        let reference = match (first.as_str(), args) {
            ("get_resource" | "Ref", Some(Value::String(name))) => name,
            ("list_join" | "Fn::Join", Some(args)) => return Some(self.join(args)),
            (
                "str_replace" | "str_replace_strict" | "str_replace_vstrict",
                Some(Value::Object(args)),
            ) => return Some(self.replace(args.get("template"), args.get("params"))),
            ("Fn::Replace", Some(Value::Array(args))) if args.len() == 2 => {
                return Some(self.replace(args.get(1), args.first()))
            }
            _ => return Some(Value::Null),
        };
        Some(match self.names.binary_search(&reference.as_str()) {
            Ok(i) => reference_id_before_create(self.types.of(i), reference)
                .map_or(Value::Null, Value::from),
            Err(_) => Value::from(reference.as_str()),
        })
    }
}

impl Resolver<'_> {
    /// `list_join` / `Fn::Join` around a run-time function, evaluated as Heat does
    /// with the reference ids: string items (None reads `''`) joined by the delimiter;
    /// anything else (which some versions JSON-encode or reject) is unknown: None.
    fn join(&self, args: &Value) -> Value {
        let Some((delimiter, lists)) = args.as_array().and_then(|a| a.split_first()) else {
            return Value::Null;
        };
        let Value::String(delimiter) = self.resolve(delimiter) else { return Value::Null };
        let mut items = Vec::new();
        for list in lists {
            match self.resolve(list) {
                Value::Array(list) => {
                    for item in list {
                        match item {
                            Value::String(s) => items.push(s),
                            Value::Null => items.push(String::new()),
                            _ => return Value::Null,
                        }
                    }
                }
                Value::Null => {}
                _ => return Value::Null,
            }
        }
        Value::String(items.join(&delimiter))
    }

    /// `str_replace` / `Fn::Replace` around a run-time function, evaluated as Heat's
    /// `Replace.result`: the longest placeholder first (ties in name order), each
    /// replaced value left alone by the later placeholders. Values that are not strings,
    /// None (`''`) or integers make the result unknown: None.
    fn replace(&self, template: Option<&Value>, params: Option<&Value>) -> Value {
        let (Some(template), Some(params)) = (template, params) else { return Value::Null };
        let (Value::String(template), Value::Object(params)) =
            (self.resolve(template), self.resolve(params))
        else {
            return Value::Null;
        };
        let mut keys: Vec<&String> = params.keys().collect();
        keys.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        let mut values = Vec::with_capacity(keys.len());
        for key in &keys {
            values.push(match &params[key.as_str()] {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                Value::Number(n) if n.is_i64() || n.is_u64() => n.to_string(),
                _ => return Value::Null,
            });
        }
        fn replace(text: &str, keys: &[&String], values: &[String]) -> String {
            match keys.split_first() {
                None => text.to_string(),
                Some((key, rest)) => text
                    .split(key.as_str())
                    .map(|piece| replace(piece, rest, &values[1..]))
                    .collect::<Vec<_>>()
                    .join(&values[0]),
            }
        }
        Value::String(replace(&template, &keys, &values))
    }
}

/// Python truthiness of a JSON value.
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Python truthiness of a String property's value.
pub(crate) fn truthy_str(value: &Str<'_>) -> bool {
    value.as_deref().is_some_and(|s| !s.is_empty())
}

/// Heat's `Property._get_string` on a value that is present: None becomes `''`,
/// booleans and integers their Python `str()`, anything else fails.
fn coerce_string(value: Cow<'_, Value>) -> Read<Cow<'_, str>> {
    match value {
        Cow::Borrowed(Value::String(s)) => Ok(Cow::Borrowed(s)),
        Cow::Owned(Value::String(s)) => Ok(Cow::Owned(s)),
        value => match &*value {
            Value::Null => Ok(Cow::Borrowed("")),
            Value::Bool(true) => Ok(Cow::Borrowed("True")),
            Value::Bool(false) => Ok(Cow::Borrowed("False")),
            Value::Number(n) if n.is_i64() || n.is_u64() => Ok(Cow::Owned(n.to_string())),
            _ => Err(ReadError),
        },
    }
}

/// A node's properties as the implicit rules are given them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum NodeProperties<'a> {
    /// The statically resolved property map (`null` or a non-map reads as no
    /// properties), as [`super::ResourceNode::properties`].
    Value(&'a Value),
    /// The top-level properties the node's rules read, each statically resolved, in
    /// template order: what the template core hands over, sparing a map per resource.
    Pairs(&'a [(&'static str, Cow<'a, Value>)]),
}

/// The entries of a property map, however it was given.
#[derive(Clone, Copy)]
enum Entries<'v> {
    Map(&'v crate::Map),
    Pairs(&'v [(&'static str, Cow<'v, Value>)]),
}

/// A property map read with Heat's rules. Values are resolved as they are read, so a
/// rule pays only for the properties it looks at.
#[derive(Clone, Copy)]
pub(crate) struct Props<'v> {
    map: Option<Entries<'v>>,
    resolver: &'v Resolver<'v>,
    /// For a resource's top-level properties, the keys a rule may read (callers may
    /// leave the others out: `implicit::property_keys`); `None` for nested maps.
    keys: Option<&'static [&'static str]>,
}

impl<'v> Props<'v> {
    /// A resource's properties (`None` or a non-map reads as no properties), of which
    /// only `keys` may be read.
    pub(crate) fn new(
        properties: NodeProperties<'v>,
        resolver: &'v Resolver<'v>,
        keys: &'static [&'static str],
    ) -> Self {
        let map = match properties {
            NodeProperties::Value(v) => v.as_object().map(Entries::Map),
            NodeProperties::Pairs(pairs) => Some(Entries::Pairs(pairs)),
        };
        Props { map, resolver, keys: Some(keys) }
    }

    /// Nested properties (a Map property or a list item): any key may be read.
    fn nested(&self, map: Option<&'v crate::Map>) -> Props<'v> {
        Props { map: map.map(Entries::Map), resolver: self.resolver, keys: None }
    }

    /// The raw value of `key`, if present.
    fn lookup(&self, key: &str) -> Option<&'v Value> {
        debug_assert!(
            self.keys.map_or(true, |keys| keys.contains(&key)),
            "property {key} is read but missing from implicit::property_keys"
        );
        match self.map? {
            // Property maps are small: a scan beats hashing the key (serde_json's map
            // uses SipHash).
            Entries::Map(map) if map.len() <= 16 => {
                map.iter().find(|(k, _)| k.as_str() == key).map(|(_, v)| v)
            }
            Entries::Map(map) => map.get(key),
            Entries::Pairs(pairs) => pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| &**v),
        }
    }

    /// The resolved value of `key`, if present: borrowed when it is a scalar, which
    /// holds no function to resolve.
    fn get(&self, key: &str) -> Option<Cow<'v, Value>> {
        self.lookup(key).map(|v| match v {
            Value::Object(_) | Value::Array(_) => Cow::Owned(self.resolver.resolve(v)),
            scalar => Cow::Borrowed(scalar),
        })
    }

    /// The raw value of `key` and its resolved form when it is a function call (a map
    /// or list given by a function is unknown before creation: None).
    fn get_raw(&self, key: &str) -> Option<Raw<'v>> {
        let value = self.lookup(key)?;
        Some(match value {
            Value::Object(m) if self.resolver.function_call(m).is_some() => {
                Raw::Resolved(self.resolver.resolve(value))
            }
            other => Raw::Data(other),
        })
    }

    /// A top-level String property; `replaces` is the deprecated name Heat moves onto
    /// it (a REPLACE translation rule).
    pub(crate) fn string(
        &self,
        key: &str,
        replaces: Option<&str>,
        required: bool,
    ) -> Read<Str<'v>> {
        // Reading the old name through the Properties object coerces it.
        let old = match replaces.and_then(|o| self.get(o)) {
            Some(v) => Some(coerce_string(v)?),
            None => None,
        };
        match self.get(key) {
            Some(value) => {
                if truthy_str(&old) && truthy(&value) {
                    // "Cannot define the following properties at the same time".
                    return Err(ReadError);
                }
                match old {
                    Some(old) => Ok(Some(old)),
                    None => coerce_string(value).map(Some),
                }
            }
            None if old.is_some() => Ok(old),
            None if required => Err(ReadError),
            None => Ok(None),
        }
    }

    /// A top-level Map property with a schema: None when absent; `Err` when it is not a
    /// map, or when one of `required` keys is missing (Heat reads every schema key).
    pub(crate) fn map(&self, key: &str, required: &[&str]) -> Read<Option<Props<'v>>> {
        match self.get_raw(key) {
            None => Ok(None),
            // `_get_map(None)` reads `{}`, whose required keys are then missing.
            Some(Raw::Resolved(Value::Null) | Raw::Data(Value::Null)) if required.is_empty() => {
                Ok(Some(self.nested(None)))
            }
            Some(Raw::Data(Value::Object(m))) if required.iter().all(|k| m.contains_key(*k)) => {
                Ok(Some(self.nested(Some(m))))
            }
            Some(_) => Err(ReadError),
        }
    }

    /// A top-level List of Maps: None when absent, `[]` for null, `Err` when it or an
    /// item is not of that shape.
    pub(crate) fn list_of_maps(&self, key: &str) -> Read<Option<Vec<Props<'v>>>> {
        match self.get_raw(key) {
            None => Ok(None),
            Some(Raw::Resolved(Value::Null) | Raw::Data(Value::Null)) => Ok(Some(Vec::new())),
            Some(Raw::Data(Value::Array(items))) => items
                .iter()
                .map(|item| match item {
                    Value::Null => Ok(self.nested(None)),
                    Value::Object(m) => match self.resolver.function_call(m) {
                        None => Ok(self.nested(Some(m))),
                        Some(Value::Null) => Ok(self.nested(None)),
                        Some(_) => Err(ReadError),
                    },
                    _ => Err(ReadError),
                })
                .collect::<Read<Vec<_>>>()
                .map(Some),
            Some(_) => Err(ReadError),
        }
    }

    /// A String key of a nested map (a list item or a Map property). A deprecated key
    /// `replaces` is moved onto it as Heat's nested REPLACE rules do: from the item's
    /// resolved value, only when that is not None.
    pub(crate) fn nested_string(&self, key: &str, replaces: Option<&str>) -> Read<Str<'v>> {
        let old = replaces.and_then(|o| self.get(o)).filter(|v| !v.is_null());
        match (self.get(key), old) {
            (Some(value), Some(old)) if truthy(&value) && truthy(&old) => Err(ReadError),
            (Some(_), Some(old)) | (None, Some(old)) => coerce_string(old).map(Some),
            (Some(value), None) => coerce_string(value).map(Some),
            (None, None) => Ok(None),
        }
    }
}

/// A property's value before reading: template data, or what a function gives.
enum Raw<'v> {
    Data(&'v Value),
    Resolved(Value),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every key these tests read.
    const ALL: &[&str] =
        &["n", "l", "absent", "network", "network_id", "networks", "uuid", "subnet", "subnet_id"];

    fn with_resolver(test: impl FnOnce(&Resolver<'_>)) {
        let resources = ["b", "net", "vpc"];
        let names =
            ["AWS::S3::Bucket", "OS::Neutron::Net", "AWS::EC2::VPC"].map(String::from).to_vec();
        test(&Resolver::new(&resources, &Types { names, of_node: vec![0, 1, 2] }));
    }

    #[test]
    fn functions_resolve_to_reference_ids_or_none() {
        with_resolver(|r| {
            let v = r.resolve(&json!({
                "a": {"get_resource": "net"}, "b": {"Ref": "vpc"}, "c": {"get_attr": ["net", "name"]},
                "d": [{"Ref": "b"}], "e": {"network": "x"}, "f": {"get_file": "x", "__error__": "boom"}
            }));
            let want = json!({"a": null, "b": "vpc", "c": null, "d": ["None"], "e": {"network": "x"}, "f": null});
            assert_eq!(v, want);
        });
    }

    #[test]
    fn string_functions_around_references_are_evaluated() {
        with_resolver(|r| {
            let v = r.resolve(&json!([
                {"list_join": ["-", ["a", {"Ref": "vpc"}, {"get_attr": ["x", "y"]}], ["b"]]},
                {"Fn::Join": [",", [{"get_resource": "vpc"}, 1]]},
                {"str_replace": {"template": "ab-a", "params": {"a": {"get_resource": "vpc"}, "ab": "X", "v": 1}}},
                {"Fn::Replace": [{"$v": {"Ref": "vpc"}}, "n-$v"]},
                {"str_replace": {"template": {"get_attr": ["x", "y"]}, "params": {}}}
            ]));
            assert_eq!(v, json!(["a-vpc--b", null, "X-vpc", "n-vpc", null]));
        });
    }

    #[test]
    fn strings_read_like_heat_properties() {
        with_resolver(|r| {
            let v = json!({"network": null, "n": 3, "l": [1], "network_id": "pub"});
            let p = Props::new(NodeProperties::Value(&v), r, ALL);
            assert_eq!(p.string("n", None, false), Ok(Some("3".into())));
            assert_eq!(p.string("l", None, false), Err(ReadError));
            assert_eq!(p.string("absent", None, false), Ok(None));
            assert_eq!(p.string("absent", None, true), Err(ReadError));
            // `network: ''` and `network_id: pub` are not both truthy: the old value wins.
            assert_eq!(p.string("network", Some("network_id"), true), Ok(Some("pub".into())));
            let only_null = json!({"network": null});
            let p = Props::new(NodeProperties::Value(&only_null), r, ALL);
            assert_eq!(p.string("network", Some("network_id"), true), Ok(Some("".into())));
            let calls =
                json!({"network": {"get_resource": "net"}, "networks": {"get_attr": ["x", "y"]}});
            let p = Props::new(NodeProperties::Value(&calls), r, ALL);
            assert_eq!(p.string("network", None, true), Ok(Some("".into())));
            assert!(matches!(p.list_of_maps("networks"), Ok(Some(items)) if items.is_empty()));
        });
    }

    #[test]
    fn nested_items_translate_from_the_resolved_value() {
        with_resolver(|r| {
            let v = json!({"uuid": {"get_resource": "net"}, "subnet_id": "s"});
            let p = Props::new(NodeProperties::Value(&v), r, ALL);
            assert_eq!(p.nested_string("network", Some("uuid")), Ok(None));
            assert_eq!(p.nested_string("subnet", Some("subnet_id")), Ok(Some("s".into())));
        });
    }
}
