//! Reading a parsed template node whatever holds it: a [`serde_json::Value`] (JSON
//! templates, the reference YAML path, templates handed over already parsed) or a
//! node of a [`super::doc::Doc`] (the fast YAML path). Heat's function parser and the
//! resource definitions read through [`Node`], so both give the same answer.

use crate::{Map, Value};

/// What a node is, in Python's terms (the names Heat's messages print).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)]
pub enum Kind {
    Null,
    Bool,
    Int,
    Float,
    String,
    List,
    Map,
}

impl Kind {
    /// The Python type name Heat prints in "Found a [<class 'str'>] instead".
    pub fn py_type(self) -> &'static str {
        match self {
            Kind::Null => "NoneType",
            Kind::Bool => "bool",
            Kind::Int => "int",
            Kind::Float => "float",
            Kind::String => "str",
            Kind::List => "list",
            Kind::Map => "dict",
        }
    }
}

/// A read-only view of one parsed node; `'a` is how long what it lends lives.
pub trait Node<'a>: Copy + Send + Sync + 'a {
    /// What the node is.
    fn kind(self) -> Kind;
    /// The string, when the node is one.
    fn as_str(self) -> Option<&'a str>;
    /// The number of entries or items of a collection (0 for a scalar).
    fn len(self) -> usize;
    /// A mapping's entries in template order (none for anything else).
    fn entries(self) -> impl ExactSizeIterator<Item = (&'a str, Self)>;
    /// A sequence's items (none for anything else).
    fn items(self) -> impl ExactSizeIterator<Item = Self>;
    /// A mapping's value for `key` (a scan: meant for the few keys of a definition).
    fn get(self, key: &str) -> Option<Self>;
    /// The node as a value.
    fn to_value(self) -> Value;

    /// Whether a collection has no entries or items (a scalar has none).
    fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Whether the node is a mapping.
    fn is_map(self) -> bool {
        self.kind() == Kind::Map
    }

    /// Python's truth of the node (`pyfmt::truthy` of its value).
    fn truthy(self) -> bool {
        match self.kind() {
            Kind::Null => false,
            Kind::String => self.as_str().is_some_and(|s| !s.is_empty()),
            Kind::List | Kind::Map => !self.is_empty(),
            Kind::Bool | Kind::Int | Kind::Float => {
                crate::functions::pyfmt::truthy(&self.to_value())
            }
        }
    }
}

impl<'a> Node<'a> for &'a Value {
    fn kind(self) -> Kind {
        match self {
            Value::Null => Kind::Null,
            Value::Bool(_) => Kind::Bool,
            Value::Number(n) if n.is_f64() => Kind::Float,
            Value::Number(_) => Kind::Int,
            Value::String(_) => Kind::String,
            Value::Array(_) => Kind::List,
            Value::Object(_) => Kind::Map,
        }
    }

    fn as_str(self) -> Option<&'a str> {
        Value::as_str(self)
    }

    fn len(self) -> usize {
        match self {
            Value::Array(a) => a.len(),
            Value::Object(m) => m.len(),
            _ => 0,
        }
    }

    fn entries(self) -> impl ExactSizeIterator<Item = (&'a str, Self)> {
        static EMPTY: std::sync::OnceLock<Map> = std::sync::OnceLock::new();
        let map = match self {
            Value::Object(m) => m,
            _ => EMPTY.get_or_init(Map::new),
        };
        map.iter().map(|(k, v)| (k.as_str(), v))
    }

    fn items(self) -> impl ExactSizeIterator<Item = Self> {
        match self {
            Value::Array(a) => a.iter(),
            _ => [].iter(),
        }
    }

    fn get(self, key: &str) -> Option<Self> {
        match self {
            // Comparing the few keys of a definition beats hashing the key (serde_json's
            // map uses SipHash).
            Value::Object(m) if m.len() <= 16 => {
                m.iter().find_map(|(k, v)| (k == key).then_some(v))
            }
            Value::Object(m) => m.get(key),
            _ => None,
        }
    }

    fn to_value(self) -> Value {
        self.clone()
    }
}
