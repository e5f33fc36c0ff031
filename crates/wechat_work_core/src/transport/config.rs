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
    /// A group robot's key: the credential of `webhook/*` calls (no corp id, no secret).
    pub webhook_key: Option<Secret>,
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
            webhook_key: None,
            base_url: DEFAULT_BASE_URL.to_string(),
            timeout: Duration::from_secs(10),
            open_timeout: Duration::from_secs(5),
            max_retries: 3,
            base_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(2),
        }
    }

    /// A robot's settings: only its key (and the transport settings).
    pub fn webhook(key: impl Into<String>) -> Self {
        let mut config = Self::new("", "");
        config.webhook_key = Some(Secret::new(key));
        config
    }

    pub fn validate(&self) -> Result<()> {
        let robot = self.webhook_key.is_some();
        if let Some(key) = &self.webhook_key {
            if key.expose().trim().is_empty() {
                return Err(Error::configuration("the webhook key is empty"));
            }
        }
        if !robot && self.corp_id.trim().is_empty() {
            return Err(Error::configuration(
                "corp_id is missing (set it, or WECHAT_WORK_CORP_ID)",
            ));
        }
        if !robot && self.secret.expose().trim().is_empty() {
            return Err(Error::configuration(
                "secret is missing (set it, or WECHAT_WORK_SECRET)",
            ));
        }
        check_base_url(&self.base_url)?;
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

pub use crate::api::api_path;

/// A base URL must be `http(s)://host[:port][/prefix]`, without `/cgi-bin` (the client adds
/// `/cgi-bin/<path>` itself). The messages say what to write instead.
pub fn check_base_url(base_url: &str) -> Result<()> {
    let trimmed = base_url.trim();
    if trimmed.is_empty() {
        return Err(Error::configuration(format!(
            "base_url is empty; use {DEFAULT_BASE_URL:?}"
        )));
    }
    if !trimmed.contains("://") {
        return Err(Error::configuration(format!(
            "base_url {base_url:?} has no scheme; write \"https://{}\"",
            trimmed.trim_start_matches('/')
        )));
    }
    let url = url::Url::parse(trimmed)
        .map_err(|e| Error::configuration(format!("base_url {base_url:?} is not a URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(Error::configuration(format!(
            "base_url {base_url:?} must be an http(s) URL with a host, like {DEFAULT_BASE_URL:?}"
        )));
    }
    let path = url.path().trim_end_matches('/');
    if path.ends_with("/cgi-bin") {
        let fixed = trimmed.trim_end_matches('/').trim_end_matches("/cgi-bin");
        return Err(Error::configuration(format!(
            "base_url {base_url:?} ends in /cgi-bin; the client adds /cgi-bin/<api> itself: use {fixed:?}"
        )));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::configuration(format!(
            "base_url {base_url:?} must not carry a query or fragment"
        )));
    }
    Ok(())
}

/// Whether a base URL points at this machine (the simulator, a local stand-in): a loopback
/// address (127.0.0.0/8, ::1, an IPv4-mapped loopback) or `localhost` and its subdomains
/// (RFC 6761). Such a base URL may also serve the browser's sign-in pages; any other one
/// (a proxy, a leftover setting, someone else's host) never does.
pub fn is_loopback_base_url(base_url: &str) -> bool {
    let Ok(url) = url::Url::parse(base_url.trim()) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
        Some(url::Host::Domain(name)) => {
            let name = name.trim_end_matches('.').to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        None => false,
    }
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
        let err = c.validate().unwrap_err().to_string();
        assert!(
            err.contains("has no scheme; write \"https://qyapi.weixin.qq.com\""),
            "{err}"
        );
        c.base_url = "https://qyapi.weixin.qq.com/cgi-bin/".into();
        let err = c.validate().unwrap_err().to_string();
        assert!(
            err.contains("ends in /cgi-bin") && err.contains("use \"https://qyapi.weixin.qq.com\""),
            "{err}"
        );
        c.base_url = "http://proxy.internal/wecom".into();
        assert!(c.validate().is_ok());
        assert!(ClientConfig::webhook("k").validate().is_ok());
        assert!(ClientConfig::webhook(" ").validate().is_err());
    }

    #[test]
    fn loopback_base_urls_are_this_machine_only() {
        for url in [
            "http://127.0.0.1:4000",
            "http://127.8.9.10",
            "http://localhost:4000/",
            "https://sim.localhost:4443",
            "http://LOCALHOST.:4000",
            "http://[::1]:4000",
            "http://[::ffff:127.0.0.1]:4000",
        ] {
            assert!(is_loopback_base_url(url), "{url}");
        }
        for url in [
            "https://qyapi.weixin.qq.com",
            "http://127.0.0.1.evil.example",
            "http://localhost.evil.example",
            "http://0.0.0.0:4000",
            "http://10.0.0.7",
            "http://[::2]",
            "not a url",
        ] {
            assert!(!is_loopback_base_url(url), "{url}");
        }
    }

    #[test]
    fn secret_debug_is_filtered() {
        let c = ClientConfig::new("ww", "topsecret");
        assert!(!format!("{c:?}").contains("topsecret"));
    }
}
