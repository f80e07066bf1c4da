//! `HeatSync::Native` plan functions: the core reads and checks server plans, and hands
//! them to Ruby as canonical JSON (lib/heat_sync/plan.rb wraps them); it also evaluates
//! run-time expressions, so the gem computes an input exactly as the agent does.

use std::path::Path;

use heat_sync::plan::{expression, InputSource, ServerPlan};
use magnus::{function, Error, RModule, Ruby};

use crate::errors;

/// Reads and checks a server plan file; returns it as JSON.
fn load_server_plan(ruby: &Ruby, path: String) -> Result<String, Error> {
    errors::guard(ruby, || {
        ServerPlan::load(Path::new(&path))
            .map(|plan| plan.to_json())
            .map_err(|e| errors::to_ruby(ruby, e))
    })
}

/// Checks server plan JSON text (`file` names it in errors); returns it as JSON.
fn parse_server_plan(ruby: &Ruby, file: String, text: String) -> Result<String, Error> {
    errors::guard(ruby, || {
        ServerPlan::from_json(&file, &text)
            .map(|plan| plan.to_json())
            .map_err(|e| errors::to_ruby(ruby, e))
    })
}

/// Panics under the guard: the test suite's way of proving that a Rust panic reaches
/// Ruby as `HeatSync::InternalError`, not as `fatal` or a crash.
fn panic_for_tests(ruby: &Ruby, message: String) -> Result<(), Error> {
    errors::guard(ruby, || panic!("{message}"))
}

/// Evaluates an input's expression source (the plan's JSON) over its arguments' values
/// (a JSON list, in argument order) with the core's evaluator; returns the value as
/// JSON. `place` (the input's place) names it in errors.
fn evaluate_expression(
    ruby: &Ruby,
    place: String,
    source: String,
    args: String,
) -> Result<String, Error> {
    errors::guard(ruby, || {
        let invalid = |what: &str, e: serde_json::Error| {
            errors::raise(ruby, "PlanError", format!("{place}: invalid {what}: {e}"))
        };
        let source: InputSource =
            serde_json::from_str(&source).map_err(|e| invalid("source", e))?;
        let args: Vec<heat_sync::Value> =
            serde_json::from_str(&args).map_err(|e| invalid("arguments", e))?;
        let InputSource::Expression { template_version, expression: expr, .. } = &source else {
            return Err(errors::raise(
                ruby,
                "PlanError",
                format!("{place}: not an expression source"),
            ));
        };
        expression::evaluate(&place, template_version, expr, args)
            .map(|v| v.to_string())
            .map_err(|e| errors::to_ruby(ruby, e))
    })
}

pub(crate) fn init(native: RModule) -> Result<(), Error> {
    native.define_module_function("load_server_plan", function!(load_server_plan, 1))?;
    native.define_module_function("parse_server_plan", function!(parse_server_plan, 2))?;
    native.define_module_function("evaluate_expression", function!(evaluate_expression, 3))?;
    native.define_module_function("_panic_for_tests", function!(panic_for_tests, 1))?;
    Ok(())
}
