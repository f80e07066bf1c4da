//! Compile and secrets (issue 7, item 5): a hidden parameter's value given on the command
//! line never lands in the compiled template, the stack plan or any message; the stack
//! secret is a hidden parameter of the generated template; each server's user-data
//! carries its own plan only (no other server's roles).

mod reliability_support;

use std::path::Path;
use std::time::Duration;

use reliability_support::heat_sync;

const HIDDEN: &str = "Hunter2-hidden-5e3a";

#[test]
fn hidden_values_stay_out_of_the_compiled_template_and_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let template =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/wordpress/template.yaml");
    let out = dir.path().join("compiled.yaml");
    let plan = dir.path().join("plan.json");
    let run = heat_sync(
        &[
            "compile",
            &template.display().to_string(),
            "--param",
            &format!("db_password={HIDDEN}"),
            "-o",
            &out.display().to_string(),
            "--plan-out",
            &plan.display().to_string(),
            "--coordinator",
            "zk://127.0.0.1:2181/heat-sync",
        ],
        &[],
        None,
        Duration::from_secs(60),
    );
    assert_eq!(run.code, Some(0), "{run:#?}");
    run.no_crash().never_shows(HIDDEN);
    let compiled = std::fs::read_to_string(&out).unwrap();
    let stack_plan = std::fs::read_to_string(&plan).unwrap();
    assert!(!compiled.contains(HIDDEN), "the compiled template holds the hidden value");
    assert!(!stack_plan.contains(HIDDEN), "the stack plan holds the hidden value");

    let t: serde_yaml::Value = serde_yaml::from_str(&compiled).unwrap();
    let secret = &t["parameters"]["heat_sync_secret"];
    assert_eq!(
        secret["hidden"],
        serde_yaml::Value::Bool(true),
        "heat_sync_secret is not hidden: {secret:?}"
    );
    assert!(secret.get("default").is_none(), "heat_sync_secret has a default: {secret:?}");

    // Each server's user-data names its own roles only.
    let user_data = |server: &str| {
        serde_yaml::to_string(&t["resources"][server]["properties"]["user_data"]).unwrap()
    };
    let (db, web) = (user_data("db"), user_data("web"));
    assert!(
        db.contains("recipe[mysql::server]") && !db.contains("recipe[wordpress]"),
        "db's user-data carries web's roles"
    );
    assert!(
        web.contains("recipe[wordpress]") && !web.contains("recipe[mysql::server]"),
        "web's user-data carries db's roles"
    );
    assert!(!web.contains("server_root_password"), "web's user-data carries db's (secret) input");
}
