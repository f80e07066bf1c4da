//! Bad templates and metadata through `graph`, `check` and `compile` (issue 7, item 4):
//! each gets exit 1 (problems) or 2 (usage, unreadable), an error naming the file or the
//! template place, never a panic, a backtrace or a crash by signal; a refused compile
//! writes neither the compiled template nor the plan.

mod reliability_support;

use std::path::Path;
use std::time::Duration;

use reliability_support::heat_sync;

const LIMIT: Duration = Duration::from_secs(60);

const SERVER: &str =
    "    type: OS::Nova::Server\n    properties: {image: debian-12, flavor: m1.small}\n";

fn with_metadata(metadata: &str) -> String {
    format!(
        "heat_template_version: 2016-10-14\nresources:\n  db:\n{SERVER}    metadata:\n{metadata}"
    )
}

fn cases() -> Vec<(&'static str, String, &'static str)> {
    vec![
        ("empty.yaml", String::new(), "empty.yaml"),
        ("garbage.yaml", "\u{0}\u{1}\u{2}: [".into(), "garbage.yaml"),
        ("bad-yaml.yaml", "heat_template_version: 2016-10-14\nresources: {db: [}\n".into(), "bad-yaml.yaml"),
        ("no-version.yaml", "resources: {}\n".into(), "no-version.yaml"),
        ("list.yaml", "[1, 2, 3]\n".into(), "list.yaml"),
        ("deep.yaml", format!("heat_template_version: 2016-10-14\nresources: {}{}\n", "[".repeat(20000), "]".repeat(20000)), "deep.yaml"),
        ("deep-map.yaml", format!("heat_template_version: 2016-10-14\nresources: {}{}\n", "{a: ".repeat(20000), "}".repeat(20000)), "deep-map.yaml"),
        ("roles-not-list.yaml", with_metadata("      heat_sync:\n        roles: {mysql: 1}\n"), "resources.db.metadata.heat_sync.roles"),
        ("bad-tool.yaml", with_metadata("      heat_sync:\n        tool: puppet\n        roles: []\n"), "resources.db.metadata.heat_sync.tool"),
        ("role-no-name.yaml", with_metadata("      heat_sync:\n        roles:\n          - run_list: [\"recipe[x]\"]\n"), "resources.db.metadata.heat_sync.roles[0]"),
        ("empty-path.yaml", with_metadata("      heat_sync:\n        roles:\n          - name: m\n            inputs: {\"a..b\": 1}\n"), "resources.db.metadata.heat_sync.roles[0].inputs"),
        ("dangling.yaml", with_metadata("      heat_sync:\n        roles:\n          - name: m\n            inputs: {a.b: {get_attr: [db, nobody_produces_this]}}\n"), "nobody_produces_this"),
        ("unknown-resource.yaml", with_metadata("      heat_sync:\n        roles:\n          - name: m\n            inputs: {a.b: {get_attr: [ghost, x]}}\n"), "ghost"),
    ]
}

/// Checks one refusal; a crash fails at once, a missing name is collected in `gaps`.
fn refused_cleanly(
    run: &reliability_support::Run,
    what: &str,
    needle: &str,
    gaps: &mut Vec<String>,
) {
    run.no_crash();
    assert!(run.code.is_some(), "{what}: killed by a signal: {run:#?}");
    if !matches!(run.code, Some(1 | 2)) {
        gaps.push(format!("{what}: accepted (exit {:?})", run.code));
    } else if !run.stderr.contains(needle) {
        gaps.push(format!("{what}: {needle:?} not named in {:?}", run.stderr.trim()));
    }
}

#[test]
fn bad_templates_are_refused_by_every_template_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut gaps = Vec::new();
    for (name, text, needle) in cases() {
        let path = dir.path().join(name);
        std::fs::write(&path, &text).unwrap();
        let p = path.display().to_string();
        let out = dir.path().join(format!("{name}.out"));
        let plan = dir.path().join(format!("{name}.plan.json"));
        for args in [
            vec!["graph", p.as_str()],
            vec!["check", p.as_str()],
            vec![
                "compile",
                p.as_str(),
                "-o",
                out.to_str().unwrap(),
                "--plan-out",
                plan.to_str().unwrap(),
            ],
        ] {
            let run = heat_sync(&args, &[], None, LIMIT);
            // graph answers Heat's verdict: metadata problems are not its business.
            let metadata_only = needle.starts_with("resources.")
                || matches!(name, "dangling.yaml" | "empty-path.yaml");
            if args[0] == "graph" && metadata_only {
                run.no_crash();
                continue;
            }
            refused_cleanly(&run, &format!("{} {name}", args[0]), needle, &mut gaps);
        }
        assert!(!out.exists() && !plan.exists(), "a refused compile of {name} wrote output");
    }
    assert!(gaps.is_empty(), "errors that do not name their place:\n{}", gaps.join("\n"));
}

#[test]
fn missing_files_and_bad_options_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/wordpress/template.yaml");
    let g = good.display().to_string();
    let missing = dir.path().join("missing.yaml").display().to_string();
    for args in [
        vec!["compile", missing.as_str()],
        vec!["check", missing.as_str()],
        vec!["compile", g.as_str(), "-e", missing.as_str()],
        vec!["compile", g.as_str(), "--file", &format!("x={missing}")],
    ] {
        heat_sync(&args, &[], None, LIMIT).refused(2, "missing.yaml");
    }
    for (args, needle) in [
        (vec!["compile", g.as_str(), "--param", "no_equals_sign"], "no_equals_sign"),
        (vec!["compile", g.as_str(), "--file", "no_equals_sign"], "no_equals_sign"),
    ] {
        let run = heat_sync(&args, &[], None, LIMIT);
        run.no_crash();
        assert!(matches!(run.code, Some(1 | 2)), "{args:?}: {run:#?}");
        assert!(run.stderr.contains(needle), "{args:?}: {run:#?}");
    }
}

/// Found here: `compile` panics (exit 101, "coordinated servers are resources",
/// core/src/compile/mod.rs) on a template without a `resources` section, which Heat
/// accepts (`heat_template_version: 2016-10-14` alone), and on an unknown version, which
/// `check` then accepts with exit 0 although Heat rejects it.
#[test]
fn templates_without_resources_or_with_an_unknown_version() {
    let dir = tempfile::tempdir().unwrap();
    let bare = dir.path().join("bare.yaml");
    std::fs::write(&bare, "heat_template_version: 2016-10-14\n").unwrap();
    let run = heat_sync(&["compile", &bare.display().to_string()], &[], None, LIMIT);
    run.no_crash();
    assert_eq!(run.code, Some(0), "{run:#?}");
    let bad = dir.path().join("bad-version.yaml");
    std::fs::write(&bad, "heat_template_version: 1999-01-01\n").unwrap();
    for cmd in ["check", "compile"] {
        heat_sync(&[cmd, &bad.display().to_string()], &[], None, LIMIT).refused(2, "1999-01-01");
    }
    // `compile --coordinator` takes any text as the default address (found: exit 0);
    // the agents would only find out at boot.
    let good = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/wordpress/template.yaml");
    heat_sync(
        &["compile", &good.display().to_string(), "--coordinator", "http://nope"],
        &[],
        None,
        LIMIT,
    )
    .refused(2, "http://nope");
    // An environment whose sections are not mappings (Heat's `dict.update` refuses a
    // list of parameters) is accepted with exit 0.
    let env = dir.path().join("env.yaml");
    std::fs::write(&env, "parameters: [1, 2]\nresource_registry: 7\n").unwrap();
    let run = heat_sync(
        &["compile", &good.display().to_string(), "-e", &env.display().to_string()],
        &[],
        None,
        LIMIT,
    );
    let mut gaps = Vec::new();
    refused_cleanly(&run, "bad environment", "env.yaml", &mut gaps);
    assert!(gaps.is_empty(), "{gaps:?}");
}
