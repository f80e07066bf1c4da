//! `heat-sync status`: every value (published or not, who waits on it), every role's
//! state and which agents are alive, as a table or JSON. Secret values show as `******`.

use std::process::ExitCode;

use heat_sync::client::Client;
use heat_sync::protocol::RoleStatus;

use super::values::ConnectArgs;

/// Arguments of `heat-sync status`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    connect: ConnectArgs,
}

/// Runs `heat-sync status`: exit 0, or 1 when a role failed.
pub fn run(args: Args) -> ExitCode {
    let plan = match args.connect.plan() {
        Ok(p) => p,
        Err(e) => return super::usage_error(e),
    };
    let config = match args.connect.config(plan.as_ref()) {
        Ok(c) => c,
        Err(e) => return super::usage_error(e),
    };
    let status = match Client::connect(&config, None).and_then(|c| c.status()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("heat-sync: {e}");
            return ExitCode::from(1);
        }
    };
    let any_failed = status.roles.iter().any(|r| matches!(r.status, RoleStatus::Failed { .. }));
    if args.json {
        let mut doc = serde_json::to_value(&status).expect("status serializes");
        for (i, v) in status.values.iter().enumerate() {
            doc["values"][i]["waiting"] = serde_json::json!(status.waiting(v));
        }
        println!("{}", serde_json::to_string_pretty(&doc).expect("JSON serializes"));
    } else {
        let seeded = if status.seeded { "stack plan seeded" } else { "no stack plan seeded" };
        println!("stack {} ({seeded})", status.namespace);
        let mut rows = vec![[
            "VALUE".to_string(),
            "VERSION".into(),
            "PRODUCER".into(),
            "CONTENT".into(),
            "WAITING".into(),
        ]];
        for v in &status.values {
            let content = match (&v.value, &v.failed) {
                (_, Some(e)) => format!("failed: {e}"),
                (Some(serde_json::Value::String(s)), None) => s.clone(),
                (Some(v), None) => v.to_string(),
                (None, None) => "-".into(),
            };
            let waiting = status.waiting(v);
            rows.push([
                v.key.clone(),
                v.version.map_or("-".into(), |n| n.to_string()),
                v.producer.clone().unwrap_or_else(|| "-".into()),
                content,
                if waiting.is_empty() { "-".into() } else { waiting.join(", ") },
            ]);
        }
        print_table(&rows);
        println!();
        let mut rows = vec![["SERVER".to_string(), "ROLE".into(), "STATUS".into()]];
        for r in &status.roles {
            let state = match &r.status {
                RoleStatus::Failed { error } => format!("failed: {error}"),
                s => s.name().to_string(),
            };
            rows.push([r.server.clone(), r.role.clone(), state]);
        }
        print_table(&rows);
        println!();
        let alive =
            if status.alive.is_empty() { "none".to_string() } else { status.alive.join(", ") };
        println!("agents alive: {alive}");
    }
    if any_failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_table<const N: usize>(rows: &[[String; N]]) {
    let mut widths = [0usize; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in rows {
        let line: Vec<String> = row.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
        println!("{}", line.join("  ").trim_end());
    }
}
