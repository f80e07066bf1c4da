//! Shared by the simulate tests: a hand-written three-tier stack plan and a runner.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use heat_sync::plan::*;
use serde_json::json;

pub fn input(path: &str, source: InputSource) -> PlanInput {
    PlanInput {
        path: heat_sync::agent::context::parse_path(path),
        place: format!("inputs.{path}"),
        source,
    }
}

pub fn role(name: &str, run: &str, inputs: Vec<PlanInput>, outputs: &[(&str, &str)]) -> PlanRole {
    PlanRole {
        name: name.into(),
        run_list: vec![],
        run: Some(run.into()),
        timeout: 60,
        inputs,
        outputs: outputs
            .iter()
            .map(|(n, p)| PlanOutput {
                name: n.to_string(),
                path: heat_sync::agent::context::parse_path(p),
                publish: Publish::OnFinish,
                secret: *n == "db_password",
            })
            .collect(),
    }
}

pub fn server(name: &str, group: Option<u64>, tool: Tool, roles: Vec<PlanRole>) -> StackServer {
    StackServer {
        server: ServerId::plain(name),
        resource_type: "OS::Nova::Server".into(),
        group: group
            .map(|n| GroupInfo { group_type: "OS::Heat::ResourceGroup".into(), count: Some(n) }),
        tool,
        roles,
    }
}

/// db generates a password (after a short pause, so others visibly wait), each app
/// server waits for it and the db address, and the load balancer gathers the app
/// servers' addresses.
pub fn three_tier(db_script: &str) -> StackPlan {
    let wait = |server: &str, output: &str, role: Option<&str>| InputSource::Wait {
        key: ValueKey { server: ServerId::plain(server), output: output.into() },
        producer: Producer { server: ServerId::plain(server), role: role.map(str::to_string) },
    };
    StackPlan {
        format: STACK_PLAN_FORMAT.into(),
        version: PLAN_VERSION,
        servers: vec![
            server(
                "db",
                None,
                Tool::Script,
                vec![role(
                    "mysql",
                    db_script,
                    vec![input(
                        "mysql.port",
                        InputSource::Static { value: json!(3306), secret: false },
                    )],
                    &[("db_password", "mysql.password"), ("db_port", "mysql.port")],
                )],
            ),
            server(
                "app",
                Some(2),
                Tool::Script,
                vec![role(
                    "app",
                    r#"#!/bin/sh
set -eu
test -n "$HEAT_SYNC_INPUT_APP__DB__PASSWORD"
echo "app $HEAT_SYNC_SERVER connects to $HEAT_SYNC_INPUT_APP__DB__HOST:$HEAT_SYNC_INPUT_APP__DB__PORT as $HEAT_SYNC_INPUT_APP__NAME"
printf '{"app": {"endpoint": "%s:8080"}}' "$HEAT_SYNC_FIRST_ADDRESS" > "$HEAT_SYNC_OUTPUTS"
"#,
                    vec![
                        input("app.db.host", wait("db", "first_address", None)),
                        input("app.db.port", wait("db", "db_port", Some("mysql"))),
                        input("app.db.password", wait("db", "db_password", Some("mysql"))),
                        input(
                            "app.name",
                            InputSource::Static { value: json!("app-%index%"), secret: false },
                        ),
                    ],
                    &[("endpoint", "app.endpoint")],
                )],
            ),
            server(
                "lb",
                None,
                Tool::Script,
                vec![role(
                    "haproxy",
                    r#"echo "balancing $HEAT_SYNC_INPUT_HAPROXY__BACKENDS"
printf '{"haproxy": {"backends": %s}}' "$HEAT_SYNC_INPUT_HAPROXY__BACKENDS" > "$HEAT_SYNC_OUTPUTS""#,
                    vec![input(
                        "haproxy.backends",
                        InputSource::Gather {
                            group: "app".into(),
                            output: "endpoint".into(),
                            role: Some("app".into()),
                            count: Some(2),
                        },
                    )],
                    &[("backends", "haproxy.backends")],
                )],
            ),
        ],
    }
}

pub const DB_OK: &str = r#"sleep 1
printf '{"mysql": {"password": "%s", "port": 3306}}' "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$HEAT_SYNC_OUTPUTS""#;

pub fn simulate(dir: &Path, plan: &StackPlan, extra: &[&str]) -> (Output, Duration) {
    let file = dir.join("stack-plan.json");
    std::fs::write(&file, plan.to_json()).unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_heat-sync"))
        .arg("simulate")
        .arg("--stack-plan")
        .arg(&file)
        .arg("--work-dir")
        .arg(dir.join("run"))
        .args(extra)
        .output()
        .unwrap();
    (out, started.elapsed())
}

pub fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}
