//! A list of names stored back to back in one string, each found by its position or
//! by hash.
//!
//! Every resource name of a template is kept twice past parsing (the evaluation scope
//! needs them all, the dependency graph the enabled ones): as one `String` each, a
//! 10,000-resource template spent more time allocating, hashing through pointers and
//! freeing those copies than on what the names were for.

use std::fmt;
use std::hash::BuildHasher;

use hashbrown::HashTable;

/// Names numbered from 0 in the order given, with lookup by name.
#[derive(Clone, Default)]
pub struct Names {
    /// Every name, back to back.
    text: String,
    /// Where each name ends in `text` (it starts where the one before ends).
    ends: Vec<u32>,
    /// Positions, hashed by their name. A repeated name keeps its first position.
    /// `None` for names given sorted, found by binary search.
    index: Option<HashTable<u32>>,
    hasher: foldhash::fast::RandomState,
}

impl Names {
    /// The names of `names`, numbered in that order.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let names = names.into_iter();
        let mut this = Names {
            text: String::new(),
            ends: Vec::with_capacity(names.size_hint().0),
            index: Some(HashTable::with_capacity(names.size_hint().0)),
            hasher: foldhash::fast::RandomState::default(),
        };
        for name in names {
            this.push(name);
        }
        this
    }

    /// The names of `names`, which come sorted and without repeats: found by binary
    /// search, sparing the hash index (the dependency graph numbers its resources in
    /// name order).
    pub fn sorted<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let names = names.into_iter();
        let mut this = Names {
            text: String::new(),
            ends: Vec::with_capacity(names.size_hint().0),
            index: None,
            hasher: foldhash::fast::RandomState::default(),
        };
        for name in names {
            this.text.push_str(name);
            this.ends.push(this.text.len() as u32);
        }
        debug_assert!(this.iter().zip(this.iter().skip(1)).all(|(a, b)| a < b), "sorted");
        this
    }

    fn push(&mut self, name: &str) {
        let position = self.ends.len() as u32;
        self.text.push_str(name);
        self.ends.push(self.text.len() as u32);
        let hash = self.hasher.hash_one(name);
        let Names { text, ends, index, hasher } = self;
        let index = index.as_mut().expect("push builds an indexed list");
        let name_at = |i: u32| name_at(text, ends, i as usize);
        if index.find(hash, |&i| name_at(i) == name).is_none() {
            index.insert_unique(hash, position, |&i| hasher.hash_one(name_at(i)));
        }
    }

    /// How many names there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The name at `position` (panics past the end, as slice indexing does).
    pub fn get(&self, position: usize) -> &str {
        name_at(&self.text, &self.ends, position)
    }

    /// The position of `name` (its first one, when given twice).
    pub fn position(&self, name: &str) -> Option<u32> {
        match &self.index {
            Some(index) => {
                let hash = self.hasher.hash_one(name);
                // Bytes compared: slicing the `str` would check char boundaries first.
                let bytes = self.text.as_bytes();
                let ends = &self.ends;
                let found = index.find(hash, |&i| {
                    let start = if i == 0 { 0 } else { ends[i as usize - 1] as usize };
                    &bytes[start..ends[i as usize] as usize] == name.as_bytes()
                });
                found.copied()
            }
            None => {
                let (mut low, mut high) = (0, self.len());
                while low < high {
                    let mid = (low + high) / 2;
                    match self.get(mid).cmp(name) {
                        std::cmp::Ordering::Less => low = mid + 1,
                        std::cmp::Ordering::Greater => high = mid,
                        std::cmp::Ordering::Equal => return Some(mid as u32),
                    }
                }
                None
            }
        }
    }

    /// Whether `name` is one of the names.
    pub fn contains(&self, name: &str) -> bool {
        self.position(name).is_some()
    }

    /// The names in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }
}

fn name_at<'t>(text: &'t str, ends: &[u32], position: usize) -> &'t str {
    let start = match position {
        0 => 0,
        _ => ends[position - 1] as usize,
    };
    &text[start..ends[position] as usize]
}

impl fmt::Debug for Names {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> FromIterator<&'a str> for Names {
    fn from_iter<I: IntoIterator<Item = &'a str>>(names: I) -> Self {
        Names::new(names)
    }
}

#[cfg(test)]
mod tests {
    use super::Names;

    #[test]
    fn names_are_found_by_position_and_by_name() {
        let names = Names::new(["web", "", "db", "web", "dbx"]);
        assert_eq!(names.len(), 5);
        assert_eq!(names.iter().collect::<Vec<_>>(), ["web", "", "db", "web", "dbx"]);
        assert_eq!(names.get(2), "db");
        assert_eq!(names.position("web"), Some(0), "the first of a repeated name");
        assert_eq!(names.position(""), Some(1));
        assert_eq!(names.position("dbx"), Some(4));
        assert_eq!(names.position("d"), None);
        assert!(!names.contains("w"));
        assert!(Names::default().is_empty());
        let sorted = Names::sorted(["a", "b", "bc", "c"]);
        assert_eq!(sorted.iter().collect::<Vec<_>>(), ["a", "b", "bc", "c"]);
        assert!(["a", "b", "bc", "c"]
            .iter()
            .enumerate()
            .all(|(i, n)| sorted.position(n) == Some(i as u32)));
        assert_eq!(
            (sorted.position("bb"), sorted.position("d"), sorted.position("")),
            (None, None, None)
        );
        let many: Names = (0..1000)
            .map(|i| format!("r{i}"))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect();
        assert!((0..1000).all(|i| many.position(&format!("r{i}")) == Some(i)));
    }
}
