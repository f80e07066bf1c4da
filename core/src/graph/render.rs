//! Drawing graphs: Graphviz DOT text, and SVG through Graphviz's `dot -Tsvg` when it is
//! installed, else drawn in-process with a simple layered layout.
//!
//! Any graph can be drawn through a [`Diagram`] (boxes with one or more lines of text,
//! arrows with an optional label); [`dependency_diagram`] makes one from Heat's
//! dependency graph, and the data-flow graph builds its own.

mod layout;

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use super::{DependencyGraph, EdgeKind};

/// A graph to draw. Arrows flow downwards: an edge's `from` is drawn above its `to`
/// wherever the graph has no cycle.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagram {
    /// The graph's name (the DOT graph id, and the SVG title).
    pub name: String,
    /// The boxes, in the order to try to draw them within a layer.
    pub nodes: Vec<DiagramNode>,
    /// The arrows.
    pub edges: Vec<DiagramEdge>,
}

/// A box of a [`Diagram`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramNode {
    /// Unique among the diagram's nodes; edges name it.
    pub id: String,
    /// The text in the box, one entry per line; the first line is drawn bold.
    pub lines: Vec<String>,
}

/// An arrow of a [`Diagram`], from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramEdge {
    /// The node the arrow starts from.
    pub from: String,
    /// The node the arrow points at.
    pub to: String,
    /// Text next to the arrow.
    pub label: Option<String>,
    /// Drawn dashed (e.g. an implicit dependency).
    pub dashed: bool,
}

/// Heat's dependency graph as a [`Diagram`]: one box per resource (name and type), an
/// arrow from each resource to those that require it, so that the drawing reads in
/// creation order from top to bottom. Implicit dependencies are dashed and labelled
/// `implicit`.
pub fn dependency_diagram(graph: &DependencyGraph) -> Diagram {
    let nodes = graph
        .creation_order()
        .into_iter()
        .map(|name| DiagramNode {
            id: name.to_string(),
            lines: vec![
                name.to_string(),
                graph.resource_type(name).unwrap_or_default().to_string(),
            ],
        })
        .collect();
    let edges = graph
        .edges()
        .into_iter()
        .map(|[dependent, dependency]| {
            let implicit = graph.edge_kind(dependent, dependency) == Some(EdgeKind::Implicit);
            DiagramEdge {
                from: dependency.to_string(),
                to: dependent.to_string(),
                label: implicit.then(|| "implicit".to_string()),
                dashed: implicit,
            }
        })
        .collect();
    Diagram { name: "resources".into(), nodes, edges }
}

/// The dependency graph in Graphviz DOT.
pub fn to_dot(graph: &DependencyGraph) -> String {
    dependency_diagram(graph).to_dot()
}

/// The dependency graph in SVG (see [`Diagram::to_svg`]).
pub fn to_svg(graph: &DependencyGraph) -> String {
    dependency_diagram(graph).to_svg()
}

/// A DOT quoted string.
fn dot_quote(text: &str) -> String {
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            '\n' => quoted.push_str("\\n"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

impl Diagram {
    /// The diagram in Graphviz DOT.
    pub fn to_dot(&self) -> String {
        let mut dot = String::new();
        let _ = writeln!(dot, "digraph {} {{", dot_quote(&self.name));
        dot.push_str("  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", fontsize=11];\n");
        dot.push_str("  edge [fontname=\"Helvetica\", fontsize=9];\n");
        for node in &self.nodes {
            let _ = writeln!(
                dot,
                "  {} [label={}];",
                dot_quote(&node.id),
                dot_quote(&node.lines.join("\n"))
            );
        }
        for edge in &self.edges {
            let mut attrs = Vec::new();
            if let Some(label) = &edge.label {
                attrs.push(format!("label={}", dot_quote(label)));
            }
            if edge.dashed {
                attrs.push("style=dashed".to_string());
            }
            let attrs =
                if attrs.is_empty() { String::new() } else { format!(" [{}]", attrs.join(", ")) };
            let _ = writeln!(dot, "  {} -> {}{attrs};", dot_quote(&edge.from), dot_quote(&edge.to));
        }
        dot.push_str("}\n");
        dot
    }

    /// The diagram in SVG: rendered by Graphviz (`dot -Tsvg`) when it is installed and
    /// succeeds, else by [`Diagram::to_svg_builtin`].
    pub fn to_svg(&self) -> String {
        self.to_svg_graphviz().unwrap_or_else(|| self.to_svg_builtin())
    }

    /// The diagram rendered by Graphviz, or None when `dot` is missing or fails.
    pub fn to_svg_graphviz(&self) -> Option<String> {
        let mut child = Command::new("dot")
            .arg("-Tsvg")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .ok()?;
        let input = self.to_dot();
        // Write from another thread so a large graph cannot fill both pipes.
        let mut stdin = child.stdin.take()?;
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let output = child.wait_with_output().ok()?;
        writer.join().ok()?.ok()?;
        if !output.status.success() {
            return None;
        }
        String::from_utf8(output.stdout).ok()
    }

    /// The diagram drawn in-process: nodes in layers by longest path from the
    /// sources, boxes and arrows, no Graphviz needed.
    pub fn to_svg_builtin(&self) -> String {
        layout::svg(self)
    }
}
