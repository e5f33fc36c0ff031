//! WeCom's loose flags: `safe`, `enable_duplicate_check`, `is_remind`... arrive as `1`, `"1"`,
//! `true` or `0`, `"0"`, `false` (SDKs differ; the server accepts them all). One reader, used by
//! the client's checks and by the simulator, so both agree on what a body means.

use serde_json::Value;

/// The flag's value as WeCom reads it: any non-zero integer (or numeric string) and `true` are
/// on; absent, null, zero, `false` and anything unreadable are off.
pub fn is_on(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
        Some(Value::String(s)) => s.trim().parse::<i64>().is_ok_and(|n| n != 0),
        _ => false,
    }
}

/// The client's stricter check before sending: a flag must be 0, 1, "0", "1", true, false or
/// absent. `Err` names what was given.
pub fn check(value: Option<&Value>) -> Result<(), String> {
    match value {
        None | Some(Value::Null) | Some(Value::Bool(_)) => Ok(()),
        Some(Value::Number(n)) if matches!(n.as_i64(), Some(0 | 1)) => Ok(()),
        Some(Value::String(s)) if s == "0" || s == "1" => Ok(()),
        Some(other) => Err(format!("must be 0, 1, true or false, got {other}")),
    }
}

/// An integer WeCom accepts as a number or a numeric string (`agentid`, `safe`).
pub fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let s = s.trim();
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit() || b == b'-') {
                s.parse().ok()
            } else {
                None
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn one_reading_of_every_spelling() {
        for on in [json!(1), json!("1"), json!(true), json!(2), json!(" 1 ")] {
            assert!(is_on(Some(&on)), "{on}");
        }
        for off in [
            json!(0),
            json!("0"),
            json!(false),
            json!(null),
            json!("yes"),
            json!([1]),
        ] {
            assert!(!is_on(Some(&off)), "{off}");
        }
        assert!(!is_on(None));
    }

    #[test]
    fn the_client_refuses_what_is_not_a_flag() {
        for ok in [json!(0), json!(1), json!("1"), json!(false), json!(null)] {
            assert!(check(Some(&ok)).is_ok(), "{ok}");
        }
        assert!(check(None).is_ok());
        for bad in [json!(2), json!("yes"), json!(1.5), json!([1])] {
            assert!(check(Some(&bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn integers_from_numbers_and_strings() {
        assert_eq!(integer(&json!(1000002)), Some(1000002));
        assert_eq!(integer(&json!("1000002")), Some(1000002));
        assert_eq!(integer(&json!("abc")), None);
        assert_eq!(integer(&json!(1.5)), None);
    }
}
