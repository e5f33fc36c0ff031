//! Injected faults: a queue of "the next N requests to this path misbehave like this".

use std::time::Duration;

use serde_json::Value;

use wechat_work_core::{Error, Result};

#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// Answer normally after a delay.
    Latency(Duration),
    /// Answer `{"errcode": code, ...}` with HTTP 200 and do nothing else.
    Errcode(i64),
    /// Answer this HTTP status with an HTML body and do nothing else.
    HttpStatus(u16),
    /// Process the request normally, then answer this HTTP status instead of the JSON.
    DeliverThenFail(u16),
    /// Accept the request and never answer.
    Silent,
    /// errcode 45009.
    RateLimit,
    /// Close the connection without answering.
    Reset,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: FaultKind,
    /// API path without `/cgi-bin/` (`message/send`); None matches every request.
    pub path: Option<String>,
    /// Requests left; None = until cleared. `times` absent in the JSON means 1.
    pub remaining: Option<u64>,
}

/// `/cgi-bin/message/send` and `message/send` both become `message/send`.
pub use wechat_work_core::api::api_path as api_name;

fn status(spec: &Value, default: u16) -> Result<u16> {
    match spec.get("status") {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v
            .as_u64()
            .filter(|s| (100..=599).contains(s))
            .map(|s| s as u16)
            .ok_or_else(|| {
                Error::argument(format!("status must be an HTTP status (100-599), got {v}"))
            }),
    }
}

impl Fault {
    /// From the binding's JSON: `{"kind": "latency", "path": "message/send", "times": 1, "seconds": 0.3}`.
    pub fn from_json(spec: &Value) -> Result<Self> {
        let kind = spec.get("kind").and_then(Value::as_str).unwrap_or_default();
        let kind = match kind {
            "latency" => {
                let secs = match spec.get("seconds") {
                    None | Some(Value::Null) => 0.3,
                    Some(v) => v
                        .as_f64()
                        .filter(|s| s.is_finite() && *s >= 0.0 && *s <= 3600.0)
                        .ok_or_else(|| Error::argument(format!("seconds must be between 0 and 3600, got {v}")))?,
                };
                FaultKind::Latency(Duration::from_secs_f64(secs))
            }
            "errcode" => FaultKind::Errcode(match spec.get("errcode") {
                None | Some(Value::Null) => -1,
                Some(v) => v
                    .as_i64()
                    .ok_or_else(|| Error::argument(format!("errcode must be an Integer, got {v}")))?,
            }),
            "http_status" => FaultKind::HttpStatus(status(spec, 502)?),
            "deliver_then_fail" => FaultKind::DeliverThenFail(status(spec, 502)?),
            "silent" => FaultKind::Silent,
            "rate_limit" => FaultKind::RateLimit,
            "reset" => FaultKind::Reset,
            other => {
                return Err(Error::argument(format!(
                    "unknown fault {other:?}: use latency, errcode, http_status, deliver_then_fail, silent, rate_limit or reset"
                )))
            }
        };
        let path = match spec.get("path") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if !api_name(s).is_empty() => Some(api_name(s).to_string()),
            Some(v) => {
                return Err(Error::argument(format!(
                    "path must be an API path like \"message/send\", got {v}"
                )))
            }
        };
        // Absent: once (as the Ruby default); null: until cleared.
        let remaining = match spec.get("times") {
            None => Some(1),
            Some(Value::Null) => None,
            Some(v) => Some(v.as_u64().filter(|n| *n >= 1).ok_or_else(|| {
                Error::argument(format!("times must be a positive Integer or nil, got {v}"))
            })?),
        };
        Ok(Fault {
            kind,
            path,
            remaining,
        })
    }

    fn matches(&self, api: &str) -> bool {
        self.path.as_deref().map_or(true, |p| p == api)
    }
}

#[derive(Debug, Default)]
pub struct FaultQueue {
    faults: Vec<Fault>,
}

impl FaultQueue {
    pub fn push(&mut self, fault: Fault) {
        self.faults.push(fault);
    }

    pub fn clear(&mut self) {
        self.faults.clear();
    }

    pub fn is_empty(&self) -> bool {
        self.faults.is_empty()
    }

    /// The first queued fault for `api` (an [`api_name`]), counting it as used.
    pub fn take(&mut self, api: &str) -> Option<FaultKind> {
        let index = self.faults.iter().position(|f| f.matches(api))?;
        let fault = &mut self.faults[index];
        let kind = fault.kind.clone();
        if let Some(left) = fault.remaining.as_mut() {
            *left -= 1;
            if *left == 0 {
                self.faults.remove(index);
            }
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn api_names() {
        assert_eq!(api_name("/cgi-bin/message/send"), "message/send");
        assert_eq!(api_name("message/send"), "message/send");
        assert_eq!(api_name("/message/send/"), "message/send");
        assert_eq!(api_name("gettoken"), "gettoken");
    }

    #[test]
    fn parse_faults() {
        let f = Fault::from_json(
            &json!({"kind": "latency", "seconds": 0.5, "path": "/cgi-bin/gettoken", "times": 2}),
        )
        .unwrap();
        assert_eq!(f.kind, FaultKind::Latency(Duration::from_millis(500)));
        assert_eq!(f.path.as_deref(), Some("gettoken"));
        assert_eq!(f.remaining, Some(2));
        let once = Fault::from_json(&json!({"kind": "errcode"})).unwrap();
        assert_eq!(
            (once.kind, once.remaining),
            (FaultKind::Errcode(-1), Some(1))
        );
        assert_eq!(
            Fault::from_json(&json!({"kind": "silent", "times": null}))
                .unwrap()
                .remaining,
            None
        );
        assert_eq!(
            Fault::from_json(&json!({"kind": "http_status"}))
                .unwrap()
                .kind,
            FaultKind::HttpStatus(502)
        );
        assert_eq!(
            Fault::from_json(&json!({"kind": "deliver_then_fail", "status": 504}))
                .unwrap()
                .kind,
            FaultKind::DeliverThenFail(504)
        );
        assert!(Fault::from_json(&json!({"kind": "nope"})).is_err());
        assert!(Fault::from_json(&json!({"kind": "http_status", "status": 99})).is_err());
        assert!(Fault::from_json(&json!({"kind": "silent", "times": 0})).is_err());
        assert!(Fault::from_json(&json!({"kind": "latency", "seconds": -1})).is_err());
    }

    #[test]
    fn queue_counts_down_and_matches_paths() {
        let mut q = FaultQueue::default();
        q.push(
            Fault::from_json(&json!({"kind": "reset", "path": "message/send", "times": 2}))
                .unwrap(),
        );
        q.push(Fault::from_json(&json!({"kind": "rate_limit", "times": null})).unwrap());
        assert_eq!(q.take("gettoken"), Some(FaultKind::RateLimit));
        assert_eq!(q.take("message/send"), Some(FaultKind::Reset));
        assert_eq!(q.take("message/send"), Some(FaultKind::Reset));
        assert_eq!(q.take("message/send"), Some(FaultKind::RateLimit));
        assert_eq!(q.take("gettoken"), Some(FaultKind::RateLimit));
        q.clear();
        assert!(q.is_empty());
        assert_eq!(q.take("gettoken"), None);
    }
}
