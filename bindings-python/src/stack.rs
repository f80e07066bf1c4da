//! `heat_sync.graph()`: `heat_sync::stack::analyse`, Heat's own view of a template.

use pyo3::prelude::*;

use crate::convert::{inputs, to_py};
use crate::errors::{catch, to_pyerr};

/// Heat's view of a template, as `heat-sync graph --format json` prints it: `version`,
/// `template_class`, `errors` (Heat's messages; empty when Heat accepts the
/// template), `resources`, `edges`, `implicit_edges`, `creation_order`, `conditions`,
/// `disabled_resources`, `parameters`, `resolved` (hidden values, and every value
/// derived from one, as `******`).
///
/// With `dataflow=True`, the role-level data-flow graph instead, as
/// `heat-sync graph --dataflow --format json`: `{roles, edges, inputs}`.
#[pyfunction]
#[pyo3(signature = (template, environments=None, params=None, files=None, *, dataflow=false))]
pub fn graph<'py>(
    py: Python<'py>,
    template: &Bound<'py, PyAny>,
    environments: Option<&Bound<'py, PyAny>>,
    params: Option<&Bound<'py, PyAny>>,
    files: Option<&Bound<'py, PyAny>>,
    dataflow: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let inputs = inputs(template, environments, params, files)?;
    let answer = py
        .allow_threads(|| {
            catch(|| {
                if dataflow {
                    crate::dataflow::graph_json(&inputs)
                } else {
                    Ok(heat_sync::stack::analyse(&inputs).to_json())
                }
            })
        })
        .map_err(|e| to_pyerr(py, e))?;
    to_py(py, &answer)
}
