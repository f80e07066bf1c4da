//! Template parameters: schemas (`heat/engine/parameters.py`,
//! `heat/engine/hot/parameters.py`), constraints (`heat/engine/constraints.py`) and
//! typed values, with Heat's messages.

use indexmap::IndexMap;

use super::{Dialect, Version};
use crate::functions::{pyfmt, FnError};
use crate::{Map, Value};

/// A parameter type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamType {
    /// `string` / `String`.
    String,
    /// `number` / `Number`.
    Number,
    /// `comma_delimited_list` / `CommaDelimitedList`.
    List,
    /// `json` / `Json`.
    Json,
    /// `boolean` / `Boolean`.
    Boolean,
}

/// A parameter constraint.
#[derive(Debug, Clone)]
pub enum Constraint {
    /// `range` / `MinValue`+`MaxValue`.
    Range {
        /// Minimum.
        min: Option<f64>,
        /// Maximum.
        max: Option<f64>,
        /// The constraint's description (replaces Heat's message when set).
        description: Option<String>,
    },
    /// `length` / `MinLength`+`MaxLength`.
    Length {
        /// Minimum length.
        min: Option<f64>,
        /// Maximum length.
        max: Option<f64>,
        /// Description.
        description: Option<String>,
    },
    /// `modulo` (HOT 2017-02-24 on).
    Modulo {
        /// Step.
        step: f64,
        /// Offset.
        offset: f64,
        /// Description.
        description: Option<String>,
    },
    /// `allowed_values` / `AllowedValues`.
    AllowedValues {
        /// The allowed values.
        allowed: Vec<Value>,
        /// Description.
        description: Option<String>,
    },
    /// `allowed_pattern` / `AllowedPattern`.
    AllowedPattern {
        /// The pattern as written.
        pattern: String,
        /// The pattern anchored at the start (Python `re.match`); `None` when the
        /// pattern uses syntax the regex crate lacks (then it is not checked).
        regex: Option<regex::Regex>,
        /// Description.
        description: Option<String>,
    },
    /// `custom_constraint` (needs a cloud: never checked here).
    Custom {
        /// The constraint name (`nova.keypair`, ...).
        name: String,
    },
}

impl Constraint {
    fn class_name(&self) -> &'static str {
        match self {
            Constraint::Range { .. } => "Range",
            Constraint::Length { .. } => "Length",
            Constraint::Modulo { .. } => "Modulo",
            Constraint::AllowedValues { .. } => "AllowedValues",
            Constraint::AllowedPattern { .. } => "AllowedPattern",
            Constraint::Custom { .. } => "CustomConstraint",
        }
    }

    fn valid_for(&self, t: ParamType) -> bool {
        use ParamType::*;
        match self {
            Constraint::Range { .. } | Constraint::Modulo { .. } => t == Number,
            Constraint::Length { .. } => matches!(t, String | List | Json),
            Constraint::AllowedValues { .. } => matches!(t, String | Number | Boolean | List),
            Constraint::AllowedPattern { .. } => t == String,
            Constraint::Custom { .. } => matches!(t, String | Number | Boolean | List),
        }
    }
}

/// One parameter's schema.
#[derive(Debug, Clone)]
pub struct ParamSchema {
    /// The parameter name.
    pub name: String,
    /// The type as written (`string`, `Number`, ...).
    pub type_name: String,
    /// The type.
    pub param_type: ParamType,
    /// The default (`None` when absent or null).
    pub default: Option<Value>,
    /// Whether the value is hidden (`hidden: true` / `NoEcho: true`).
    pub hidden: bool,
    /// The constraints.
    pub constraints: Vec<Constraint>,
    /// The label.
    pub label: Option<String>,
    /// The description.
    pub description: Option<String>,
    /// Whether the parameter is immutable.
    pub immutable: bool,
}

fn invalid_schema(msg: impl Into<String>) -> String {
    msg.into()
}

fn get_num(v: Option<&Value>) -> Result<Option<f64>, String> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::Bool(b)) => Ok(Some(if *b { 1.0 } else { 0.0 })),
        Some(Value::String(s)) => str_to_num(s)
            .map(Some)
            .ok_or_else(|| format!("could not convert string to float: {}", pyfmt::repr_str(s))),
        Some(_) => Err("min/max must be numeric".into()),
    }
}

/// Python's `int(s)` then `float(s)` on a string.
pub fn str_to_num(s: &str) -> Option<f64> {
    let t = s.trim();
    let cleaned: String = t.chars().filter(|c| *c != '_').collect();
    if let Ok(i) = cleaned.parse::<i64>() {
        return Some(i as f64);
    }
    match cleaned.to_ascii_lowercase().as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => return Some(f64::INFINITY),
        "-inf" | "-infinity" => return Some(f64::NEG_INFINITY),
        "nan" | "+nan" | "-nan" => return Some(f64::NAN),
        _ => {}
    }
    cleaned.parse::<f64>().ok()
}

/// `Schema.str_to_num` giving a JSON number (an int when the text is an int).
pub fn to_number(v: &Value) -> Result<Value, FnError> {
    match v {
        Value::Number(_) => Ok(v.clone()),
        Value::Bool(b) => Ok(Value::from(*b as i64)),
        Value::String(s) => {
            let t = s.trim();
            if let Ok(i) = t.parse::<i64>() {
                return Ok(Value::from(i));
            }
            str_to_num(s).and_then(serde_json::Number::from_f64).map(Value::Number).ok_or_else(
                || {
                    FnError::value(format!(
                        "could not convert string to float: {}",
                        pyfmt::repr_str(s)
                    ))
                },
            )
        }
        other => Err(FnError::type_error(format!(
            "float() argument must be a string or a real number, not '{}'",
            super::sections::py_type(other)
        ))),
    }
}

/// oslo `bool_from_string(str(value), strict=True)`.
pub fn to_bool(v: &Value) -> Result<bool, FnError> {
    let s = pyfmt::str_of(v);
    match s.trim().to_lowercase().as_str() {
        "1" | "t" | "true" | "on" | "y" | "yes" => Ok(true),
        "0" | "f" | "false" | "off" | "n" | "no" => Ok(false),
        _ => Err(FnError::value(format!(
            "Unrecognized value '{s}', acceptable values are: '0', '1', 'f', 'false', 'n', \
             'no', 'off', 'on', 't', 'true', 'y', 'yes'"
        ))),
    }
}

fn check_keys(v: &Value, allowed: &[&str], entity: &str) -> Result<(), String> {
    let Value::Object(m) = v else {
        return Err(invalid_schema(format!("Invalid {entity}, expected a mapping")));
    };
    for k in m.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(format!("Invalid key '{k}' for {entity}"));
        }
    }
    Ok(())
}

fn opt_string(v: Option<&Value>) -> Option<String> {
    v.filter(|v| !v.is_null()).map(pyfmt::str_of)
}

fn range(
    min: Option<f64>,
    max: Option<f64>,
    description: Option<String>,
    length: bool,
) -> Result<Constraint, String> {
    if min.is_none() && max.is_none() {
        let what = if length { "length" } else { "range" };
        return Err(format!(
            "A {what} constraint must have a min value and/or a max value specified."
        ));
    }
    if length {
        if [min, max].iter().flatten().any(|v| v.fract() != 0.0) {
            return Err("min/max length must be integral".into());
        }
        Ok(Constraint::Length { min, max, description })
    } else {
        Ok(Constraint::Range { min, max, description })
    }
}

fn allowed_pattern(p: Option<&Value>, description: Option<String>) -> Result<Constraint, String> {
    let Some(Value::String(pattern)) = p else {
        return Err("AllowedPattern must be a string".into());
    };
    let regex = regex::Regex::new(&format!("^(?:{pattern})")).ok();
    Ok(Constraint::AllowedPattern { pattern: pattern.clone(), regex, description })
}

fn allowed_values(v: Option<&Value>, description: Option<String>) -> Result<Constraint, String> {
    match v {
        Some(Value::Array(a)) => Ok(Constraint::AllowedValues { allowed: a.clone(), description }),
        _ => Err("AllowedValues must be a list".into()),
    }
}

impl ParamSchema {
    /// `Schema.from_dict` for the version's schema class; the error is Heat's
    /// `InvalidSchemaError` message.
    pub fn from_dict(name: &str, raw: &Value, version: &Version) -> Result<ParamSchema, String> {
        let keys: Vec<&str> = version.param_keys.iter().map(String::as_str).collect();
        check_keys(raw, &keys, &format!("parameter ({name})"))?;
        let m = raw.as_object().expect("checked");
        let hot = version.dialect == Dialect::Hot;
        let (type_key, tags_key) = if hot { ("type", "tags") } else { ("Type", "Tags") };
        let Some(type_value) = m.get(type_key) else {
            return Err(format!("Missing parameter type for parameter: {name}"));
        };
        if m.get(tags_key).is_some_and(|t| !t.is_array()) {
            return Err(format!("Tags property should be a list for parameter: {name}"));
        }
        let mut constraints = Vec::new();
        if hot {
            match m.get("constraints") {
                None | Some(Value::Null) => {}
                Some(Value::Array(list)) => {
                    let ckeys: Vec<&str> =
                        version.constraint_keys.iter().flatten().map(String::as_str).collect();
                    for c in list {
                        check_keys(c, &ckeys, "parameter constraints")?;
                        constraints.push(hot_constraint(c.as_object().expect("checked"), version)?);
                    }
                }
                Some(_) => {
                    return Err(format!(
                        "Invalid parameter constraints for parameter {name}, expected a list"
                    ))
                }
            }
        } else {
            let desc = opt_string(m.get("ConstraintDescription"));
            if m.contains_key("MinValue") || m.contains_key("MaxValue") {
                constraints.push(range(
                    get_num(m.get("MinValue"))?,
                    get_num(m.get("MaxValue"))?,
                    desc.clone(),
                    false,
                )?);
            }
            if m.contains_key("MinLength") || m.contains_key("MaxLength") {
                constraints.push(range(
                    get_num(m.get("MinLength"))?,
                    get_num(m.get("MaxLength"))?,
                    desc.clone(),
                    true,
                )?);
            }
            if m.contains_key("AllowedValues") {
                constraints.push(allowed_values(m.get("AllowedValues"), desc.clone())?);
            }
            if m.contains_key("AllowedPattern") {
                constraints.push(allowed_pattern(m.get("AllowedPattern"), desc)?);
            }
        }
        let type_name = pyfmt::str_of(type_value);
        let param_type = match (type_name.as_str(), hot) {
            ("string", true) | ("String", false) => ParamType::String,
            ("number", true) | ("Number", false) => ParamType::Number,
            ("comma_delimited_list", true) | ("CommaDelimitedList", false) => ParamType::List,
            ("json", true) | ("Json", false) => ParamType::Json,
            ("boolean", true) | ("Boolean", false) => ParamType::Boolean,
            _ => return Err(format!("Invalid type ({type_name})")),
        };
        let default =
            if hot { m.get("default") } else { m.get("Default") }.filter(|d| !d.is_null()).cloned();
        let hidden = if hot {
            m.get("hidden").is_some_and(pyfmt::truthy)
        } else {
            m.get("NoEcho").is_some_and(|v| pyfmt::str_of(v).to_lowercase() == "true")
        };
        Ok(ParamSchema {
            name: name.to_string(),
            type_name,
            param_type,
            default,
            hidden,
            constraints,
            label: opt_string(if hot { m.get("label") } else { m.get("Label") }),
            description: opt_string(if hot { m.get("description") } else { m.get("Description") }),
            immutable: hot && m.get("immutable").is_some_and(pyfmt::truthy),
        })
    }

    /// `Schema.validate`: each constraint fits the type, and the default passes the
    /// constraints (custom constraints skipped).
    pub fn validate(&self) -> Result<(), String> {
        for c in &self.constraints {
            if !c.valid_for(self.param_type) {
                return Err(format!(
                    "{} constraint invalid for {}",
                    c.class_name(),
                    self.type_name
                ));
            }
        }
        if let Some(default) = &self.default {
            let value = match (self.param_type, default) {
                (ParamType::List, Value::String(s)) => {
                    Value::Array(s.split(',').map(|p| Value::String(p.to_string())).collect())
                }
                (ParamType::List, Value::Array(a)) => {
                    Value::Array(a.iter().map(|x| Value::String(pyfmt::str_of(x))).collect())
                }
                (ParamType::List, _) => {
                    return Err(format!(
                        "Default must be a comma-delimited list string: '{}' object has no \
                         attribute 'split'",
                        super::sections::py_type(default)
                    ))
                }
                _ => default.clone(),
            };
            if let Err(e) = self.check_constraints(&value) {
                return Err(format!("Invalid default {} ({e})", pyfmt::str_of(default)));
            }
        }
        Ok(())
    }

    /// Every constraint but custom ones against `value`.
    pub fn check_constraints(&self, value: &Value) -> Result<(), String> {
        for c in &self.constraints {
            let (ok, description) = match c {
                Constraint::Range { min, max, description } => {
                    let n = match value {
                        Value::String(s) => str_to_num(s).ok_or_else(|| {
                            format!("could not convert string to float: {}", pyfmt::repr_str(s))
                        })?,
                        Value::Number(n) => n.as_f64().unwrap_or(0.0),
                        Value::Bool(b) => *b as i64 as f64,
                        _ => return Err("invalid value for range".into()),
                    };
                    (min.is_none_or_le(n) && max.is_none_or_ge(n), description)
                }
                Constraint::Length { min, max, description } => {
                    let len = match value {
                        Value::String(s) => s.chars().count(),
                        Value::Array(a) => a.len(),
                        Value::Object(o) => o.len(),
                        other => {
                            return Err(format!(
                                "object of type '{}' has no len()",
                                super::sections::py_type(other)
                            ))
                        }
                    } as f64;
                    (min.is_none_or_le(len) && max.is_none_or_ge(len), description)
                }
                Constraint::Modulo { step, offset, description } => {
                    let n = match value {
                        Value::String(s) => {
                            str_to_num(s).ok_or_else(|| "invalid number".to_string())?
                        }
                        Value::Number(n) => n.as_f64().unwrap_or(0.0),
                        _ => 0.0,
                    };
                    (n.rem_euclid(*step) == *offset, description)
                }
                Constraint::AllowedValues { allowed, description } => {
                    let ok = match value {
                        Value::Array(items) => {
                            items.iter().all(|v| allowed.iter().any(|a| pyfmt::py_eq(a, v)))
                        }
                        _ => {
                            let conv = |v: &Value| self.to_schema_type(v).map_err(|e| e.message);
                            let mine = conv(value)?;
                            let mut any = false;
                            for a in allowed {
                                if pyfmt::py_eq(&conv(a)?, &mine) {
                                    any = true;
                                    break;
                                }
                            }
                            any
                        }
                    };
                    (ok, description)
                }
                Constraint::AllowedPattern { regex, description, .. } => {
                    let ok = match (regex, value) {
                        (Some(re), Value::String(s)) => {
                            re.find(s).is_some_and(|m| m.end() == s.len())
                        }
                        (None, _) => true,
                        (Some(_), _) => return Err("expected string or bytes-like object".into()),
                    };
                    (ok, description)
                }
                Constraint::Custom { .. } => continue,
            };
            if !ok {
                return Err(description.clone().unwrap_or_else(|| constraint_message(c, value)));
            }
        }
        Ok(())
    }

    /// `Schema.to_schema_type` for this parameter's type.
    pub fn to_schema_type(&self, v: &Value) -> Result<Value, FnError> {
        match self.param_type {
            ParamType::Number => to_number(v),
            ParamType::String => Ok(Value::String(pyfmt::str_of(v))),
            ParamType::Boolean => to_bool(v).map(Value::Bool),
            _ => Ok(v.clone()),
        }
    }
}

trait Bound {
    fn is_none_or_le(&self, n: f64) -> bool;
    fn is_none_or_ge(&self, n: f64) -> bool;
}

impl Bound for Option<f64> {
    fn is_none_or_le(&self, n: f64) -> bool {
        self.map_or(true, |m| m <= n)
    }
    fn is_none_or_ge(&self, n: f64) -> bool {
        self.map_or(true, |m| m >= n)
    }
}

fn num_str(f: &Option<f64>) -> String {
    match f {
        None => "None".into(),
        Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", *v as i64),
        Some(v) => pyfmt::float_str(*v),
    }
}

fn constraint_message(c: &Constraint, value: &Value) -> String {
    match c {
        Constraint::Range { min, max, .. } => format!(
            "{} is out of range (min: {}, max: {})",
            pyfmt::str_of(value),
            num_str(min),
            num_str(max)
        ),
        Constraint::Length { min, max, .. } => {
            let len = match value {
                Value::String(s) => s.chars().count(),
                Value::Array(a) => a.len(),
                Value::Object(o) => o.len(),
                _ => 0,
            };
            format!("length ({len}) is out of range (min: {}, max: {})", num_str(min), num_str(max))
        }
        Constraint::Modulo { step, offset, .. } => format!(
            "{} is not a multiple of {} with an offset of {}",
            pyfmt::str_of(value),
            num_str(&Some(*step)),
            num_str(&Some(*offset))
        ),
        Constraint::AllowedValues { allowed, .. } => format!(
            "{} is not an allowed value [{}]",
            pyfmt::json_dumps(value),
            allowed.iter().map(pyfmt::json_dumps).collect::<Vec<_>>().join(", ")
        ),
        Constraint::AllowedPattern { pattern, .. } => {
            format!("\"{}\" does not match pattern \"{pattern}\"", pyfmt::str_of(value))
        }
        Constraint::Custom { name } => {
            format!("\"{}\" does not validate {name}", pyfmt::str_of(value))
        }
    }
}

fn hot_constraint(c: &Map, version: &Version) -> Result<Constraint, String> {
    let desc = opt_string(c.get("description"));
    let modulo = version.constraint_keys.iter().flatten().any(|k| k == "modulo");
    if modulo && c.contains_key("modulo") {
        let def = c.get("modulo").cloned().unwrap_or(Value::Null);
        check_keys(&def, &["step", "offset"], "modulo constraint")?;
        let step = get_num(def.get("step"))?;
        let offset = get_num(def.get("offset"))?;
        let (Some(step), Some(offset)) = (step, offset) else {
            return Err(
                "A modulo constraint must have a step value and an offset value specified.".into(),
            );
        };
        if step.fract() != 0.0 || offset.fract() != 0.0 {
            return Err("step/offset must be integer".into());
        }
        if step == 0.0 {
            return Err("step cannot be 0.".into());
        }
        if offset.abs() >= step.abs() {
            return Err("offset must be smaller (by absolute value) than step.".into());
        }
        if step * offset < 0.0 {
            return Err("step and offset must be both positive or both negative.".into());
        }
        return Ok(Constraint::Modulo { step, offset, description: desc });
    }
    if c.contains_key("range") {
        let def = c.get("range").cloned().unwrap_or(Value::Null);
        check_keys(&def, &["min", "max"], "range constraint")?;
        range(get_num(def.get("min"))?, get_num(def.get("max"))?, desc, false)
    } else if c.contains_key("length") {
        let def = c.get("length").cloned().unwrap_or(Value::Null);
        check_keys(&def, &["min", "max"], "length constraint")?;
        range(get_num(def.get("min"))?, get_num(def.get("max"))?, desc, true)
    } else if c.contains_key("allowed_values") {
        allowed_values(c.get("allowed_values"), desc)
    } else if c.contains_key("allowed_pattern") {
        allowed_pattern(c.get("allowed_pattern"), desc)
    } else if c.contains_key("custom_constraint") {
        Ok(Constraint::Custom { name: opt_string(c.get("custom_constraint")).unwrap_or_default() })
    } else {
        Err("No constraint expressed".into())
    }
}

/// A parameter with its schema and where its value comes from.
#[derive(Debug, Clone)]
pub struct Param {
    /// The schema.
    pub schema: ParamSchema,
    /// The value given by the user (`--param`, an environment's `parameters`).
    pub user_value: Option<Value>,
    /// The default from an environment's `parameter_defaults`.
    pub user_default: Option<Value>,
}

impl Param {
    /// The raw value Heat would use: user value, else environment default, else
    /// template default.
    pub fn raw_value(&self) -> Option<&Value> {
        self.user_value.as_ref().or(self.user_default.as_ref()).or(self.schema.default.as_ref())
    }

    /// The typed value (`Parameter.value()`), or Heat's error.
    pub fn value(&self) -> Result<Value, FnError> {
        let Some(raw) = self.raw_value() else {
            return Err(FnError::other(
                "UserParameterMissing",
                format!("The Parameter ({}) was not provided.", self.schema.name),
            ));
        };
        match self.schema.param_type {
            ParamType::String => Ok(Value::String(pyfmt::str_of(raw))),
            ParamType::Number => to_number(raw),
            ParamType::Boolean => to_bool(raw).map(Value::Bool),
            ParamType::List => match raw {
                Value::Array(a) => Ok(Value::Array(a.iter().map(|x| Value::String(pyfmt::str_of(x))).collect())),
                Value::String(s) if s.is_empty() => Ok(Value::Array(vec![])),
                Value::String(s) => Ok(Value::Array(s.split(',').map(|p| Value::String(p.into())).collect())),
                other => Err(FnError::value(format!(
                    "Value must be a comma-delimited list string: '{}' object has no attribute 'split'",
                    super::sections::py_type(other)
                ))),
            },
            ParamType::Json => match raw {
                Value::String(s) if s.is_empty() => Ok(raw.clone()),
                Value::String(s) => serde_json::from_str(s)
                    .map_err(|e| FnError::value(format!("Value must be valid JSON: {e}"))),
                other => Ok(other.clone()),
            },
        }
    }
}

/// The stack's parameters: pseudo parameters plus the template's, in Heat's order.
#[derive(Debug, Clone, Default)]
pub struct Parameters {
    /// Template parameters in template order.
    pub params: IndexMap<String, Param>,
    /// Pseudo parameters with a static value (`OS::stack_name`, `AWS::Region`, ...).
    pub pseudo: IndexMap<String, Value>,
    /// Pseudo parameters whose value only a stored stack has (`OS::stack_id`,
    /// `OS::project_id`, `AWS::StackId`): kept symbolic by static evaluation.
    pub runtime_pseudo: Vec<String>,
}

impl Parameters {
    /// Whether `name` is a parameter (pseudo parameters included).
    pub fn contains(&self, name: &str) -> bool {
        self.params.contains_key(name)
            || self.pseudo.contains_key(name)
            || self.runtime_pseudo.iter().any(|p| p == name)
    }

    /// Whether `name` is a pseudo parameter only a stored stack knows.
    pub fn is_runtime(&self, name: &str) -> bool {
        self.runtime_pseudo.iter().any(|p| p == name)
    }

    /// The typed value of a parameter.
    pub fn value(&self, name: &str) -> Result<Value, FnError> {
        if let Some(v) = self.pseudo.get(name) {
            return Ok(v.clone());
        }
        match self.params.get(name) {
            Some(p) => p.value(),
            None => Err(FnError::other(
                "UserParameterMissing",
                format!("The Parameter ({name}) was not provided."),
            )),
        }
    }

    /// Whether a template parameter is hidden.
    pub fn is_hidden(&self, name: &str) -> bool {
        self.params.get(name).is_some_and(|p| p.schema.hidden)
    }
}
