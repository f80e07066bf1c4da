//! Python objects ↔ the core's JSON value model, and the `(template, environments,
//! params, files)` arguments every template-reading function takes → `stack::Inputs`.

use std::collections::BTreeMap;

use heat_sync::{Map, Value};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// How deep a Python object may nest. The core's JSON and YAML readers refuse far
/// shallower documents; converting a deeper one would overflow the native stack (a
/// crash of the whole interpreter) before they could say so.
const MAX_DEPTH: usize = 512;

/// A Python object as a JSON value: dicts (string keys), lists and tuples, str, int,
/// float, bool, None. Anything else (e.g. a `datetime.date` that a YAML 1.1 loader made
/// of `heat_template_version: 2016-10-14`) becomes its `str()`, as Heat's own loader
/// keeps such scalars as strings.
pub fn to_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    convert(obj, false, 0)
}

/// A Python object as a JSON value, refusing (`TypeError`) anything JSON cannot carry:
/// what `Client.put` publishes is read back as it was given.
pub fn to_json_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    convert(obj, true, 0)
}

fn convert(obj: &Bound<'_, PyAny>, strict: bool, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(PyValueError::new_err(format!(
            "the value nests deeper than {MAX_DEPTH} levels"
        )));
    }
    let item = |v: &Bound<'_, PyAny>| convert(v, strict, depth + 1);
    if obj.is_none() {
        Ok(Value::Null)
    } else if let Ok(b) = obj.downcast::<PyBool>() {
        Ok(Value::Bool(b.is_true()))
    } else if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            Ok(Value::from(i))
        } else if let Ok(u) = obj.extract::<u64>() {
            Ok(Value::from(u))
        } else {
            Ok(Value::String(obj.str()?.to_string()))
        }
    } else if let Ok(f) = obj.downcast::<PyFloat>() {
        let v = f.value();
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| PyValueError::new_err(format!("{v} is not a JSON number")))
    } else if let Ok(s) = obj.downcast::<PyString>() {
        Ok(Value::String(s.to_cow()?.into_owned()))
    } else if let Ok(d) = obj.downcast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = match k.downcast::<PyString>() {
                Ok(s) => s.to_cow()?.into_owned(),
                Err(_) if strict => {
                    return Err(PyTypeError::new_err(format!(
                        "a key {} is not a str (JSON keys are strings)",
                        k.repr()?
                    )))
                }
                Err(_) => k.str()?.to_string(),
            };
            map.insert(key, item(&v)?);
        }
        Ok(Value::Object(map))
    } else if let Ok(l) = obj.downcast::<PyList>() {
        l.iter().map(|v| item(&v)).collect::<PyResult<_>>().map(Value::Array)
    } else if let Ok(t) = obj.downcast::<PyTuple>() {
        t.iter().map(|v| item(&v)).collect::<PyResult<_>>().map(Value::Array)
    } else if strict {
        Err(PyTypeError::new_err(format!(
            "a {} is not a JSON value (dict, list, tuple, str, int, float, bool or None)",
            obj.get_type().name()?
        )))
    } else {
        Ok(Value::String(obj.str()?.to_string()))
    }
}

/// A JSON value as plain Python objects (dict, list, str, int, float, bool, None).
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}

/// Any serializable core answer as plain Python objects.
pub fn serialize_to_py<'py>(
    py: Python<'py>,
    answer: &impl serde::Serialize,
) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(answer)
        .map_err(|e| PyValueError::new_err(format!("cannot represent the answer: {e}")))?;
    to_py(py, &value)
}

/// A template or environment given as text (JSON or YAML) or as a parsed mapping.
fn document_text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(s) = obj.downcast::<PyString>() {
        Ok(s.to_cow()?.into_owned())
    } else if obj.is_instance_of::<PyDict>() {
        // JSON is YAML: the core reads it as Heat would read the same mapping.
        Ok(serde_json::to_string(&to_value(obj)?).expect("a JSON value always serializes"))
    } else {
        Err(PyTypeError::new_err(format!(
            "{what} must be a str (JSON or YAML text) or a dict, not {}",
            obj.get_type().name()?
        )))
    }
}

/// A stack plan or server plan given as its JSON text or as a dict.
pub fn plan_text(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(s) = obj.downcast::<PyString>() {
        Ok(s.to_cow()?.into_owned())
    } else if obj.is_instance_of::<PyDict>() {
        Ok(to_json_value(obj)?.to_string())
    } else {
        Err(PyTypeError::new_err(format!(
            "{what} must be a str (JSON text) or a dict, not {}",
            obj.get_type().name()?
        )))
    }
}

/// A dict key that must be a str (`what` names the dict in the message).
fn str_key(key: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    key.extract::<String>().map_err(|_| {
        PyTypeError::new_err(format!(
            "{what}: the key {} is not a str",
            key.repr().map_or_else(|_| "?".into(), |r| r.to_string())
        ))
    })
}

/// A parameter value as the string `--param K=V` would give: strings as they are, bools
/// as `true`/`false`, numbers as written, lists joined with commas (Heat's
/// `comma_delimited_list`), dicts as JSON (Heat's `json` type).
fn param_text(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = obj.downcast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    Ok(match to_value(obj)? {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Null => String::new(),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    })
}

/// The bindings' `(template, environments=None, params=None, files=None)` as the core's
/// [`heat_sync::stack::Inputs`].
pub fn inputs(
    template: &Bound<'_, PyAny>,
    environments: Option<&Bound<'_, PyAny>>,
    params: Option<&Bound<'_, PyAny>>,
    files: Option<&Bound<'_, PyAny>>,
) -> PyResult<heat_sync::stack::Inputs> {
    let mut out = heat_sync::stack::Inputs {
        template_name: "<template>".to_owned(),
        template: document_text(template, "template")?,
        ..Default::default()
    };
    if let Some(envs) = environments.filter(|e| !e.is_none()) {
        if envs.is_instance_of::<PyString>() || envs.is_instance_of::<PyDict>() {
            return Err(PyTypeError::new_err(
                "environments must be a list of environments (str or dict), in merge order",
            ));
        }
        for (i, env) in envs.try_iter()?.enumerate() {
            let env = env?;
            // An environment may come with its name for messages: (name, text).
            if let Ok(t) = env.downcast::<PyTuple>() {
                if t.len() == 2 {
                    let name: String = t.get_item(0)?.extract().map_err(|_| {
                        PyTypeError::new_err(format!("environments[{i}]: a name must be a str"))
                    })?;
                    let what = format!("environments[{i}] ({name})");
                    out.environments.push((name, document_text(&t.get_item(1)?, &what)?));
                    continue;
                }
            }
            out.environments.push((
                format!("<environment {i}>"),
                document_text(&env, &format!("environments[{i}]"))?,
            ));
        }
    }
    if let Some(params) = params.filter(|p| !p.is_none()) {
        let params = params
            .downcast::<PyDict>()
            .map_err(|_| PyTypeError::new_err("params must be a dict of parameter values"))?;
        for (k, v) in params.iter() {
            out.params.push((str_key(&k, "params")?, param_text(&v)?));
        }
    }
    if let Some(files) = files.filter(|f| !f.is_none()) {
        let files = files.downcast::<PyDict>().map_err(|_| {
            PyTypeError::new_err(
                "files must be a dict of file name (as the template writes it) to content",
            )
        })?;
        let mut map = BTreeMap::new();
        for (k, v) in files.iter() {
            let name = str_key(&k, "files")?;
            let content = match v.extract::<String>() {
                Ok(s) => s,
                Err(_) => match v.extract::<Vec<u8>>() {
                    Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
                        PyValueError::new_err(format!("files[{name:?}]: not UTF-8 text: {e}"))
                    })?,
                    Err(_) => document_text(&v, &format!("files[{name:?}]"))?,
                },
            };
            map.insert(name, content);
        }
        out.files = map;
    }
    Ok(out)
}
