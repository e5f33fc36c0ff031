//! Parameter checks for endpoint records: each failure is an argument error that names the
//! endpoint, the field (WeCom's name, with its path inside the body) and what was wrong.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::wecom::limits::{self, TextLimit};

/// An endpoint's parameters (a JSON object) being checked.
#[derive(Clone, Copy)]
pub struct Params<'a> {
    pub endpoint: &'static str,
    pub value: &'a Value,
}

/// A short description of a JSON value's type, for messages ("got an Integer").
pub fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nil",
        Value::Bool(_) => "a Boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an Integer",
        Value::Number(_) => "a Float",
        Value::String(_) => "a String",
        Value::Array(_) => "an Array",
        Value::Object(_) => "a Hash",
    }
}

impl<'a> Params<'a> {
    pub fn new(endpoint: &'static str, value: &'a Value) -> Self {
        Self { endpoint, value }
    }

    /// The same endpoint, looking inside `value` (a nested object), for nested checks.
    pub fn at(&self, value: &'a Value) -> Params<'a> {
        Params {
            endpoint: self.endpoint,
            value,
        }
    }

    pub fn fail(&self, message: impl std::fmt::Display) -> Error {
        Error::argument(format!("{}: {message}", self.endpoint))
    }

    pub fn object(&self) -> Result<&'a Map<String, Value>> {
        self.value.as_object().ok_or_else(|| {
            self.fail(format!(
                "parameters must be a Hash, got {}",
                kind(self.value)
            ))
        })
    }

    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.value.get(key).filter(|v| !v.is_null())
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// A String that must be present and not blank.
    pub fn str(&self, key: &str) -> Result<&'a str> {
        self.str_named(key, key)
    }

    /// [`Params::str`], naming the field `name` (a path such as `text.content`).
    pub fn str_named(&self, key: &str, name: &str) -> Result<&'a str> {
        match self.get(key) {
            None => Err(self.fail(format!("{name} is missing"))),
            Some(Value::String(s)) if s.trim().is_empty() => {
                Err(self.fail(format!("{name} is empty")))
            }
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(self.fail(format!("{name} must be a String, got {}", kind(other)))),
        }
    }

    pub fn opt_str(&self, key: &str) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.fail(format!("{key} must be a String, got {}", kind(other)))),
        }
    }

    /// An Integer (or a numeric String, which WeCom accepts) that must be present.
    pub fn int(&self, key: &str) -> Result<i64> {
        match self.get(key) {
            None => Err(self.fail(format!("{key} is missing"))),
            Some(v) => crate::wecom::flags::integer(v)
                .ok_or_else(|| self.fail(format!("{key} must be an Integer, got {}", describe(v)))),
        }
    }

    pub fn opt_int(&self, key: &str) -> Result<Option<i64>> {
        match self.get(key) {
            None => Ok(None),
            Some(_) => self.int(key).map(Some),
        }
    }

    /// An Array that must be present; `min..=max` items.
    pub fn array(&self, key: &str, min: usize, max: usize) -> Result<&'a Vec<Value>> {
        let items = match self.get(key) {
            None if min == 0 => return Ok(empty()),
            None => return Err(self.fail(format!("{key} is missing"))),
            Some(Value::Array(items)) => items,
            Some(other) => {
                return Err(self.fail(format!("{key} must be an Array, got {}", kind(other))))
            }
        };
        if items.len() < min || items.len() > max {
            let range = if min == max {
                format!("{min}")
            } else if min == 0 {
                format!("at most {max}")
            } else {
                format!("{min} to {max}")
            };
            return Err(self.fail(format!(
                "{key} has {} items; WeCom takes {range}",
                items.len()
            )));
        }
        Ok(items)
    }

    /// An Array of non-empty Strings (userids), `min..=max` of them.
    pub fn strings(&self, key: &str, min: usize, max: usize) -> Result<Vec<&'a str>> {
        let items = self.array(key, min, max)?;
        items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) if !s.trim().is_empty() => Ok(s.as_str()),
                other => Err(self.fail(format!(
                    "{key}[{i}] must be a non-empty String, got {}",
                    describe(other)
                ))),
            })
            .collect()
    }

    /// An object that must be present.
    pub fn obj(&self, key: &str) -> Result<Params<'a>> {
        match self.get(key) {
            None => Err(self.fail(format!("{key} is missing"))),
            Some(v @ Value::Object(_)) => Ok(self.at(v)),
            Some(other) => Err(self.fail(format!("{key} must be a Hash, got {}", kind(other)))),
        }
    }

    /// Refuses keys other than `allowed` (a misspelt option must not be sent silently).
    pub fn only(&self, allowed: &[&str], what: &str) -> Result<()> {
        let object = self.object()?;
        let unknown: Vec<&str> = object
            .keys()
            .map(String::as_str)
            .filter(|k| !allowed.contains(k))
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            Err(self.fail(format!(
                "{what} does not take {}; it takes {}",
                unknown.join(", "),
                allowed.join(", ")
            )))
        }
    }

    /// Refuses text over its limit, naming the field (`prefix.path`), its length and the limit.
    pub fn text_limits(&self, prefix: &str, limits: &'static [TextLimit]) -> Result<()> {
        if let Some((path, len, limit)) = limits::exceeded(self.value, limits) {
            let name = if prefix.is_empty() {
                path
            } else {
                format!("{prefix}.{path}")
            };
            return Err(self.fail(format!(
                "{name} is {len} {unit}; WeCom allows at most {max} {unit}",
                unit = limit.unit.as_str(),
                max = limit.max
            )));
        }
        Ok(())
    }
}

fn empty() -> &'static Vec<Value> {
    static EMPTY: Vec<Value> = Vec::new();
    &EMPTY
}

/// A value and its type, short: `"abc" (a String)`.
pub fn describe(value: &Value) -> String {
    let mut text = value.to_string();
    if text.len() > 40 {
        let mut end = 40;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    format!("{text} ({})", kind(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_name_the_endpoint_the_field_and_the_problem() {
        let v = json!({"userid": 7, "blank": " ", "list": [1], "n": "x"});
        let p = Params::new("user/get", &v);
        let msg = |r: Result<()>| r.unwrap_err().to_string();
        assert_eq!(
            msg(p.str("userid").map(drop)),
            "user/get: userid must be a String, got an Integer"
        );
        assert_eq!(
            msg(p.str("missing").map(drop)),
            "user/get: missing is missing"
        );
        assert_eq!(msg(p.str("blank").map(drop)), "user/get: blank is empty");
        assert_eq!(
            msg(p.strings("list", 1, 2).map(drop)),
            "user/get: list[0] must be a non-empty String, got 1 (an Integer)"
        );
        assert_eq!(
            msg(p.int("n").map(drop)),
            "user/get: n must be an Integer, got \"x\" (a String)"
        );
        assert_eq!(
            msg(p.array("list", 2, 5).map(drop)),
            "user/get: list has 1 items; WeCom takes 2 to 5"
        );
        assert!(msg(p.only(&["userid"], "user/get")).contains("does not take blank, list, n"));
    }
}
