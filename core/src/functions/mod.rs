//! Heat's intrinsic functions, per template version, with static evaluation.
//!
//! A template section is first *parsed* ([`parse()`]) with the version's function table
//! into a [`Snippet`]: a tree of plain data and [`Call`]s. Parsing is where Heat
//! expands macros (`if`, `Fn::If`: only the chosen branch survives), picks what a CFN
//! `Ref` means (a resource in the template, or a parameter) and rejects malformed
//! arguments. A parsed snippet can then be
//!
//! - walked for the resources it references ([`deps::references`]), as Heat's
//!   `function.dependencies` does;
//! - validated ([`deps::validate`]): removed functions, unknown attributes, ...;
//! - partially evaluated ([`eval::partial`]): every call whose arguments are known is
//!   evaluated with Heat's semantics; run-time calls (`get_resource`, `get_attr`,
//!   `Fn::GetAtt`, `Ref` to a resource, `Fn::GetAZs`, `resource_facade`, the stack id
//!   pseudo parameters) stay as one-key maps, and so does every call that takes one of
//!   them as an argument. A call that fails on known arguments stays in place with an
//!   `"__error__"` key, as in the corpus' `resolved` field.
//!
//! The function tables are Heat 27's (`core/data/versions.json`, derived from
//! shared/heat/functions.json); see [`Func`] for the classes.

mod cfn;
pub mod deps;
pub mod eval;
mod hot;
pub mod parse;
pub mod path;
pub mod pyfmt;
pub mod yaql;

pub use eval::{partial, resolve};
pub use parse::{parse, parse_condition, ParseError};

use crate::Value;

/// A Heat function class (the implementation a function name maps to in a version).
///
/// HOT and CFN share some class names with different behaviour, so CFN variants are
/// prefixed with `Cfn`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Func {
    GetParam,
    GetResource,
    GetAttThenSelect,
    GetAtt,
    GetAttAllAttributes,
    GetFile,
    Join,
    JoinMultiple,
    Replace,
    ReplaceJson,
    ReplaceJsonStrict,
    ReplaceJsonVeryStrict,
    Digest,
    Repeat,
    RepeatWithMap,
    RepeatWithNestedLoop,
    StrSplit,
    MapMerge,
    MapReplace,
    Yaql,
    Equals,
    Not,
    And,
    Or,
    If,
    IfNullable,
    Filter,
    MakeUrl,
    ListConcat,
    ListConcatUnique,
    Contains,
    ResourceFacade,
    /// `hot.functions.Removed`: parses, then fails validation with "not supported in
    /// this version of HOT".
    Removed,
    /// `function.Invalid`: fails as soon as it is parsed ("invalid in this context").
    Invalid,
    CfnFindInMap,
    CfnGetAzs,
    /// CFN `Ref`: a factory that becomes [`Func::GetResource`] when its argument names
    /// a resource of the template (disabled ones included), else [`Func::CfnParamRef`].
    CfnRef,
    CfnParamRef,
    CfnGetAtt,
    CfnSelect,
    CfnJoin,
    CfnSplit,
    CfnReplace,
    CfnBase64,
    CfnMemberListToMap,
    CfnResourceFacade,
    CfnIf,
    CfnEquals,
    CfnNot,
    CfnAnd,
    CfnOr,
}

impl Func {
    /// The function class for a `module.Class` name of versions.json.
    pub fn from_class(class: &str) -> Option<Func> {
        use Func::*;
        Some(match class {
            "hot.GetParam" => GetParam,
            "hot.GetResource" => GetResource,
            "hot.GetAttThenSelect" => GetAttThenSelect,
            "hot.GetAtt" => GetAtt,
            "hot.GetAttAllAttributes" => GetAttAllAttributes,
            "hot.GetFile" => GetFile,
            "hot.Join" => Join,
            "hot.JoinMultiple" => JoinMultiple,
            "hot.Replace" => Replace,
            "hot.ReplaceJson" => ReplaceJson,
            "hot.ReplaceJsonStrict" => ReplaceJsonStrict,
            "hot.ReplaceJsonVeryStrict" => ReplaceJsonVeryStrict,
            "hot.Digest" => Digest,
            "hot.Repeat" => Repeat,
            "hot.RepeatWithMap" => RepeatWithMap,
            "hot.RepeatWithNestedLoop" => RepeatWithNestedLoop,
            "hot.StrSplit" => StrSplit,
            "hot.MapMerge" => MapMerge,
            "hot.MapReplace" => MapReplace,
            "hot.Yaql" => Yaql,
            "hot.Equals" => Equals,
            "hot.Not" => Not,
            "hot.And" => And,
            "hot.Or" => Or,
            "hot.If" => If,
            "hot.IfNullable" => IfNullable,
            "hot.Filter" => Filter,
            "hot.MakeURL" => MakeUrl,
            "hot.ListConcat" => ListConcat,
            "hot.ListConcatUnique" => ListConcatUnique,
            "hot.Contains" => Contains,
            "hot.ResourceFacade" => ResourceFacade,
            "hot.Removed" => Removed,
            "function.Invalid" => Invalid,
            "cfn.FindInMap" => CfnFindInMap,
            "cfn.GetAZs" => CfnGetAzs,
            "cfn.Ref" => CfnRef,
            "cfn.ParamRef" => CfnParamRef,
            "cfn.GetAtt" => CfnGetAtt,
            "cfn.Select" => CfnSelect,
            "cfn.Join" => CfnJoin,
            "cfn.Split" => CfnSplit,
            "cfn.Replace" => CfnReplace,
            "cfn.Base64" => CfnBase64,
            "cfn.MemberListToMap" => CfnMemberListToMap,
            "cfn.ResourceFacade" => CfnResourceFacade,
            "cfn.If" => CfnIf,
            "cfn.Equals" => CfnEquals,
            "cfn.Not" => CfnNot,
            "cfn.And" => CfnAnd,
            "cfn.Or" => CfnOr,
            _ => return None,
        })
    }

    /// Whether the class is a macro, expanded while parsing (`if`, `Fn::If`).
    pub fn is_macro(self) -> bool {
        matches!(self, Func::If | Func::IfNullable | Func::CfnIf)
    }

    /// Whether the class is one of the `get_attr` / `Fn::GetAtt` variants.
    pub fn is_get_attr(self) -> bool {
        matches!(
            self,
            Func::GetAttThenSelect | Func::GetAtt | Func::GetAttAllAttributes | Func::CfnGetAtt
        )
    }

    /// Whether a call of this class only has a value once the stack runs (kept
    /// symbolic by static evaluation, whatever its arguments).
    pub fn is_runtime(self) -> bool {
        self.is_get_attr()
            || matches!(
                self,
                Func::GetResource
                    | Func::ResourceFacade
                    | Func::CfnResourceFacade
                    | Func::CfnGetAzs
            )
    }
}

/// A parsed template snippet: plain data with function calls in it.
#[derive(Debug, Clone, PartialEq)]
pub enum Snippet {
    /// A scalar (string, number, boolean or null).
    Data(Value),
    /// A mapping, in template order.
    Map(Vec<(Key, Snippet)>),
    /// A list.
    List(Vec<Snippet>),
    /// A function call.
    Call(Box<Call>),
    /// What a 2021-04-16 `if` without an else branch gives when its condition is
    /// false: the enclosing key or list item disappears (Python's `Ellipsis` in Heat).
    Nothing,
}

/// A key of a [`Snippet::Map`]: a string kept inline up to 24 bytes, as nearly every
/// key of a template is (one allocation fewer per key of a large template).
pub type Key = compact_str::CompactString;

/// One function call in a parsed snippet.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The function name as written (`get_attr`, `Fn::GetAtt`, `Ref`, ...), as the
    /// version's function table holds it.
    pub name: &'static str,
    /// The class it resolved to in this version.
    pub func: Func,
    /// The parsed arguments.
    pub args: Snippet,
}

impl Snippet {
    /// The snippet back in template syntax (calls as one-key maps).
    pub fn to_value(&self) -> Value {
        match self {
            Snippet::Data(v) => v.clone(),
            Snippet::Map(items) => Value::Object(
                items
                    .iter()
                    .filter(|(_, v)| !matches!(v, Snippet::Nothing))
                    .map(|(k, v)| (k.to_string(), v.to_value()))
                    .collect(),
            ),
            Snippet::List(items) => Value::Array(
                items
                    .iter()
                    .filter(|v| !matches!(v, Snippet::Nothing))
                    .map(Snippet::to_value)
                    .collect(),
            ),
            Snippet::Call(call) => {
                let mut m = crate::Map::new();
                m.insert(call.name.to_string(), call.args.to_value());
                Value::Object(m)
            }
            Snippet::Nothing => Value::Null,
        }
    }

    /// Whether the snippet contains no function call.
    pub fn is_static(&self) -> bool {
        match self {
            Snippet::Data(_) | Snippet::Nothing => true,
            Snippet::Map(items) => items.iter().all(|(_, v)| v.is_static()),
            Snippet::List(items) => items.iter().all(Snippet::is_static),
            Snippet::Call(_) => false,
        }
    }
}

/// The [`FnError::kind`] of a call heat-sync cannot evaluate statically although
/// Heat could (see docs/heat-gaps.md): static evaluation keeps it symbolic, without
/// an `__error__`.
pub const UNSUPPORTED: &str = "Unsupported";

/// An error raised by a function, as Heat's exception class and message
/// (`{"__error__": "ValueError: ..."}` in resolved values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnError {
    /// The Python exception class Heat raises (`ValueError`, `TypeError`,
    /// `UserParameterMissing`, `InvalidTemplateReference`, ...).
    pub kind: &'static str,
    /// Heat's message.
    pub message: String,
}

impl FnError {
    /// A `ValueError`.
    pub fn value(message: impl Into<String>) -> Self {
        FnError { kind: "ValueError", message: message.into() }
    }
    /// A `TypeError`.
    pub fn type_error(message: impl Into<String>) -> Self {
        FnError { kind: "TypeError", message: message.into() }
    }
    /// A `KeyError` (Python shows its message quoted).
    pub fn key(message: impl Into<String>) -> Self {
        FnError { kind: "KeyError", message: message.into() }
    }
    /// An error of another Heat exception class.
    pub fn other(kind: &'static str, message: impl Into<String>) -> Self {
        FnError { kind, message: message.into() }
    }
    /// `The specified reference "X" (in KEY) is incorrect.`
    pub fn bad_reference(resource: &str, key: &str) -> Self {
        FnError::other(
            "InvalidTemplateReference",
            format!("The specified reference \"{resource}\" (in {key}) is incorrect."),
        )
    }
    /// The `"__error__"` text: `Class: message` (Python shows a `KeyError`'s message
    /// quoted).
    pub fn tagged(&self) -> String {
        format!("{}: {}", self.kind, self.python_message())
    }

    /// `str()` of the Python exception.
    pub fn python_message(&self) -> String {
        if self.kind == "KeyError" {
            pyfmt::repr_str(&self.message)
        } else {
            self.message.clone()
        }
    }
}

impl std::fmt::Display for FnError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// What function evaluation needs from the stack being read.
///
/// Implemented by the stack pipeline ([`crate::stack`]); the compile engineer's code
/// uses it through [`crate::stack::Analysis::resolve_value`].
pub trait Scope {
    /// The template version's function table.
    fn version(&self) -> &'static crate::template::Version;
    /// A parameter's typed value (pseudo parameters included), or Heat's error
    /// (`UserParameterMissing`).
    fn param(&self, name: &str) -> Result<Value, FnError>;
    /// Whether the template (or Heat, for pseudo parameters) declares parameter `name`.
    fn declares_param(&self, name: &str) -> bool;
    /// Whether `name` is a resource in the template's resources section (disabled
    /// ones included): what a CFN `Ref` checks.
    fn has_resource(&self, name: &str) -> bool;
    /// Whether `name` is an enabled resource (a node of the graph).
    fn is_enabled_resource(&self, name: &str) -> bool;
    /// Heat's `Conditions.is_enabled`: a boolean as is, a condition name evaluated.
    fn condition(&self, name: &Value) -> Result<bool, FnError>;
    /// A file of the files map (`get_file`).
    fn file(&self, name: &str) -> Option<&str>;
    /// The CFN `Mappings` section.
    fn mappings(&self) -> Option<&Value>;
    /// Whether `get_attr` may name attribute `attr` of `resource`.
    fn has_attribute(&self, resource: &str, attr: &str) -> bool {
        let _ = (resource, attr);
        true
    }
}
