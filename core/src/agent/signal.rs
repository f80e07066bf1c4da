//! Signalling Heat's wait condition when the agent is done, as Heat's own `wc_notify`
//! (curl) does: an HTTP POST of JSON to the handle's URL.
//!
//! The body is `{"status": "SUCCESS"|"FAILURE", "reason": ..., "data": {outputs}, "id":
//! "<server>"}`. The `id` is the server (`db`, `web.0`), so a server that signals again
//! after a restart replaces its earlier signal instead of counting twice, and the wait
//! condition's `data` attribute holds every server's outputs keyed by server. `http://`
//! URLs are posted directly; `https://` ones through `curl` (present on cloud images),
//! with the headers in a 0600 file rather than on the command line.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::json;

use super::{AgentError, AgentOutcome};
use crate::plan::SignalConfig;
use crate::Value;

/// How long one connection, request or response may take.
const IO_TIMEOUT: Duration = Duration::from_secs(30);

/// The JSON body of the signal.
pub fn body(server: &str, outcome: &AgentOutcome) -> Value {
    match &outcome.failed {
        None => json!({
            "status": "SUCCESS",
            "reason": format!("heat-sync: every role of {server} done"),
            "data": Value::Object(outcome.outputs.clone()),
            "id": server,
        }),
        Some((role, error)) => {
            let who = if role.is_empty() { server.to_string() } else { format!("{server}/{role}") };
            json!({
                "status": "FAILURE",
                "reason": format!("heat-sync: {who} failed: {error}"),
                "data": Value::Object(outcome.outputs.clone()),
                "id": server,
            })
        }
    }
}

/// Sends the signal for `outcome`, trying up to `attempts` times, `delay` apart (doubling).
/// Returns a short description of what was sent (`SUCCESS (HTTP 200)`). `dir` holds the
/// files curl reads for `https://` URLs.
pub fn send(
    sig: &SignalConfig,
    server: &str,
    outcome: &AgentOutcome,
    dir: &Path,
    attempts: u32,
    delay: Duration,
) -> crate::Result<String> {
    let body = body(server, outcome);
    let status = body["status"].as_str().unwrap_or_default().to_string();
    let text = body.to_string();
    let mut wait = delay;
    let mut last = String::new();
    for attempt in 1..=attempts.max(1) {
        let result = if sig.url.starts_with("https://") {
            post_with_curl(sig, &text, dir)
        } else {
            post_http(sig, &text)
        };
        match result {
            Ok(code) if (200..300).contains(&code) => return Ok(format!("{status} (HTTP {code})")),
            Ok(code) => last = format!("HTTP {code}"),
            Err(e) => last = e,
        }
        if attempt < attempts {
            std::thread::sleep(wait);
            wait *= 2;
        }
    }
    Err(AgentError::Signal { url: redact(&sig.url), message: last }.into())
}

/// The URL without its query (Heat's pre-signed URLs carry credentials there).
fn redact(url: &str) -> String {
    match url.split_once('?') {
        Some((base, _)) => format!("{base}?…"),
        None => url.to_string(),
    }
}

fn header_lines(sig: &SignalConfig) -> Vec<String> {
    let mut lines =
        vec!["Content-Type: application/json".to_string(), "Accept: application/json".to_string()];
    for (name, value) in &sig.headers {
        let value = value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string());
        lines.push(format!("{name}: {value}"));
    }
    lines
}

/// POSTs `body` over plain HTTP/1.1; returns the response status code.
fn post_http(sig: &SignalConfig, body: &str) -> Result<u16, String> {
    let rest = sig.url.strip_prefix("http://").ok_or("only http:// and https:// URLs")?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let with_port = if authority.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
        authority.to_string()
    } else {
        format!("{authority}:80")
    };
    let addr = with_port
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority}: no address"))?;
    let mut stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(IO_TIMEOUT)).map_err(|e| e.to_string())?;
    stream.set_write_timeout(Some(IO_TIMEOUT)).map_err(|e| e.to_string())?;
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: {authority}\r\n");
    for line in header_lines(sig) {
        request.push_str(&line);
        request.push_str("\r\n");
    }
    request.push_str(&format!("Content-Length: {}\r\nConnection: close\r\n\r\n", body.len()));
    request.push_str(body);
    stream.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    let mut response = Vec::new();
    let mut chunk = [0u8; 1024];
    // The status line is all that is needed; stop reading once it is complete.
    while !response.windows(2).any(|w| w == b"\r\n") && response.len() < 8192 {
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => response.extend_from_slice(&chunk[..n]),
            Err(e) => return Err(e.to_string()),
        }
    }
    let line = String::from_utf8_lossy(&response);
    let line = line.lines().next().unwrap_or_default();
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| format!("not an HTTP response: {line:?}"))
}

/// POSTs `body` with curl (for https); returns the response status code.
fn post_with_curl(sig: &SignalConfig, body: &str, dir: &Path) -> Result<u16, String> {
    let headers = dir.join("signal-headers");
    let data = dir.join("signal-body.json");
    super::state::write_private(&headers, &(header_lines(sig).join("\n") + "\n"))
        .and_then(|()| super::state::write_private(&data, body))
        .map_err(|e| e.to_string())?;
    let output = Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST"])
        .args(["--max-time", &IO_TIMEOUT.as_secs().to_string()])
        .arg("-H")
        .arg(format!("@{}", headers.display()))
        .arg("--data-binary")
        .arg(format!("@{}", data.display()))
        .arg(&sig.url)
        .output()
        .map_err(|e| format!("curl: {e}"))?;
    let code = String::from_utf8_lossy(&output.stdout);
    code.trim()
        .parse()
        .map_err(|_| format!("curl: {}", String::from_utf8_lossy(&output.stderr).trim()))
}
