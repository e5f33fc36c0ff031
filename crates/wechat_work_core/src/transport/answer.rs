//! Reading WeCom's answers: success, a retryable failure, or a final failure.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::wecom::errcodes::{self, Retry};

/// Larger JSON answers are not WeCom's; refuse rather than buffer without bound.
pub const MAX_BODY: usize = 32 * 1024 * 1024;

pub struct Classified {
    pub result: Result<Value>,
    /// May the same request be sent again (within the call's deadline)?
    pub retryable: bool,
}

impl Classified {
    pub fn errcode(&self) -> Option<i64> {
        match &self.result {
            Ok(json) => Some(json.get("errcode").and_then(int_of).unwrap_or(0)),
            Err(Error::Api { errcode, .. }) => Some(*errcode),
            Err(_) => None,
        }
    }
}

/// Sorts an answer. WeCom answers HTTP 200 with `errcode`; a 5xx (a proxy or a WeCom edge in
/// trouble) is retried when the request may be repeated; anything that is not WeCom's JSON is
/// a protocol error that quotes the start of the body.
pub fn classify(path: &str, status: u16, bytes: &[u8], idempotent: bool) -> Classified {
    let json: Option<Value> = serde_json::from_slice(bytes).ok().filter(Value::is_object);
    if status >= 500 {
        return Classified {
            result: Err(Error::Protocol {
                path: path.to_string(),
                message: format!("HTTP {status} from the server"),
                status,
            }),
            retryable: idempotent,
        };
    }
    let Some(json) = json else {
        let snippet: String = String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        let hint = if status == 404 {
            " (is base_url right? it must not end in /cgi-bin)"
        } else {
            ""
        };
        return Classified {
            result: Err(Error::Protocol {
                path: path.to_string(),
                message: format!(
                    "HTTP {status} with a body that is not WeCom's JSON{hint}: {snippet:?}"
                ),
                status,
            }),
            retryable: false,
        };
    };
    // Old gettoken answers carry no errcode; some carry it as a string.
    let errcode = json.get("errcode").and_then(int_of).unwrap_or(0);
    if !(200..300).contains(&status) && errcode == 0 {
        return Classified {
            result: Err(Error::Protocol {
                path: path.to_string(),
                message: format!("HTTP {status} from the server"),
                status,
            }),
            retryable: false,
        };
    }
    if errcode == 0 {
        return Classified {
            result: Ok(json),
            retryable: false,
        };
    }
    let errmsg = json
        .get("errmsg")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    Classified {
        result: Err(Error::api(errcode, errmsg, path, json)),
        retryable: errcodes::retry(errcode) == Retry::Now,
    }
}

pub fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Is this answer a file (rather than WeCom's JSON error)? media/get answers bytes with a
/// Content-Disposition, or `{"errcode": 40007, ...}` as JSON (or text/plain).
pub fn is_file(response: &reqwest::Response) -> bool {
    if !response.status().is_success() {
        return false;
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    !(content_type.contains("json") || content_type.starts_with("text/plain"))
}

/// The file name of `Content-Disposition: attachment; filename="MEDIA_ID.jpg"`. The header's
/// bytes are read as UTF-8 (servers send Chinese names raw), and an RFC 5987
/// `filename*=UTF-8''...` wins over `filename`.
pub fn disposition_filename(response: &reqwest::Response) -> Option<String> {
    let header = response
        .headers()
        .get(reqwest::header::CONTENT_DISPOSITION)?;
    parse_disposition(&String::from_utf8_lossy(header.as_bytes()))
}

pub fn parse_disposition(header: &str) -> Option<String> {
    let mut plain = None;
    for part in header.split(';') {
        let Some((key, value)) = part.trim().split_once('=') else {
            continue;
        };
        let key = key.trim();
        if key.eq_ignore_ascii_case("filename*") {
            if let Some(name) = rfc5987(value.trim()).filter(|n| !n.is_empty()) {
                return Some(name);
            }
        } else if key.eq_ignore_ascii_case("filename") && plain.is_none() {
            let name = value.trim().trim_matches('"');
            plain = (!name.is_empty()).then(|| name.to_string());
        }
    }
    plain
}

/// `UTF-8''%E7%AE%80%E5%8E%86.pdf` → "简历.pdf" (other charsets are ignored).
fn rfc5987(value: &str) -> Option<String> {
    let (charset, rest) = value.split_once('\'')?;
    let (_language, encoded) = rest.split_once('\'')?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    let bytes = encoded.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_answers() {
        let ok = classify("user/get", 200, br#"{"errcode":0,"userid":"a"}"#, true);
        assert!(ok.result.is_ok());
        let old = classify(
            "gettoken",
            200,
            br#"{"access_token":"t","expires_in":7200}"#,
            true,
        );
        assert!(old.result.is_ok());
        let busy = classify(
            "message/send",
            200,
            br#"{"errcode":-1,"errmsg":"system busy"}"#,
            false,
        );
        assert!(
            busy.retryable,
            "-1 is retried even for unsafe requests: nothing was done"
        );
        let limited = classify("message/send", 200, br#"{"errcode":45009}"#, true);
        assert!(!limited.retryable);
        assert_eq!(limited.errcode(), Some(45009));
        let bad_gateway = classify("user/get", 502, b"<html>", true);
        assert!(bad_gateway.retryable);
        assert!(!classify("message/recall", 502, b"<html>", false).retryable);
        let html404 = classify("gettoken", 404, b"<html>not found</html>", true);
        let text = html404.result.unwrap_err().to_string();
        assert!(text.contains("must not end in /cgi-bin"), "{text}");
        // A JSON error on a 404 (the simulator's "not implemented") keeps its errcode and text.
        let sim = classify(
            "message/nope",
            404,
            br#"{"errcode":404,"errmsg":"not implemented by the WeCom simulator"}"#,
            false,
        );
        assert!(matches!(sim.result, Err(Error::Api { errcode: 404, .. })));
    }

    #[test]
    fn content_disposition() {
        assert_eq!(
            parse_disposition(r#"attachment; filename="MEDIA_ID.jpg""#).as_deref(),
            Some("MEDIA_ID.jpg")
        );
        assert_eq!(parse_disposition("attachment").as_deref(), None);
        assert_eq!(
            parse_disposition(
                "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E7%AE%80%E5%8E%86.pdf"
            )
            .as_deref(),
            Some("简历.pdf")
        );
        assert_eq!(
            parse_disposition("attachment; filename=\"简历.pdf\"").as_deref(),
            Some("简历.pdf")
        );
        assert_eq!(
            parse_disposition("attachment; filename=\"a.pdf\"; filename*=UTF-8''%E7%A").as_deref(),
            Some("a.pdf")
        );
    }
}
