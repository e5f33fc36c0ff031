//! JSON values between Ruby and the core. Ruby hands JSON text in (its generator is fast and
//! already knows every Ruby type); the core's answers come back as plain Hash/Array/String values.

use magnus::{value::ReprValue, Error, IntoValue, RArray, RHash, Ruby, Value};
use serde_json::Value as Json;

/// A `serde_json::Value` as a Ruby object: Hash with String keys, Array, String, Integer, Float,
/// true/false/nil.
pub fn json_to_ruby(ruby: &Ruby, json: &Json) -> Result<Value, Error> {
    Ok(match json {
        Json::Null => ruby.qnil().as_value(),
        Json::Bool(b) => b.into_value_with(ruby),
        Json::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_value_with(ruby)
            } else if let Some(u) = n.as_u64() {
                u.into_value_with(ruby)
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_value_with(ruby)
            }
        }
        Json::String(s) => ruby.str_new(s).as_value(),
        Json::Array(items) => {
            let array = ruby.ary_new_capa(items.len());
            for item in items {
                array.push(json_to_ruby(ruby, item)?)?;
            }
            array.as_value()
        }
        Json::Object(map) => {
            let hash = ruby.hash_new();
            for (key, value) in map {
                hash.aset(ruby.str_new(key), json_to_ruby(ruby, value)?)?;
            }
            hash.as_value()
        }
    })
}

/// Parses JSON text that the Ruby layer generated.
pub fn parse_json(ruby: &Ruby, text: &str, what: &str) -> Result<Json, Error> {
    serde_json::from_str(text).map_err(|e| {
        Error::new(
            ruby.exception_arg_error(),
            format!("{what} is not valid JSON: {e}"),
        )
    })
}

/// An Array of Strings as a Vec.
#[allow(dead_code)]
pub fn strings(array: RArray) -> Result<Vec<String>, Error> {
    array.to_vec::<String>()
}

#[allow(dead_code)]
pub fn hash_get<T: magnus::TryConvert>(hash: RHash, key: &str) -> Result<Option<T>, Error> {
    match hash.get(key) {
        Some(v) if !v.is_nil() => Ok(Some(T::try_convert(v)?)),
        _ => Ok(None),
    }
}
