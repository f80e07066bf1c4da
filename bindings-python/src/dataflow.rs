//! `heat_sync.check()` and the data-flow graph: `heat_sync::dataflow`.

use pyo3::prelude::*;

use crate::convert::{inputs, serialize_to_py};
use crate::errors::{catch, to_pyerr};

/// The problems of a template's `heat_sync` data flow, errors first, as
/// `heat-sync check --format json` prints them: a list of
/// `{"severity": "error"|"warning", "code", "place", "message"}`.
/// Raises `heat_sync.Error` only when the template cannot be read at all.
#[pyfunction]
#[pyo3(signature = (template, environments=None, params=None, files=None))]
pub fn check<'py>(
    py: Python<'py>,
    template: &Bound<'py, PyAny>,
    environments: Option<&Bound<'py, PyAny>>,
    params: Option<&Bound<'py, PyAny>>,
    files: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let inputs = inputs(template, environments, params, files)?;
    let problems = py
        .allow_threads(|| catch(|| Ok(heat_sync::dataflow::check(&inputs)?)))
        .map_err(|e| to_pyerr(py, e))?;
    serialize_to_py(py, &problems)
}

/// `heat-sync graph --dataflow --format json`: `{roles, edges, inputs}`.
pub fn graph_json(
    inputs: &heat_sync::stack::Inputs,
) -> Result<heat_sync::Value, crate::errors::Failure> {
    Ok(heat_sync::dataflow::graph_json(inputs)?)
}
