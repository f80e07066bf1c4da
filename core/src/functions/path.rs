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
                Seg::Key(k) => {
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
                Seg::Key(k) => {
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
