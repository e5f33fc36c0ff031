//! Client settings, validated once at construction.

use std::fmt;
use std::time::Duration;

use crate::error::{Error, Result};

/// A secret that never prints itself.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[FILTERED]")
    }
}

#[derive(Clone, Debug)]
pub struct ClientConfig {
    pub corp_id: String,
    pub secret: Secret,
    pub agent_id: Option<i64>,
    /// Scheme, host and optional port (and path prefix) of WeCom or a stand-in, without `/cgi-bin`.
    pub base_url: String,
    /// Bounds a whole call: token fetch, every attempt and every backoff sleep.
    pub timeout: Duration,
    /// Bounds establishing one connection.
    pub open_timeout: Duration,
    /// Retries after the first attempt, for errcode -1, HTTP 5xx and network failures.
    pub max_retries: u32,
    /// First backoff delay; doubles each retry, with jitter, capped at `max_backoff`.
    pub base_backoff: Duration,
    pub max_backoff: Duration,
}

pub const DEFAULT_BASE_URL: &str = "https://qyapi.weixin.qq.com";

impl ClientConfig {
    pub fn new(corp_id: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            corp_id: corp_id.into(),
            secret: Secret::new(secret),
            agent_id: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Duration::from_secs(10),
            open_timeout: Duration::from_secs(5),
            max_retries: 3,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.corp_id.trim().is_empty() {
            return Err(Error::configuration(
                "corp_id is missing (set it, or WECHAT_WORK_CORP_ID)",
            ));
        }
        if self.secret.expose().trim().is_empty() {
            return Err(Error::configuration(
                "secret is missing (set it, or WECHAT_WORK_SECRET)",
            ));
        }
        let url = url::Url::parse(&self.base_url).map_err(|e| {
            Error::configuration(format!("base_url {:?} is not a URL: {e}", self.base_url))
        })?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(Error::configuration(format!(
                "base_url {:?} must be an http(s) URL with a host",
                self.base_url
            )));
        }
        if self.timeout.is_zero() {
            return Err(Error::configuration("timeout must be positive"));
        }
        Ok(())
    }

    /// `base_url` + `/cgi-bin/` + `path`; `path` may be given as `message/send`,
    /// `/cgi-bin/message/send` or `cgi-bin/message/send`.
    pub fn endpoint(&self, path: &str) -> String {
        format!(
            "{}/cgi-bin/{}",
            self.base_url.trim_end_matches('/'),
            api_path(path)
        )
    }
}

/// The API path without the `/cgi-bin/` prefix: what logs and errors name.
pub fn api_path(path: &str) -> &str {
    let p = path.trim_start_matches('/');
    p.strip_prefix("cgi-bin/").unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_accepts_every_spelling_of_a_path() {
        let c = ClientConfig::new("ww1", "s");
        for p in [
            "message/send",
            "/message/send",
            "/cgi-bin/message/send",
            "cgi-bin/message/send",
        ] {
            assert_eq!(
                c.endpoint(p),
                "https://qyapi.weixin.qq.com/cgi-bin/message/send"
            );
        }
        let mut c = c;
        c.base_url = "http://127.0.0.1:3000/".into();
        assert_eq!(
            c.endpoint("gettoken"),
            "http://127.0.0.1:3000/cgi-bin/gettoken"
        );
    }

    #[test]
    fn validation_names_the_missing_setting() {
        let err = ClientConfig::new("", "s").validate().unwrap_err();
        assert!(err.to_string().contains("corp_id"));
        let err = ClientConfig::new("ww", " ").validate().unwrap_err();
        assert!(err.to_string().contains("secret"));
        let mut c = ClientConfig::new("ww", "s");
        c.base_url = "ftp://x".into();
        assert!(matches!(c.validate(), Err(Error::Configuration(_))));
        c.base_url = "qyapi.weixin.qq.com".into();
        assert!(matches!(c.validate(), Err(Error::Configuration(_))));
    }

    #[test]
    fn secret_debug_is_filtered() {
        let c = ClientConfig::new("ww", "topsecret");
        assert!(!format!("{c:?}").contains("topsecret"));
    }
}
