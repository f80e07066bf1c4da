//! A stand-in for Heat's wait condition handles: a small HTTP endpoint on 127.0.0.1 that
//! the simulated agents signal exactly as they signal Heat (agent::signal), so a
//! simulation shows what Heat would conclude: CREATE_COMPLETE when every server
//! signalled SUCCESS, CREATE_FAILED with the reasons otherwise.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::plan::SignalConfig;
use crate::{Map, Value};

/// One signal as Heat's handle would record it.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    /// The signal id (the server: `db`, `web.0`).
    pub id: String,
    /// `SUCCESS` or `FAILURE`.
    pub status: String,
    /// The reason given.
    pub reason: String,
    /// The data (the server's outputs).
    pub data: Value,
}

/// The running endpoint.
pub struct WaitConditions {
    url: String,
    signals: Arc<Mutex<Vec<Signal>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl WaitConditions {
    /// Starts listening on a free port of 127.0.0.1.
    pub fn start() -> std::io::Result<WaitConditions> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}/v1/signal", listener.local_addr()?);
        let signals = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (signals, stop) = (Arc::clone(&signals), Arc::clone(&stop));
            thread::spawn(move || {
                // Accepting is polled every 20 ms so that `stop` ends the loop promptly.
                while !stop.load(Ordering::SeqCst) {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            if let Some(s) = serve(stream) {
                                signals.lock().expect("signals lock").push(s);
                            }
                        }
                        Err(_) => thread::sleep(Duration::from_millis(20)),
                    }
                }
            })
        };
        Ok(WaitConditions { url, signals, stop, thread: Some(thread) })
    }

    /// Where an agent signals.
    pub fn signal_config(&self) -> SignalConfig {
        let mut headers = Map::new();
        headers.insert("X-Auth-Token".into(), Value::String("simulated".into()));
        SignalConfig { url: self.url.clone(), headers }
    }

    /// Stops listening and returns every signal received, the latest per id (as Heat
    /// keeps them), in the order they arrived.
    pub fn finish(mut self) -> Vec<Signal> {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        let all = std::mem::take(&mut *self.signals.lock().expect("signals lock"));
        let mut latest: Vec<Signal> = Vec::new();
        for s in all {
            latest.retain(|l| l.id != s.id);
            latest.push(s);
        }
        latest
    }
}

/// Reads one request (bounded by 5 s), answers 200, and returns the signal it carried.
fn serve(stream: TcpStream) -> Option<Signal> {
    stream.set_nonblocking(false).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut length = 0;
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().ok()?;
            }
        }
    }
    let mut body = vec![0; length.min(1 << 20)];
    reader.read_exact(&mut body).ok()?;
    let mut stream = reader.into_inner();
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let body: Value = serde_json::from_slice(&body).ok()?;
    let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    Some(Signal {
        id: text("id"),
        status: text("status"),
        reason: text("reason"),
        data: body.get("data").cloned().unwrap_or(Value::Null),
    })
}
