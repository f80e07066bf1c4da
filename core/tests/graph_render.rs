//! Drawing the dependency graph: DOT text, SVG through Graphviz, and the in-process
//! SVG renderer (which must give a well-formed SVG document with every box and arrow).

use heat_sync::graph::render::{self, Diagram, DiagramEdge, DiagramNode};
use heat_sync::graph::{DependencyGraph, ResourceNode};
use serde_json::json;

fn sample() -> DependencyGraph {
    let nodes = [
        ResourceNode::new("sub", "OS::Neutron::Subnet", json!({"network": "public"})),
        ResourceNode::new("port", "OS::Neutron::Port", json!({"network": "public"})),
        ResourceNode::new(
            "srv \"<&>\"",
            "OS::Nova::Server",
            json!({"networks": [{"port": {"get_resource": "port"}}]}),
        )
        .with_references(["port"]),
    ];
    DependencyGraph::build(&nodes).unwrap()
}

/// Parses `svg` as XML (Graphviz adds a DOCTYPE) and counts boxes and arrows, failing
/// on malformed documents.
fn check_svg(svg: &str) -> (usize, usize, Vec<String>) {
    let options = roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() };
    let doc = roxmltree::Document::parse_with_options(svg, options)
        .unwrap_or_else(|e| panic!("invalid SVG: {e}\n{svg}"));
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert_eq!(root.tag_name().namespace(), Some("http://www.w3.org/2000/svg"));
    let rects = root.descendants().filter(|n| n.has_tag_name("rect")).count();
    let paths = root.descendants().filter(|n| n.has_tag_name("path")).count();
    let texts = root
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(String::from)
        .collect();
    (rects, paths, texts)
}

#[test]
fn dot_has_every_resource_and_dashes_implicit_edges() {
    let dot = render::to_dot(&sample());
    assert!(dot.starts_with("digraph \"resources\" {"), "{dot}");
    assert!(dot.contains(r#""sub" [label="sub\nOS::Neutron::Subnet"];"#), "{dot}");
    assert!(dot.contains(r#""port" -> "srv \"<&>\"";"#), "{dot}");
    assert!(dot.contains(r#""sub" -> "port" [label="implicit", style=dashed];"#), "{dot}");
    assert!(dot.trim_end().ends_with('}'));
}

#[test]
fn builtin_svg_is_well_formed_with_boxes_and_arrows() {
    let svg = render::dependency_diagram(&sample()).to_svg_builtin();
    let (rects, paths, texts) = check_svg(&svg);
    assert_eq!(rects, 1 + 3, "background and one box per resource");
    assert_eq!(paths, 1 + 3, "arrow marker and one arrow per edge");
    assert!(texts.contains(&"srv \"<&>\"".to_string()), "{texts:?}");
    assert!(texts.contains(&"OS::Nova::Server".to_string()));
    assert_eq!(texts.iter().filter(|t| *t == "implicit").count(), 2);
}

#[test]
fn builtin_svg_lays_dependencies_above_dependents() {
    let svg = render::dependency_diagram(&sample()).to_svg_builtin();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let y_of = |id: &str| -> f64 {
        let group = doc
            .descendants()
            .find(|n| {
                n.has_tag_name("g") && n.first_element_child().and_then(|t| t.text()) == Some(id)
            })
            .unwrap();
        let rect = group.children().find(|n| n.has_tag_name("rect")).unwrap();
        rect.attribute("y").unwrap().parse().unwrap()
    };
    assert!(y_of("sub") < y_of("port"));
    assert!(y_of("port") < y_of("srv \"<&>\""));
}

#[test]
fn builtin_svg_draws_cycles_and_unlabelled_graphs() {
    let node = |id: &str| DiagramNode { id: id.into(), lines: vec![id.into(), "role".into()] };
    let edge = |from: &str, to: &str| DiagramEdge {
        from: from.into(),
        to: to.into(),
        label: Some("v".into()),
        dashed: false,
    };
    let diagram = Diagram {
        name: "dataflow".into(),
        nodes: vec![node("a"), node("b"), node("c")],
        edges: vec![
            edge("a", "b"),
            edge("b", "c"),
            edge("c", "a"),
            edge("c", "c"),
            edge("a", "nowhere"),
        ],
    };
    let (rects, paths, _) = check_svg(&diagram.to_svg_builtin());
    assert_eq!((rects, paths), (1 + 3, 1 + 4));
    let (rects, _, _) = check_svg(&Diagram::default().to_svg_builtin());
    assert_eq!(rects, 1);
}

#[test]
fn svg_through_graphviz_when_installed() {
    let graph = sample();
    let svg = render::to_svg(&graph);
    let (_, _, texts) = check_svg(&svg);
    assert!(texts.contains(&"OS::Neutron::Port".to_string()), "{texts:?}");
    match render::dependency_diagram(&graph).to_svg_graphviz() {
        Some(from_dot) => assert_eq!(svg, from_dot),
        None => eprintln!("Graphviz `dot` not installed: checked the in-process renderer only"),
    }
}

#[test]
fn builtin_svg_routes_long_edges_around_boxes() {
    let node =
        |id: &str| DiagramNode { id: id.into(), lines: vec![format!("{id} with a long label")] };
    let edge = |from: &str, to: &str| DiagramEdge {
        from: from.into(),
        to: to.into(),
        label: None,
        dashed: false,
    };
    let diagram = Diagram {
        name: "long".into(),
        nodes: vec![node("a"), node("b"), node("c")],
        edges: vec![edge("a", "b"), edge("b", "c"), edge("a", "c")],
    };
    let svg = diagram.to_svg_builtin();
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let b_box = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("g") && n.first_element_child().and_then(|t| t.text()) == Some("b")
        })
        .and_then(|g| g.children().find(|n| n.has_tag_name("rect")))
        .unwrap();
    let x: f64 = b_box.attribute("x").unwrap().parse().unwrap();
    let w: f64 = b_box.attribute("width").unwrap().parse().unwrap();
    let arrows: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("path") && n.attribute("marker-end").is_some())
        .map(|n| n.attribute("d").unwrap())
        .collect();
    assert_eq!(arrows.len(), 3);
    // The a -> c arrow bends through a waypoint beside b, not through b's box.
    let long = arrows.iter().find(|d| d.matches(" L ").count() == 3).expect("a routed arrow");
    let numbers: Vec<f64> = long
        .split(['M', 'L'])
        .flat_map(|p| p.split_whitespace())
        .map(|v| v.parse().unwrap())
        .collect();
    let waypoint_x = numbers[2];
    assert!(waypoint_x < x || waypoint_x > x + w, "{long} crosses b at x {x}..{}", x + w);
}
