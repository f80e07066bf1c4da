//! The agent signals Heat's wait condition: an HTTP POST of JSON to a local endpoint that
//! the test runs on 127.0.0.1, as Heat's wait condition handle would receive it.

mod agent_common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};

use agent_common::*;
use heat_sync::agent::{signal, Agent, AgentOutcome};
use heat_sync::plan::*;
use heat_sync::Map;
use serde_json::{json, Value};

/// One received request: request line, headers (lower-cased names), JSON body.
#[derive(Debug)]
struct Received {
    line: String,
    headers: Vec<(String, String)>,
    body: Value,
}

/// Serves up to `count` requests on 127.0.0.1, answering each with `status`; gives up
/// after 20 s.
fn endpoint(count: usize, status: u16) -> (String, thread::JoinHandle<Vec<Received>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}/v1/signal/wc?Signature=abc", listener.local_addr().unwrap());
    let handle = thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut got = Vec::new();
        while got.len() < count && Instant::now() < deadline {
            let stream = match listener.accept() {
                Ok((s, _)) => s,
                Err(_) => {
                    thread::sleep(Duration::from_millis(10));
                    continue;
                }
            };
            stream.set_nonblocking(false).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                reader.read_line(&mut h).unwrap();
                let h = h.trim_end();
                if h.is_empty() {
                    break;
                }
                let (k, v) = h.split_once(':').unwrap();
                headers.push((k.to_lowercase(), v.trim().to_string()));
            }
            let len: usize =
                headers.iter().find(|(k, _)| k == "content-length").unwrap().1.parse().unwrap();
            let mut body = vec![0; len];
            reader.read_exact(&mut body).unwrap();
            let mut stream = reader.into_inner();
            write!(stream, "HTTP/1.1 {status} X\r\nContent-Length: 0\r\n\r\n").unwrap();
            got.push(Received {
                line: line.trim_end().into(),
                headers,
                body: serde_json::from_slice(&body).unwrap(),
            });
        }
        got
    });
    (url, handle)
}

fn signal_config(url: String) -> SignalConfig {
    let mut headers = Map::new();
    headers.insert("X-Auth-Token".into(), json!("tok-123"));
    SignalConfig { url, headers }
}

#[test]
fn success_is_signalled_with_the_outputs_as_data() {
    let (url, server) = endpoint(1, 200);
    let dir = tempfile::tempdir().unwrap();
    let mut plan = server_plan(
        ServerId::member("web", "1"),
        Tool::Script,
        vec![script_role(
            "app",
            r#"echo '{"app": {"url": "http://x/"}}' > "$HEAT_SYNC_OUTPUTS""#,
            vec![],
            vec![output("url", "app.url")],
        )],
    );
    plan.signal = Some(signal_config(url));
    let mem = Memory::default();
    let opts = options(dir.path(), &plan);
    let outcome = Agent::new(plan, opts, &mem).run().unwrap();
    assert_eq!(outcome.failed, None);
    let got = server.join().unwrap();
    assert_eq!(got.len(), 1);
    let r = &got[0];
    assert_eq!(r.line, "POST /v1/signal/wc?Signature=abc HTTP/1.1");
    assert!(r.headers.contains(&("x-auth-token".into(), "tok-123".into())), "{r:?}");
    assert!(r.headers.contains(&("content-type".into(), "application/json".into())), "{r:?}");
    assert_eq!(r.body["status"], json!("SUCCESS"));
    assert_eq!(r.body["id"], json!("web.1"));
    assert_eq!(r.body["data"], json!({"url": "http://x/"}));
    assert!(r.body["reason"].as_str().unwrap().contains("web.1"));
}

#[test]
fn failure_is_signalled_with_the_role_and_its_error() {
    let (url, server) = endpoint(1, 200);
    let dir = tempfile::tempdir().unwrap();
    let mut plan = server_plan(
        ServerId::plain("db"),
        Tool::Script,
        vec![script_role("mysql", "echo 'no space left' >&2; exit 1", vec![], vec![])],
    );
    plan.signal = Some(signal_config(url));
    let mem = Memory::default();
    let opts = options(dir.path(), &plan);
    let outcome = Agent::new(plan, opts, &mem).run().unwrap();
    assert!(outcome.failed.is_some());
    let got = server.join().unwrap();
    assert_eq!(got[0].body["status"], json!("FAILURE"));
    let reason = got[0].body["reason"].as_str().unwrap();
    assert!(reason.contains("db/mysql failed") && reason.contains("no space left"), "{reason}");
}

#[test]
fn an_error_status_is_retried_then_reported_without_the_query() {
    let (url, server) = endpoint(2, 500);
    let dir = tempfile::tempdir().unwrap();
    let outcome = AgentOutcome { outputs: Map::new(), failed: None };
    let e =
        signal::send(&signal_config(url), "db", &outcome, dir.path(), 2, Duration::from_millis(10))
            .unwrap_err()
            .to_string();
    assert_eq!(server.join().unwrap().len(), 2);
    assert!(e.contains("HTTP 500") && !e.contains("Signature=abc"), "{e}");
}
