//! Core errors as Ruby exceptions. The classes are defined in Ruby
//! (lib/heat_sync/error.rb, loaded before this extension), one per core error area, so
//! they can be documented, subclassed and rescued like any Ruby class.

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
