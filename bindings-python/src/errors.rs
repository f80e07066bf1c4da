//! `heat_sync::Error` → the `heat_sync.Error` exception tree, and the panic guard.
//!
//! The exception classes are defined in Python (`heat_sync/_errors.py`), so they are
//! ordinary, documented, picklable classes that stubs describe exactly; this file only
//! picks the class for each core error area and fills in its attributes.
//!
//! Every call into the core goes through [`guard`]: a Rust panic becomes
//! `heat_sync.InternalError` instead of reaching Python as pyo3's `PanicException`
//! (a `BaseException` that `except Exception` does not catch).

use std::panic::{catch_unwind, AssertUnwindSafe};

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::GILOnceCell;
use pyo3::types::{PyDict, PyModule};

use crate::convert::serialize_to_py;

/// Why a guarded core call did not return a value.
pub enum Failure {
    /// The core reported an error.
    Core(heat_sync::Error),
    /// The core panicked (a bug); the panic message.
    Panic(String),
    /// Python raised while the call ran (e.g. `KeyboardInterrupt` during a wait).
    Python(PyErr),
}

impl From<heat_sync::Error> for Failure {
    fn from(e: heat_sync::Error) -> Self {
        Failure::Core(e)
    }
}

impl From<PyErr> for Failure {
    fn from(e: PyErr) -> Self {
        Failure::Python(e)
    }
}

/// Runs `f`, turning a panic into [`Failure::Panic`]. Safe to call with or without the
/// GIL held (inside `py.allow_threads` too).
pub fn catch<T>(f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(Failure::Panic(message))
        }
    }
}

/// Runs a core call under the panic guard and converts its failure to a Python exception.
pub fn guard<T>(py: Python<'_>, f: impl FnOnce() -> Result<T, Failure>) -> PyResult<T> {
    catch(f).map_err(|failure| to_pyerr(py, failure))
}

/// The Python exception for a failure.
pub fn to_pyerr(py: Python<'_>, failure: Failure) -> PyErr {
    let (class, message, attrs) = match failure {
        Failure::Python(e) => return e,
        Failure::Panic(m) => (
            "InternalError",
            format!("heat-sync internal error (a bug, please report it): {m}"),
            Vec::new(),
        ),
        Failure::Core(e) => match describe(py, &e) {
            Ok(d) => d,
            Err(_) => ("Error", e.to_string(), Vec::new()),
        },
    };
    match build(py, class, &message, attrs) {
        Ok(err) => err,
        // The classes live in our own package; failing to build one means the package is
        // broken. Still never lose the message.
        Err(e) => PyRuntimeError::new_err(format!("{message} (and {e})")),
    }
}

type Attrs<'py> = Vec<(&'static str, Bound<'py, PyAny>)>;

/// The exception class name, message and attributes for one core error.
fn describe<'py>(
    py: Python<'py>,
    e: &heat_sync::Error,
) -> PyResult<(&'static str, String, Attrs<'py>)> {
    use heat_sync::Error as E;
    let place =
        |p: &str| -> PyResult<Attrs<'py>> { Ok(vec![("place", p.into_pyobject(py)?.into_any())]) };
    let (class, attrs): (&'static str, Attrs<'py>) = match e {
        E::Template(heat_sync::template::TemplateError::Invalid { place: p, .. }) => {
            ("TemplateError", place(p)?)
        }
        E::Template(_) => ("TemplateError", Vec::new()),
        E::Graph(g) => ("GraphError", graph_attrs(py, g)?),
        E::DataFlow(d) => ("DataFlowError", dataflow_attrs(py, d)?),
        E::Compile(heat_sync::compile::CompileError::Invalid { place: p, .. }) => {
            ("CompileError", place(p)?)
        }
        E::Compile(_) => ("CompileError", Vec::new()),
        E::Plan(_) => ("PlanError", Vec::new()),
        E::Coordinator(_) => ("CoordinatorError", Vec::new()),
        E::Timeout(t) => (
            "TimeoutError",
            vec![
                ("key", t.key.as_str().into_pyobject(py)?.into_any()),
                ("producer", t.producer.as_str().into_pyobject(py)?.into_any()),
                ("waited", t.waited.as_secs_f64().into_pyobject(py)?.into_any()),
            ],
        ),
        E::Agent(_) => ("AgentError", Vec::new()),
        E::Io { path, .. } => {
            ("IoError", vec![("path", path.display().to_string().into_pyobject(py)?.into_any())])
        }
        // `heat_sync::Error` is non-exhaustive: an area added later still arrives as a
        // heat_sync.Error with its message.
        _ => ("Error", Vec::new()),
    };
    Ok((class, e.to_string(), attrs))
}

fn graph_attrs<'py>(py: Python<'py>, e: &heat_sync::graph::GraphError) -> PyResult<Attrs<'py>> {
    use heat_sync::graph::GraphError as G;
    Ok(match e {
        G::Cycle { resources } | G::ImplicitCycle { resources } => {
            vec![("cycle", resources.into_pyobject(py)?.into_any())]
        }
        _ => Vec::new(),
    })
}

fn dataflow_attrs<'py>(
    py: Python<'py>,
    e: &heat_sync::dataflow::DataFlowError,
) -> PyResult<Attrs<'py>> {
    use heat_sync::dataflow::{Code, DataFlowError as D};
    Ok(match e {
        D::Invalid { place, .. } => vec![("place", place.into_pyobject(py)?.into_any())],
        D::Problems { problems } => {
            let mut attrs = vec![("problems", serialize_to_py(py, problems)?)];
            if let Some(first) = problems.iter().find(|p| p.is_error()) {
                attrs.push(("place", first.place.as_str().into_pyobject(py)?.into_any()));
            }
            let cycle = problems
                .iter()
                .filter(|p| p.code == Code::Deadlock)
                .find_map(|p| deadlock_cycle(&p.message));
            if let Some(cycle) = cycle {
                attrs.push(("cycle", cycle.into_pyobject(py)?.into_any()));
            }
            attrs
        }
        _ => Vec::new(),
    })
}

/// The roles on a deadlock, in order, from the core's hop-by-hop message
/// (`deadlock: a/first waits for b.out_b from b/second, which waits for a.out_a from
/// a/first`, hops also written `x/r runs after y/s`): `["a/first", "b/second"]`.
fn deadlock_cycle(message: &str) -> Option<Vec<String>> {
    let hops = message.strip_prefix("deadlock: ")?;
    let mut roles = Vec::new();
    for (i, hop) in hops.split(", which").enumerate() {
        let hop = hop.trim();
        if i == 0 {
            roles.push(hop.split_whitespace().next()?.to_owned());
        }
        let next = match hop.rsplit_once(" from ") {
            Some((_, role)) => role,
            None => hop.rsplit_once("runs after ")?.1,
        };
        roles.push(next.trim().to_owned());
    }
    // The message closes the loop on the first role.
    (roles.len() >= 2 && roles.first() == roles.last()).then(|| {
        roles.pop();
        roles
    })
}

/// `heat_sync._errors`, imported once.
fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyModule>> {
    static MODULE: GILOnceCell<Py<PyModule>> = GILOnceCell::new();
    MODULE.get_or_try_init(py, || Ok(py.import("heat_sync._errors")?.unbind())).map(|m| m.bind(py))
}

fn build(py: Python<'_>, class: &str, message: &str, attrs: Attrs<'_>) -> PyResult<PyErr> {
    let cls = errors_module(py)?.getattr(class)?;
    let kwargs = PyDict::new(py);
    for (name, value) in attrs {
        kwargs.set_item(name, value)?;
    }
    let instance = cls.call((message,), Some(&kwargs))?;
    Ok(PyErr::from_value(instance))
}
