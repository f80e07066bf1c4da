//! Static evaluation of parsed snippets: Heat's `function.resolve` and the corpus'
//! partial evaluation (`resolved`).

use super::{Call, FnError, Func, Scope, Snippet};
use crate::{Map, Value};

/// Pseudo parameters whose value only a stored stack has.
pub const RUNTIME_PARAMS: [&str; 3] = ["OS::stack_id", "AWS::StackId", "OS::project_id"];

/// The result of a partial evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Partial {
    /// Whether every function in the snippet was evaluated (no run-time call, no
    /// error left in it).
    pub known: bool,
    /// The value: `None` when the snippet vanishes (a 2021-04-16 `if` without else
    /// whose condition is false).
    pub value: Option<Value>,
}

/// Partially evaluates `snippet`: every call whose arguments are known is evaluated;
/// run-time calls, and calls that take them, stay as one-key maps; a call that fails
/// on known arguments keeps its form and gains `"__error__": "Class: message"`.
pub fn partial(snippet: &Snippet, scope: &dyn Scope) -> Partial {
    match snippet {
        Snippet::Data(v) => Partial { known: true, value: Some(v.clone()) },
        Snippet::Nothing => Partial { known: true, value: None },
        Snippet::Map(items) => {
            let mut known = true;
            let mut out = Map::new();
            for (k, v) in items {
                let p = partial(v, scope);
                known &= p.known;
                if let Some(v) = p.value {
                    out.insert(k.to_string(), v);
                }
            }
            Partial { known, value: Some(Value::Object(out)) }
        }
        Snippet::List(items) => {
            let mut known = true;
            let mut out = Vec::with_capacity(items.len());
            for v in items {
                let p = partial(v, scope);
                known &= p.known;
                if let Some(v) = p.value {
                    out.push(v);
                }
            }
            Partial { known, value: Some(Value::Array(out)) }
        }
        Snippet::Call(call) => {
            let args = partial(&call.args, scope);
            let args_value = args.value.unwrap_or(Value::Null);
            if args.known && !is_runtime(call, scope) {
                match result(call, args_value.clone(), scope) {
                    Ok(v) => return Partial { known: true, value: Some(v) },
                    Err(e) if e.kind == super::UNSUPPORTED => {}
                    Err(e) => {
                        let mut m = Map::new();
                        m.insert(call.name.to_string(), args_value);
                        m.insert("__error__".into(), Value::String(e.tagged()));
                        return Partial { known: false, value: Some(Value::Object(m)) };
                    }
                }
            }
            let mut m = Map::new();
            m.insert(call.name.to_string(), args_value);
            Partial { known: false, value: Some(Value::Object(m)) }
        }
    }
}

/// Partially evaluates a whole section: a vanished snippet gives `null`.
pub fn partial_value(snippet: &Snippet, scope: &dyn Scope) -> Value {
    partial(snippet, scope).value.unwrap_or(Value::Null)
}

/// Whether a call stays symbolic whatever its arguments.
pub fn is_runtime(call: &Call, scope: &dyn Scope) -> bool {
    if call.func.is_runtime() {
        return true;
    }
    if matches!(call.func, Func::GetParam | Func::CfnParamRef) {
        let name = match &call.args {
            Snippet::List(items) => items.first(),
            other => Some(other),
        };
        if let Some(name) = name {
            if let Ok(Value::String(n)) = resolve(name, scope) {
                return RUNTIME_PARAMS.contains(&n.as_str());
            }
        }
    }
    false
}

/// Fully resolves `snippet` (Heat's `function.resolve`). Run-time calls cannot be
/// resolved statically and give an error.
pub fn resolve(snippet: &Snippet, scope: &dyn Scope) -> Result<Value, FnError> {
    Ok(resolve_nullable(snippet, scope)?.unwrap_or(Value::Null))
}

fn resolve_nullable(snippet: &Snippet, scope: &dyn Scope) -> Result<Option<Value>, FnError> {
    Ok(match snippet {
        Snippet::Data(v) => Some(v.clone()),
        Snippet::Nothing => None,
        Snippet::Map(items) => {
            let mut out = Map::new();
            for (k, v) in items {
                if let Some(v) = resolve_nullable(v, scope)? {
                    out.insert(k.to_string(), v);
                }
            }
            Some(Value::Object(out))
        }
        Snippet::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            for v in items {
                if let Some(v) = resolve_nullable(v, scope)? {
                    out.push(v);
                }
            }
            Some(Value::Array(out))
        }
        Snippet::Call(call) => {
            if is_runtime(call, scope) {
                return Err(FnError::other(
                    "RuntimeValue",
                    format!("{} has no value before the stack is created", call.name),
                ));
            }
            let args = resolve(&call.args, scope)?;
            Some(result(call, args, scope)?)
        }
    })
}

/// Evaluates one call on resolved arguments (the function class's `result()`).
pub fn result(call: &Call, args: Value, scope: &dyn Scope) -> Result<Value, FnError> {
    super::hot::result(call, args.clone(), scope).or_else(|e| {
        if e.kind == "NotHot" {
            super::cfn::result(call, args, scope)
        } else {
            Err(e)
        }
    })
}
