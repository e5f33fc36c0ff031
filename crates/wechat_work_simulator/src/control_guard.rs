//! Who may use `/_simulator/*`. The control API can sign anyone in (`auto_login`) and reads
//! every delivered message, so a web page the developer happens to visit must not reach it:
//!
//! - **Bound to loopback** (the default), a request's `Host` must be a loopback name. A page
//!   on another site that rebinds its DNS name to 127.0.0.1 still sends its own name as
//!   `Host`, so it can read nothing.
//! - **Bound elsewhere** (`--host 0.0.0.0`), every request carries the control token
//!   (`Authorization: Bearer <token>` or `X-Simulator-Token`), made up at start unless given.
//! - **Every POST is `application/json`.** A cross-site form or a "simple" `fetch` can only
//!   send `text/plain`, form or multipart bodies; JSON needs a CORS preflight the simulator
//!   never grants. Other methods (DELETE) always need that preflight.
//!
//! The sign-in pages and `/cgi-bin` are WeCom's own surfaces and stay open, as WeCom's are.

use std::net::{IpAddr, SocketAddr};

use hyper::header::{HeaderMap, AUTHORIZATION, CONTENT_TYPE, HOST};
use serde_json::json;
use subtle::ConstantTimeEq;

use crate::router::Answer;

/// The header a token can also come in (for clients that cannot set Authorization).
pub const TOKEN_HEADER: &str = "x-simulator-token";

#[derive(Debug, Clone)]
pub struct ControlGuard {
    token: Option<String>,
}

impl ControlGuard {
    /// No token on loopback unless one is given; elsewhere the given one or a new random one.
    pub fn for_bind(addr: &SocketAddr, token: Option<String>) -> Self {
        let token = match token {
            Some(t) if !t.is_empty() => Some(t),
            _ if addr.ip().is_loopback() => None,
            _ => Some(crate::wire::random_token(32)),
        };
        Self { token }
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Ok, or the 403 that says what was missing.
    pub fn check(&self, method: &str, headers: &HeaderMap) -> Result<(), Answer> {
        match &self.token {
            Some(token) => {
                if !presented(headers)
                    .is_some_and(|given| bool::from(given.as_bytes().ct_eq(token.as_bytes())))
                {
                    return Err(refuse(
                        "the control API needs the simulator's control token (Authorization: Bearer <token>, \
                         or X-Simulator-Token): it is printed at start, since the simulator is not bound to loopback",
                    ));
                }
            }
            None => {
                let host = headers
                    .get(HOST)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !loopback_host(host) {
                    return Err(refuse(&format!(
                        "the control API answers only requests to a loopback host (127.0.0.1, localhost, [::1]), \
                         not Host {host:?}"
                    )));
                }
            }
        }
        if method == "POST" && !json_body(headers) {
            return Err(refuse(
                "the control API takes POSTs with Content-Type: application/json only",
            ));
        }
        Ok(())
    }
}

fn presented(headers: &HeaderMap) -> Option<&str> {
    if let Some(bearer) = headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim());
    }
    headers
        .get(TOKEN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

fn json_body(headers: &HeaderMap) -> bool {
    headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"))
}

/// `127.0.0.1:4000`, `localhost`, `[::1]:4000`, `app.localhost`: a name only this machine has.
pub fn loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inside, _)) => inside,
            None => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(name, _port)| name)
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    if name == "localhost" || name.ends_with(".localhost") {
        return true;
    }
    name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn refuse(message: &str) -> Answer {
    Answer::json(403, &json!({ "error": message }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::header::HeaderValue;

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(
                hyper::header::HeaderName::from_bytes(k.as_bytes()).unwrap(),
                HeaderValue::from_str(v).unwrap(),
            );
        }
        map
    }

    fn loopback() -> ControlGuard {
        ControlGuard::for_bind(&"127.0.0.1:4000".parse().unwrap(), None)
    }

    #[test]
    fn loopback_names_pass_and_others_do_not() {
        for host in [
            "127.0.0.1:4000",
            "127.0.0.1",
            "localhost:4000",
            "LOCALHOST",
            "[::1]:4000",
            "app.localhost:3000",
            "127.9.9.9:1",
        ] {
            assert!(loopback_host(host), "{host}");
        }
        for host in [
            "",
            "evil.example",
            "evil.example:4000",
            "localhost.evil.example",
            "10.0.0.5:4000",
            "[::2]:4000",
            "[::1",
        ] {
            assert!(!loopback_host(host), "{host}");
        }
    }

    #[test]
    fn a_rebound_host_is_refused_on_loopback() {
        let guard = loopback();
        assert!(guard
            .check("GET", &headers(&[("host", "127.0.0.1:4000")]))
            .is_ok());
        let refused = guard
            .check("GET", &headers(&[("host", "rebind.evil.example:4000")]))
            .unwrap_err();
        assert_eq!(refused.status, 403);
        assert!(guard.check("GET", &headers(&[])).is_err());
    }

    #[test]
    fn posts_must_be_json() {
        let guard = loopback();
        let host = ("host", "127.0.0.1:4000");
        assert!(guard
            .check(
                "POST",
                &headers(&[host, ("content-type", "application/json; charset=utf-8")])
            )
            .is_ok());
        for simple in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ] {
            assert!(guard
                .check("POST", &headers(&[host, ("content-type", simple)]))
                .is_err());
        }
        assert!(guard.check("POST", &headers(&[host])).is_err());
        assert!(guard.check("DELETE", &headers(&[host])).is_ok());
    }

    #[test]
    fn off_loopback_every_request_needs_the_token() {
        let guard = ControlGuard::for_bind(&"0.0.0.0:4000".parse().unwrap(), None);
        let token = guard.token().unwrap().to_string();
        assert_eq!(token.len(), 32);
        assert!(guard
            .check("GET", &headers(&[("host", "127.0.0.1:4000")]))
            .is_err());
        let bearer = format!("Bearer {token}");
        assert!(guard
            .check(
                "GET",
                &headers(&[("host", "10.0.0.5:4000"), ("authorization", &bearer)])
            )
            .is_ok());
        assert!(guard
            .check("GET", &headers(&[("x-simulator-token", &token)]))
            .is_ok());
        assert!(guard
            .check("GET", &headers(&[("authorization", "Bearer wrong")]))
            .is_err());
        let given = ControlGuard::for_bind(&"0.0.0.0:4000".parse().unwrap(), Some("t0k".into()));
        assert_eq!(given.token(), Some("t0k"));
    }
}
