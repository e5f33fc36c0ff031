//! WeCom's wire format: JSON answers with HTTP 200, errmsg with the `hint` / `from ip` /
//! `more info` suffix, and the English texts real responses carry.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::Rng;
use serde_json::{json, Map, Value};
use wechat_work_core::wecom::errcodes;

/// The English prefix WeCom puts in `errmsg` for a code: the core's errcode table.
pub fn english(errcode: i64) -> &'static str {
    errcodes::text(errcode)
}

static HINT_COUNTER: AtomicU64 = AtomicU64::new(0);

/// A request id shaped like WeCom's (`1680743372339601936772701`): digits, unique per process.
pub fn hint_id() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let n = HINT_COUNTER.fetch_add(1, Ordering::Relaxed) % 1_000_000;
    let salt: u32 = rand::rng().random_range(0..1_000_000_000);
    format!("{secs}{n:06}{salt:09}")
}

/// `"<english>, hint: [<id>], from ip: <ip>, more info at https://open.work.weixin.qq.com/devtool/query?e=<code>"`
pub fn errmsg(text: &str, errcode: i64, ip: IpAddr) -> String {
    format!(
        "{text}, hint: [{}], from ip: {ip}, more info at https://open.work.weixin.qq.com/devtool/query?e={errcode}",
        hint_id()
    )
}

/// An error outcome before the suffix is added: errcode, English text and extra body fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiFailure {
    pub errcode: i64,
    pub text: String,
    pub extra: Map<String, Value>,
}

impl ApiFailure {
    pub fn new(errcode: i64) -> Self {
        Self {
            errcode,
            text: english(errcode).to_string(),
            extra: Map::new(),
        }
    }

    /// The code's English text with a detail, e.g. `invalid Request Parameter: textcard.url is required`.
    pub fn detail(errcode: i64, detail: &str) -> Self {
        Self {
            errcode,
            text: format!("{}: {detail}", english(errcode)),
            extra: Map::new(),
        }
    }

    pub fn with_text(errcode: i64, text: impl Into<String>) -> Self {
        Self {
            errcode,
            text: text.into(),
            extra: Map::new(),
        }
    }

    /// The JSON body WeCom answers, as seen from `ip`.
    pub fn to_body(&self, ip: IpAddr) -> Value {
        let mut body = Map::new();
        body.insert("errcode".into(), json!(self.errcode));
        body.insert("errmsg".into(), json!(errmsg(&self.text, self.errcode, ip)));
        for (k, v) in &self.extra {
            body.insert(k.clone(), v.clone());
        }
        Value::Object(body)
    }
}

/// `{"errcode":0,"errmsg":"ok", ...fields}`
pub fn ok(fields: Map<String, Value>) -> Value {
    let mut body = Map::new();
    body.insert("errcode".into(), json!(0));
    body.insert("errmsg".into(), json!("ok"));
    body.extend(fields);
    Value::Object(body)
}

/// The HTML page a proxy in front of WeCom answers with for a bad status.
pub fn html_status_page(status: u16) -> String {
    let reason = match status {
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Time-out",
        429 => "Too Many Requests",
        404 => "Not Found",
        _ => "Error",
    };
    format!(
        "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>stgw</center>\r\n</body>\r\n</html>\r\n"
    )
}

/// JSON with object keys sorted at every level: two bodies are "the same JSON" when these match.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String((*key).clone()).to_string());
                out.push(':');
                if let Some(v) = map.get(*key) {
                    write_canonical(v, out);
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// A random string from WeCom's token alphabet (`[A-Za-z0-9_-]`).
pub fn random_token(len: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn errmsg_has_wecom_shape() {
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let body = ApiFailure::new(42001).to_body(ip);
        let msg = body["errmsg"].as_str().unwrap_or_default();
        assert_eq!(body["errcode"], 42001);
        assert!(msg.starts_with("access_token expired, hint: ["), "{msg}");
        assert!(msg.contains("], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=42001"), "{msg}");
        let hint = msg
            .split("hint: [")
            .nth(1)
            .and_then(|s| s.split(']').next())
            .unwrap_or_default();
        assert!(
            hint.len() >= 20 && hint.bytes().all(|b| b.is_ascii_digit()),
            "{hint}"
        );
    }

    #[test]
    fn hint_ids_are_unique() {
        let a = hint_id();
        let b = hint_id();
        assert_ne!(a, b);
    }

    #[test]
    fn extra_fields_are_kept() {
        let mut f = ApiFailure::new(81013);
        f.extra.insert("invaliduser".into(), json!("bob"));
        let body = f.to_body(IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(body["invaliduser"], "bob");
        assert!(body["errmsg"]
            .as_str()
            .unwrap_or_default()
            .starts_with("user & party & tag all invalid, hint"));
    }

    #[test]
    fn canonical_ignores_key_order_but_not_values() {
        let a: Value =
            serde_json::from_str(r#"{"b":1,"a":{"y":[1,2],"x":"s"}}"#).unwrap_or_default();
        let b: Value =
            serde_json::from_str(r#"{"a":{"x":"s","y":[1,2]},"b":1}"#).unwrap_or_default();
        let c: Value =
            serde_json::from_str(r#"{"a":{"x":"s","y":[2,1]},"b":1}"#).unwrap_or_default();
        assert_eq!(canonical(&a), canonical(&b));
        assert_ne!(canonical(&a), canonical(&c));
    }

    #[test]
    fn random_tokens_use_the_alphabet() {
        let t = random_token(96);
        assert_eq!(t.len(), 96);
        assert!(t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    }
}
