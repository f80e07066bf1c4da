//! Heat's template parser (`heat.engine.template.parse`): one-key maps naming a
//! function of the version's table become calls, macros are expanded, and each
//! function class checks its arguments as its constructor does in Heat.

use super::path::Path;
use super::{pyfmt, Call, FnError, Func, Scope, Snippet};
use crate::template::node::{Kind, Node};
use crate::Value;

/// A parse failure: Heat's `StackValidationFailed(path=..., message=...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The template path of the failing call (`resources.r.properties.a.get_attr`).
    pub path: String,
    /// Heat's message.
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// Parses `raw` with the version's function table. `path` is the template path of
/// `raw`, used in messages.
pub fn parse(raw: &Value, path: &str, scope: &dyn Scope) -> Result<Snippet, ParseError> {
    Parser { table: &scope.version().functions, scope }.parse(raw, &Path::root(path))
}

/// [`parse`] with the path of `raw` given unrendered (rendered only for a message), on
/// any parsed node (a [`Value`] or a node of the fast YAML path's document).
pub fn parse_at<'r>(
    raw: impl Node<'r>,
    path: &Path<'_>,
    scope: &dyn Scope,
) -> Result<Snippet, ParseError> {
    Parser { table: &scope.version().functions, scope }.parse(raw, path)
}

/// [`parse_condition`] with the path of `raw` given unrendered, on any parsed node.
pub fn parse_condition_at<'r>(
    raw: impl Node<'r>,
    path: &Path<'_>,
    scope: &dyn Scope,
) -> Result<Snippet, ParseError> {
    Parser { table: &scope.version().condition_functions, scope }.parse(raw, path)
}

/// Parses `raw` with the version's condition function table (the conditions section
/// and `condition` fields).
pub fn parse_condition(raw: &Value, path: &str, scope: &dyn Scope) -> Result<Snippet, ParseError> {
    Parser { table: &scope.version().condition_functions, scope }.parse(raw, &Path::root(path))
}

struct Parser<'a> {
    table: &'static crate::template::version::FunctionTable,
    scope: &'a dyn Scope,
}

/// The message Python shows for an exception raised in a constructor.
fn message(e: FnError) -> String {
    e.python_message()
}

impl Parser<'_> {
    fn parse<'r>(&self, raw: impl Node<'r>, path: &Path<'_>) -> Result<Snippet, ParseError> {
        match raw.kind() {
            Kind::Map => {
                if raw.len() == 1 {
                    let (name, args) = raw.entries().next().expect("one entry");
                    if let Some((name, &func)) = self.table.get_key_value(name) {
                        let fpath = path.key(name);
                        let wrap =
                            |e: FnError| ParseError { path: fpath.render(), message: message(e) };
                        if func.is_macro() {
                            return self.expand_if(func, name, args, &fpath).map_err(|e| match e {
                                Expand::Fn(e) => wrap(e),
                                Expand::Parse(p) => p,
                            });
                        }
                        let parsed = self.parse(args, &fpath)?;
                        let func = self.factory(func, &parsed).map_err(wrap)?;
                        check_args(func, name, &parsed).map_err(wrap)?;
                        return Ok(Snippet::Call(Box::new(Call { name, func, args: parsed })));
                    }
                }
                let mut items = Vec::with_capacity(raw.len());
                for (k, v) in raw.entries() {
                    items.push((k.into(), self.parse(v, &path.key(k))?));
                }
                Ok(Snippet::Map(items))
            }
            Kind::List => {
                let mut items = Vec::with_capacity(raw.len());
                for (i, v) in raw.items().enumerate() {
                    items.push(self.parse(v, &path.index(i))?);
                }
                Ok(Snippet::List(items))
            }
            _ => Ok(Snippet::Data(raw.to_value())),
        }
    }

    /// CFN `Ref` picks its class from its argument.
    fn factory(&self, func: Func, args: &Snippet) -> Result<Func, FnError> {
        if func != Func::CfnRef {
            return Ok(func);
        }
        match args {
            Snippet::Data(Value::String(s)) if self.scope.has_resource(s) => Ok(Func::GetResource),
            Snippet::Map(_) | Snippet::List(_) => Err(FnError::type_error(format!(
                "unhashable type: '{}'",
                if matches!(args, Snippet::Map(_)) { "dict" } else { "list" }
            ))),
            _ => Ok(Func::CfnParamRef),
        }
    }

    fn expand_if<'r>(
        &self,
        func: Func,
        name: &str,
        args: impl Node<'r>,
        path: &Path<'_>,
    ) -> Result<Snippet, Expand> {
        let form = || {
            FnError::value(format!(
                "Arguments to \"{name}\" must be of the form: [condition_name, value_if_true, \
                 value_if_false]"
            ))
        };
        if args.kind() != Kind::List {
            return Err(Expand::Fn(form()));
        }
        let list: Vec<_> = args.items().collect();
        let (cond, yes, no) = match (func, list.as_slice()) {
            (_, &[c, y, n]) => (c, y, Some(n)),
            (Func::IfNullable, &[c, y]) => (c, y, None),
            _ => return Err(Expand::Fn(form())),
        };
        let parsed = Parser { table: &self.scope.version().condition_functions, scope: self.scope }
            .parse(cond, &Path::root(name))
            .map_err(Expand::Parse)?;
        let resolved = super::eval::resolve(&parsed, self.scope).map_err(Expand::Fn)?;
        let chosen = self.scope.condition(&resolved).map_err(Expand::Fn)?;
        match (chosen, no) {
            (true, _) => self.parse(yes, path).map_err(Expand::Parse),
            (false, Some(n)) => self.parse(n, path).map_err(Expand::Parse),
            (false, None) => Ok(Snippet::Nothing),
        }
    }
}

enum Expand {
    Fn(FnError),
    Parse(ParseError),
}

/// The items of a snippet as Python would unpack it (`a, b = args`).
fn unpack(args: &Snippet) -> Result<Vec<Snippet>, FnError> {
    match args {
        Snippet::List(items) => Ok(items.clone()),
        Snippet::Data(Value::String(s)) => {
            Ok(s.chars().map(|c| Snippet::Data(Value::String(c.to_string()))).collect())
        }
        Snippet::Map(items) => {
            Ok(items.iter().map(|(k, _)| Snippet::Data(Value::String(k.to_string()))).collect())
        }
        Snippet::Data(v) => Err(FnError::type_error(format!(
            "cannot unpack non-iterable {} object",
            crate::template::sections::py_type(v)
        ))),
        Snippet::Call(_) | Snippet::Nothing => {
            Err(FnError::type_error("cannot unpack non-iterable function object"))
        }
    }
}

fn unpack_n(args: &Snippet, n: usize, err: impl Fn() -> FnError) -> Result<Vec<Snippet>, FnError> {
    let items = unpack(args).map_err(|_| err())?;
    if items.len() == n {
        Ok(items)
    } else {
        Err(err())
    }
}

fn is_sequence(s: &Snippet) -> bool {
    matches!(s, Snippet::List(_) | Snippet::Data(Value::String(_)))
}

fn map_get<'s>(args: &'s Snippet, key: &str) -> Option<&'s Snippet> {
    match args {
        Snippet::Map(items) => items.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// The argument checks each function class makes in its constructor.
fn check_args(func: Func, name: &str, args: &Snippet) -> Result<(), FnError> {
    use Func::*;
    let is_list = matches!(args, Snippet::List(_));
    let len = match args {
        Snippet::List(items) => items.len(),
        _ => 0,
    };
    match func {
        GetAttThenSelect | GetAtt => {
            if !is_list {
                return Err(FnError::type_error(format!("Argument to \"{name}\" must be a list")));
            }
            if len < 2 {
                return Err(FnError::value(format!(
                    "Arguments to \"{name}\" must be of the form [resource_name, attribute, (path), ...]"
                )));
            }
        }
        GetAttAllAttributes => {
            let empty = match args {
                Snippet::List(items) => items.is_empty(),
                Snippet::Data(v) => !pyfmt::truthy(v),
                Snippet::Map(items) => items.is_empty(),
                _ => false,
            };
            if empty {
                return Err(FnError::value(format!(
                    "Arguments to \"{name}\" can be of the next forms: [resource_name] or \
                     [resource_name, attribute, (path), ...]"
                )));
            }
            if !is_sequence(args) {
                return Err(FnError::type_error(format!("Argument to \"{name}\" must be a list")));
            }
            if !is_list && matches!(args, Snippet::Data(Value::String(s)) if s.chars().count() > 1)
            {
                return Err(FnError::type_error(format!("Argument to \"{name}\" must be a list")));
            }
        }
        CfnGetAtt => {
            unpack_n(args, 2, || {
                FnError::value(format!(
                    "Arguments to \"{name}\" must be of the form [resource_name, attribute]"
                ))
            })?;
        }
        Replace | ReplaceJson | ReplaceJsonStrict | ReplaceJsonVeryStrict => {
            if !matches!(args, Snippet::Map(_)) {
                return Err(FnError::type_error(format!("Arguments to \"{name}\" must be a map")));
            }
            let (Some(params), Some(_)) = (map_get(args, "params"), map_get(args, "template"))
            else {
                return Err(FnError::key(format!(
                    "\"{name}\" syntax should be {name}:\n              template: This is var1 \
                     template var2\n              params:\n                var1: a\n                \
                     var2: string"
                )));
            };
            if !matches!(params, Snippet::Map(_) | Snippet::Call(_)) {
                return Err(FnError::type_error(format!(
                    "\"{name}\" parameters must be a mapping"
                )));
            }
        }
        CfnReplace => {
            let example = format!(
                "{{\"{name}\": [ {{\"$var1\": \"foo\", \"%var2%\": \"bar\"}}, \"$var1 is %var2%\"]}}"
            );
            let msg = format!("Incorrect arguments to \"{name}\" should be: {example}");
            if matches!(args, Snippet::Map(_) | Snippet::Data(Value::String(_))) {
                return Err(FnError::type_error(msg));
            }
            let items = unpack_n(args, 2, || FnError::value(msg.clone()))?;
            if !matches!(items[0], Snippet::Map(_) | Snippet::Call(_)) {
                return Err(FnError::type_error(format!(
                    "\"{name}\" parameters must be a mapping"
                )));
            }
        }
        Join | CfnJoin => {
            let msg = format!("Incorrect arguments to \"{name}\" should be: \"{name}\" : [ \" \", [ \"str1\", \"str2\"]]");
            if !is_list {
                return Err(FnError::type_error(msg));
            }
            if len != 2 {
                return Err(FnError::value(msg));
            }
        }
        JoinMultiple => {
            let msg = format!(
                "Incorrect arguments to \"{name}\" should be: \"{name}\" : [ \" \", [ \"str1\", \"str2\"] ...]"
            );
            if !is_list {
                return Err(FnError::type_error(msg));
            }
            if len < 2 {
                return Err(FnError::value(msg));
            }
        }
        ResourceFacade | CfnResourceFacade => {
            let allowed: [&str; 3] = if func == ResourceFacade {
                ["metadata", "deletion_policy", "update_policy"]
            } else {
                ["Metadata", "DeletionPolicy", "UpdatePolicy"]
            };
            let ok =
                matches!(args, Snippet::Data(Value::String(s)) if allowed.contains(&s.as_str()));
            if !ok {
                return Err(FnError::value(format!(
                    "Incorrect arguments to \"{name}\" should be one of: {}",
                    allowed.join(", ")
                )));
            }
        }
        Repeat | RepeatWithMap | RepeatWithNestedLoop => {
            if !matches!(args, Snippet::Map(_)) {
                return Err(FnError::type_error(format!("Arguments to \"{name}\" must be a map")));
            }
            if map_get(args, "for_each").is_none() || map_get(args, "template").is_none() {
                return Err(FnError::key(
                    "\"repeat\" syntax should be repeat:\n              template: This is %var%\n              \
                     for_each:\n                %var%: ['a', 'b', 'c']",
                ));
            }
            if func == RepeatWithNestedLoop {
                if let Some(p) = map_get(args, "permutations") {
                    if !matches!(p, Snippet::Data(Value::Bool(_))) {
                        return Err(FnError::type_error(format!(
                            "\"permutations\" should be boolean type for {name} function."
                        )));
                    }
                }
            }
        }
        StrSplit | CfnSplit => {
            let example = if func == StrSplit {
                format!("\"{name}\" : [ \",\", \"apples,pears\", <index>]")
            } else {
                format!("\"{name}\" : [ \",\", \"str1,str2\"]]")
            };
            let msg = format!("Incorrect arguments to \"{name}\" should be: {example}");
            if matches!(args, Snippet::Map(_) | Snippet::Data(Value::String(_))) {
                return Err(FnError::type_error(msg));
            }
            if func == CfnSplit {
                unpack_n(args, 2, || FnError::value(msg.clone()))?;
            }
        }
        Yaql => {
            if !matches!(args, Snippet::Map(_)) {
                return Err(FnError::type_error(format!("Arguments to \"{name}\" must be a map.")));
            }
            let Snippet::Map(items) = args else { unreachable!() };
            let ok = map_get(args, "expression").is_some()
                && items.iter().all(|(k, _)| k == "expression" || k == "data");
            if !ok {
                return Err(FnError::key(format!(
                    "\"{name}\" syntax should be {name}:\n              expression: $.data.var1.sum()\n              \
                     data:\n                var1: [3, 2, 1]"
                )));
            }
        }
        Equals | CfnEquals if !is_list || len != 2 => {
            return Err(FnError::value(format!(
                "Arguments to \"{name}\" must be of the form: [value_1, value_2]"
            )));
        }
        Not => {
            if matches!(args, Snippet::Data(Value::Null)) {
                return Err(FnError::value(format!("Argument to \"{name}\" must be a condition")));
            }
        }
        CfnNot if !is_list || len != 1 => {
            return Err(FnError::value(format!(
                "Arguments to \"{name}\" must be of the form: [condition]"
            )));
        }
        And | Or | CfnAnd | CfnOr => {
            if !is_sequence(args) {
                return Err(FnError::value(format!(
                    "Arguments to \"{name}\" must be a list of conditions"
                )));
            }
            if len < 2 {
                return Err(FnError::value(format!(
                    "The minimum number of condition arguments to \"{name}\" is 2."
                )));
            }
        }
        Filter => {
            if !is_sequence(args) {
                return Err(FnError::type_error(format!("Argument to \"{name}\" must be a list")));
            }
            if len != 2 {
                return Err(FnError::value(format!(
                    "\"{name}\" expected 2 arguments of the form [values, sequence] but got {len} \
                     arguments instead"
                )));
            }
        }
        Contains => {
            let msg = format!(
                "Incorrect arguments to \"{name}\" should be: \"{name}\" : [ \"value1\", [ \"value1\", \"value2\"]]"
            );
            if !is_list || len == 0 {
                return Err(FnError::type_error(msg));
            }
            if len != 2 {
                return Err(FnError::value(format!(
                    "Arguments to \"{name}\" must be of the form: [value1, [value1, value2]]"
                )));
            }
        }
        Invalid => {
            return Err(FnError::value(format!(
                "The function \"{name}\" is invalid in this context"
            )));
        }
        CfnFindInMap => {
            unpack_n(args, 3, || {
                FnError::key(format!(
                    "{} values to unpack (expected 3)",
                    if unpack(args).map(|v| v.len()).unwrap_or(0) > 3 {
                        "too many"
                    } else {
                        "not enough"
                    }
                ))
            })?;
        }
        CfnSelect => {
            unpack_n(args, 2, || {
                FnError::value(format!(
                    "Arguments to \"{name}\" must be of the form [index, collection]"
                ))
            })?;
        }
        CfnMemberListToMap => {
            let items = unpack_n(args, 3, || {
                FnError::type_error("Wrong Arguments try: \"\n            {'Fn::MemberListToMap': ['Name', 'Value',\n                                     ['.member.0.Name=key',\n                                      '.member.0.Value=door']]}\n            \"")
            })?;
            if !matches!(items[0], Snippet::Data(Value::String(_))) {
                return Err(FnError::type_error(format!("{name} Key Name must be a string")));
            }
            if !matches!(items[1], Snippet::Data(Value::String(_))) {
                return Err(FnError::type_error(format!("{name} Value Name must be a string")));
            }
        }
        _ => {}
    }
    Ok(())
}
