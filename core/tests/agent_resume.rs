//! Real `heat-sync agent` processes on the embedded store: an agent killed in the middle
//! of a role and started again runs that role again but not the one it had finished,
//! publishes nothing twice, and the server waiting on it still gets its value.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use heat_sync::client::{Client, WaitOptions};
use heat_sync::plan::*;
use serde_json::json;

fn role(name: &str, run: String, inputs: Vec<PlanInput>, output: (&str, &str)) -> PlanRole {
    PlanRole {
        name: name.into(),
        run_list: vec![],
        run: Some(run),
        timeout: 60,
        inputs,
        outputs: vec![PlanOutput {
            name: output.0.into(),
            path: vec![output.1.into()],
            publish: Publish::OnFinish,
            secret: false,
        }],
    }
}

fn plan(server: &str, roles: Vec<PlanRole>, store: &Path) -> ServerPlan {
    ServerPlan {
        format: SERVER_PLAN_FORMAT.into(),
        version: PLAN_VERSION,
        server: ServerId::plain(server),
        tool: Tool::Script,
        roles,
        coordinator: CoordinatorConfig {
            address: format!("embedded://{}", store.display()),
            namespace: "/heat-sync/resume-test".into(),
            credentials: None,
        },
        signal: None,
    }
}

fn start(dir: &Path, plan: &ServerPlan) -> Child {
    let file = dir.join(format!("{}.json", plan.server));
    std::fs::write(&file, plan.to_json()).unwrap();
    Command::new(env!("CARGO_BIN_EXE_heat-sync"))
        .arg("agent")
        .arg("--server-plan")
        .arg(&file)
        .arg("--work-dir")
        .arg(dir.join(format!("work-{}", plan.server)))
        .args(["--address", "127.0.0.9", "--name", "test", "--progress-interval", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits (bounded) for `child` to exit and returns its exit code.
fn finish(child: &mut Child, within: Duration) -> Option<i32> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

fn wait_for_file(path: &Path, within: Duration) -> bool {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if path.exists() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path).map_or(0, |t| t.lines().count())
}

#[test]
fn a_killed_agent_resumes_where_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let store = d.join("store");
    std::fs::create_dir_all(&store).unwrap();
    let (first_runs, second_runs, pid_file, fast) =
        (d.join("first-runs"), d.join("second-runs"), d.join("second-pid"), d.join("fast"));
    let first = role(
        "first",
        format!("echo run >> {}\nheat-sync put token abc", first_runs.display()),
        vec![],
        ("token", "token"),
    );
    // The second role hangs until the test creates `fast`; it records its pid (it leads
    // its own process group) so the test can kill it with its agent.
    let second = role(
        "second",
        format!(
            "echo run >> {runs}\necho $$ > {pid}\nwhile [ ! -e {fast} ]; do sleep 0.1; done\nheat-sync put url http://db/",
            runs = second_runs.display(),
            pid = pid_file.display(),
            fast = fast.display()
        ),
        vec![],
        ("url", "url"),
    );
    let db = plan("db", vec![first, second], &store);
    let consumer = role(
        "app",
        "heat-sync put seen \"$HEAT_SYNC_INPUT_DB_URL\"".into(),
        vec![PlanInput {
            path: vec!["db_url".into()],
            place: "inputs.db_url".into(),
            source: InputSource::Wait {
                key: ValueKey { server: ServerId::plain("db"), output: "url".into() },
                producer: Producer { server: ServerId::plain("db"), role: Some("second".into()) },
            },
        }],
        ("seen", "seen"),
    );
    let web = plan("web", vec![consumer], &store);

    let mut web_agent = start(d, &web);
    let mut db_agent = start(d, &db);
    assert!(wait_for_file(&pid_file, Duration::from_secs(20)), "the second role never started");
    // Kill the agent and its running script, as a reboot would.
    db_agent.kill().unwrap();
    db_agent.wait().unwrap();
    let pgid = std::fs::read_to_string(&pid_file).unwrap().trim().to_string();
    let _ = Command::new("kill").args(["-KILL", "--", &format!("-{pgid}")]).status();

    std::fs::write(&fast, "").unwrap();
    let mut db_again = start(d, &db);
    assert_eq!(finish(&mut db_again, Duration::from_secs(30)), Some(0));
    assert_eq!(finish(&mut web_agent, Duration::from_secs(30)), Some(0));
    assert_eq!(lines(&first_runs), 1, "the finished role ran again");
    assert_eq!(lines(&second_runs), 2, "the interrupted role did not run again");

    let client = Client::connect(&db.coordinator, None).unwrap();
    let get = |server: &str, output: &str| {
        let key = ValueKey { server: ServerId::plain(server), output: output.into() };
        client.get(&key, &WaitOptions::new(Duration::from_secs(5))).unwrap()
    };
    let token = get("db", "token");
    assert_eq!((token.version, token.value), (1, json!("abc")));
    assert_eq!(get("web", "seen").value, json!("http://db/"));
}

#[test]
fn an_unreadable_plan_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plan.json");
    std::fs::write(&file, r#"{"format": "heat-sync/server-plan", "version": 7}"#).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_heat-sync"))
        .args(["agent", "--server-plan"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("plan version 7"));
}

/// True while `pid` runs (a zombie, dead but not yet reaped, does not count).
fn running(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit(')').next().is_some_and(|rest| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

#[test]
fn a_stopped_agent_takes_its_running_script_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let store = d.join("store");
    std::fs::create_dir_all(&store).unwrap();
    let pid_file = d.join("pid");
    let slow = role(
        "slow",
        format!("echo $$ > {}.tmp && mv {0}.tmp {0}\nsleep 30", pid_file.display()),
        vec![],
        ("x", "x"),
    );
    let mut agent = start(d, &plan("db", vec![slow], &store));
    assert!(wait_for_file(&pid_file, Duration::from_secs(20)));
    let script = std::fs::read_to_string(&pid_file).unwrap().trim().to_string();
    assert!(running(&script));
    Command::new("kill").args(["-TERM", &agent.id().to_string()]).status().unwrap();
    assert_eq!(finish(&mut agent, Duration::from_secs(10)), Some(143));
    let deadline = Instant::now() + Duration::from_secs(5);
    while running(&script) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(!running(&script), "the script outlived its agent");
}
