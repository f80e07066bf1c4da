//! `HeatSync::Client`: the core coordinator client ([`heat_sync::client::Client`]).
//!
//! The native methods take and return JSON text (lib/heat_sync/client.rb gives them a
//! Ruby face). Every call that can block (connecting, waiting, publishing) runs without
//! the Ruby VM lock (see [`crate::gvl`]); waits stop on signals and report progress to
//! an optional Ruby block, called with the lock held.

use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use heat_sync::client::{Client, Progress, WaitOptions};
use heat_sync::plan::{CoordinatorConfig, Credentials, ServerId, ServerPlan, ValueKey};
use heat_sync::store::CoordinatorError;
use magnus::block::Proc;
use magnus::{function, method, prelude::*, Error, RModule, Ruby};

use crate::errors;
use crate::gvl::{with_gvl, without_gvl, Interrupt};

/// How long a wait without a timeout may last (a year: long enough to mean "forever",
/// short enough for `Instant` arithmetic).
const FOREVER: Duration = Duration::from_secs(365 * 24 * 3600);

/// What a gather waits for.
#[derive(serde::Deserialize)]
struct GatherSpec {
    group: String,
    output: String,
    count: Option<u64>,
    #[serde(default)]
    producer: Option<String>,
}

/// `HeatSync::Client`. `close` drops the session; later calls raise CoordinatorError.
#[magnus::wrap(class = "HeatSync::Client", free_immediately, size)]
struct RbClient(Mutex<Option<Client>>);

impl RbClient {
    fn new(client: Client) -> Self {
        RbClient(Mutex::new(Some(client)))
    }

    /// The session (a cheap clone, so no lock is held while it waits).
    fn client(&self, ruby: &Ruby) -> Result<Client, Error> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone().ok_or_else(|| {
            errors::raise(ruby, "CoordinatorError", "heat_sync: the client is closed")
        })
    }
}

/// Reads an argument the Ruby side encoded as JSON.
fn parse<T: serde::de::DeserializeOwned>(ruby: &Ruby, what: &str, json: &str) -> Result<T, Error> {
    serde_json::from_str(json).map_err(|e| {
        Error::new(ruby.exception_arg_error(), format!("heat_sync: invalid {what}: {e}"))
    })
}

fn to_json(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value).expect("values always serialize")
}

/// Runs a non-interruptible blocking call (connect, put, status) without the VM lock.
fn blocking<R>(ruby: &Ruby, work: impl FnMut(&Interrupt) -> R) -> Result<R, Error> {
    without_gvl(ruby, work, |_| false)
}

fn from_server_plan(ruby: &Ruby, path: String) -> Result<RbClient, Error> {
    errors::guard(ruby, || {
        let plan = ServerPlan::load(Path::new(&path)).map_err(|e| errors::to_ruby(ruby, e))?;
        let client = blocking(ruby, |_| Client::from_server_plan(&plan))?;
        client.map(RbClient::new).map_err(|e| errors::to_ruby(ruby, e))
    })
}

fn connect(
    ruby: &Ruby,
    address: String,
    namespace: String,
    server: Option<String>,
    credentials: Option<String>,
) -> Result<RbClient, Error> {
    errors::guard(ruby, || {
        let server: Option<ServerId> = server.map(|s| parse(ruby, "server", &s)).transpose()?;
        // Not `parse`: serde quotes a string it did not expect, and a string given as
        // credentials is most likely the secret itself.
        let credentials: Option<Credentials> = credentials
            .map(|c| {
                serde_json::from_str(&c).map_err(|_| {
                    Error::new(
                        ruby.exception_arg_error(),
                        "heat_sync: credentials must be {\"user\" => String, \"secret\" => \
                         String} (or the derived \"password\" and \"read_password\")",
                    )
                })
            })
            .transpose()?;
        let config = CoordinatorConfig { address, namespace, credentials };
        let client = blocking(ruby, |_| Client::connect(&config, server.clone()))?;
        client.map(RbClient::new).map_err(|e| errors::to_ruby(ruby, e))
    })
}

/// Seconds from Ruby as a duration (`None`: `default`).
fn seconds(
    ruby: &Ruby,
    what: &str,
    value: Option<f64>,
    default: Duration,
) -> Result<Duration, Error> {
    match value {
        Some(t) if t.is_finite() && t >= 0.0 => Ok(Duration::from_secs_f64(t).min(FOREVER)),
        Some(t) => Err(Error::new(ruby.exception_arg_error(), format!("heat_sync: {what} {t}"))),
        None => Ok(default),
    }
}

/// Runs a wait: without the VM lock, interruptible, within `timeout` seconds overall
/// (interrupts that raise nothing resume it with the time left), calling the progress
/// block every `progress_every` seconds when given; `producer` names who produces the
/// value in messages (default: the producing server).
fn wait<T>(
    ruby: &Ruby,
    timeout: Option<f64>,
    progress_every: Option<f64>,
    producer: Option<String>,
    progress: Option<Proc>,
    mut run: impl FnMut(&WaitOptions<'_>) -> heat_sync::Result<T>,
) -> Result<T, Error> {
    let total = seconds(ruby, "timeout", timeout, FOREVER)?;
    let every = seconds(ruby, "progress_every", progress_every, Duration::from_secs(10))?;
    let deadline = Instant::now() + total;
    let report = |p: &Progress| {
        if let Some(block) = progress {
            let message = p.to_string();
            with_gvl(&mut |_ruby| {
                let _: Result<magnus::Value, Error> = block.call((message.as_str(),));
            });
        }
    };
    let result = without_gvl(
        ruby,
        |interrupted| {
            let left = deadline.saturating_duration_since(Instant::now());
            let mut options = WaitOptions::new(left).interrupt(|| interrupted.is_set());
            options.producer = producer.clone();
            if progress.is_some() {
                options = options.progress(every, report);
            }
            run(&options)
        },
        |r| matches!(r, Err(heat_sync::Error::Coordinator(CoordinatorError::Interrupted { .. }))),
    )?;
    result.map_err(|e| errors::to_ruby(ruby, e))
}

impl RbClient {
    fn get(
        ruby: &Ruby,
        rb_self: &Self,
        key: String,
        timeout: Option<f64>,
        progress_every: Option<f64>,
        producer: Option<String>,
        progress: Option<Proc>,
    ) -> Result<String, Error> {
        errors::guard(ruby, || {
            let key: ValueKey = parse(ruby, "key", &key)?;
            let client = rb_self.client(ruby)?;
            let published = wait(ruby, timeout, progress_every, producer, progress, |options| {
                client.get(&key, options)
            })?;
            Ok(to_json(&published.value))
        })
    }

    /// `spec` is `{"group": ..., "output": ..., "count": n or null, "producer": ...}`.
    fn gather(
        ruby: &Ruby,
        rb_self: &Self,
        spec: String,
        timeout: Option<f64>,
        progress_every: Option<f64>,
        progress: Option<Proc>,
    ) -> Result<String, Error> {
        errors::guard(ruby, || {
            let spec: GatherSpec = parse(ruby, "gather", &spec)?;
            let client = rb_self.client(ruby)?;
            let found =
                wait(ruby, timeout, progress_every, spec.producer.clone(), progress, |options| {
                    client.gather(&spec.group, &spec.output, spec.count, options)
                })?;
            let values: Vec<&heat_sync::Value> = found.iter().map(|p| &p.value).collect();
            Ok(to_json(&values))
        })
    }

    fn put(ruby: &Ruby, rb_self: &Self, key: String, value: String) -> Result<u64, Error> {
        errors::guard(ruby, || {
            let key: ValueKey = parse(ruby, "key", &key)?;
            let value: heat_sync::Value = parse(ruby, "value", &value)?;
            let client = rb_self.client(ruby)?;
            blocking(ruby, |_| client.put(&key, &value))?.map_err(|e| errors::to_ruby(ruby, e))
        })
    }

    fn status(ruby: &Ruby, rb_self: &Self) -> Result<String, Error> {
        errors::guard(ruby, || {
            let client = rb_self.client(ruby)?;
            let status =
                blocking(ruby, |_| client.status())?.map_err(|e| errors::to_ruby(ruby, e))?;
            Ok(to_json(&status))
        })
    }

    fn close(&self) {
        let client = self.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        drop(client);
    }

    fn inspect(&self) -> String {
        match &*self.0.lock().unwrap_or_else(|e| e.into_inner()) {
            Some(client) => format!("#<HeatSync::Client {client:?}>"),
            None => "#<HeatSync::Client closed>".into(),
        }
    }
}

pub(crate) fn init(ruby: &Ruby, module: RModule) -> Result<(), Error> {
    let class = module.define_class("Client", ruby.class_object())?;
    class.define_singleton_method("_from_server_plan", function!(from_server_plan, 1))?;
    class.define_singleton_method("_connect", function!(connect, 4))?;
    class.define_method("_get", method!(RbClient::get, 5))?;
    class.define_method("_gather", method!(RbClient::gather, 4))?;
    class.define_method("_put", method!(RbClient::put, 2))?;
    class.define_method("_status", method!(RbClient::status, 0))?;
    class.define_method("close", method!(RbClient::close, 0))?;
    class.define_method("inspect", method!(RbClient::inspect, 0))?;
    Ok(())
}
