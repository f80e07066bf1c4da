//! Hidden parameter values kept out of what heat-sync prints: the `resolved` section of
//! `heat-sync graph --format json` shows every value that derives from a hidden
//! parameter as `******` (contracts.md), as Heat's API shows the parameter itself.
//!
//! "Derives" is decided on the snippet, not on the value: a function call that reads a
//! hidden parameter anywhere in its arguments is tainted, and its result is masked. In
//! a tainted string the hidden value is replaced where it stands
//! (`mysql://app:******@db`); a tainted result that does not contain the value (a
//! digest, a length, a part of a split) is masked whole. Literal text that happens to
//! equal a hidden value is not derived from it and stays.

use super::StackScope;
use crate::functions::eval::partial;
use crate::functions::{Func, Snippet};
use crate::template::Parameters;
use crate::{Map, Value};

/// How a hidden value is shown.
pub const MASK: &str = "******";

/// The hidden parameters of one stack and the texts their values show as.
pub(super) struct Hidden<'a> {
    params: &'a Parameters,
    /// Every non-empty text a hidden value can appear as in a resolved string, longest
    /// first (so that a value containing another is replaced whole).
    texts: Vec<String>,
}

impl<'a> Hidden<'a> {
    pub(super) fn new(params: &'a Parameters) -> Self {
        let mut texts = Vec::new();
        for p in params.params.values().filter(|p| p.schema.hidden) {
            if let Some(raw) = p.raw_value() {
                collect_texts(raw, &mut texts);
            }
            if let Ok(typed) = p.value() {
                collect_texts(&typed, &mut texts);
            }
        }
        texts.retain(|t| !t.is_empty());
        texts.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        texts.dedup();
        Hidden { params, texts }
    }

    /// Whether the stack has a hidden parameter at all (nothing to mask otherwise).
    pub(super) fn any(&self) -> bool {
        self.params.params.values().any(|p| p.schema.hidden)
    }

    /// Whether `snippet` reads a hidden parameter anywhere. A parameter named by a
    /// computed expression counts as hidden: its name is not known here.
    fn read_by(&self, snippet: &Snippet) -> bool {
        match snippet {
            Snippet::Data(_) | Snippet::Nothing => false,
            Snippet::Map(items) => items.iter().any(|(_, v)| self.read_by(v)),
            Snippet::List(items) => items.iter().any(|v| self.read_by(v)),
            Snippet::Call(call) if matches!(call.func, Func::GetParam | Func::CfnParamRef) => {
                let name = match &call.args {
                    Snippet::List(items) => items.first(),
                    other => Some(other),
                };
                match name {
                    Some(Snippet::Data(Value::String(n))) => self.params.is_hidden(n),
                    _ => true,
                }
            }
            Snippet::Call(call) => self.read_by(&call.args),
        }
    }

    /// A tainted result as it may be shown: the hidden texts replaced in its strings,
    /// or [`MASK`] when none of them is there to replace.
    fn mask_result(&self, value: Value) -> Value {
        let mut replaced = false;
        let value = self.replace(value, &mut replaced);
        if replaced {
            value
        } else {
            Value::String(MASK.into())
        }
    }

    fn replace(&self, value: Value, replaced: &mut bool) -> Value {
        match value {
            Value::String(s) => Value::String(self.replace_text(s, replaced)),
            Value::Array(items) => {
                Value::Array(items.into_iter().map(|v| self.replace(v, replaced)).collect())
            }
            Value::Object(map) => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (self.replace_text(k, replaced), self.replace(v, replaced)))
                    .collect(),
            ),
            other => other,
        }
    }

    /// A message with every hidden text in it replaced by [`MASK`] (Heat quotes a
    /// parameter's value when it cannot type it).
    pub(super) fn scrub(&self, message: &str) -> String {
        self.replace_text(message.to_owned(), &mut false)
    }

    fn replace_text(&self, mut s: String, replaced: &mut bool) -> String {
        for t in &self.texts {
            if s.contains(t.as_str()) {
                s = s.replace(t.as_str(), MASK);
                *replaced = true;
            }
        }
        s
    }

    /// `partial_value(snippet)` with every part derived from a hidden parameter masked.
    pub(super) fn partial_value(&self, snippet: &Snippet, scope: &StackScope) -> Value {
        self.partial(snippet, scope).unwrap_or(Value::Null)
    }

    /// The masked partial evaluation; `None` when the snippet vanishes. Mirrors
    /// [`partial`]: maps and lists are walked so that only tainted calls are masked.
    fn partial(&self, snippet: &Snippet, scope: &StackScope) -> Option<Value> {
        match snippet {
            Snippet::Map(items) => Some(Value::Object(
                items
                    .iter()
                    .filter_map(|(k, v)| self.partial(v, scope).map(|v| (k.to_string(), v)))
                    .collect(),
            )),
            Snippet::List(items) => {
                Some(Value::Array(items.iter().filter_map(|v| self.partial(v, scope)).collect()))
            }
            Snippet::Call(call) if self.read_by(snippet) => {
                let evaluated = partial(snippet, scope);
                if evaluated.known {
                    return evaluated.value.map(|v| self.mask_result(v));
                }
                // Kept symbolic (a run-time call, or an error): its form, with the
                // arguments masked the same way and the error message scrubbed.
                let mut form = Map::new();
                form.insert(
                    call.name.to_string(),
                    self.partial(&call.args, scope).unwrap_or_default(),
                );
                if let Some(Value::String(error)) =
                    evaluated.value.as_ref().and_then(|v| v.get("__error__"))
                {
                    let text = self.replace_text(error.clone(), &mut false);
                    form.insert("__error__".into(), Value::String(text));
                }
                Some(Value::Object(form))
            }
            _ => partial(snippet, scope).value,
        }
    }
}

/// The texts a parameter value shows as: a string itself, a number or boolean as
/// written, a list's items, a JSON value's text and each of its scalars.
fn collect_texts(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Null => {}
        Value::String(s) => out.push(s.clone()),
        Value::Number(_) | Value::Bool(_) => out.push(value.to_string()),
        Value::Array(items) => {
            out.push(value.to_string());
            items.iter().for_each(|v| collect_texts(v, out));
        }
        Value::Object(map) => {
            out.push(value.to_string());
            map.values().for_each(|v| collect_texts(v, out));
        }
    }
}
