//! Run-time expressions: an input whose Heat expression reads values published at run
//! time ([`InputSource::Expression`]), evaluated on the server by the core's own
//! function evaluator (crate::functions), so the agent, `heat-sync get` and the gem give
//! the same value Heat would.
//!
//! Compile time leaves in the expression only functions that need nothing but their
//! arguments ([`is_pure`]); every other part (role outputs, agent attributes, values
//! known at compile time, values Heat substitutes at deploy time) becomes an argument,
//! written in the expression as the version's attribute function on the pseudo resource
//! [`ARGS`]: `{"get_attr": ["heat_sync_args", "0"]}`. A function call stands where the
//! template had one, so Heat's argument checks see the same shapes at run time as at
//! compile time.

use serde_json::json;

use super::{InputSource, PlanError};
use crate::functions::{self, FnError, Func, Scope, Snippet};
use crate::template::version::{self, Dialect, Version};
use crate::Value;

/// The pseudo resource whose attribute `N` is an expression's argument `N`.
pub const ARGS: &str = "heat_sync_args";

/// Whether a function class needs nothing but its arguments, so that a server can
/// evaluate it: not the ones that read the stack (`get_param`, `get_resource`,
/// `get_attr`, `get_file`, `resource_facade`, `Ref`, `Fn::FindInMap`, `Fn::GetAZs`),
/// not the macros decided by the template's conditions (`if`), not removed ones.
pub fn is_pure(func: Func) -> bool {
    use Func::*;
    matches!(
        func,
        Join | JoinMultiple
            | Replace
            | ReplaceJson
            | ReplaceJsonStrict
            | ReplaceJsonVeryStrict
            | Digest
            | Repeat
            | RepeatWithMap
            | RepeatWithNestedLoop
            | StrSplit
            | MapMerge
            | MapReplace
            | Yaql
            | Filter
            | MakeUrl
            | ListConcat
            | ListConcatUnique
            | Contains
            | CfnSelect
            | CfnJoin
            | CfnSplit
            | CfnReplace
            | CfnBase64
            | CfnMemberListToMap
    )
}

/// The `template_version` of a plan for a template version
/// (`heat_template_version.2016-10-14`).
pub fn version_key(v: &Version) -> String {
    format!("{}.{}", v.key, v.value)
}

/// The template version named by a plan's `template_version`.
pub fn find_version(template_version: &str) -> Option<&'static Version> {
    let (key, value) = template_version.split_once('.')?;
    version::find(key, value)
}

/// What stands for argument `n` in an expression of version `v`.
pub fn marker(v: &Version, n: usize) -> Value {
    match v.dialect {
        Dialect::Hot => json!({"get_attr": [ARGS, n.to_string()]}),
        Dialect::Cfn => json!({"Fn::GetAtt": [ARGS, n.to_string()]}),
    }
}

/// The scope of a server: no parameters, resources, files or conditions (compile time
/// and Heat resolved those into arguments).
struct ServerScope {
    version: &'static Version,
}

impl Scope for ServerScope {
    fn version(&self) -> &'static Version {
        self.version
    }
    fn param(&self, name: &str) -> Result<Value, FnError> {
        Err(FnError::other(
            "UserParameterMissing",
            format!("parameter {name} is not known on a server"),
        ))
    }
    fn declares_param(&self, _: &str) -> bool {
        false
    }
    fn has_resource(&self, _: &str) -> bool {
        false
    }
    fn is_enabled_resource(&self, _: &str) -> bool {
        false
    }
    fn condition(&self, name: &Value) -> Result<bool, FnError> {
        Err(FnError::value(format!("condition {name} is not known on a server")))
    }
    fn file(&self, _: &str) -> Option<&str> {
        None
    }
    fn mappings(&self) -> Option<&Value> {
        None
    }
}

/// The index of the argument a parsed call stands for, if it is a marker.
fn marker_index(snippet: &Snippet) -> Option<usize> {
    let Snippet::Call(call) = snippet else { return None };
    let Snippet::List(items) = &call.args else { return None };
    match (call.func.is_get_attr(), items.as_slice()) {
        (true, [Snippet::Data(Value::String(r)), Snippet::Data(Value::String(n))]) if r == ARGS => {
            n.parse().ok()
        }
        _ => None,
    }
}

/// Parses `expression` as the server will, and checks that every argument marker is
/// below `args` and every other call is [`is_pure`]. The error says what is wrong.
fn parse(template_version: &str, expression: &Value, args: usize) -> Result<Snippet, String> {
    let version = find_version(template_version)
        .ok_or_else(|| format!("unknown template version {template_version:?}"))?;
    let snippet = functions::parse(expression, "", &ServerScope { version }).map_err(|e| {
        // The path inside the expression (`list_join`, `str_replace.params`).
        format!("{}: {}", e.path.trim_start_matches('.'), e.message)
    })?;
    check(&snippet, args)?;
    Ok(snippet)
}

fn check(snippet: &Snippet, args: usize) -> Result<(), String> {
    if let Some(n) = marker_index(snippet) {
        return if n < args { Ok(()) } else { Err(format!("argument {n} is not given")) };
    }
    match snippet {
        Snippet::Call(call) if !is_pure(call.func) => {
            Err(format!("{} cannot be evaluated on a server", call.name))
        }
        Snippet::Call(call) => check(&call.args, args),
        Snippet::Map(items) => items.iter().try_for_each(|(_, v)| check(v, args)),
        Snippet::List(items) => items.iter().try_for_each(|v| check(v, args)),
        Snippet::Data(_) | Snippet::Nothing => Ok(()),
    }
}

/// Checks at compile time what the server will evaluate: `expression` parsed as the
/// server parses it, every argument marker below `args`, every other call [`is_pure`].
pub fn validate(template_version: &str, expression: &Value, args: usize) -> Result<(), String> {
    parse(template_version, expression, args).map(|_| ())
}

fn substitute(snippet: &mut Snippet, args: &mut [Option<Value>]) {
    if let Some(n) = marker_index(snippet) {
        // Each marker appears once (compile time writes one per argument).
        *snippet = Snippet::Data(args[n].take().unwrap_or(Value::Null));
        return;
    }
    match snippet {
        Snippet::Call(call) => substitute(&mut call.args, args),
        Snippet::Map(items) => items.iter_mut().for_each(|(_, v)| substitute(v, args)),
        Snippet::List(items) => items.iter_mut().for_each(|v| substitute(v, args)),
        Snippet::Data(_) | Snippet::Nothing => {}
    }
}

/// Evaluates an expression over its arguments' values (in argument order), as Heat
/// would; `place` (the input's place) names it in errors.
pub fn evaluate(
    place: &str,
    template_version: &str,
    expression: &Value,
    args: Vec<Value>,
) -> Result<Value, PlanError> {
    let failed = |message: String| PlanError::Expression { place: place.into(), message };
    let mut snippet = parse(template_version, expression, args.len()).map_err(failed)?;
    let version = find_version(template_version).expect("parse found it");
    let mut args: Vec<Option<Value>> = args.into_iter().map(Some).collect();
    substitute(&mut snippet, &mut args);
    functions::resolve(&snippet, &ServerScope { version })
        .map_err(|e| failed(format!("evaluating the expression failed: {}", e.tagged())))
}

/// The value of an input source: `Static` as it is, `Wait` and `Gather` through `wait`,
/// an expression evaluated once `wait` has given each of its run-time arguments.
pub fn resolve<E: From<PlanError>>(
    place: &str,
    source: &InputSource,
    wait: &mut dyn FnMut(&InputSource) -> Result<Value, E>,
) -> Result<Value, E> {
    match source {
        InputSource::Static { value, .. } => Ok(value.clone()),
        InputSource::Wait { .. } | InputSource::Gather { .. } => wait(source),
        InputSource::Expression { template_version, expression, args } => {
            let values =
                args.iter().map(|a| resolve(place, a, wait)).collect::<Result<Vec<_>, E>>()?;
            Ok(evaluate(place, template_version, expression, values)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOT: &str = "heat_template_version.2016-10-14";

    #[test]
    fn evaluates_with_heat_semantics() {
        let e = json!({"str_replace": {"template": "mysql://$h:3306/$db",
            "params": {"$h": {"get_attr": [ARGS, "0"]}, "$db": {"get_attr": [ARGS, "1"]}}}});
        let v = evaluate("p", HOT, &e, vec![json!("10.0.0.5"), json!("wp")]).unwrap();
        assert_eq!(v, json!("mysql://10.0.0.5:3306/wp"));
        // A list joined; a map value in str_replace params is JSON (HOT 2015-10-15 on).
        let e = json!({"list_join": [",", {"get_attr": [ARGS, "0"]}]});
        let v = evaluate("p", HOT, &e, vec![json!(["a", "b"])]).unwrap();
        assert_eq!(v, json!("a,b"));
        let e = json!({"Fn::Join": [",", {"Fn::GetAtt": [ARGS, "0"]}]});
        let cfn = "AWSTemplateFormatVersion.2010-09-09";
        assert_eq!(evaluate("p", cfn, &e, vec![json!(["x", "y"])]).unwrap(), json!("x,y"));
    }

    #[test]
    fn an_argument_that_looks_like_a_call_stays_data() {
        let e = json!({"list_concat": [{"get_attr": [ARGS, "0"]}, ["z"]]});
        let v = evaluate(
            "p",
            "heat_template_version.2018-08-31",
            &e,
            vec![json!([{"get_param": "x"}])],
        );
        assert_eq!(v.unwrap(), json!([{"get_param": "x"}, "z"]));
    }

    #[test]
    fn errors_name_the_place_and_heat_reason() {
        let e = json!({"list_join": [",", {"get_attr": [ARGS, "0"]}]});
        let err = evaluate("resources.web.x", HOT, &e, vec![json!(7)]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("resources.web.x: evaluating the expression failed: TypeError"),
            "{err}"
        );
        let e = json!({"get_param": "x"});
        let err = evaluate("p", HOT, &e, vec![]).unwrap_err().to_string();
        assert_eq!(err, "p: get_param cannot be evaluated on a server");
        let e = json!({"get_attr": [ARGS, "3"]});
        assert!(validate(HOT, &e, 1).unwrap_err().contains("argument 3 is not given"));
        assert!(validate("heat_template_version.1999-01-01", &e, 1).is_err());
    }

    #[test]
    fn resolve_waits_for_each_argument_in_order() {
        let wait = InputSource::Wait {
            key: super::super::ValueKey {
                server: super::super::ServerId::plain("db"),
                output: "h".into(),
            },
            producer: super::super::Producer {
                server: super::super::ServerId::plain("db"),
                role: None,
            },
        };
        let source = InputSource::Expression {
            template_version: HOT.into(),
            expression: json!({"list_join": ["/", [{"get_attr": [ARGS, "0"]}, {"get_attr": [ARGS, "1"]}]]}),
            args: vec![InputSource::Static { value: json!("a"), secret: false }, wait],
        };
        assert_eq!(source.awaited().len(), 1);
        let mut asked = 0;
        let v = resolve::<PlanError>("p", &source, &mut |s| {
            asked += 1;
            assert!(matches!(s, InputSource::Wait { .. }));
            Ok(json!("b"))
        });
        assert_eq!((v.unwrap(), asked), (json!("a/b"), 1));
    }
}
