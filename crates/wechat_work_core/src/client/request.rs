//! A request to a `/cgi-bin` API, as the caller describes it.

use serde_json::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ApiRequest {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    /// May this request be sent again after it possibly reached WeCom? GETs are; a POST is when
    /// WeCom deduplicates it (`enable_duplicate_check`) or the caller says so.
    pub idempotent: bool,
}

impl ApiRequest {
    pub fn get(path: impl Into<String>, query: Vec<(String, String)>) -> Self {
        Self {
            method: Method::Get,
            path: path.into(),
            query,
            body: None,
            idempotent: true,
        }
    }

    pub fn post(path: impl Into<String>, body: Value) -> Self {
        let idempotent = dedup_enabled(&body);
        Self {
            method: Method::Post,
            path: path.into(),
            query: Vec::new(),
            body: Some(body),
            idempotent,
        }
    }
}

/// WeCom drops a repeat of the same body when `enable_duplicate_check` is 1.
fn dedup_enabled(body: &Value) -> bool {
    match body.get("enable_duplicate_check") {
        Some(Value::Number(n)) => n.as_i64() == Some(1),
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s == "1",
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn posts_are_idempotent_only_with_duplicate_check() {
        assert!(!ApiRequest::post("message/send", json!({"msgtype": "text"})).idempotent);
        assert!(ApiRequest::post("message/send", json!({"enable_duplicate_check": 1})).idempotent);
        assert!(
            ApiRequest::post("message/send", json!({"enable_duplicate_check": "1"})).idempotent
        );
        assert!(!ApiRequest::post("message/send", json!({"enable_duplicate_check": 0})).idempotent);
        assert!(ApiRequest::get("user/get", vec![]).idempotent);
    }
}
