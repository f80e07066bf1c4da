//! A parsed YAML document as an arena: what the fast YAML path reads templates into.
//!
//! A [`serde_json::Value`] tree of a large template costs more to build and drop than
//! everything Heat's analysis does with it (every map hashes its keys, every string
//! is its own allocation, a node is 80 bytes). A [`Doc`] keeps every collection's
//! children side by side in two vectors and borrows strings from the text unless an
//! escape changed them. The template core reads resource definitions straight from
//! it (through [`Node`]); [`Doc::to_value`] gives the same value the reference parser
//! gives, for everything else.

use std::borrow::Cow;

use serde_json::Number;

use super::node::{Kind, Node};
use crate::{Map, Value};

/// One node of a [`Doc`]: a scalar, or a collection whose children lie in the
/// document's arena.
#[derive(Debug, Clone, PartialEq)]
pub enum DocNode<'t> {
    /// `null`, `~` or nothing.
    Null,
    /// A YAML 1.1 boolean.
    Bool(bool),
    /// An integer or float.
    Number(Number),
    /// A string, borrowed from the text when it is a slice of it.
    String(Cow<'t, str>),
    /// A sequence: `Doc::items[start..start + len]`.
    List {
        /// The first item's index.
        start: u32,
        /// The number of items.
        len: u32,
    },
    /// A mapping: `Doc::entries[start..start + len]`, keys unique (a later duplicate
    /// replaced the value and kept the first one's place, as Python's dict does).
    Map {
        /// The first entry's index.
        start: u32,
        /// The number of entries.
        len: u32,
    },
}

/// A parsed document: its root and the arena of its collections' children.
#[derive(Debug, Clone, Default)]
pub struct Doc<'t> {
    pub(super) root: Option<DocNode<'t>>,
    pub(super) items: Vec<DocNode<'t>>,
    pub(super) entries: Vec<(Cow<'t, str>, DocNode<'t>)>,
}

impl<'t> Doc<'t> {
    /// An empty document with room for the collections of `text_len` bytes of a
    /// typical template (an entry per 20 bytes, an item per 80), so that the arena
    /// does not grow and copy itself on the way.
    pub(super) fn with_capacity(text_len: usize) -> Self {
        Doc {
            root: None,
            items: Vec::with_capacity(text_len / 80),
            entries: Vec::with_capacity(text_len / 20),
        }
    }

    /// The root node (`null` for an empty document).
    pub fn root(&self) -> DocRef<'_, 't> {
        const NULL: &DocNode<'static> = &DocNode::Null;
        DocRef { doc: self, node: self.root.as_ref().unwrap_or(NULL) }
    }

    /// The whole document as a value, as the reference parser gives it.
    pub fn to_value(&self) -> Value {
        self.root().to_value()
    }

    /// Appends a finished sequence's items and returns its node.
    pub(super) fn push_list(&mut self, items: impl Iterator<Item = DocNode<'t>>) -> DocNode<'t> {
        let start = self.items.len();
        self.items.extend(items);
        DocNode::List { start: index(start), len: index(self.items.len() - start) }
    }

    /// Appends a finished mapping's entries (duplicate keys resolved as Python's dict
    /// does) and returns its node.
    pub(super) fn push_map(
        &mut self,
        entries: impl ExactSizeIterator<Item = (Cow<'t, str>, DocNode<'t>)>,
        unique: bool,
    ) -> DocNode<'t> {
        let start = self.entries.len();
        if unique {
            self.entries.extend(entries);
        } else {
            // Rare (a template with a repeated key): a map of the positions taken.
            let mut position: crate::graph::FastMap<Cow<'t, str>, usize> =
                crate::graph::FastMap::default();
            for (key, value) in entries {
                match position.get(&key) {
                    Some(&i) => self.entries[i].1 = value,
                    None => {
                        position.insert(key.clone(), self.entries.len());
                        self.entries.push((key, value));
                    }
                }
            }
        }
        DocNode::Map { start: index(start), len: index(self.entries.len() - start) }
    }
}

/// Whether the keys of a mapping are all different (the common case, checked
/// without a map for the small mappings templates are made of).
pub(super) fn unique_keys(entries: &[(Cow<'_, str>, DocNode<'_>)]) -> bool {
    if entries.len() <= 16 {
        return entries
            .iter()
            .enumerate()
            .all(|(i, (k, _))| entries[..i].iter().all(|(j, _)| j != k));
    }
    let mut seen: crate::graph::FastSet<&str> = crate::graph::FastSet::default();
    seen.reserve(entries.len());
    entries.iter().all(|(k, _)| seen.insert(k))
}

/// An arena index. Templates are limited to a few megabytes, far from 2^32 nodes.
fn index(i: usize) -> u32 {
    u32::try_from(i).expect("a document of fewer than 2^32 nodes")
}

/// A node of a [`Doc`] with the document it lives in.
#[derive(Debug, Clone, Copy)]
pub struct DocRef<'d, 't> {
    doc: &'d Doc<'t>,
    node: &'d DocNode<'t>,
}

impl<'d, 't> DocRef<'d, 't> {
    /// The node itself.
    pub fn node(self) -> &'d DocNode<'t> {
        self.node
    }

    fn entry_slice(self) -> &'d [(Cow<'t, str>, DocNode<'t>)] {
        match *self.node {
            DocNode::Map { start, len } => {
                &self.doc.entries[start as usize..(start + len) as usize]
            }
            _ => &[],
        }
    }

    fn item_slice(self) -> &'d [DocNode<'t>] {
        match *self.node {
            DocNode::List { start, len } => &self.doc.items[start as usize..(start + len) as usize],
            _ => &[],
        }
    }
}

impl<'d, 't> Node<'d> for DocRef<'d, 't> {
    fn kind(self) -> Kind {
        match self.node {
            DocNode::Null => Kind::Null,
            DocNode::Bool(_) => Kind::Bool,
            DocNode::Number(n) if n.is_f64() => Kind::Float,
            DocNode::Number(_) => Kind::Int,
            DocNode::String(_) => Kind::String,
            DocNode::List { .. } => Kind::List,
            DocNode::Map { .. } => Kind::Map,
        }
    }

    fn as_str(self) -> Option<&'d str> {
        match self.node {
            DocNode::String(s) => Some(s),
            _ => None,
        }
    }

    fn len(self) -> usize {
        match *self.node {
            DocNode::List { len, .. } | DocNode::Map { len, .. } => len as usize,
            _ => 0,
        }
    }

    fn entries(self) -> impl ExactSizeIterator<Item = (&'d str, Self)> {
        let doc = self.doc;
        self.entry_slice().iter().map(move |(k, node)| (&**k, DocRef { doc, node }))
    }

    fn items(self) -> impl ExactSizeIterator<Item = Self> {
        let doc = self.doc;
        self.item_slice().iter().map(move |node| DocRef { doc, node })
    }

    fn get(self, key: &str) -> Option<Self> {
        let doc = self.doc;
        self.entry_slice().iter().find(|(k, _)| k == key).map(|(_, node)| DocRef { doc, node })
    }

    fn to_value(self) -> Value {
        match self.node {
            DocNode::Null => Value::Null,
            DocNode::Bool(b) => Value::Bool(*b),
            DocNode::Number(n) => Value::Number(n.clone()),
            DocNode::String(s) => Value::String(s.to_string()),
            DocNode::List { .. } => Value::Array(self.items().map(Node::to_value).collect()),
            DocNode::Map { .. } => {
                let mut map = Map::with_capacity(self.len());
                for (k, v) in self.entries() {
                    map.insert(k.to_string(), v.to_value());
                }
                Value::Object(map)
            }
        }
    }
}
