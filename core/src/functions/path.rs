//! Template paths built only when a message needs them: walks over a snippet keep a
//! chain of borrowed segments on the stack instead of formatting a string per node.

/// One step of a path.
#[derive(Debug, Clone, Copy)]
pub enum Seg<'a> {
    /// The start, already rendered (`resources.web.properties`).
    Root(&'a str),
    /// A mapping key or a function name.
    Key(&'a str),
    /// A list index.
    Index(usize),
    /// A further part of the start (a resource name, a section key): joined with `.`
    /// like a key, but never shown as an index, whatever its characters.
    Part(&'a str),
}

/// A path: a segment and the path it extends.
#[derive(Debug, Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
}

impl<'a> Path<'a> {
    /// A path starting at `root` (may be empty).
    pub fn root(root: &'a str) -> Self {
        Path { parent: None, seg: Seg::Root(root) }
    }

    /// This path extended by a key.
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path { parent: Some(self), seg: Seg::Key(key) }
    }

    /// This path extended by a part of its start ([`Seg::Part`]): a root built
    /// from parts without formatting it first.
    pub fn part(&'a self, part: &'a str) -> Path<'a> {
        Path { parent: Some(self), seg: Seg::Part(part) }
    }

    /// This path extended by a list index.
    pub fn index(&'a self, i: usize) -> Path<'a> {
        Path { parent: Some(self), seg: Seg::Index(i) }
    }

    fn segments(&self) -> Vec<Seg<'a>> {
        let mut segs = vec![self.seg];
        let mut p = self.parent;
        while let Some(node) = p {
            segs.push(node.seg);
            p = node.parent;
        }
        segs.reverse();
        segs
    }

    /// Heat's parser and dependency form: keys joined with `.`, indices as `[i]`
    /// (`resources.r.properties.a[0].get_attr`).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for seg in self.segments() {
            match seg {
                Seg::Root(r) => out.push_str(r),
                Seg::Key(k) | Seg::Part(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }

    /// Heat's validation form (`HeatExceptionWithPath`): as [`Path::render`], but a
    /// key made of digits is shown as an index and an empty root adds no dot.
    pub fn render_validation(&self) -> String {
        let mut out = String::new();
        for seg in self.segments() {
            match seg {
                Seg::Root(r) => out.push_str(r),
                Seg::Key(k) if !k.is_empty() && k.bytes().all(|b| b.is_ascii_digit()) => {
                    out.push_str(&format!("[{k}]"))
                }
                Seg::Key(k) | Seg::Part(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_render_as_a_joined_root() {
        let joined = Path::root("resources.123.properties");
        let joined = joined.key("7");
        let root = Path::root("resources");
        let name = root.part("123");
        let parts = name.part("properties");
        let parts = parts.key("7");
        assert_eq!(parts.render(), joined.render());
        assert_eq!(parts.render_validation(), joined.render_validation());
        assert_eq!(parts.render_validation(), "resources.123.properties[7]");
    }
}
