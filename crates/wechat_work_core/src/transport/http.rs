//! The HTTP client (connection pool) and what may be said about its errors.

use std::time::Duration;

use crate::error::{Error, Result};

const USER_AGENT: &str = concat!("wechat_work/", env!("CARGO_PKG_VERSION"));

pub fn build_client(open_timeout: Duration) -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(open_timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        .pool_max_idle_per_host(64)
        .tcp_nodelay(true)
        .build()
        .map_err(|e| Error::Internal(format!("cannot build the HTTP client: {}", describe(&e))))
}

/// An error's message and causes, without the URL (it holds the token or the secret).
pub fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = String::new();
    let mut cause: Option<&dyn std::error::Error> = e.source();
    let head = if e.is_connect() {
        "cannot connect"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_request() {
        "request failed"
    } else if e.is_body() || e.is_decode() {
        "reading the answer failed"
    } else {
        "HTTP error"
    };
    text.push_str(head);
    while let Some(c) = cause {
        let s = c.to_string();
        if !s.is_empty() && !text.ends_with(&s) {
            text.push_str(": ");
            text.push_str(&s);
        }
        cause = c.source();
    }
    redact_query(&text)
}

/// Removes query strings from anything URL-like, in case a cause quotes one.
pub fn redact_query(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('?') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ')')
            .unwrap_or(tail.len());
        out.push_str("?[FILTERED]");
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// A file name safe inside `Content-Disposition: ...; filename="..."`: no quotes, backslashes
/// or control characters (which would end or split the header).
pub fn safe_filename(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c == '"' || c == '\\' || c.is_control() {
                '_'
            } else {
                c
            }
        })
        .collect();
    if cleaned.trim().is_empty() {
        "file".to_string()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_query_hides_query_strings() {
        assert_eq!(
            redact_query(
                "error sending request for url (http://x/cgi-bin/gettoken?corpid=a&corpsecret=b)"
            ),
            "error sending request for url (http://x/cgi-bin/gettoken?[FILTERED])"
        );
        assert_eq!(redact_query("no url here"), "no url here");
    }

    #[test]
    fn file_names_cannot_break_the_header() {
        assert_eq!(safe_filename("简历 \"v2\".pdf"), "简历 _v2_.pdf");
        assert_eq!(safe_filename("a\r\nb"), "a__b");
        assert_eq!(safe_filename(""), "file");
    }
}
