//! The in-process SVG renderer: a layered drawing in the spirit of Graphviz's `dot`,
//! kept small.
//!
//! 1. Cycles are broken by ignoring the edges a depth-first search finds going back to
//!    a node on its stack (they are still drawn, as curves).
//! 2. Each node's layer is its longest path from a source.
//! 3. Within a layer, nodes are ordered by the mean position of their predecessors
//!    (one downward sweep), ties kept in the diagram's order.
//! 4. Layers are centred; forward arrows are straight, other arrows curve on the right.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::Diagram;

const CHAR_WIDTH: f64 = 7.0;
const LINE_HEIGHT: f64 = 16.0;
const PAD: f64 = 8.0;
const H_GAP: f64 = 24.0;
const V_GAP: f64 = 56.0;
const MARGIN: f64 = 16.0;
const WAYPOINT_WIDTH: f64 = 8.0;

/// XML text or attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

struct Box_ {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// For every node, whether edge `e` goes back to a node on the DFS stack.
fn back_edges(n: usize, edges: &[(usize, usize)]) -> Vec<bool> {
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n]; // (target, edge index)
    for (e, &(a, b)) in edges.iter().enumerate() {
        out[a].push((b, e));
    }
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        New,
        OnStack,
        Done,
    }
    let mut state = vec![State::New; n];
    let mut back = vec![false; edges.len()];
    for root in 0..n {
        if state[root] != State::New {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = State::OnStack;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&(w, e)) = out[v].get(*next) {
                *next += 1;
                match state[w] {
                    State::New => {
                        state[w] = State::OnStack;
                        stack.push((w, 0));
                    }
                    State::OnStack => back[e] = true,
                    State::Done => {}
                }
            } else {
                state[v] = State::Done;
                stack.pop();
            }
        }
    }
    back
}

/// Longest-path layers over the edges that are not back edges (a DAG).
fn layers(n: usize, edges: &[(usize, usize)], back: &[bool]) -> Vec<usize> {
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (e, &(a, b)) in edges.iter().enumerate() {
        if !back[e] {
            indegree[b] += 1;
            out[a].push(b);
        }
    }
    let mut layer = vec![0usize; n];
    let mut queue: Vec<usize> = (0..n).filter(|&v| indegree[v] == 0).collect();
    while let Some(v) = queue.pop() {
        for &w in &out[v] {
            layer[w] = layer[w].max(layer[v] + 1);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                queue.push(w);
            }
        }
    }
    layer
}

/// The diagram as an SVG document.
pub(super) fn svg(diagram: &Diagram) -> String {
    let n = diagram.nodes.len();
    let index: HashMap<&str, usize> =
        diagram.nodes.iter().enumerate().map(|(i, d)| (d.id.as_str(), i)).collect();
    // Edges between known nodes: (from, to, position in diagram.edges).
    let drawn: Vec<(usize, usize, usize)> = diagram
        .edges
        .iter()
        .enumerate()
        .filter_map(|(k, e)| Some((*index.get(e.from.as_str())?, *index.get(e.to.as_str())?, k)))
        .collect();
    let pairs: Vec<(usize, usize)> = drawn.iter().map(|&(a, b, _)| (a, b)).collect();
    let back = back_edges(n, &pairs);
    let mut layer = layers(n, &pairs, &back);
    let depth = layer.iter().max().map_or(0, |m| m + 1);

    // Items are the nodes, then one waypoint per layer crossed by a long downward
    // edge, so that such an edge bends around the boxes between its ends.
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut routes: Vec<Vec<usize>> = Vec::with_capacity(pairs.len()); // per drawn edge
    for (e, &(a, b)) in pairs.iter().enumerate() {
        let mut route = vec![a];
        if !back[e] && layer[a] < layer[b] {
            for l in layer[a] + 1..layer[b] {
                let waypoint = layer.len();
                layer.push(l);
                preds.push(vec![*route.last().unwrap_or(&a)]);
                route.push(waypoint);
            }
            preds[b].push(*route.last().unwrap_or(&a));
        }
        route.push(b);
        routes.push(route);
    }
    let items = layer.len();

    // Order within layers: diagram order, then by mean predecessor position.
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (item, &l) in layer.iter().enumerate() {
        rows[l].push(item);
    }
    let mut position = vec![0f64; items];
    for row in &mut rows {
        let mut keyed: Vec<(f64, usize)> = row
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let key = if preds[v].is_empty() {
                    i as f64
                } else {
                    preds[v].iter().map(|&p| position[p]).sum::<f64>() / preds[v].len() as f64
                };
                (key, v)
            })
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
        *row = keyed.into_iter().map(|(_, v)| v).collect();
        for (i, &v) in row.iter().enumerate() {
            position[v] = i as f64;
        }
    }

    // Geometry: boxes for nodes, thin slots for waypoints.
    let size = |v: usize| {
        let Some(node) = diagram.nodes.get(v) else { return (WAYPOINT_WIDTH, 0.0) };
        let chars = node.lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
        (chars as f64 * CHAR_WIDTH + 2.0 * PAD, node.lines.len().max(1) as f64 * LINE_HEIGHT + PAD)
    };
    let row_width = |row: &[usize]| {
        row.iter().map(|&v| size(v).0).sum::<f64>() + H_GAP * row.len().saturating_sub(1) as f64
    };
    let width = rows.iter().map(|r| row_width(r)).fold(0.0, f64::max);
    let mut boxes: Vec<Box_> =
        (0..items).map(|_| Box_ { x: 0.0, y: 0.0, w: 0.0, h: 0.0 }).collect();
    let mut y = MARGIN;
    for row in &rows {
        let mut x = MARGIN + (width - row_width(row)) / 2.0;
        let height = row.iter().map(|&v| size(v).1).fold(0.0, f64::max);
        for &v in row {
            let (w, h) = size(v);
            // A waypoint spans its row's whole height.
            let (top, h) = if v < n { (y + (height - h) / 2.0, h) } else { (y, height) };
            boxes[v] = Box_ { x, y: top, w, h };
            x += w + H_GAP;
        }
        y += height + V_GAP;
    }
    // Room on the right for curved (back or same-layer) arrows.
    let curve_room = if pairs.iter().enumerate().any(|(e, &(a, b))| back[e] || layer[a] >= layer[b])
    {
        48.0
    } else {
        0.0
    };
    let total_w = width + 2.0 * MARGIN + curve_room;
    let total_h = (y - V_GAP + MARGIN).max(2.0 * MARGIN);

    let mut svg = String::new();
    let _ = writeln!(svg, r#"<?xml version="1.0" encoding="UTF-8"?>"#);
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{total_w:.0}" height="{total_h:.0}" viewBox="0 0 {total_w:.0} {total_h:.0}" font-family="Helvetica, Arial, sans-serif">"#
    );
    let _ = writeln!(svg, "<title>{}</title>", escape(&diagram.name));
    svg.push_str(concat!(
        r##"<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">"##,
        r##"<path d="M 0 0 L 10 5 L 0 10 z" fill="#333"/></marker></defs>"##,
        "\n"
    ));
    let _ = writeln!(svg, r#"<rect width="100%" height="100%" fill="white"/>"#);
    for (&(a, b, k), route) in drawn.iter().zip(&routes) {
        let edge = &diagram.edges[k];
        let (from, to) = (&boxes[a], &boxes[b]);
        let (d, label_at) = if layer[a] < layer[b] {
            // Down through the waypoints' slots, straight where there are none.
            let mut points = vec![(from.x + from.w / 2.0, from.y + from.h)];
            for &w in &route[1..route.len() - 1] {
                let slot = &boxes[w];
                points.push((slot.x + slot.w / 2.0, slot.y));
                points.push((slot.x + slot.w / 2.0, slot.y + slot.h));
            }
            points.push((to.x + to.w / 2.0, to.y));
            let mut d = String::new();
            for (i, (x, y)) in points.iter().enumerate() {
                let _ = write!(d, "{}{x:.1} {y:.1}", if i == 0 { "M " } else { " L " });
            }
            let ((x1, y1), (x2, y2)) = (points[0], points[1]);
            (d, ((x1 + x2) / 2.0, (y1 + y2) / 2.0))
        } else {
            // Back or same-layer edge (or a self loop): a curve out to the right.
            let (x1, y1, x2, y2) =
                (from.x + from.w, from.y + from.h / 2.0, to.x + to.w, to.y + to.h / 2.0);
            let bulge = x1.max(x2) + 40.0;
            (
                format!(
                    "M {x1:.1} {y1:.1} C {bulge:.1} {y1:.1}, {bulge:.1} {y2:.1}, {x2:.1} {y2:.1}"
                ),
                (bulge - 10.0, (y1 + y2) / 2.0),
            )
        };
        let dash = if edge.dashed { r#" stroke-dasharray="5,3""# } else { "" };
        let _ = writeln!(
            svg,
            r##"<path d="{d}" fill="none" stroke="#333"{dash} marker-end="url(#arrow)"/>"##
        );
        if let Some(label) = &edge.label {
            let _ = writeln!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="9" fill="#555" text-anchor="start">{}</text>"##,
                label_at.0 + 3.0,
                label_at.1,
                escape(label)
            );
        }
    }
    for (v, node) in diagram.nodes.iter().enumerate() {
        let b = &boxes[v];
        let _ = writeln!(
            svg,
            r##"<g><title>{}</title><rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="3" fill="#f4f6fa" stroke="#333"/>"##,
            escape(&node.id),
            b.x,
            b.y,
            b.w,
            b.h
        );
        for (i, line) in node.lines.iter().enumerate() {
            let weight = if i == 0 { r#" font-weight="bold""# } else { "" };
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle"{weight}>{}</text>"#,
                b.x + b.w / 2.0,
                b.y + PAD / 2.0 + (i as f64 + 0.75) * LINE_HEIGHT,
                escape(line)
            );
        }
        svg.push_str("</g>\n");
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_edges_break_every_cycle() {
        // 0 -> 1 -> 2 -> 0, and 2 -> 3
        let edges = [(0, 1), (1, 2), (2, 0), (2, 3)];
        let back = back_edges(4, &edges);
        assert_eq!(back, [false, false, true, false]);
        assert_eq!(layers(4, &edges, &back), [0, 1, 2, 3]);
    }

    #[test]
    fn layers_follow_the_longest_path() {
        // 0 -> 1 -> 2 and 0 -> 2: 2 sits below 1.
        let edges = [(0, 1), (1, 2), (0, 2)];
        assert_eq!(layers(3, &edges, &[false; 3]), [0, 1, 2]);
    }
}
