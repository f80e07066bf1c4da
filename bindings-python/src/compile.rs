//! `heat_sync.compile()`: `heat_sync::compile::compile`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{inputs, serialize_to_py, to_py};
use crate::errors::{catch, to_pyerr};

/// Compiles a template whose servers carry `heat_sync` metadata into a standard Heat
/// template of the same version (`heat-sync compile`).
///
/// Returns `{"template": dict, "stack_plan": dict, "warnings": [problem, ...]}`: the
/// generated template, the stack plan the coordinator is seeded with (docs/plan.md),
/// and the warnings of `check`. A template with `check` errors is refused with
/// `heat_sync.DataFlowError` (`.problems`, and `.cycle` for a deadlock).
/// `coordinator` is the default of the generated `heat_sync_coordinator` parameter;
/// `chef_install` / `agent_install` the shell commands the user-data runs to install
/// chef-solo and the agent (defaults as `heat-sync compile`).
#[pyfunction]
#[pyo3(signature = (
    template, environments=None, params=None, files=None, *,
    coordinator=None, chef_install=None, agent_install=None
))]
#[allow(clippy::too_many_arguments)] // the Python signature: keyword options
pub fn compile<'py>(
    py: Python<'py>,
    template: &Bound<'py, PyAny>,
    environments: Option<&Bound<'py, PyAny>>,
    params: Option<&Bound<'py, PyAny>>,
    files: Option<&Bound<'py, PyAny>>,
    coordinator: Option<String>,
    chef_install: Option<String>,
    agent_install: Option<String>,
) -> PyResult<Bound<'py, PyDict>> {
    let inputs = inputs(template, environments, params, files)?;
    let mut options = heat_sync::compile::Options { coordinator, ..Default::default() };
    if let Some(cmd) = chef_install {
        options.chef_install = cmd;
    }
    if let Some(cmd) = agent_install {
        options.agent_install = cmd;
    }
    let compiled = py
        .allow_threads(|| catch(|| Ok(heat_sync::compile::compile(&inputs, &options)?)))
        .map_err(|e| to_pyerr(py, e))?;
    let out = PyDict::new(py);
    out.set_item("template", to_py(py, &compiled.template)?)?;
    out.set_item("stack_plan", serialize_to_py(py, &compiled.stack_plan)?)?;
    out.set_item("warnings", serialize_to_py(py, &compiled.warnings)?)?;
    Ok(out)
}
