//! `heat_sync.Client`: `heat_sync::client::Client` for one stack's namespace.
//!
//! Blocking calls release the GIL (`py.allow_threads`), so other Python threads run
//! while a `get` waits. The core polls an interrupt check on the calling thread every
//! 50 ms without talking to the coordinator; ours briefly takes the GIL back to run
//! Python's signal handlers (`Python::check_signals`), so Ctrl-C ends a wait with
//! `KeyboardInterrupt`, as it would end `time.sleep`.

use std::sync::Mutex;
use std::time::Duration;

use heat_sync::client::{Client as CoreClient, WaitOptions};
use heat_sync::plan::{CoordinatorConfig, Credentials, ServerId, ServerPlan, StackPlan, ValueKey};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple};

use crate::convert::{plan_text, serialize_to_py, to_json_value, to_py};
use crate::errors::{catch, to_pyerr, Failure};

/// A session with the coordinator for one stack's namespace.
#[pyclass(module = "heat_sync._heat_sync", name = "Client", frozen)]
pub struct Client {
    core: Mutex<Option<CoreClient>>,
    namespace: String,
}

impl Client {
    fn core(&self) -> PyResult<CoreClient> {
        self.core
            .lock()
            .map_err(|_| PyValueError::new_err("the client is unusable after a panic"))?
            .clone()
            .ok_or_else(|| PyValueError::new_err("the client is closed"))
    }

    /// Runs a blocking core call with the GIL released, under the panic guard.
    fn blocking<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&CoreClient) -> Result<T, Failure> + Send,
    ) -> PyResult<T> {
        let core = self.core()?;
        py.allow_threads(|| catch(|| f(&core))).map_err(|e| to_pyerr(py, e))
    }
}

/// A key as `db.db_host` or `web.0.url` (a group member), with `\.` for a dot inside a
/// name (the core's dotted-path syntax, as `heat-sync get --key`), or as a tuple
/// `(resource, output)` / `(group, member, output)`.
fn parse_key(key: &Bound<'_, PyAny>) -> PyResult<ValueKey> {
    let parts: Vec<String> = if let Ok(s) = key.downcast::<PyString>() {
        heat_sync::dataflow::path::parse(&s.to_cow()?)
            .map_err(|e| PyValueError::new_err(format!("key: {e}")))?
    } else if let Ok(t) = key.downcast::<PyTuple>() {
        t.extract()?
    } else {
        return Err(PyTypeError::new_err("a key is a str such as 'db.db_host' or a tuple"));
    };
    if parts.iter().any(String::is_empty) {
        return Err(PyValueError::new_err(format!("{key}: a key has no empty part")));
    }
    match parts.as_slice() {
        [resource, output] => {
            Ok(ValueKey { server: ServerId::plain(resource.clone()), output: output.clone() })
        }
        [group, member, output] => Ok(ValueKey {
            server: ServerId::member(group.clone(), member.clone()),
            output: output.clone(),
        }),
        _ => Err(PyValueError::new_err(format!(
            "{key}: expected 'server.output' or 'group.member.output' \
             (write a dot inside a name as '\\.', or use a tuple)"
        ))),
    }
}

fn server_id(server: &str) -> ServerId {
    match server.split_once('.') {
        Some((group, member)) => ServerId::member(group, member),
        None => ServerId::plain(server),
    }
}

fn timeout(seconds: f64) -> PyResult<Duration> {
    Duration::try_from_secs_f64(seconds).map_err(|_| {
        PyValueError::new_err(format!("timeout must be a number of seconds >= 0, not {seconds}"))
    })
}

/// A wait that runs Python's signal handlers every check, keeping the first exception
/// they raise (`KeyboardInterrupt`) to re-raise once the core has given up the wait.
fn interruptible_wait<T>(
    py: Python<'_>,
    client: &Client,
    seconds: f64,
    f: impl FnOnce(&CoreClient, &WaitOptions<'_>) -> heat_sync::Result<T> + Send,
) -> PyResult<T>
where
    T: Send,
{
    let limit = timeout(seconds)?;
    let raised: Mutex<Option<PyErr>> = Mutex::new(None);
    let result = client.blocking(py, |core| {
        let options = WaitOptions::new(limit).interrupt(|| {
            Python::with_gil(|py| match py.check_signals() {
                Ok(()) => false,
                Err(e) => {
                    if let Ok(mut slot) = raised.lock() {
                        slot.get_or_insert(e);
                    }
                    true
                }
            })
        });
        Ok(f(core, &options)?)
    });
    if let Some(e) = raised.into_inner().ok().flatten() {
        return Err(e);
    }
    result
}

#[pymethods]
impl Client {
    /// Opens a session with the coordinator at `coordinator` (`zk://host:port/chroot` or
    /// `embedded:///directory`) for the stack namespace `namespace`
    /// (`/heat-sync/<stack id>`). `secret` is the stack's secret (ZooKeeper digest
    /// credentials); `server` the server this session writes for (`db`, `web.0`), or
    /// None for an administrative session (status, init_stack, remove_stack).
    #[new]
    #[pyo3(signature = (coordinator, namespace, *, secret=None, server=None))]
    fn new(
        py: Python<'_>,
        coordinator: String,
        namespace: String,
        secret: Option<String>,
        server: Option<String>,
    ) -> PyResult<Self> {
        let server = server.as_deref().map(server_id);
        let config = CoordinatorConfig {
            address: coordinator,
            namespace: namespace.clone(),
            credentials: secret.map(|secret| {
                let user = server.as_ref().map_or_else(|| "admin".to_owned(), ToString::to_string);
                Credentials::stack_secret(user, secret)
            }),
        };
        let core = py
            .allow_threads(|| catch(|| Ok(CoreClient::connect(&config, server)?)))
            .map_err(|e| to_pyerr(py, e))?;
        Ok(Client { core: Mutex::new(Some(core)), namespace })
    }

    /// Opens the session a server plan describes (its JSON text or parsed dict),
    /// writing as that server.
    #[staticmethod]
    fn from_server_plan(py: Python<'_>, plan: &Bound<'_, PyAny>) -> PyResult<Self> {
        let text = plan_text(plan, "a server plan")?;
        let (core, namespace) = py
            .allow_threads(|| {
                catch(|| {
                    let plan = ServerPlan::from_json("<server plan>", &text)
                        .map_err(heat_sync::Error::from)?;
                    Ok((CoreClient::from_server_plan(&plan)?, plan.coordinator.namespace))
                })
            })
            .map_err(|e| to_pyerr(py, e))?;
        Ok(Client { core: Mutex::new(Some(core)), namespace })
    }

    /// The stack namespace.
    #[getter]
    fn namespace(&self) -> String {
        self.namespace.clone()
    }

    /// Publishes `value` (any JSON-representable object) as the next version of `key`
    /// and returns that version; the same content again keeps the current version.
    fn put(
        &self,
        py: Python<'_>,
        key: &Bound<'_, PyAny>,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<u64> {
        let key = parse_key(key)?;
        let value = to_json_value(value)?;
        self.blocking(py, |core| Ok(core.put(&key, &value)?))
    }

    /// Blocks until `key` is published and returns its value (the current one when it
    /// already is). Raises `heat_sync.TimeoutError` after `timeout` seconds naming the
    /// key and its producer, `heat_sync.CoordinatorError` when the producing role
    /// failed, and `KeyboardInterrupt` on Ctrl-C. Other threads run meanwhile.
    #[pyo3(signature = (key, timeout=600.0))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        key: &Bound<'py, PyAny>,
        timeout: f64,
    ) -> PyResult<Bound<'py, PyAny>> {
        let key = parse_key(key)?;
        let published =
            interruptible_wait(py, self, timeout, |core, options| core.get(&key, options))?;
        to_py(py, &published.value)
    }

    /// Blocks until every member of `group` has published `output` and returns the
    /// values in member order: members `0..count` of a ResourceGroup, or the current
    /// members of an AutoScalingGroup (`count=None`).
    #[pyo3(signature = (group, output, count=None, timeout=600.0))]
    fn gather<'py>(
        &self,
        py: Python<'py>,
        group: String,
        output: String,
        count: Option<i64>,
        timeout: f64,
    ) -> PyResult<Vec<Bound<'py, PyAny>>> {
        let count = count
            .map(|n| {
                u64::try_from(n).map_err(|_| {
                    PyValueError::new_err(format!("count must be a whole number >= 0, not {n}"))
                })
            })
            .transpose()?;
        let found = interruptible_wait(py, self, timeout, |core, options| {
            core.gather(&group, &output, count, options)
        })?;
        found.iter().map(|p| to_py(py, &p.value)).collect()
    }

    /// The stack as `heat-sync status --format json` shows it: values (secret ones as
    /// `******`), roles, live agents.
    fn status<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let status = self.blocking(py, |core| Ok(core.status()?))?;
        serialize_to_py(py, &status)
    }

    /// Seeds the namespace from a stack plan (as `heat_sync.compile()` returns it, or
    /// its JSON text): what `heat-sync coordinator init` does.
    fn init_stack(&self, py: Python<'_>, stack_plan: &Bound<'_, PyAny>) -> PyResult<()> {
        let text = plan_text(stack_plan, "a stack plan")?;
        self.blocking(py, |core| {
            let plan =
                StackPlan::from_json("<stack plan>", &text).map_err(heat_sync::Error::from)?;
            Ok(core.init_stack(&plan)?)
        })
    }

    /// Removes the namespace and everything in it: what `heat-sync coordinator remove`
    /// does.
    fn remove_stack(&self, py: Python<'_>) -> PyResult<()> {
        self.blocking(py, |core| Ok(core.remove_stack()?))
    }

    /// Ends the session (also done when the client is garbage-collected).
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        let core = self.core.lock().ok().and_then(|mut slot| slot.take());
        // Dropping the last handle joins the I/O thread: do it without the GIL.
        py.allow_threads(move || drop(core));
        Ok(())
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: &Bound<'_, PyAny>,
        exc_value: &Bound<'_, PyAny>,
        traceback: &Bound<'_, PyAny>,
    ) -> PyResult<bool> {
        let _ = (exc_type, exc_value, traceback);
        self.close(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        format!("<heat_sync.Client {}>", self.namespace)
    }
}
