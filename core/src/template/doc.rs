//! A parsed YAML document as an arena: what the fast YAML path reads templates into.
//!
//! A [`serde_json::Value`] tree of a large template costs more to build and drop than
//! everything Heat's analysis does with it (every map hashes its keys, every string
//! is its own allocation, a node is 72 bytes). A [`Doc`] keeps every collection's
//! children side by side in two vectors and borrows strings from the text unless an
//! escape changed them. The template core reads resource definitions straight from
//! it (through [`Node`]); [`Doc::to_value`] gives the same value the reference parser
//! gives, for everything else.

use std::borrow::Cow;

use serde_json::Number;

use super::node::{Kind, Node};
use crate::{Map, Value};

/// A string of a [`Doc`]: a slice of the text, or one of the document's own strings
/// (when an escape changed it), by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Str {
    start: u32,
    /// The length of the slice; [`Str::OWNED`] for an own string (index `start`).
    len: u32,
}

impl Str {
    const OWNED: u32 = u32::MAX;
}

/// One node of a [`Doc`]: a scalar, or a collection whose children lie in the
/// document's arena. Twelve bytes, so that collections copy cheaply.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum DocNode {
    Null,
    Bool(bool),
    /// An integer or float: `Doc::numbers[i]`.
    Number(u32),
    String(Str),
    /// A sequence: `Doc::items[start..start + len]`.
    List {
        start: u32,
        len: u32,
    },
    /// A mapping: `Doc::entries[start..start + len]`, keys unique (a later duplicate
    /// replaced the value and kept the first one's place, as Python's dict does).
    Map {
        start: u32,
        len: u32,
    },
}

/// A parsed document: its root and the arena of its collections' children.
#[derive(Debug, Clone)]
pub struct Doc<'t> {
    text: &'t str,
    pub(super) root: Option<DocNode>,
    owned: Vec<String>,
    numbers: Vec<Number>,
    items: Vec<DocNode>,
    entries: Vec<(Str, DocNode)>,
}

impl<'t> Doc<'t> {
    /// An empty document of `text` with room for the collections of a typical
    /// template of its size (an entry per 20 bytes, an item per 80), so that the
    /// arena does not grow and copy itself on the way.
    pub(super) fn new(text: &'t str) -> Self {
        Doc {
            text,
            root: None,
            owned: Vec::new(),
            numbers: Vec::new(),
            items: Vec::with_capacity(text.len() / 80),
            entries: Vec::with_capacity(text.len() / 20),
        }
    }

    /// The root node (`null` for an empty document).
    pub fn root(&self) -> DocRef<'_, 't> {
        DocRef { doc: self, node: self.root.unwrap_or(DocNode::Null) }
    }

    /// The whole document as a value, as the reference parser gives it.
    pub fn to_value(&self) -> Value {
        self.root().to_value()
    }

    /// A string of the document: `s` when it is a slice of the text, else kept.
    pub(super) fn string(&mut self, s: Cow<'t, str>) -> Str {
        match s {
            Cow::Borrowed(slice) => {
                let start = slice.as_ptr() as usize - self.text.as_ptr() as usize;
                debug_assert!(self.text.get(start..start + slice.len()) == Some(slice));
                Str { start: index(start), len: index(slice.len()) }
            }
            Cow::Owned(own) => {
                self.owned.push(own);
                Str { start: index(self.owned.len() - 1), len: Str::OWNED }
            }
        }
    }

    /// A number node.
    pub(super) fn number(&mut self, n: Number) -> DocNode {
        self.numbers.push(n);
        DocNode::Number(index(self.numbers.len() - 1))
    }

    fn str(&self, s: Str) -> &str {
        match s.len {
            Str::OWNED => &self.owned[s.start as usize],
            len => &self.text[s.start as usize..(s.start + len) as usize],
        }
    }

    /// Appends a finished sequence's items and returns its node.
    pub(super) fn push_list(&mut self, items: &[DocNode]) -> DocNode {
        let start = self.items.len();
        self.items.extend_from_slice(items);
        DocNode::List { start: index(start), len: index(items.len()) }
    }

    /// Appends a finished mapping's entries (a later duplicate key replaces the value
    /// and keeps the first one's place, as Python's dict does) and returns its node.
    pub(super) fn push_map(&mut self, entries: &[(Str, DocNode)]) -> DocNode {
        let start = self.entries.len();
        if self.unique_keys(entries) {
            self.entries.extend_from_slice(entries);
        } else {
            // Rare (a template with a repeated key): a map of the positions taken.
            let mut position: crate::graph::FastMap<String, usize> =
                crate::graph::FastMap::default();
            for &(key, value) in entries {
                match position.get(self.str(key)) {
                    Some(&i) => self.entries[i].1 = value,
                    None => {
                        position.insert(self.str(key).to_string(), self.entries.len());
                        self.entries.push((key, value));
                    }
                }
            }
        }
        DocNode::Map { start: index(start), len: index(self.entries.len() - start) }
    }

    /// Whether the keys of a mapping are all different (the common case, checked
    /// without a map for the small mappings templates are made of).
    fn unique_keys(&self, entries: &[(Str, DocNode)]) -> bool {
        if entries.len() <= 16 {
            let differ = |a: Str, b: Str| a.len != b.len || self.str(a) != self.str(b);
            return entries
                .iter()
                .enumerate()
                .all(|(i, (k, _))| entries[..i].iter().all(|(j, _)| differ(*j, *k)));
        }
        let mut seen: crate::graph::FastSet<&str> = crate::graph::FastSet::default();
        seen.reserve(entries.len());
        entries.iter().all(|(k, _)| seen.insert(self.str(*k)))
    }
}

/// An arena index. Templates are limited to a few megabytes, far from 2^32 nodes.
fn index(i: usize) -> u32 {
    u32::try_from(i).expect("a document of fewer than 2^32 nodes")
}

/// A node of a [`Doc`] with the document it lives in.
#[derive(Debug, Clone, Copy)]
pub struct DocRef<'d, 't> {
    doc: &'d Doc<'t>,
    node: DocNode,
}

impl<'d> DocRef<'d, '_> {
    fn entry_slice(self) -> &'d [(Str, DocNode)] {
        match self.node {
            DocNode::Map { start, len } => {
                &self.doc.entries[start as usize..(start + len) as usize]
            }
            _ => &[],
        }
    }

    fn item_slice(self) -> &'d [DocNode] {
        match self.node {
            DocNode::List { start, len } => &self.doc.items[start as usize..(start + len) as usize],
            _ => &[],
        }
    }
}

impl<'d> Node<'d> for DocRef<'d, '_> {
    fn kind(self) -> Kind {
        match self.node {
            DocNode::Null => Kind::Null,
            DocNode::Bool(_) => Kind::Bool,
            DocNode::Number(i) if self.doc.numbers[i as usize].is_f64() => Kind::Float,
            DocNode::Number(_) => Kind::Int,
            DocNode::String(_) => Kind::String,
            DocNode::List { .. } => Kind::List,
            DocNode::Map { .. } => Kind::Map,
        }
    }

    fn as_str(self) -> Option<&'d str> {
        match self.node {
            DocNode::String(s) => Some(self.doc.str(s)),
            _ => None,
        }
    }

    fn len(self) -> usize {
        match self.node {
            DocNode::List { len, .. } | DocNode::Map { len, .. } => len as usize,
            _ => 0,
        }
    }

    fn entries(self) -> impl ExactSizeIterator<Item = (&'d str, Self)> {
        let doc = self.doc;
        self.entry_slice().iter().map(move |&(k, node)| (doc.str(k), DocRef { doc, node }))
    }

    fn items(self) -> impl ExactSizeIterator<Item = Self> {
        let doc = self.doc;
        self.item_slice().iter().map(move |&node| DocRef { doc, node })
    }

    fn get(self, key: &str) -> Option<Self> {
        let doc = self.doc;
        self.entry_slice()
            .iter()
            .find(|&&(k, _)| doc.str(k) == key)
            .map(|&(_, node)| DocRef { doc, node })
    }

    fn to_value(self) -> Value {
        match self.node {
            DocNode::Null => Value::Null,
            DocNode::Bool(b) => Value::Bool(b),
            DocNode::Number(i) => Value::Number(self.doc.numbers[i as usize].clone()),
            DocNode::String(s) => Value::String(self.doc.str(s).to_string()),
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
