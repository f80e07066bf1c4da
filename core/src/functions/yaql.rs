//! A subset of yaql, the query language of Heat's `yaql` function.
//!
//! It covers what templates commonly write: `$`/`$name` variables, member access,
//! indexing, method and function calls (`max`, `min`, `sum`, `len`, `select`,
//! `where`, `startsWith`, `split`, `rightSplit`, `join`, `concat`, `str`, `int`,
//! `coalesce`, `range`, `get`, `keys`, `values`, `format`, ...), keyword arguments,
//! `let(...) -> expr`, arithmetic, comparisons and boolean operators. Anything else is
//! [`Unsupported`]: the call then stays symbolic, as the gap list (docs/heat-gaps.md)
//! says, instead of giving a wrong value.

use super::pyfmt::{py_eq, truthy};
use crate::{Map, Value};

/// An expression this subset does not evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

type R<T> = Result<T, Unsupported>;

fn unsupported<T>(what: impl Into<String>) -> R<T> {
    Err(Unsupported(what.into()))
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(Value),
    Str(String),
    Ident(String),
    Var(String),
    Op(&'static str),
}

fn tokenize(s: &str) -> R<Vec<Tok>> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            let mut float = false;
            if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
                float = true;
                i += 1;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let text: String = chars[start..i].iter().collect();
            let v = if float {
                serde_json::Number::from_f64(text.parse().map_err(|_| Unsupported(text.clone()))?)
                    .map(Value::Number)
            } else {
                text.parse::<i64>().ok().map(Value::from)
            };
            out.push(Tok::Num(v.ok_or(Unsupported(text))?));
            continue;
        }
        if c == '"' || c == '\'' {
            let mut text = String::new();
            i += 1;
            while i < chars.len() && chars[i] != c {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                    text.push(match chars[i] {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                } else {
                    text.push(chars[i]);
                }
                i += 1;
            }
            if i >= chars.len() {
                return unsupported("unterminated string");
            }
            i += 1;
            out.push(Tok::Str(text));
            continue;
        }
        if c == '$' || c.is_alphabetic() || c == '_' {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            if let Some(var) = text.strip_prefix('$') {
                out.push(Tok::Var(var.to_string()));
            } else {
                out.push(Tok::Ident(text));
            }
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let op: &'static str = match two.as_str() {
            "->" => "->",
            "=>" => "=>",
            "!=" => "!=",
            "<=" => "<=",
            ">=" => ">=",
            _ => match c {
                '=' => "=",
                '<' => "<",
                '>' => ">",
                '+' => "+",
                '-' => "-",
                '*' => "*",
                '/' => "/",
                '.' => ".",
                ',' => ",",
                '(' => "(",
                ')' => ")",
                '[' => "[",
                ']' => "]",
                '{' => "{",
                '}' => "}",
                other => return unsupported(format!("character {other}")),
            },
        };
        i += op.len();
        out.push(Tok::Op(op));
    }
    Ok(out)
}

#[derive(Debug, Clone)]
enum Expr {
    Lit(Value),
    Var(String),
    Member(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Call { name: String, receiver: Option<Box<Expr>>, args: Vec<Expr>, kwargs: Vec<(String, Expr)> },
    List(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Neg(Box<Expr>),
}

/// Positional and keyword arguments of a call.
type Args = (Vec<Expr>, Vec<(String, Expr)>);

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Some(Tok::Op(o)) if *o == op)
    }
    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(i)) if i == w)
    }
    fn expect(&mut self, op: &str) -> R<()> {
        if self.is_op(op) {
            self.pos += 1;
            Ok(())
        } else {
            unsupported(format!("expected {op}"))
        }
    }

    fn expr(&mut self) -> R<Expr> {
        let left = self.or()?;
        if self.is_op("->") {
            self.pos += 1;
            let right = self.expr()?;
            return Ok(Expr::Binary("->", Box::new(left), Box::new(right)));
        }
        Ok(left)
    }
    fn or(&mut self) -> R<Expr> {
        let mut l = self.and()?;
        while self.is_word("or") {
            self.pos += 1;
            l = Expr::Binary("or", Box::new(l), Box::new(self.and()?));
        }
        Ok(l)
    }
    fn and(&mut self) -> R<Expr> {
        let mut l = self.not()?;
        while self.is_word("and") {
            self.pos += 1;
            l = Expr::Binary("and", Box::new(l), Box::new(self.not()?));
        }
        Ok(l)
    }
    fn not(&mut self) -> R<Expr> {
        if self.is_word("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.not()?)));
        }
        self.cmp()
    }
    fn cmp(&mut self) -> R<Expr> {
        let mut l = self.add()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Op(o @ ("=" | "!=" | "<" | ">" | "<=" | ">="))) => *o,
                Some(Tok::Ident(w)) if w == "in" => "in",
                _ => return Ok(l),
            };
            self.pos += 1;
            l = Expr::Binary(op, Box::new(l), Box::new(self.add()?));
        }
    }
    fn add(&mut self) -> R<Expr> {
        let mut l = self.mul()?;
        while self.is_op("+") || self.is_op("-") {
            let op = if self.is_op("+") { "+" } else { "-" };
            self.pos += 1;
            l = Expr::Binary(op, Box::new(l), Box::new(self.mul()?));
        }
        Ok(l)
    }
    fn mul(&mut self) -> R<Expr> {
        let mut l = self.unary()?;
        loop {
            let op = if self.is_op("*") {
                "*"
            } else if self.is_op("/") {
                "/"
            } else if self.is_word("mod") {
                "mod"
            } else {
                return Ok(l);
            };
            self.pos += 1;
            l = Expr::Binary(op, Box::new(l), Box::new(self.unary()?));
        }
    }
    fn unary(&mut self) -> R<Expr> {
        if self.is_op("-") {
            self.pos += 1;
            return Ok(Expr::Neg(Box::new(self.unary()?)));
        }
        self.postfix()
    }
    fn args(&mut self) -> R<Args> {
        let (mut args, mut kwargs) = (Vec::new(), Vec::new());
        if self.is_op(")") {
            self.pos += 1;
            return Ok((args, kwargs));
        }
        loop {
            if let (Some(Tok::Ident(name)), Some(Tok::Op("=>"))) =
                (self.toks.get(self.pos), self.toks.get(self.pos + 1))
            {
                let name = name.clone();
                self.pos += 2;
                kwargs.push((name, self.expr()?));
            } else {
                args.push(self.expr()?);
            }
            if self.is_op(",") {
                self.pos += 1;
                continue;
            }
            self.expect(")")?;
            return Ok((args, kwargs));
        }
    }
    fn postfix(&mut self) -> R<Expr> {
        let mut e = self.primary()?;
        loop {
            if self.is_op(".") {
                self.pos += 1;
                let Some(Tok::Ident(name)) = self.peek().cloned() else {
                    return unsupported("member name");
                };
                self.pos += 1;
                if self.is_op("(") {
                    self.pos += 1;
                    let (args, kwargs) = self.args()?;
                    e = Expr::Call { name, receiver: Some(Box::new(e)), args, kwargs };
                } else {
                    e = Expr::Member(Box::new(e), name);
                }
            } else if self.is_op("[") {
                self.pos += 1;
                let idx = self.expr()?;
                self.expect("]")?;
                e = Expr::Index(Box::new(e), Box::new(idx));
            } else {
                return Ok(e);
            }
        }
    }
    fn primary(&mut self) -> R<Expr> {
        let Some(t) = self.peek().cloned() else { return unsupported("unexpected end") };
        self.pos += 1;
        Ok(match t {
            Tok::Num(v) => Expr::Lit(v),
            Tok::Str(s) => Expr::Lit(Value::String(s)),
            Tok::Var(v) => Expr::Var(v),
            Tok::Ident(w) => match w.as_str() {
                "true" => Expr::Lit(Value::Bool(true)),
                "false" => Expr::Lit(Value::Bool(false)),
                "null" => Expr::Lit(Value::Null),
                _ if self.is_op("(") => {
                    self.pos += 1;
                    let (args, kwargs) = self.args()?;
                    Expr::Call { name: w, receiver: None, args, kwargs }
                }
                _ => return unsupported(format!("identifier {w}")),
            },
            Tok::Op("(") => {
                let e = self.expr()?;
                self.expect(")")?;
                e
            }
            Tok::Op("[") => {
                let mut items = Vec::new();
                if !self.is_op("]") {
                    loop {
                        items.push(self.expr()?);
                        if self.is_op(",") {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                }
                self.expect("]")?;
                Expr::List(items)
            }
            Tok::Op("{") => {
                let mut items = Vec::new();
                if !self.is_op("}") {
                    loop {
                        let k = self.expr()?;
                        self.expect("=>")?;
                        items.push((k, self.expr()?));
                        if self.is_op(",") {
                            self.pos += 1;
                        } else {
                            break;
                        }
                    }
                }
                self.expect("}")?;
                Expr::Dict(items)
            }
            other => return unsupported(format!("token {other:?}")),
        })
    }
}

/// Evaluates `expression` with `$` bound to `{"data": data}`, as Heat does.
pub fn evaluate(expression: &str, data: &Value) -> Result<Value, Unsupported> {
    let mut p = Parser { toks: tokenize(expression)?, pos: 0 };
    let e = p.expr()?;
    if p.pos != p.toks.len() {
        return unsupported("trailing tokens");
    }
    let mut root = Map::new();
    root.insert("data".into(), data.clone());
    let env = Env { vars: vec![(String::new(), Value::Object(root))] };
    env.eval(&e)
}

#[derive(Clone)]
struct Env {
    vars: Vec<(String, Value)>,
}

fn num(v: &Value) -> R<f64> {
    v.as_f64().ok_or_else(|| Unsupported("not a number".into()))
}

fn number(f: f64, ints: bool) -> Value {
    if ints && f.fract() == 0.0 && f.abs() < 9e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)
    }
}

/// yaql's `str()`.
fn to_str(v: &Value) -> R<String> {
    Ok(match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => s.clone(),
        Value::Number(n) => super::pyfmt::number_str(n),
        _ => return unsupported("str of a collection"),
    })
}

fn items(v: &Value) -> R<Vec<Value>> {
    match v {
        Value::Array(a) => Ok(a.clone()),
        Value::Object(o) => Ok(o.keys().map(|k| Value::String(k.clone())).collect()),
        _ => unsupported("not a collection"),
    }
}

fn cmp(a: &Value, b: &Value) -> R<std::cmp::Ordering> {
    match (a, b) {
        (Value::String(x), Value::String(y)) => Ok(x.cmp(y)),
        _ => num(a)?.partial_cmp(&num(b)?).ok_or_else(|| Unsupported("NaN".into())),
    }
}

impl Env {
    fn var(&self, name: &str) -> R<Value> {
        self.vars
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| Unsupported(format!("unknown variable ${name}")))
    }

    fn with(&self, name: &str, v: Value) -> Env {
        let mut e = self.clone();
        e.vars.push((name.to_string(), v));
        e
    }

    fn eval(&self, e: &Expr) -> R<Value> {
        match e {
            Expr::Lit(v) => Ok(v.clone()),
            Expr::Var(v) => self.var(v),
            Expr::Member(obj, name) => match self.eval(obj)? {
                Value::Object(m) => Ok(m.get(name).cloned().unwrap_or(Value::Null)),
                _ => unsupported("member of a non-map"),
            },
            Expr::Index(obj, idx) => {
                let (o, i) = (self.eval(obj)?, self.eval(idx)?);
                match (&o, &i) {
                    (Value::Array(a), Value::Number(n)) => {
                        let n = n.as_i64().ok_or_else(|| Unsupported("index".into()))?;
                        super::hot::py_index(a.len(), n)
                            .map(|k| a[k].clone())
                            .ok_or_else(|| Unsupported("index out of range".into()))
                    }
                    (Value::Object(m), Value::String(k)) => {
                        Ok(m.get(k).cloned().unwrap_or(Value::Null))
                    }
                    _ => unsupported("indexing"),
                }
            }
            Expr::List(items) => {
                Ok(Value::Array(items.iter().map(|i| self.eval(i)).collect::<R<_>>()?))
            }
            Expr::Dict(items) => {
                let mut m = Map::new();
                for (k, v) in items {
                    m.insert(to_str(&self.eval(k)?)?, self.eval(v)?);
                }
                Ok(Value::Object(m))
            }
            Expr::Not(x) => Ok(Value::Bool(!truthy(&self.eval(x)?))),
            Expr::Neg(x) => {
                let v = self.eval(x)?;
                Ok(number(-num(&v)?, v.is_i64()))
            }
            Expr::Binary("->", l, r) => {
                // let(...) -> expr: the left side binds variables for the right.
                match &**l {
                    Expr::Call { name, receiver: None, args, kwargs } if name == "let" => {
                        let mut env = self.clone();
                        for (i, a) in args.iter().enumerate() {
                            let v = self.eval(a)?;
                            env = env.with(&(i + 1).to_string(), v);
                        }
                        for (k, a) in kwargs {
                            let v = env.eval(a)?;
                            env = env.with(k, v);
                        }
                        env.eval(r)
                    }
                    other => {
                        let v = self.eval(other)?;
                        self.with("", v).eval(r)
                    }
                }
            }
            Expr::Binary(op, l, r) => {
                let a = self.eval(l)?;
                if *op == "and" {
                    return if truthy(&a) { self.eval(r) } else { Ok(a) };
                }
                if *op == "or" {
                    return if truthy(&a) { Ok(a) } else { self.eval(r) };
                }
                let b = self.eval(r)?;
                binary(op, &a, &b)
            }
            Expr::Call { name, receiver, args, kwargs } => {
                self.call(name, receiver.as_deref(), args, kwargs)
            }
        }
    }

    fn call(
        &self,
        name: &str,
        receiver: Option<&Expr>,
        args: &[Expr],
        kwargs: &[(String, Expr)],
    ) -> R<Value> {
        // Functions whose argument is a lambda over each item.
        if let ("select" | "where" | "any" | "all", Some(recv)) = (name, receiver) {
            let coll = items(&self.eval(recv)?)?;
            let Some(lambda) = args.first() else { return unsupported("lambda") };
            let mut out = Vec::new();
            for item in coll {
                let r = self.with("", item.clone()).eval(lambda)?;
                match name {
                    "select" => out.push(r),
                    "where" if truthy(&r) => out.push(item),
                    "any" if truthy(&r) => return Ok(Value::Bool(true)),
                    "all" if !truthy(&r) => return Ok(Value::Bool(false)),
                    _ => {}
                }
            }
            return Ok(match name {
                "any" => Value::Bool(false),
                "all" => Value::Bool(true),
                _ => Value::Array(out),
            });
        }
        let mut vals: Vec<Value> = Vec::new();
        if let Some(r) = receiver {
            vals.push(self.eval(r)?);
        }
        for a in args {
            vals.push(self.eval(a)?);
        }
        let mut kw: Vec<(String, Value)> = Vec::new();
        for (k, a) in kwargs {
            kw.push((k.clone(), self.eval(a)?));
        }
        let kwarg = |k: &str, pos: usize| -> Option<Value> {
            kw.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
                .or_else(|| vals.get(pos).cloned())
        };
        let arg = |i: usize| -> R<&Value> {
            vals.get(i).ok_or_else(|| Unsupported(format!("{name}: missing argument")))
        };
        let string = |i: usize| -> R<String> {
            match arg(i)? {
                Value::String(s) => Ok(s.clone()),
                _ => unsupported(format!("{name}: not a string")),
            }
        };
        Ok(match name {
            "max" | "min" => {
                let list = items(arg(0)?)?;
                let mut best: Option<Value> = None;
                for v in list {
                    best = Some(match best {
                        None => v,
                        Some(b) => {
                            let o = cmp(&v, &b)?;
                            if (name == "max" && o.is_gt()) || (name == "min" && o.is_lt()) {
                                v
                            } else {
                                b
                            }
                        }
                    });
                }
                best.ok_or_else(|| Unsupported("max of empty".into()))?
            }
            "sum" => {
                let list = items(arg(0)?)?;
                let ints = list.iter().all(Value::is_i64);
                number(list.iter().map(num).sum::<R<f64>>()?, ints)
            }
            "len" | "count" => Value::from(match arg(0)? {
                Value::String(s) => s.chars().count(),
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                _ => return unsupported("len"),
            }),
            "startsWith" => Value::Bool(string(0)?.starts_with(&string(1)?)),
            "endsWith" => Value::Bool(string(0)?.ends_with(&string(1)?)),
            "toUpper" => Value::String(string(0)?.to_uppercase()),
            "toLower" => Value::String(string(0)?.to_lowercase()),
            "trim" => Value::String(string(0)?.trim().to_string()),
            "replace" => Value::String(string(0)?.replace(&string(1)?, &string(2)?)),
            "split" | "rightSplit" => {
                let s = string(0)?;
                let sep = match kwarg("separator", 1) {
                    Some(Value::String(p)) => p,
                    _ => return unsupported("split without separator"),
                };
                let max = kwarg("maxSplits", 2).and_then(|v| v.as_i64()).unwrap_or(-1);
                let parts: Vec<String> = match (name, max) {
                    (_, m) if m < 0 => s.split(sep.as_str()).map(String::from).collect(),
                    ("split", m) => {
                        s.splitn(m as usize + 1, sep.as_str()).map(String::from).collect()
                    }
                    (_, m) => {
                        let mut p: Vec<String> =
                            s.rsplitn(m as usize + 1, sep.as_str()).map(String::from).collect();
                        p.reverse();
                        p
                    }
                };
                Value::Array(parts.into_iter().map(Value::String).collect())
            }
            "join" => {
                let (coll, sep) = (items(arg(0)?)?, string(1)?);
                Value::String(coll.iter().map(to_str).collect::<R<Vec<_>>>()?.join(&sep))
            }
            "concat" => Value::String(vals.iter().map(to_str).collect::<R<Vec<_>>>()?.concat()),
            "str" => Value::String(to_str(arg(0)?)?),
            "int" => match arg(0)? {
                Value::String(s) => {
                    Value::from(s.trim().parse::<i64>().map_err(|_| Unsupported("int".into()))?)
                }
                Value::Null => Value::from(0),
                v => Value::from(num(v)?.trunc() as i64),
            },
            "float" => number(
                match arg(0)? {
                    Value::String(s) => {
                        s.trim().parse::<f64>().map_err(|_| Unsupported("float".into()))?
                    }
                    v => num(v)?,
                },
                false,
            ),
            "coalesce" => vals.iter().find(|v| !v.is_null()).cloned().unwrap_or(Value::Null),
            "range" => {
                let (a, b) = if vals.len() == 1 {
                    (0, num(arg(0)?)? as i64)
                } else {
                    (num(arg(0)?)? as i64, num(arg(1)?)? as i64)
                };
                Value::Array((a..b).map(Value::from).collect())
            }
            "keys" => match arg(0)? {
                Value::Object(o) => {
                    Value::Array(o.keys().map(|k| Value::String(k.clone())).collect())
                }
                _ => return unsupported("keys"),
            },
            "values" => match arg(0)? {
                Value::Object(o) => Value::Array(o.values().cloned().collect()),
                _ => return unsupported("values"),
            },
            "get" => match arg(0)? {
                Value::Object(o) => {
                    let k = to_str(arg(1)?)?;
                    o.get(&k)
                        .cloned()
                        .unwrap_or_else(|| vals.get(2).cloned().unwrap_or(Value::Null))
                }
                _ => return unsupported("get"),
            },
            "first" => items(arg(0)?)?
                .into_iter()
                .next()
                .or_else(|| vals.get(1).cloned())
                .ok_or_else(|| Unsupported("first".into()))?,
            "last" => items(arg(0)?)?.pop().ok_or_else(|| Unsupported("last".into()))?,
            "distinct" => {
                let mut out: Vec<Value> = Vec::new();
                for v in items(arg(0)?)? {
                    if !out.iter().any(|o| py_eq(o, &v)) {
                        out.push(v);
                    }
                }
                Value::Array(out)
            }
            "flatten" => {
                let mut out = Vec::new();
                for v in items(arg(0)?)? {
                    match v {
                        Value::Array(a) => out.extend(a),
                        other => out.push(other),
                    }
                }
                Value::Array(out)
            }
            "format" => {
                let fmt = string(0)?;
                let mut out = String::new();
                let mut next = 1;
                let mut chars = fmt.chars().peekable();
                while let Some(c) = chars.next() {
                    if c == '{' {
                        let mut spec = String::new();
                        for d in chars.by_ref() {
                            if d == '}' {
                                break;
                            }
                            spec.push(d);
                        }
                        let idx = if spec.is_empty() {
                            next += 1;
                            next - 1
                        } else {
                            spec.parse::<usize>().map_err(|_| Unsupported("format spec".into()))?
                                + 1
                        };
                        out.push_str(&to_str(arg(idx)?)?);
                    } else {
                        out.push(c);
                    }
                }
                Value::String(out)
            }
            _ => return unsupported(format!("function {name}")),
        })
    }
}

fn binary(op: &str, a: &Value, b: &Value) -> R<Value> {
    let ints = a.is_i64() && b.is_i64();
    Ok(match op {
        "=" => Value::Bool(py_eq(a, b)),
        "!=" => Value::Bool(!py_eq(a, b)),
        "<" => Value::Bool(cmp(a, b)?.is_lt()),
        ">" => Value::Bool(cmp(a, b)?.is_gt()),
        "<=" => Value::Bool(cmp(a, b)?.is_le()),
        ">=" => Value::Bool(cmp(a, b)?.is_ge()),
        "in" => Value::Bool(items(b)?.iter().any(|x| py_eq(x, a))),
        "+" => match (a, b) {
            (Value::String(x), Value::String(y)) => Value::String(format!("{x}{y}")),
            (Value::Array(x), Value::Array(y)) => {
                Value::Array(x.iter().chain(y).cloned().collect())
            }
            _ => number(num(a)? + num(b)?, ints),
        },
        "-" => number(num(a)? - num(b)?, ints),
        "*" => match (a, b) {
            (Value::Array(x), Value::Number(n)) | (Value::Number(n), Value::Array(x)) => {
                let n = n.as_i64().unwrap_or(0).max(0) as usize;
                Value::Array(x.iter().cloned().cycle().take(x.len() * n).collect())
            }
            _ => number(num(a)? * num(b)?, ints),
        },
        "/" => number(num(a)? / num(b)?, false),
        "mod" => number(num(a)?.rem_euclid(num(b)?), ints),
        other => return unsupported(format!("operator {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn corpus_expressions() {
        assert_eq!(evaluate("$.data.max()", &json!([1500, 9000, 1500])).unwrap(), json!(9000));
        assert_eq!(
            evaluate("$.data.items.select($ * 2).sum()", &json!({"items": [1, 2, 3]})).unwrap(),
            json!(12)
        );
        assert_eq!(
            evaluate(
                "concat($.data.rightSplit(separator => \":\", maxSplits => 1)[0], \":pcmklatest\")",
                &json!("img:tag:1")
            )
            .unwrap(),
            json!("img:tag:pcmklatest")
        );
        assert_eq!(evaluate("str($.data.debug)", &json!({"debug": true})).unwrap(), json!("true"));
        assert_eq!(
            evaluate("$.data.v.startsWith(\"v3.26.\")", &json!({"v": "v3.26.1"})).unwrap(),
            json!(true)
        );
        assert_eq!(
            evaluate("$.data.select($+\":\"+$+\":ro\")", &json!(["/a"])).unwrap(),
            json!(["/a:/a:ro"])
        );
        assert_eq!(
            evaluate(
                "let(k => $.data.key, d => 'x') -> $.data.m.get($k).get(\"Y\", $d)",
                &json!({"key": "a", "m": {"a": {}}})
            )
            .unwrap(),
            json!("x")
        );
        assert!(evaluate("regex(\"a\").search($.data)", &json!("a")).is_err());
    }
}
