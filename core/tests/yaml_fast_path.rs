//! The fast YAML path must give exactly what the reference path (yaml-rust2 events
//! with PyYAML's resolution) gives, or nothing: over every file of shared/corpus, over
//! hand-picked corners, and over generated and mutated documents.

mod graph_support;

use std::path::{Path, PathBuf};

use heat_sync::template::yaml::{parse_yaml_fast, parse_yaml_reference};
use proptest::prelude::*;
use serde_json::Value;

/// The fast path agrees with the reference path on `text` (or stays out of it).
/// Returns whether it took the text.
fn agrees(text: &str) -> bool {
    let Some(fast) = parse_yaml_fast(text) else { return false };
    match parse_yaml_reference(text) {
        Ok(reference) => {
            assert_eq!(fast, reference, "fast path differs on:\n{text}");
            true
        }
        Err(e) => panic!("fast path accepted what the reference rejects ({e}):\n{text}"),
    }
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn corpus_files_parse_the_same() {
    let Some(shared) = graph_support::shared_dir("corpus/templates") else { return };
    let mut files = Vec::new();
    files_under(&shared.join("corpus/templates"), &mut files);
    let (mut taken, mut total) = (0, 0);
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        total += 1;
        if agrees(&text) {
            taken += 1;
        }
    }
    eprintln!("fast path took {taken} of {total} corpus files");
    // Most real templates are within the subset; a drop means the fast path regressed.
    assert!(taken * 10 >= total * 6, "fast path took only {taken} of {total} files");
}

#[test]
fn corners_parse_the_same() {
    let cases = [
        "",
        "# only a comment\n",
        "a: 1\n",
        "a: 1",
        "a:\n  b: 2\n  c:\n  - x\n  - y\nd: e\n",
        "a:\n- 1\n- 2\nb: 3\n",
        "- a: 1\n  b: 2\n- c\n-\n  d: 4\n- \n",
        "a: [1, 2, {b: c, d: [e]}]\n",
        "a: {get_param: [x, y]}\n",
        "a: [1,\n  2]\n",
        "a: [1,\n2]\n",
        "a: [x\n  y]\n",
        "a: 'it''s'\nb: \"q\\\"\\n\\u00e9\\x41\"\n",
        "a: \"unterminated\nb: 1\n",
        "a: b: c\n",
        "a: b\n  c\n",
        "a: b # comment\nc: d#e\n",
        "a: |\n  line 1\n\n  line 3\n\nb: 1\n",
        "a: |-\n  x\n  y\n\n\nb: 1\n",
        "a: |+\n  x\n\n\nb: 1\n",
        "a: |\n    deep\n  shallow\n",
        "a: |\n\n   \n  x\n",
        "a: |2\n   x\n",
        "a: >\n  folded\n  text\n",
        "a: >\n  one\n  two\n\n  three\n\n\n  four\nb: 1\n",
        "a: >-\n  one\n  two\n\n\nb: 1\n",
        "a: >+\n  one\n  two\n\n\nb: 1\n",
        "a: >\n  one\n    more\n  two\n",
        "a: >\n\n  after a blank\n",
        "- >\n  x\n  y\n- z\n",
        "a: |\n  x",
        "yes: no\n1: 2\n~: null\n1.5: .5\n0x1F: 017\n",
        "<<: {a: 1}\n",
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "--- \na: 1\n",
        "a: 1\n...\n",
        "%YAML 1.1\n---\na: 1\n",
        "a:\tb\n",
        "\ta: b\n",
        "a: b\r\nc: d\r\n",
        "a: 1\na: 2\n",
        "? a\n: b\n",
        "a: [b: c]\n",
        "tt: [-]\n",
        // Found by the yaml_fast fuzz target: a word of a flow scalar starting `-,`.
        "a: { get_attr: [ r2 ,nr4 ,nr7nr4 -,nr7r4 ,7tsig] }\n",
        "a: [b -c, d]\n",
        "a: b - c\n",
        "a: b -, c\n",
        "a: {\"b\":\"c\",\"d\":1,\"e\":[\"f\",-1],\"g\":{\"h\":null}}\n",
        "a: {'b':c}\n",
        "a: {b:c}\n",
        "a: [\"b\":c]\n",
        "a: {b}\n",
        "a: [1, 2,]\n",
        "a: {b: 1,}\n",
        "a: {b: }\n",
        "a: {b:1}\n",
        "a: [-1, - 2]\n",
        "a: -1\nb: - 2\n",
        "a:\n  - - 1\n",
        "  a: 1\n  b: 2\n",
        "a:\n    b: 1\n  c: 2\n",
        "a: 1\n b: 2\n",
        "\"a b\": 1\n'c': 2\n",
        "\"a\" : 1\n",
        "a : 1\n",
        "key with spaces: v\n",
        "url: http://x:80/a#b\n",
        "a: [http://x:80/]\n",
        "a: \"x\"y\n",
        "a: 'x'  # c\n",
        "a: 2013-05-23\nb: 1_000\nc: 190:20:30\nd: 1e3\n",
        "a: caf\u{e9}\nb: \u{2028}\n",
        "a: \u{85}\n",
        "a: b\u{feff}\n",
        "a: \"\\ud800\"\n",
        "a: -\n",
        "a: [\n]\n",
        "a: {\n  b: 1\n  }\n",
        "a: [# c\n 1]\n",
        "- |\n  x\n- y\n",
        "a:\n  - b: |\n      text\n    c: 1\n",
        "foo\n",
        "[1, 2]\n",
        "a: ''\nb: \"\"\n",
        "a: '\n'\n",
        "a: [a:b]\n",
        "a: x:\n",
        "-1: x\n",
        "a: @x\n",
        "a: `x\n",
        "a: %x\n",
        "a: x %y\n",
    ];
    for case in cases {
        agrees(case);
    }
    // Found by the yaml_fast fuzz target: implicit keys are at most 1024 characters.
    agrees(&format!("{}: 1\n", "k".repeat(1030)));
    agrees(&format!("{}: 1\n", "k".repeat(990)));
    agrees(&format!("'{}': 1\n", "k".repeat(1030)));
    agrees(&format!("a: {{{}: 1}}\n", "k".repeat(1030)));
    // Deep nesting goes to the reference parser (no stack overflow here).
    let deep_flow = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    assert!(parse_yaml_fast(&deep_flow).is_none());
    let deep_block: String = (0..200).map(|i| format!("{:1$}k:\n", "", i)).collect();
    assert!(parse_yaml_fast(&deep_block).is_none());
    assert!(agrees("a:\n  b: [1, {c: d}]\n  e: |\n    x\n"), "the common shapes are fast");
}

/// A document tree for the generator.
#[derive(Debug, Clone)]
enum Doc {
    Scalar(String),
    Seq(Vec<Doc>),
    Map(Vec<(String, Doc)>),
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9_.:/-]{0,8}",
        Just("yes".to_string()),
        Just("~".to_string()),
        Just("0755".to_string()),
        Just("1e3".to_string()),
        Just("1.5".to_string()),
        Just("-1".to_string()),
        Just("2013-05-23".to_string()),
        Just("a b".to_string()),
        Just("x # y".to_string()),
        Just("it's".to_string()),
        Just("q\"q".to_string()),
        Just("".to_string()),
        Just("line\nbreak\n".to_string()),
        Just("para one\nstill one\n\npara two\n".to_string()),
    ]
}

fn doc() -> impl Strategy<Value = Doc> {
    scalar().prop_map(Doc::Scalar).prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Doc::Seq),
            prop::collection::vec(("[a-z]{1,3}", inner), 0..4).prop_map(Doc::Map),
        ]
    })
}

/// Renders `d` with styles picked from `styles` (cycled).
struct Render<'a> {
    styles: &'a [u8],
    next: usize,
    out: String,
}

impl Render<'_> {
    fn pick(&mut self, n: u8) -> u8 {
        let s = self.styles[self.next % self.styles.len()] % n;
        self.next += 1;
        s
    }

    fn scalar(&mut self, s: &str) -> String {
        match self.pick(4) {
            0 => format!("'{}'", s.replace('\'', "''").replace('\n', "\\n")),
            1 => serde_json::to_string(s).unwrap(),
            _ => s.to_string(),
        }
    }

    fn flow(&mut self, d: &Doc) -> String {
        match d {
            Doc::Scalar(s) => self.scalar(s),
            Doc::Seq(items) => {
                let parts: Vec<String> = items.iter().map(|i| self.flow(i)).collect();
                format!("[{}]", parts.join(", "))
            }
            Doc::Map(entries) => {
                let parts: Vec<String> =
                    entries.iter().map(|(k, v)| format!("{k}: {}", self.flow(v))).collect();
                format!("{{{}}}", parts.join(", "))
            }
        }
    }

    /// `d` as the value after `key:` or `-` at `indent`.
    fn value(&mut self, d: &Doc, indent: usize) {
        match d {
            Doc::Scalar(s) if s.contains('\n') && self.pick(2) == 0 => {
                let header = [" |\n", " >\n", " |-\n", " >+\n"][usize::from(self.pick(4))];
                self.out.push_str(header);
                for line in s.lines() {
                    self.out.push_str(&format!("{:1$}{line}\n", "", indent + 2));
                }
            }
            Doc::Seq(items) if !items.is_empty() && self.pick(3) > 0 => {
                self.out.push('\n');
                let extra = 2 * usize::from(self.pick(2));
                self.block(d, indent + extra);
                let _ = items;
            }
            Doc::Map(entries) if !entries.is_empty() && self.pick(3) > 0 => {
                self.out.push('\n');
                self.block(d, indent + 2);
            }
            _ => {
                let text = self.flow(d);
                self.out.push(' ');
                self.out.push_str(&text);
                if self.pick(5) == 0 {
                    self.out.push_str(" # note");
                }
                self.out.push('\n');
            }
        }
    }

    fn block(&mut self, d: &Doc, indent: usize) {
        match d {
            Doc::Seq(items) => {
                for i in items {
                    self.out.push_str(&format!("{:1$}-", "", indent));
                    self.value(i, indent);
                }
            }
            Doc::Map(entries) => {
                for (k, v) in entries {
                    if self.pick(6) == 0 {
                        self.out.push('\n');
                    }
                    self.out.push_str(&format!("{:1$}{k}:", "", indent));
                    self.value(v, indent);
                }
            }
            Doc::Scalar(s) => {
                let text = self.scalar(s);
                self.out.push_str(&text);
                self.out.push('\n');
            }
        }
    }
}

fn render(d: &Doc, styles: &[u8]) -> String {
    let mut r = Render { styles, next: 0, out: String::new() };
    r.block(d, 0);
    r.out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn generated_documents_parse_the_same(d in doc(), styles in prop::collection::vec(any::<u8>(), 1..16)) {
        agrees(&render(&d, &styles));
    }

    #[test]
    fn mutated_documents_parse_the_same(
        d in doc(),
        styles in prop::collection::vec(any::<u8>(), 1..16),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![
            " ", "  ", "\n", "-", "- ", ":", ": ", "#", " #", "'", "\"", "[", "]", "{", "}", ",",
            "|", "|-", "\t", "\\", "&a ", "*a", "!", "?", "<<", "\u{e9}", "",
        ]), any::<bool>()), 1..4),
    ) {
        let mut text = render(&d, &styles);
        for (at, piece, delete) in edits {
            if text.is_empty() {
                text.push_str(piece);
                continue;
            }
            let mut i = at.index(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            if delete {
                let end = (i + 1..=text.len()).find(|&j| text.is_char_boundary(j)).unwrap_or(i);
                text.replace_range(i..end, "");
            } else {
                text.insert_str(i, piece);
            }
        }
        agrees(&text);
    }
}

#[test]
fn generated_documents_mostly_take_the_fast_path() {
    // Unmutated renderings are all within the subset except a few corners; a low
    // share would mean the differential property tests above test nothing.
    let docs = [
        "a:\n  b: 1\n  c: [x, 'y', \"z\"]\n  d:\n  - e: f\n    g: |\n      text\n",
        "resources:\n  r1:\n    type: OS::Heat::Value\n    properties: {value: {get_resource: r0}}\n",
    ];
    for d in docs {
        assert!(agrees(d), "{d}");
    }
    let _ = Value::Null;
}
