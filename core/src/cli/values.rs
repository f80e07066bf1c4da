//! `heat-sync get` and `heat-sync put`: the coordinator from scripts.
//!
//! Inside a script role the agent sets `HEAT_SYNC_SERVER_PLAN`, `HEAT_SYNC_ROLE` and the
//! role's inputs and outputs files (docs/agent.md), so `heat-sync get wordpress.db.host`
//! answers a resolved input at once or blocks like an intercepted read of that declared
//! input, and `heat-sync put url http://...` records that declared output for the agent
//! to publish when the role finishes (or publishes it now when it is `publish: on_write`).
//! Outside a role, `put` publishes straight away and `get --key` reads any value.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use heat_sync::agent::context::{PutOutcome, RoleContext};
use heat_sync::client::{Client, WaitOptions};
use heat_sync::plan::{
    expression, CoordinatorConfig, Credentials, InputSource, PlanRole, ServerId, ServerPlan,
    ValueKey,
};
use heat_sync::{Error, Value};

/// How to reach a stack's coordinator namespace.
#[derive(clap::Args, Debug, Clone)]
pub struct ConnectArgs {
    /// The server plan to take the coordinator, namespace and credentials from
    /// (default: $HEAT_SYNC_SERVER_PLAN).
    #[arg(long, value_name = "FILE", env = "HEAT_SYNC_SERVER_PLAN")]
    pub server_plan: Option<PathBuf>,
    /// The coordinator: zk://HOST:PORT[,HOST:PORT...][/CHROOT] or embedded:///DIR
    /// (overrides the server plan's).
    #[arg(long, value_name = "ADDRESS", env = "HEAT_SYNC_COORDINATOR")]
    pub coordinator: Option<String>,
    /// The stack namespace, /heat-sync/<stack id> (overrides the server plan's).
    #[arg(long, value_name = "PATH", env = "HEAT_SYNC_NAMESPACE")]
    pub namespace: Option<String>,
    /// A file holding the stack secret (ZooKeeper ACLs); never given on the command line.
    #[arg(long, value_name = "FILE", env = "HEAT_SYNC_SECRET_FILE")]
    pub secret_file: Option<PathBuf>,
}

impl ConnectArgs {
    /// The server plan, when one was given.
    pub fn plan(&self) -> heat_sync::Result<Option<ServerPlan>> {
        self.server_plan.as_deref().map(ServerPlan::load).transpose()
    }

    /// The coordinator configuration these options name (with `plan` as the default).
    pub fn config(&self, plan: Option<&ServerPlan>) -> Result<CoordinatorConfig, String> {
        let mut config = match plan {
            Some(p) => p.coordinator.clone(),
            None => CoordinatorConfig {
                address: String::new(),
                namespace: String::new(),
                credentials: None,
            },
        };
        if let Some(a) = &self.coordinator {
            config.address = a.clone();
        }
        if let Some(n) = &self.namespace {
            config.namespace = n.clone();
        }
        if let Some(f) = &self.secret_file {
            let secret = std::fs::read_to_string(f).map_err(|e| format!("{}: {e}", f.display()))?;
            let user =
                config.credentials.as_ref().map_or_else(|| "admin".into(), |c| c.user.clone());
            config.credentials =
                Some(Credentials::stack_secret(user, secret.trim_end_matches(['\n', '\r'])));
        }
        if config.address.is_empty() {
            return Err("no coordinator: give --server-plan or --coordinator".into());
        }
        if config.namespace.is_empty() {
            return Err(
                "no namespace: give --server-plan or --namespace /heat-sync/<stack id>".into()
            );
        }
        Ok(config)
    }
}

/// Arguments of `heat-sync get`.
#[derive(clap::Args, Debug)]
pub struct GetArgs {
    /// A declared input of the role, by its node attribute path (`wordpress.db.host`).
    #[arg(required_unless_present = "key")]
    path: Option<String>,
    /// Read a value by its key instead (`db.db_host`, `web.0.url`).
    #[arg(long, conflicts_with = "path")]
    key: Option<String>,
    /// The role whose input PATH is (default: $HEAT_SYNC_ROLE, else any role declaring it).
    #[arg(long, env = "HEAT_SYNC_ROLE")]
    role: Option<String>,
    /// Seconds to wait (default: the role's timeout, else 3600).
    #[arg(long)]
    timeout: Option<u64>,
    /// Print JSON even for a string value.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    connect: ConnectArgs,
}

/// Arguments of `heat-sync put`.
#[derive(clap::Args, Debug)]
pub struct PutArgs {
    /// A declared output of the role, by name (`db_host`) or node attribute path.
    name: String,
    /// The value (read from standard input when absent).
    value: Option<String>,
    /// The role whose output NAME is (default: $HEAT_SYNC_ROLE, else any role declaring it).
    #[arg(long, env = "HEAT_SYNC_ROLE")]
    role: Option<String>,
    /// Parse the value as JSON instead of taking it as a string.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    connect: ConnectArgs,
}

/// Splits a dotted node attribute path (`a.b\.c.0` is `["a", "b.c", "0"]`).
pub fn split_path(path: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = path.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(n) => parts.last_mut().expect("never empty").push(n),
                None => parts.last_mut().expect("never empty").push('\\'),
            },
            '.' => parts.push(String::new()),
            c => parts.last_mut().expect("never empty").push(c),
        }
    }
    parts
}

/// Parses a key as written in messages: `db.db_host` or `web.0.url`.
pub fn parse_key(key: &str) -> Option<ValueKey> {
    let parts = split_path(key);
    match parts.as_slice() {
        [server, output] => {
            Some(ValueKey { server: ServerId::plain(server), output: output.clone() })
        }
        [group, member, output] => {
            Some(ValueKey { server: ServerId::member(group, member), output: output.clone() })
        }
        _ => None,
    }
    .filter(|k| !k.server.resource.is_empty() && !k.output.is_empty())
}

fn roles<'p>(plan: &'p ServerPlan, role: Option<&str>) -> Vec<&'p PlanRole> {
    plan.roles.iter().filter(|r| role.map_or(true, |n| n == r.name)).collect()
}

fn print_value(value: &Value, json: bool) {
    match value {
        Value::String(s) if !json => println!("{s}"),
        v => println!("{v}"),
    }
}

fn fail(e: &Error) -> ExitCode {
    eprintln!("heat-sync: {e}");
    match e {
        Error::Timeout(_) | Error::Coordinator(_) => ExitCode::from(1),
        _ => ExitCode::from(2),
    }
}

/// Runs `heat-sync get`.
pub fn get(args: GetArgs) -> ExitCode {
    let plan = match args.connect.plan() {
        Ok(p) => p,
        Err(e) => return super::usage_error(e),
    };
    let config = match args.connect.config(plan.as_ref()) {
        Ok(c) => c,
        Err(e) => return super::usage_error(e),
    };
    // What to wait for, and for how long.
    let mut timeout = None;
    let source = if let Some(key) = &args.key {
        let Some(key) = parse_key(key) else {
            return super::usage_error(format!(
                "--key {key:?}: expected SERVER.OUTPUT or GROUP.MEMBER.OUTPUT"
            ));
        };
        InputSource::Wait {
            producer: heat_sync::plan::Producer { server: key.server.clone(), role: None },
            key,
        }
    } else {
        let path = args.path.as_deref().unwrap_or_default();
        // Inside a role, an input the agent already resolved is answered from its file.
        match RoleContext::from_env().and_then(|c| c.map(|c| c.input(path)).transpose()) {
            Ok(Some(Some(value))) => {
                print_value(&value, args.json);
                return ExitCode::SUCCESS;
            }
            Ok(_) => {}
            Err(e) => return fail(&e),
        }
        let Some(plan) = &plan else {
            return super::usage_error(
                "reading an input by its path needs --server-plan (or use --key)",
            );
        };
        let wanted = split_path(path);
        let found = roles(plan, args.role.as_deref())
            .into_iter()
            .find_map(|r| r.inputs.iter().find(|i| i.path == wanted).map(|i| (r, i)));
        let Some((role, input)) = found else {
            let role = args.role.as_deref().map_or_else(String::new, |r| format!(" of role {r}"));
            return super::usage_error(format!(
                "{path}: not a declared input{role} of {}",
                plan.server
            ));
        };
        timeout = Some(role.timeout);
        input.source.clone()
    };
    let timeout = Duration::from_secs(args.timeout.or(timeout).unwrap_or(3600));
    let client = match Client::connect(&config, plan.as_ref().map(|p| p.server.clone())) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    // One deadline for every value an expression waits for.
    let deadline = Instant::now() + timeout;
    let options = || {
        WaitOptions::new(deadline.saturating_duration_since(Instant::now()))
            .progress(Duration::from_secs(10), |p| eprintln!("heat-sync: {p}"))
    };
    let place = args.path.as_deref().unwrap_or("--key");
    let result = expression::resolve(place, &source, &mut |awaited| match awaited {
        InputSource::Wait { key, producer } => {
            client.get(key, &options().producer(producer)).map(|p| p.value)
        }
        InputSource::Gather { group, output, count, .. } => client
            .gather(group, output, *count, &options())
            .map(|all| Value::Array(all.into_iter().map(|p| p.value).collect())),
        InputSource::Static { value, .. } => Ok(value.clone()),
        InputSource::Expression { .. } => unreachable!("expression::resolve evaluates these"),
    });
    match result {
        Ok(v) => {
            print_value(&v, args.json);
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// Runs `heat-sync put`.
pub fn put(args: PutArgs) -> ExitCode {
    let plan = match args.connect.plan() {
        Ok(Some(p)) => p,
        Ok(None) => {
            return super::usage_error("put needs --server-plan (or $HEAT_SYNC_SERVER_PLAN)")
        }
        Err(e) => return super::usage_error(e),
    };
    let config = match args.connect.config(Some(&plan)) {
        Ok(c) => c,
        Err(e) => return super::usage_error(e),
    };
    let wanted = split_path(&args.name);
    let output = roles(&plan, args.role.as_deref())
        .into_iter()
        .flat_map(|r| r.outputs.iter())
        .find(|o| o.name == args.name || o.path == wanted);
    let Some(output) = output else {
        return super::usage_error(format!(
            "{}: not a declared output of {}",
            args.name, plan.server
        ));
    };
    let text = match args.value {
        Some(v) => v,
        None => {
            let mut s = String::new();
            if let Err(e) = std::io::stdin().read_to_string(&mut s) {
                return super::usage_error(format!("standard input: {e}"));
            }
            s.trim_end_matches('\n').to_string()
        }
    };
    let value = if args.json {
        match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => return super::usage_error(format!("{}: not JSON: {e}", args.name)),
        }
    } else {
        Value::String(text)
    };
    // Inside a role, the value is recorded for the agent, which publishes it when the
    // role finishes (contracts.md); only a `publish: on_write` output is published now.
    let context = match RoleContext::from_env() {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    if let Some(context) = context {
        match context.record_output(&args.name, value.clone()) {
            Ok(PutOutcome::Recorded) => {
                eprintln!(
                    "heat-sync: recorded {}; published when role {} finishes",
                    args.name,
                    context.role().name
                );
                return ExitCode::SUCCESS;
            }
            Ok(PutOutcome::PublishNow(_)) => {}
            Err(e) => return fail(&e),
        }
    }
    let key = ValueKey { server: plan.server.clone(), output: output.name.clone() };
    let client = match Client::connect(&config, Some(plan.server.clone())) {
        Ok(c) => c,
        Err(e) => return fail(&e),
    };
    match client.put(&key, &value) {
        Ok(version) => {
            eprintln!("heat-sync: published {key} version {version}");
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_keys_parse() {
        assert_eq!(
            split_path(r"nginx.sites.example\.com.root"),
            ["nginx", "sites", "example.com", "root"]
        );
        assert_eq!(parse_key("web.0.url").unwrap().to_string(), "web.0.url");
        assert_eq!(parse_key("db.db_host").unwrap().server, ServerId::plain("db"));
        assert!(parse_key("db").is_none());
        assert!(parse_key("a.b.c.d").is_none());
    }
}
