//! A fast path for the YAML that templates are made of.
//!
//! Heat templates use a small part of YAML: block mappings and sequences, flow
//! collections, single-line plain and quoted scalars, literal block scalars and
//! comments. This parser reads exactly that part straight into [`Value`], about ten
//! times faster than the event parser, and gives up (`None`) on anything else: tabs in
//! structure, anchors, aliases, tags, merge keys, directives, multi-line flow
//! scalars, folded blocks with more-indented lines, complex keys, odd control
//! characters, and every syntax error. The caller
//! then runs the reference path ([`super::yaml::parse_yaml_reference`]), so the fast
//! path never decides an error message or a corner of YAML 1.1 on its own: it must
//! return what the reference path returns or nothing (checked by differential tests
//! over the corpus, by a property test and by a fuzz target).

use std::borrow::Cow;

use super::doc::{Doc, DocNode, Str};
use super::yaml::{key_string, plain_scalar};
use crate::Value;

/// Parses `text` if it is within the fast subset; `None` means "ask the reference
/// parser" (which also reports every error).
pub(crate) fn parse(text: &str) -> Option<Doc<'_>> {
    if !acceptable_characters(text.as_bytes()) {
        return None;
    }
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        pos: 0,
        depth: 0,
        entries: Vec::new(),
        items: Vec::new(),
        doc: Doc::new(text),
        colon: (usize::MAX, 0),
        lookahead: (usize::MAX, 0, None),
    };
    let Some(indent) = p.next_content_line()? else {
        return Some(p.doc);
    };
    let root = p.block_node(-1, indent)?;
    match p.next_content_line()? {
        None => {
            p.doc.root = Some(root);
            Some(p.doc)
        }
        Some(_) => None,
    }
}

/// Everything but printable text, `\n` and `\t` goes to the reference parser, and so
/// do the characters YAML 1.1 and 1.2 read differently (NEL, LS, PS) and inner BOMs.
fn acceptable_characters(s: &[u8]) -> bool {
    // Templates are mostly printable ASCII: check that a block at a time (which the
    // compiler vectorizes), and each byte only from the first block with another.
    // (A fold without early exit, so that it vectorizes.)
    let plain = |block: &[u8]| {
        block
            .iter()
            .fold(true, |ok, &c| ok & ((b' '..=b'~').contains(&c) | (c == b'\n') | (c == b'\t')))
    };
    let clean = s.chunks(64).take_while(|block| plain(block)).count() * 64;
    let mut i = clean.min(s.len());
    while i < s.len() {
        match s[i] {
            b'\n' | b'\t' | b' '..=b'~' => i += 1,
            0xC2 if s.get(i + 1) == Some(&0x85) => return false,
            0xE2 if s.get(i + 1) == Some(&0x80) && matches!(s.get(i + 2), Some(0xA8 | 0xA9)) => {
                return false
            }
            0xEF if s.get(i + 1) == Some(&0xBB) && s.get(i + 2) == Some(&0xBF) => return false,
            // C1 controls (U+0080..U+009F) are C2 80..C2 9F.
            0xC2 if s.get(i + 1).is_some_and(|b| *b < 0xA0) => return false,
            0x80.. => i += 1,
            _ => return false,
        }
    }
    true
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    pos: usize,
    /// Nesting of the node being read: deep documents go to the reference parser,
    /// which has its own limit and message, instead of overflowing the stack here.
    depth: usize,
    /// The entries of the mappings being read, innermost last: each mapping is
    /// built once its size is known, with no growing and rehashing on the way.
    entries: Vec<(Str, DocNode)>,
    /// The items of the sequences being read, likewise.
    items: Vec<DocNode>,
    /// The finished collections.
    doc: Doc<'a>,
    /// Where [`Parser::key_ahead`] found a plain key's `:` (`(from, colon)`), so that
    /// [`Parser::key`] does not scan the key again.
    colon: (usize, usize),
    /// What [`Parser::next_content_line`] answered from a position (`(from, line,
    /// indent)`): a scalar looks at the next line, which its mapping then reads.
    lookahead: (usize, usize, Option<usize>),
}

/// YAML limits an implicit key to 1024 characters; longer ones (in bytes, which are
/// never fewer) go to the reference parser, which reports them.
const MAX_KEY: usize = 1000;

/// Nesting past which the fast path gives up (templates nest a dozen levels).
const MAX_DEPTH: usize = 64;

/// Characters that cannot start a plain scalar here (YAML indicators), or that this
/// parser leaves to the reference one.
fn starts_special(c: u8) -> bool {
    matches!(
        c,
        b'[' | b']'
            | b'{'
            | b'}'
            | b','
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b'?'
            | b':'
            | b'\t'
    )
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.s.get(i).copied()
    }

    /// Whether byte `i` ends a token: a space, a line break or the end.
    fn is_break_or_space(&self, i: usize) -> bool {
        matches!(self.at(i), None | Some(b' ' | b'\n'))
    }

    fn skip_spaces(&mut self) {
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
    }

    /// After a value on its line: spaces, then a comment or the line break. `None`
    /// (give up) on anything else.
    fn end_of_line(&mut self) -> Option<()> {
        let start = self.pos;
        self.skip_spaces();
        match self.peek() {
            None => Some(()),
            Some(b'\n') => {
                self.pos += 1;
                Some(())
            }
            Some(b'#') if self.pos > start => {
                self.skip_to_line_end();
                Some(())
            }
            _ => None,
        }
    }

    fn skip_to_line_end(&mut self) {
        match memchr(b'\n', &self.s[self.pos..]) {
            Some(i) => self.pos += i + 1,
            None => self.pos = self.s.len(),
        }
    }

    /// Moves to the start of the next line with content (not blank, not a comment) and
    /// returns its indentation, `Ok(None)` at the end. Gives up on tabs in indentation
    /// and on document markers or directives.
    fn next_content_line(&mut self) -> Option<Option<usize>> {
        if self.lookahead.0 == self.pos {
            self.pos = self.lookahead.1;
            return Some(self.lookahead.2);
        }
        loop {
            let line = self.pos;
            if line >= self.s.len() {
                return Some(None);
            }
            if self.s[line] == b'%'
                || self.s[line..].starts_with(b"---")
                || self.s[line..].starts_with(b"...")
            {
                return None;
            }
            self.skip_spaces();
            match self.peek() {
                None => return Some(None),
                Some(b'\n') => self.pos += 1,
                Some(b'#') => self.skip_to_line_end(),
                Some(b'\t') => return None,
                Some(_) => {
                    let indent = self.pos - line;
                    self.pos = line;
                    return Some(Some(indent));
                }
            }
        }
    }

    /// A block node whose first line starts at `self.pos` with `indent` spaces, inside a
    /// parent at `parent` (`-1` for the document).
    fn block_node(&mut self, parent: isize, indent: usize) -> Option<DocNode> {
        self.depth += 1;
        let node = if self.depth > MAX_DEPTH { None } else { self.block_node_at(parent, indent) };
        self.depth -= 1;
        node
    }

    fn block_node_at(&mut self, parent: isize, indent: usize) -> Option<DocNode> {
        self.pos += indent;
        if self.is_dash() {
            self.block_sequence(indent)
        } else if self.key_ahead() {
            self.block_mapping(indent)
        } else {
            self.inline_value(parent)
        }
    }

    /// A plain scalar may start with `-` when a number or word follows (`-1`, `-foo`);
    /// the rest (`-[`, `- `, `-,` ...) is left to the reference parser.
    fn dash_scalar_ok(&self) -> bool {
        self.at(self.pos + 1).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'.')
    }

    /// `-` followed by a space or a line break: a block sequence entry.
    fn is_dash(&self) -> bool {
        self.peek() == Some(b'-') && self.is_break_or_space(self.pos + 1)
    }

    /// Whether the rest of this line starts with a mapping key (`key:` followed by a
    /// space or the line end).
    fn key_ahead(&mut self) -> bool {
        let mut i = self.pos;
        match self.at(i) {
            Some(q @ (b'"' | b'\'')) => {
                i += 1;
                while let Some(c) = self.at(i) {
                    match c {
                        b'\n' => return false,
                        b'\\' if q == b'"' => i += 2,
                        c if c == q => {
                            if q == b'\'' && self.at(i + 1) == Some(b'\'') {
                                i += 2;
                                continue;
                            }
                            i += 1;
                            while self.at(i) == Some(b' ') {
                                i += 1;
                            }
                            return self.at(i) == Some(b':')
                                && self.is_break_or_space(i + 1)
                                && i - self.pos <= MAX_KEY;
                        }
                        _ => i += 1,
                    }
                }
                false
            }
            Some(c) if starts_special(c) => false,
            Some(b'-')
                if !self.at(i + 1).is_some_and(|c| c.is_ascii_alphanumeric() || c == b'.') =>
            {
                false
            }
            _ => {
                while let Some(c) = self.at(i) {
                    match c {
                        b'\n' => return false,
                        b':' if self.is_break_or_space(i + 1) => {
                            self.colon = (self.pos, i);
                            return i - self.pos <= MAX_KEY;
                        }
                        b'#' if self.at(i - 1) == Some(b' ') => return false,
                        b'\t' => return false,
                        _ => i += 1,
                    }
                }
                false
            }
        }
    }

    fn block_mapping(&mut self, indent: usize) -> Option<DocNode> {
        let base = self.entries.len();
        let map = self.block_mapping_entries(indent);
        self.finish_mapping(base, map)
    }

    /// The entries of a block mapping, pushed onto `self.entries`.
    fn block_mapping_entries(&mut self, indent: usize) -> Option<()> {
        loop {
            let key = self.key()?;
            self.skip_spaces();
            let value = if matches!(self.peek(), None | Some(b'\n' | b'#')) {
                self.skip_to_line_end();
                match self.next_content_line()? {
                    Some(i) if i > indent => self.block_node(indent as isize, i)?,
                    Some(i) if i == indent && self.dash_at(i) => {
                        self.pos += i;
                        self.block_sequence(i)?
                    }
                    _ => DocNode::Null,
                }
            } else {
                self.inline_value(indent as isize)?
            };
            let key = self.doc.string(key);
            self.entries.push((key, value));
            match self.next_content_line()? {
                Some(i) if i == indent => {
                    self.pos += i;
                    if !self.key_ahead() {
                        return None;
                    }
                }
                Some(i) if i > indent => return None,
                _ => return Some(()),
            }
        }
    }

    /// The mapping of the entries pushed since `base` (a later duplicate key replaces
    /// the value and keeps the first one's place, as inserting one by one does);
    /// `None` (and the entries dropped) when reading them gave up.
    fn finish_mapping(&mut self, base: usize, read: Option<()>) -> Option<DocNode> {
        if read.is_none() {
            self.entries.truncate(base);
            return None;
        }
        let node = self.doc.push_map(&self.entries[base..]);
        self.entries.truncate(base);
        Some(node)
    }

    /// The sequence of the items pushed since `base`, as [`Self::finish_mapping`].
    fn finish_sequence(&mut self, base: usize, read: Option<()>) -> Option<DocNode> {
        if read.is_none() {
            self.items.truncate(base);
            return None;
        }
        let node = self.doc.push_list(&self.items[base..]);
        self.items.truncate(base);
        Some(node)
    }

    fn dash_at(&self, indent: usize) -> bool {
        self.at(self.pos + indent) == Some(b'-') && self.is_break_or_space(self.pos + indent + 1)
    }

    /// A mapping key and its `:` (known to be there from [`Self::key_ahead`]).
    fn key(&mut self) -> Option<Cow<'a, str>> {
        let key = match self.peek() {
            Some(b'"') => self.double_quoted()?,
            Some(b'\'') => self.single_quoted()?,
            _ => {
                let start = self.pos;
                if self.colon.0 == start {
                    self.pos = self.colon.1;
                }
                while !(self.peek() == Some(b':') && self.is_break_or_space(self.pos + 1)) {
                    self.pos += 1;
                }
                let text = self.text[start..self.pos].trim_end_matches(' ');
                if text == "<<" {
                    return None;
                }
                return self.after_colon(plain_key(text));
            }
        };
        self.skip_spaces();
        self.after_colon(key)
    }

    fn after_colon(&mut self, key: Cow<'a, str>) -> Option<Cow<'a, str>> {
        (self.peek() == Some(b':')).then(|| {
            self.pos += 1;
            key
        })
    }

    fn block_sequence(&mut self, indent: usize) -> Option<DocNode> {
        let base = self.items.len();
        let read = self.block_sequence_items(indent);
        self.finish_sequence(base, read)
    }

    /// The items of a block sequence, pushed onto `self.items`.
    fn block_sequence_items(&mut self, indent: usize) -> Option<()> {
        loop {
            // At the dash.
            self.pos += 1;
            self.skip_spaces();
            let item = if matches!(self.peek(), None | Some(b'\n' | b'#')) {
                self.skip_to_line_end();
                match self.next_content_line()? {
                    Some(i) if i > indent => self.block_node(indent as isize, i)?,
                    _ => DocNode::Null,
                }
            } else if self.is_dash() {
                return None;
            } else if self.key_ahead() {
                let column = self.pos - self.line_start();
                self.block_mapping(column)?
            } else {
                self.inline_value(indent as isize)?
            };
            self.items.push(item);
            match self.next_content_line()? {
                Some(i) if i == indent && self.dash_at(i) => self.pos += i,
                Some(i) if i > indent => return None,
                _ => return Some(()),
            }
        }
    }

    fn line_start(&self) -> usize {
        self.s[..self.pos].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1)
    }

    /// A value that starts on the current line (after `key: `, `- `, or alone on its
    /// line), ending its line.
    fn inline_value(&mut self, parent: isize) -> Option<DocNode> {
        let value = match self.peek()? {
            b'[' | b'{' => {
                let v = self.flow_node(parent)?;
                self.end_of_line()?;
                v
            }
            b'"' => {
                let v = self.double_quoted()?;
                let v = DocNode::String(self.doc.string(v));
                self.end_of_line()?;
                v
            }
            b'\'' => {
                let v = self.single_quoted()?;
                let v = DocNode::String(self.doc.string(v));
                self.end_of_line()?;
                v
            }
            b'|' | b'>' => return self.block_scalar(parent),
            c if starts_special(c) => return None,
            b'-' if !self.dash_scalar_ok() => return None,
            _ => {
                let start = self.pos;
                let end = loop {
                    match self.peek() {
                        None | Some(b'\n') => break self.pos,
                        Some(b':') if self.is_break_or_space(self.pos + 1) => return None,
                        Some(b'#') if self.at(self.pos - 1) == Some(b' ') => break self.pos,
                        Some(b'\t') => return None,
                        Some(_) => self.pos += 1,
                    }
                };
                let text = self.text[start..end].trim_end_matches(' ');
                self.skip_to_line_end();
                self.plain_node(text)
            }
        };
        // A more indented line after a scalar would continue it (or be an error).
        let save = self.pos;
        let next = self.next_content_line()?;
        self.lookahead = (save, self.pos, next);
        self.pos = save;
        match next {
            Some(i) if i as isize > parent => None,
            _ => Some(value),
        }
    }

    /// A literal (`|`) or folded (`>`) block scalar with its chomping indicator, then
    /// the block's lines (more indented than `parent`). Folded blocks with
    /// more-indented lines, whose folding YAML versions read differently, go to the
    /// reference parser.
    fn block_scalar(&mut self, parent: isize) -> Option<DocNode> {
        let folded = self.peek() == Some(b'>');
        self.pos += 1;
        let chomp = match self.peek() {
            Some(b'-') => {
                self.pos += 1;
                Chomp::Strip
            }
            Some(b'+') => {
                self.pos += 1;
                Chomp::Keep
            }
            _ => Chomp::Clip,
        };
        self.end_of_line()?;
        // The content indentation is that of the first non-blank line; blank lines
        // before it may not be longer.
        let mut longest_blank = 0;
        let mut i = self.pos;
        let content_indent = loop {
            let spaces = self.s[i..].iter().take_while(|&&c| c == b' ').count();
            match self.at(i + spaces) {
                Some(b'\n') => {
                    longest_blank = longest_blank.max(spaces);
                    i += spaces + 1;
                }
                None | Some(b'\t') => return None,
                Some(_) => break spaces,
            }
        };
        if parent < 0 || (content_indent as isize) <= parent || longest_blank > content_indent {
            return None;
        }
        let mut text = String::new();
        // Blank lines seen since the last content line (all of them before the first).
        let mut breaks = 0;
        let mut first = true;
        loop {
            let line = self.pos;
            let spaces = self.s[line..].iter().take_while(|&&c| c == b' ').count();
            match self.at(line + spaces) {
                None if spaces == 0 => break,
                // A last line of spaces without a line break.
                None => return None,
                Some(b'\n') if spaces <= content_indent => {
                    breaks += 1;
                    self.pos = line + spaces + 1;
                    continue;
                }
                Some(b'\t') if spaces < content_indent => return None,
                Some(_) if spaces < content_indent => break,
                Some(_) => {}
            }
            // A content line; the last one needs its line break.
            let end = line + memchr(b'\n', &self.s[line..])?;
            let content = &self.text[line + content_indent..end];
            if folded && content.starts_with([' ', '\t']) {
                return None;
            }
            if !first {
                if folded && breaks == 0 {
                    text.push(' ');
                } else {
                    let lines = if folded { breaks } else { breaks + 1 };
                    push_breaks(&mut text, lines);
                }
            } else {
                push_breaks(&mut text, breaks);
            }
            first = false;
            breaks = 0;
            text.push_str(content);
            self.pos = end + 1;
        }
        if first {
            return None;
        }
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => text.push('\n'),
            Chomp::Keep => push_breaks(&mut text, breaks + 1),
        }
        Some(DocNode::String(self.doc.string(Cow::Owned(text))))
    }

    /// A flow collection or scalar inside one; lines it spans must be indented more
    /// than `parent`.
    fn flow_node(&mut self, parent: isize) -> Option<DocNode> {
        self.depth += 1;
        let node = if self.depth > MAX_DEPTH { None } else { self.flow_node_at(parent) };
        self.depth -= 1;
        node
    }

    fn flow_node_at(&mut self, parent: isize) -> Option<DocNode> {
        match self.peek()? {
            b'[' => {
                let base = self.items.len();
                let read = self.flow_sequence_items(parent);
                self.finish_sequence(base, read)
            }
            b'{' => {
                let base = self.entries.len();
                let read = self.flow_mapping_entries(parent);
                self.finish_mapping(base, read)
            }
            b'"' => {
                let s = self.double_quoted()?;
                Some(DocNode::String(self.doc.string(s)))
            }
            b'\'' => {
                let s = self.single_quoted()?;
                Some(DocNode::String(self.doc.string(s)))
            }
            _ => {
                let text = self.flow_plain()?;
                Some(self.plain_node(text))
            }
        }
    }

    /// The items of a flow sequence, pushed onto `self.items`.
    fn flow_sequence_items(&mut self, parent: isize) -> Option<()> {
        let mut more = self.flow_open(b']', parent)?;
        while more {
            let item = self.flow_node(parent)?;
            self.items.push(item);
            more = self.flow_next(b']', parent)?;
        }
        Some(())
    }

    /// The entries of a flow mapping, pushed onto `self.entries`.
    fn flow_mapping_entries(&mut self, parent: isize) -> Option<()> {
        let mut more = self.flow_open(b'}', parent)?;
        while more {
            // After a quoted key `:` is the value indicator even without a
            // space (JSON's `{"a":1}`); after a plain one it needs the space.
            let (key, quoted) = match self.peek()? {
                b'"' => (self.double_quoted()?, true),
                b'\'' => (self.single_quoted()?, true),
                b'[' | b'{' => return None,
                _ => match self.flow_plain()? {
                    "<<" => return None,
                    t => (plain_key(t), false),
                },
            };
            self.skip_spaces();
            if self.peek() != Some(b':') || !(quoted || self.is_break_or_space(self.pos + 1)) {
                return None;
            }
            self.pos += 1;
            self.flow_space(parent)?;
            if matches!(self.peek(), Some(b',' | b'}')) {
                return None;
            }
            let value = self.flow_node(parent)?;
            let key = self.doc.string(key);
            self.entries.push((key, value));
            more = self.flow_next(b'}', parent)?;
        }
        Some(())
    }

    /// Past the opening bracket of a flow collection closed by `close`: whether an
    /// entry follows (`false` for an empty collection, its `close` read).
    fn flow_open(&mut self, close: u8, parent: isize) -> Option<bool> {
        self.pos += 1;
        self.flow_space(parent)?;
        if self.peek() == Some(close) {
            self.pos += 1;
            return Some(false);
        }
        Some(true)
    }

    /// After an entry of a flow collection: `true` past a `,` with another entry
    /// ahead, `false` past `close`. A trailing or doubled comma is left to the
    /// reference parser.
    fn flow_next(&mut self, close: u8, parent: isize) -> Option<bool> {
        self.flow_space(parent)?;
        match self.peek()? {
            b',' => {
                self.pos += 1;
                self.flow_space(parent)?;
                (self.peek() != Some(close) && self.peek() != Some(b',')).then_some(true)
            }
            c if c == close => {
                self.pos += 1;
                Some(false)
            }
            _ => None,
        }
    }

    /// A plain scalar in a flow collection: up to `,`, `]`, `}`, `: ` or the line end.
    /// The line end must not be followed by more of the scalar (checked by the
    /// caller's expectation of `,` or a closing bracket).
    fn flow_plain(&mut self) -> Option<&'a str> {
        let c = self.peek()?;
        if starts_special(c) || (c == b'-' && !self.dash_scalar_ok()) {
            return None;
        }
        let start = self.pos;
        loop {
            match self.peek() {
                None | Some(b'\n' | b',' | b']' | b'}') => break,
                Some(b':') => {
                    if self.is_break_or_space(self.pos + 1) {
                        break;
                    }
                    return None;
                }
                Some(b'#') if self.at(self.pos - 1) == Some(b' ') => return None,
                Some(b'[' | b'{' | b'?' | b'\t') => return None,
                // yaml-rust2 checks each word of a flow scalar as if it started one
                // (`a -,` is an error there).
                Some(b' ') if matches!(self.at(self.pos + 1), Some(b'-' | b'?' | b':')) => {
                    return None
                }
                Some(_) => self.pos += 1,
            }
        }
        Some(self.text[start..self.pos].trim_end_matches(' '))
    }

    /// Spaces and line breaks between flow tokens; continuation lines must be indented
    /// more than `parent`, comments are left to the reference parser.
    fn flow_space(&mut self, parent: isize) -> Option<()> {
        loop {
            self.skip_spaces();
            match self.peek() {
                Some(b'\n') => {
                    self.pos += 1;
                    let spaces = self.s[self.pos..].iter().take_while(|&&c| c == b' ').count();
                    match self.at(self.pos + spaces) {
                        Some(b'\n') => {}
                        None | Some(b'#' | b'\t') => return None,
                        Some(_) if (spaces as isize) <= parent => return None,
                        Some(_) => {}
                    }
                }
                Some(b'#') | Some(b'\t') => return None,
                _ => return Some(()),
            }
        }
    }

    /// A single-quoted scalar on one line (`''` is a quote).
    fn single_quoted(&mut self) -> Option<Cow<'a, str>> {
        self.pos += 1;
        let mut out = String::new();
        let mut start = self.pos;
        loop {
            // Straight to the next quote or line break.
            self.pos += self.s[self.pos..].iter().position(|&c| c == b'\'' || c == b'\n')?;
            match self.s[self.pos] {
                b'\'' if self.at(self.pos + 1) == Some(b'\'') => {
                    out.push_str(&self.text[start..=self.pos]);
                    self.pos += 2;
                    start = self.pos;
                }
                b'\'' => {
                    let out = self.quoted(out, start);
                    self.pos += 1;
                    return self.after_quoted(out);
                }
                // The line break: a multi-line scalar is the reference parser's.
                _ => return None,
            }
        }
    }

    /// A double-quoted scalar on one line with the common escapes.
    fn double_quoted(&mut self) -> Option<Cow<'a, str>> {
        self.pos += 1;
        let mut out = String::new();
        let mut start = self.pos;
        loop {
            // Straight to the next quote, escape or line break.
            self.pos +=
                self.s[self.pos..].iter().position(|&c| matches!(c, b'"' | b'\\' | b'\n'))?;
            match self.s[self.pos] {
                b'"' => {
                    let out = self.quoted(out, start);
                    self.pos += 1;
                    return self.after_quoted(out);
                }
                b'\\' => {
                    out.push_str(&self.text[start..self.pos]);
                    let escaped = self.at(self.pos + 1)?;
                    self.pos += 2;
                    match escaped {
                        b'\\' => out.push('\\'),
                        b'"' => out.push('"'),
                        b'/' => out.push('/'),
                        b'n' => out.push('\n'),
                        b't' => out.push('\t'),
                        b'r' => out.push('\r'),
                        b'0' => out.push('\0'),
                        b'x' => out.push(self.hex_escape(2)?),
                        b'u' => out.push(self.hex_escape(4)?),
                        b'U' => out.push(self.hex_escape(8)?),
                        _ => return None,
                    }
                    start = self.pos;
                }
                // The line break: a multi-line scalar is the reference parser's.
                _ => return None,
            }
        }
    }

    /// A quoted scalar ending at `self.pos`: what was unescaped into `out`, then the
    /// text from `start`. A slice of the text when nothing was unescaped.
    fn quoted(&self, mut out: String, start: usize) -> Cow<'a, str> {
        let rest = &self.text[start..self.pos];
        if out.is_empty() {
            Cow::Borrowed(rest)
        } else {
            out.push_str(rest);
            Cow::Owned(out)
        }
    }

    /// A plain scalar with YAML 1.1's implicit types; strings stay slices of the text.
    fn plain_node(&mut self, text: &'a str) -> DocNode {
        match plain_scalar(text) {
            None => DocNode::String(self.doc.string(Cow::Borrowed(text))),
            Some(Value::Null) => DocNode::Null,
            Some(Value::Bool(b)) => DocNode::Bool(b),
            Some(Value::Number(n)) => self.doc.number(n),
            // Infinities and NaN, which JSON has no numbers for.
            Some(Value::String(s)) => DocNode::String(self.doc.string(Cow::Owned(s))),
            Some(Value::Array(_) | Value::Object(_)) => {
                unreachable!("a plain scalar is no collection")
            }
        }
    }

    fn hex_escape(&mut self, digits: usize) -> Option<char> {
        let hex = self.text.get(self.pos..self.pos + digits)?;
        if !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += digits;
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)
    }

    /// A quoted scalar must be followed by a space, a line break, the end, or flow
    /// punctuation (`"a"b` is an error the reference parser words).
    fn after_quoted(&self, out: Cow<'a, str>) -> Option<Cow<'a, str>> {
        matches!(self.peek(), None | Some(b' ' | b'\n' | b',' | b']' | b'}' | b':')).then_some(out)
    }
}

enum Chomp {
    Clip,
    Strip,
    Keep,
}

/// A plain scalar used as a key, as the reference parser makes it (`1` gives `"1"`).
fn plain_key(text: &str) -> Cow<'_, str> {
    match plain_scalar(text) {
        None => Cow::Borrowed(text),
        Some(other) => Cow::Owned(key_string(&other)),
    }
}

fn push_breaks(text: &mut String, n: usize) {
    for _ in 0..n {
        text.push('\n');
    }
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&c| c == needle)
}

#[cfg(test)]
mod tests {
    use super::acceptable_characters;

    #[test]
    fn characters_past_the_first_clean_blocks_are_checked() {
        let clean = "key: value\n".repeat(20);
        assert!(acceptable_characters(clean.as_bytes()));
        assert!(acceptable_characters(format!("{clean}k: é\n").as_bytes()));
        assert!(!acceptable_characters(format!("{clean}k: \u{85}\n").as_bytes()));
        assert!(!acceptable_characters(format!("{clean}k: \r\n").as_bytes()));
    }
}
