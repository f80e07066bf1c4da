//! Core errors as Ruby exceptions. The classes are defined in Ruby
//! (lib/heat_sync/error.rb, loaded before this extension), one per core error area, so
//! they can be documented, subclassed and rescued like any Ruby class.
//!
//! Every native method runs under [`guard`]: a Rust panic becomes
//! `HeatSync::InternalError`. (magnus would raise Ruby's `fatal`, which a
//! `rescue => e` does not catch, so a Chef run would die of it.)

use std::panic::{catch_unwind, AssertUnwindSafe};

use magnus::{prelude::*, Error, ExceptionClass, RModule, Ruby};

/// The Ruby class name for a core error's area.
fn class_name(err: &heat_sync::Error) -> &'static str {
    use heat_sync::Error as E;
    match err {
        E::Template(_) => "TemplateError",
        E::Graph(_) => "GraphError",
        E::DataFlow(_) => "DataFlowError",
        E::Compile(_) => "CompileError",
        E::Plan(_) => "PlanError",
        E::Coordinator(_) => "CoordinatorError",
        E::Timeout(_) => "TimeoutError",
        E::Agent(_) => "AgentError",
        E::Io { .. } => "IOError",
        _ => "Error",
    }
}

/// `HeatSync::<name>`, an exception class defined by lib/heat_sync/error.rb.
pub(crate) fn exception_class(ruby: &Ruby, name: &str) -> Result<ExceptionClass, Error> {
    let module: RModule = ruby.class_object().const_get("HeatSync")?;
    module.const_get(name)
}

/// A Ruby exception of the class named `name` with `message`.
pub(crate) fn raise(ruby: &Ruby, name: &str, message: impl Into<String>) -> Error {
    let message = message.into();
    match exception_class(ruby, name) {
        Ok(class) => Error::new(class, message),
        Err(_) => Error::new(ruby.exception_runtime_error(), message),
    }
}

/// Converts a core error into the matching Ruby exception.
pub(crate) fn to_ruby(ruby: &Ruby, err: impl Into<heat_sync::Error>) -> Error {
    let err = err.into();
    raise(ruby, class_name(&err), err.to_string())
}

/// The message of a panic's payload.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

/// `HeatSync::InternalError` for a panic.
pub(crate) fn internal(ruby: &Ruby, message: &str) -> Error {
    raise(
        ruby,
        "InternalError",
        format!("heat-sync internal error (a bug, please report it): {message}"),
    )
}

/// Runs a native method's body, turning a panic into `HeatSync::InternalError`.
pub(crate) fn guard<T>(ruby: &Ruby, f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(internal(ruby, &panic_message(&*p))))
}
