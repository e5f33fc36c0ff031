//! WeCom's identifiers: userids, department and tag ids, `|`-joined recipient lists.

use serde_json::Value;

/// Splits a `|`-separated list the way WeCom does (spaces around ids ignored, empty parts
/// dropped): `"a | b||c"` → `["a", "b", "c"]`.
pub fn split(list: &str) -> Vec<&str> {
    list.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// A recipient field as ids: a `|`-string, a number (one id), or absent/null (none).
/// `None` when the field has another shape (an Array where WeCom wants a String).
pub fn field(value: Option<&Value>) -> Option<Vec<String>> {
    match value {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::String(s)) => Some(split(s).into_iter().map(str::to_string).collect()),
        Some(Value::Number(n)) => Some(vec![n.to_string()]),
        Some(_) => None,
    }
}

/// WeCom's userid rule: 1 to 64 bytes of `[0-9a-zA-Z_-@.]`.
pub fn valid_userid(userid: &str) -> bool {
    !userid.is_empty()
        && userid.len() <= 64
        && userid
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'@' | b'.'))
}

/// Department and tag ids are positive 32-bit integers, as numbers or digit strings.
pub fn parse_id(id: &str) -> Option<u64> {
    if id.is_empty() || id.len() > 10 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse::<u64>()
        .ok()
        .filter(|n| *n >= 1 && *n <= u64::from(u32::MAX))
}

/// A department or tag id given as a JSON number or digit string.
pub fn id_value(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().filter(|n| *n >= 1 && *n <= u64::from(u32::MAX)),
        Value::String(s) => parse_id(s.trim()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn splits_like_wecom() {
        assert_eq!(split("a|b | c||"), vec!["a", "b", "c"]);
        assert_eq!(field(Some(&json!(12))), Some(vec!["12".to_string()]));
        assert_eq!(field(None), Some(vec![]));
        assert_eq!(field(Some(&json!(["a"]))), None);
    }

    #[test]
    fn id_rules() {
        assert!(valid_userid("Li.Lei-1@x_y"));
        assert!(!valid_userid("li lei"));
        assert!(!valid_userid(&"a".repeat(65)));
        assert_eq!(parse_id("7"), Some(7));
        assert_eq!(parse_id("0"), None);
        assert_eq!(parse_id("x"), None);
        assert_eq!(id_value(&json!("12")), Some(12));
        assert_eq!(id_value(&json!(-1)), None);
    }
}
