//! `heat_sync._heat_sync`: the private native module of the `heat_sync` Python package.
//!
//! A thin wrapper over the `heat_sync` crate, one file per core module it exposes
//! (tokenizers style): [`stack`] (`graph`), [`dataflow`] (`check`), [`compile`]
//! (`compile`), [`client`] (`Client`). [`errors`] maps the core's error areas to the
//! `heat_sync.Error` tree and keeps Rust panics from reaching Python; [`convert`] turns
//! Python arguments into the core's inputs and answers back into plain Python objects.
//! The public API, its documentation and its stubs live in `python/heat_sync`.

// pyo3's macros expand to the FFI glue that Python's C API needs.
#![allow(unsafe_code)]

mod client;
mod compile;
mod convert;
mod dataflow;
mod errors;
mod stack;

use pyo3::prelude::*;

/// Raises a Rust panic under the panic guard: the test suite's way of proving that no
/// panic reaches Python as a crash or a `BaseException`.
#[pyfunction]
fn _panic_for_tests(py: Python<'_>, message: String) -> PyResult<()> {
    errors::guard(py, || -> Result<(), errors::Failure> { panic!("{message}") })
}

/// The native module.
#[pymodule]
fn _heat_sync(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(compile::compile, m)?)?;
    m.add_function(wrap_pyfunction!(dataflow::check, m)?)?;
    m.add_function(wrap_pyfunction!(stack::graph, m)?)?;
    m.add_class::<client::Client>()?;
    m.add_function(wrap_pyfunction!(_panic_for_tests, m)?)?;
    Ok(())
}
