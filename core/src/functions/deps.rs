//! What Heat reads from parsed snippets without evaluating them:
//! resource references (`function.dependencies`) and function validation
//! (`function.validate`).

use super::path::Path;
use super::{eval, hot, Call, FnError, Func, Scope, Snippet};
use std::borrow::Cow;

use crate::Value;

/// A resource reference found in a snippet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The referenced resource.
    pub resource: String,
    /// The Heat path of the referencing call (`web.Properties.networks[0]`).
    pub path: String,
    /// The function name (`get_resource`, `get_attr`, `Ref`, `Fn::GetAtt`).
    pub function: String,
    /// For `get_attr`/`Fn::GetAtt`: the attribute name, when static.
    pub attribute: Option<String>,
}

/// Every resource the snippet references, in order (`function.dependencies`): each
/// `get_resource`, `get_attr`, `Ref` to a resource and `Fn::GetAtt`, in arguments of
/// other functions too. `path` is Heat's path of the snippet (`web.Properties`).
///
/// A reference to a name that is not an enabled resource fails as in Heat:
/// `The specified reference "X" (in PATH) is incorrect.`
pub fn references(
    snippet: &Snippet,
    path: &str,
    scope: &dyn Scope,
) -> Result<Vec<Reference>, FnError> {
    let mut out = Vec::new();
    walk(snippet, &Path::root(path), scope, true, &mut |path, call, resource, attribute| {
        if !scope.is_enabled_resource(resource) {
            return false;
        }
        out.push(Reference {
            resource: resource.to_string(),
            path: path.render(),
            function: call.name.to_string(),
            attribute,
        });
        true
    })?;
    Ok(out)
}

/// The names of the resources `snippet` references, as [`references`] finds them
/// (and failing as it does), appended to `out`: the dependency graph's input, without
/// rendering a path per reference.
pub fn referenced_resources(
    snippet: &Snippet,
    path: &Path<'_>,
    scope: &dyn Scope,
    out: &mut Vec<String>,
) -> Result<(), FnError> {
    for_each_referenced_resource(snippet, path, scope, &mut |resource| {
        let enabled = scope.is_enabled_resource(resource);
        if enabled {
            out.push(resource.to_string());
        }
        enabled
    })
}

/// [`referenced_resources`] without a string per reference: `found` is given each
/// referenced name in turn and answers whether it is an enabled resource (the caller
/// may look it up in its own table once instead of asking `scope` first); a `false`
/// fails the walk with Heat's message, as [`references`] does.
pub fn for_each_referenced_resource(
    snippet: &Snippet,
    path: &Path<'_>,
    scope: &dyn Scope,
    found: &mut dyn FnMut(&str) -> bool,
) -> Result<(), FnError> {
    walk(snippet, path, scope, false, &mut |_, _, resource, _| found(resource))
}

/// [`for_each_referenced_resource`] and [`validate_path`] in one walk: the analysis
/// needs both of every resource's properties and metadata, and over 10,000 resources
/// a second walk costs as much as the first. `found` is given each referenced name
/// and answers whether it is an enabled resource, as `scope.is_enabled_resource`
/// would (the validation of `get_attr` takes its answer). The outer `Err` is the
/// reference walk's failure; the inner result is what [`validate_path`] gives for
/// the same snippet at `validation_path`.
pub fn references_and_validation(
    snippet: &Snippet,
    path: &Path<'_>,
    validation_path: &Path<'_>,
    scope: &dyn Scope,
    found: &mut dyn FnMut(&str) -> bool,
) -> Result<Result<(), ValidationError>, FnError> {
    let mut invalid = None;
    walk_and_validate(snippet, path, validation_path, scope, found, &mut invalid)?;
    Ok(match invalid {
        None => Ok(()),
        Some((p, message)) => Err(ValidationError { path: vec![p], message }),
    })
}

/// [`walk`] (without attributes) and [`validate_at`] at once: the first validation
/// failure in walk order goes to `invalid`, as `validate_at` would return it.
fn walk_and_validate(
    snippet: &Snippet,
    path: &Path<'_>,
    validation_path: &Path<'_>,
    scope: &dyn Scope,
    found: &mut dyn FnMut(&str) -> bool,
    invalid: &mut Option<(String, String)>,
) -> Result<(), FnError> {
    match snippet {
        Snippet::Data(_) | Snippet::Nothing => Ok(()),
        Snippet::Map(items) => {
            for (k, v) in items {
                walk_and_validate(v, &path.key(k), &validation_path.key(k), scope, found, invalid)?;
            }
            Ok(())
        }
        Snippet::List(items) => {
            for (i, v) in items.iter().enumerate() {
                let (p, vp) = (path.index(i), validation_path.index(i));
                walk_and_validate(v, &p, &vp, scope, found, invalid)?;
            }
            Ok(())
        }
        Snippet::Call(call) => {
            // The arguments, validated as `validate_call` does: from an empty root.
            let mut args_invalid = None;
            let args_path = path.key(call.name);
            let args_root = Path::root("");
            walk_and_validate(&call.args, &args_path, &args_root, scope, found, &mut args_invalid)?;
            let mut enabled = None;
            if let Some((target, _)) = target_of(call) {
                let name = resolved_name(target, scope)?;
                if !found(&name) {
                    return Err(FnError::bad_reference(&name, &path.render()));
                }
                enabled = Some(name);
            }
            if invalid.is_none() {
                let verdict = if call.func == Func::Removed {
                    Err(removed_message(call))
                } else if let Some((p, message)) = args_invalid {
                    Err(ValidationError { path: vec![p], message }.render())
                } else {
                    check_call(call, scope, enabled.as_deref())
                };
                if let Err(message) = verdict {
                    *invalid = Some((validation_path.key(call.name).render_validation(), message));
                }
            }
            Ok(())
        }
    }
}

/// What a walk does with each reference: its path, call, resource name and (when
/// asked for) static attribute name. It answers whether the name is an enabled
/// resource.
type OnReference<'f> = dyn FnMut(&Path<'_>, &Call, &str, Option<String>) -> bool + 'f;

fn walk(
    snippet: &Snippet,
    path: &Path<'_>,
    scope: &dyn Scope,
    with_attribute: bool,
    found: &mut OnReference<'_>,
) -> Result<(), FnError> {
    match snippet {
        Snippet::Data(_) | Snippet::Nothing => Ok(()),
        Snippet::Map(items) => {
            for (k, v) in items {
                walk(v, &path.key(k), scope, with_attribute, found)?;
            }
            Ok(())
        }
        Snippet::List(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, &path.index(i), scope, with_attribute, found)?;
            }
            Ok(())
        }
        Snippet::Call(call) => {
            walk(&call.args, &path.key(call.name), scope, with_attribute, found)?;
            if let Some((target, attribute)) = target_of(call) {
                let name = resolved_name(target, scope)?;
                // The attribute name only when static (its failures are ignored).
                let attribute = attribute
                    .filter(|_| with_attribute)
                    .and_then(|a| eval::resolve(a, scope).ok())
                    .and_then(|a| match a {
                        Value::String(s) => Some(s),
                        _ => None,
                    });
                if !found(path, call, &name, attribute) {
                    return Err(FnError::bad_reference(&name, &path.render()));
                }
            }
            Ok(())
        }
    }
}

/// A resolved resource or attribute name as Heat formats it: a string as it is,
/// anything else as Python's `str()` (None as `None`).
fn name_of(v: Value) -> String {
    match v {
        Value::String(s) => s,
        other => super::pyfmt::str_of(&other),
    }
}

/// The name `snippet` resolves to, borrowed when it is a plain string (most are).
fn resolved_name<'s>(snippet: &'s Snippet, scope: &dyn Scope) -> Result<Cow<'s, str>, FnError> {
    match snippet {
        Snippet::Data(Value::String(s)) => Ok(Cow::Borrowed(s)),
        other => Ok(Cow::Owned(name_of(eval::resolve(other, scope)?))),
    }
}

/// For a referencing call (`get_resource`, `get_attr`, ...): the snippets of the
/// resource name and, for `get_attr`, of the attribute.
fn target_of(call: &Call) -> Option<(&Snippet, Option<&Snippet>)> {
    match call.func {
        Func::GetResource => Some((&call.args, None)),
        f if f.is_get_attr() => Some(get_attr_parts(call)),
        _ => None,
    }
}

/// The resource-name and attribute snippets of a `get_attr` / `Fn::GetAtt` call.
pub fn get_attr_parts(call: &Call) -> (&Snippet, Option<&Snippet>) {
    static NULL: Snippet = Snippet::Nothing;
    match &call.args {
        Snippet::List(items) => (items.first().unwrap_or(&NULL), items.get(1)),
        other => (other, None),
    }
}

/// A validation failure: Heat's path (as a list of parts) and message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidationError {
    /// Path parts (`["properties", "value", "Fn::Join"]`).
    pub path: Vec<String>,
    /// Heat's message.
    pub message: String,
}

impl ValidationError {
    /// Heat's rendering of a path: parts joined by `.`, digits as `[n]`.
    pub fn path_string(parts: &[String]) -> String {
        let mut out = String::new();
        for p in parts {
            if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) {
                out.push_str(&format!("[{p}]"));
            } else if out.is_empty() {
                out.push_str(p);
            } else {
                out.push('.');
                out.push_str(p);
            }
        }
        out
    }

    /// The full message: `path: message`.
    pub fn render(&self) -> String {
        let p = Self::path_string(&self.path);
        if p.is_empty() {
            self.message.clone()
        } else {
            format!("{p}: {}", self.message)
        }
    }
}

/// Heat's `function.validate(snippet, path)`: removed functions, `get_attr` to an
/// unknown resource or attribute, malformed `repeat` and `make_url` arguments.
/// `path` holds the leading parts (`["resources", "web", "properties"]`).
pub fn validate(
    snippet: &Snippet,
    path: &[String],
    scope: &dyn Scope,
) -> Result<(), ValidationError> {
    let root = path.join(".");
    validate_path(snippet, &Path::root(&root), scope)
}

/// [`validate`] with the leading parts given as a path (built of [`Path::part`]s,
/// which render as the joined parts do), rendered only for a message.
pub fn validate_path(
    snippet: &Snippet,
    path: &Path<'_>,
    scope: &dyn Scope,
) -> Result<(), ValidationError> {
    validate_at(snippet, path, scope)
        .map_err(|(p, message)| ValidationError { path: vec![p], message })
}

fn validate_at(
    snippet: &Snippet,
    path: &Path<'_>,
    scope: &dyn Scope,
) -> Result<(), (String, String)> {
    match snippet {
        Snippet::Data(_) | Snippet::Nothing => Ok(()),
        Snippet::Map(items) => {
            for (k, v) in items {
                validate_at(v, &path.key(k), scope)?;
            }
            Ok(())
        }
        Snippet::List(items) => {
            for (i, v) in items.iter().enumerate() {
                validate_at(v, &path.index(i), scope)?;
            }
            Ok(())
        }
        Snippet::Call(call) => validate_call(call, scope)
            .map_err(|message| (path.key(call.name).render_validation(), message)),
    }
}

fn validate_call(call: &Call, scope: &dyn Scope) -> Result<(), String> {
    if call.func == Func::Removed {
        return Err(removed_message(call));
    }
    validate(&call.args, &[], scope).map_err(|e| e.render())?;
    check_call(call, scope, None)
}

fn removed_message(call: &Call) -> String {
    format!(
        "The template version is invalid: The function {} is not supported in this version of HOT.",
        call.name
    )
}

/// The checks of [`validate_call`] past the removed-function check and the arguments.
/// `enabled` is the resource name of a `get_attr` when the caller has resolved it and
/// found it an enabled resource already.
fn check_call(call: &Call, scope: &dyn Scope, enabled: Option<&str>) -> Result<(), String> {
    let name = call.name;
    match call.func {
        f if f.is_get_attr() => {
            let (res, attr) = get_attr_parts(call);
            let resolved;
            let res_name = match enabled {
                Some(res_name) => res_name,
                None => {
                    resolved = resolved_name(res, scope).map_err(|e| e.message)?;
                    if !scope.is_enabled_resource(&resolved) {
                        return Err(FnError::bad_reference(&resolved, "unknown").message);
                    }
                    &*resolved
                }
            };
            let Some(attr) = attr else {
                if call.func == Func::GetAttAllAttributes {
                    return Ok(());
                }
                return Ok(());
            };
            let attr_s = resolved_name(attr, scope).map_err(|e| e.message)?;
            {
                if !scope.has_attribute(res_name, &attr_s) {
                    let shown = match res {
                        Snippet::Data(v) => super::pyfmt::str_of(v),
                        other => super::pyfmt::str_of(&other.to_value()),
                    };
                    return Err(format!(
                        "The Referenced Attribute ({shown} {attr_s}) is incorrect."
                    ));
                }
            }
            Ok(())
        }
        Func::Repeat | Func::RepeatWithMap | Func::RepeatWithNestedLoop => {
            if let Snippet::Map(items) = &call.args {
                if let Some((_, for_each)) = items.iter().find(|(k, _)| k == "for_each") {
                    if !matches!(for_each, Snippet::Map(_) | Snippet::Call(_)) {
                        return Err(format!(
                            "The \"for_each\" argument to \"{name}\" must contain a map"
                        ));
                    }
                }
            }
            Ok(())
        }
        Func::MakeUrl => {
            let Snippet::Map(items) = &call.args else {
                return Err(format!("The arguments to \"{name}\" must be a map"));
            };
            let invalid: Vec<&str> = items
                .iter()
                .map(|(k, _)| k.as_str())
                .filter(|k| {
                    !["scheme", "username", "password", "host", "port", "path", "query", "fragment"]
                        .contains(k)
                })
                .collect();
            if !invalid.is_empty() {
                return Err(format!("Invalid arguments to \"{name}\": {}", invalid.join(", ")));
            }
            // Only literal arguments are checked here; calls are checked when evaluated.
            let literal: crate::Map = items
                .iter()
                .filter(|(_, v)| !matches!(v, Snippet::Call(_)))
                .map(|(k, v)| (k.to_string(), v.to_value()))
                .collect();
            hot::make_url_check(name, &literal).map_err(|e| e.message)
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stack::{analyse, Inputs};
    use serde_json::json;

    /// The one walk the analysis makes gives what the two separate walks give: the
    /// same references (or reference error) and the same validation verdict.
    #[test]
    fn references_and_validation_agree_with_the_separate_walks() {
        let template = "heat_template_version: 2016-10-14\nresources:\n  a: {type: OS::Nova::Server, properties: {image: x, flavor: y}}\n  b: {type: OS::Heat::Value, properties: {value: 1}}\n";
        let analysis = analyse(&Inputs { template: template.into(), ..Inputs::default() });
        assert!(analysis.is_ok(), "{:?}", analysis.errors);
        let scope = analysis.scope.as_ref().expect("scope");
        let cases = [
            json!({"x": {"get_attr": ["a", "nosuch"]}}),
            json!({"x": {"list_join": [",", [{"get_attr": ["a", "nosuch"]}]]}}),
            json!({"x": [{"get_resource": "b"}, {"get_attr": ["b", "value"]}, {"get_attr": ["a", "show"]}]}),
            json!({"x": {"get_attr": ["nope", "x"]}}),
            json!({"x": {"get_attr": ["a", "nosuch"]}, "y": {"get_attr": ["nope", "x"]}}),
            json!({"x": {"repeat": {"for_each": [1], "template": "y"}}}),
            json!({"x": {"make_url": {"bogus": 1}}, "y": {"get_attr": ["b", "nosuch"]}}),
            json!({"x": {"str_replace": {"template": {"get_attr": ["b", {"get_resource": "a"}]}, "params": {}}}}),
            json!({"x": {"get_attr": [{"list_join": ["", ["a"]]}, "nosuch"]}}),
        ];
        for raw in &cases {
            let snippet = analysis.parse_value(raw, "r.Properties").expect("parses");
            let (path, vpath) = (Path::root("r.Properties"), Path::root("resources.r.properties"));
            let mut separate = Vec::new();
            let refs = for_each_referenced_resource(&snippet, &path, scope, &mut |n| {
                separate.push(n.to_string());
                scope.is_enabled_resource(n)
            });
            let mut together = Vec::new();
            let both = references_and_validation(&snippet, &path, &vpath, scope, &mut |n| {
                together.push(n.to_string());
                scope.is_enabled_resource(n)
            });
            assert_eq!(separate, together, "{raw}");
            match (refs, both) {
                (Err(a), Err(b)) => assert_eq!(a.message, b.message, "{raw}"),
                (Ok(()), Ok(verdict)) => {
                    assert_eq!(verdict, validate_path(&snippet, &vpath, scope), "{raw}")
                }
                (a, b) => panic!("{raw}: {a:?} vs {b:?}"),
            }
        }
        // The cases reach both kinds of failure.
        let nested = analysis.parse_value(&cases[1], "r").expect("parses");
        let verdict = validate_path(&nested, &Path::root("resources.r.properties"), scope);
        assert_eq!(
            verdict.map_err(|e| e.render()),
            Err("resources.r.properties.x.list_join: [1][0].get_attr: The Referenced Attribute (a nosuch) is incorrect.".to_string())
        );
    }
}
