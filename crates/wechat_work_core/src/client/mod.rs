//! The WeCom API client: tokens, HTTP with keep-alive, retries, deadlines.
//!
//! One [`Client`] serves every thread of a process. Calls run on the caller's thread through
//! [`crate::cancel::block_on`]; the connection pool lives on the process runtime and is
//! rebuilt (the old one leaked) after `fork`.

pub mod backoff;
pub mod config;
pub mod request;
pub mod token;
pub mod trace;

use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use serde_json::Value;

pub use config::{api_path, ClientConfig, Secret};
pub use request::{ApiRequest, Method};
pub use token::{Token, TokenKey, TokenStore};
pub use trace::TraceEvent;

use crate::cancel::{self, Canceller};
use crate::error::{Error, Result};

/// errcodes that mean "this access token is no good": refetch once and retry.
pub const TOKEN_ERRCODES: [i64; 3] = [40001, 40014, 42001];
/// errcode -1: WeCom is busy; nothing was done, so any request may be retried.
pub const BUSY_ERRCODE: i64 = -1;

const USER_AGENT: &str = concat!("wechat_work/", env!("CARGO_PKG_VERSION"));
/// Larger answers are not WeCom's JSON; refuse rather than buffer without bound.
const MAX_BODY: usize = 32 * 1024 * 1024;

struct Http {
    pid: u32,
    client: reqwest::Client,
}

pub struct Client {
    config: ClientConfig,
    key: TokenKey,
    store: Option<Arc<dyn TokenStore>>,
    http: ArcSwapOption<Http>,
}

/// Per-call state: the deadline and the trace being written.
struct Call<'a> {
    deadline: Instant,
    trace: &'a mut Vec<TraceEvent>,
}

impl Call<'_> {
    fn remaining(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }
}

enum SendError {
    /// The deadline passed while waiting.
    Timeout,
    /// Nothing reached the server: always safe to retry.
    Connect(String),
    /// The request may have reached the server.
    Other(String),
}

impl Client {
    pub fn new(config: ClientConfig, store: Option<Arc<dyn TokenStore>>) -> Result<Self> {
        config.validate()?;
        let key = TokenKey::for_config(&config);
        Ok(Self {
            config,
            key,
            store,
            http: ArcSwapOption::const_empty(),
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    pub fn token_key(&self) -> &TokenKey {
        &self.key
    }

    /// The cached access token, fetched if needed.
    pub fn access_token(&self, cancel: &Canceller, trace: &mut Vec<TraceEvent>) -> Result<String> {
        cancel::block_on(cancel, async {
            let mut call = self.start_call(trace);
            Ok(self.token(&mut call).await?.value)
        })
    }

    /// Forgets this app's cached token (in this process and in the shared store).
    pub fn invalidate_token(&self) {
        let slot = token::slot(&self.key);
        if let Some(t) = slot.fresh() {
            slot.invalidate(&t.value);
        }
        if let Some(store) = &self.store {
            let _ = store.write(self.key.as_str(), None, Duration::from_secs(1));
        }
    }

    /// Calls a `/cgi-bin` API with a token: retries, one token refresh, deadline. Returns the
    /// JSON body of a successful (errcode 0) answer.
    pub fn call(
        &self,
        req: &ApiRequest,
        cancel: &Canceller,
        trace: &mut Vec<TraceEvent>,
    ) -> Result<Value> {
        cancel::block_on(cancel, async {
            let mut call = self.start_call(trace);
            self.call_with_token(&mut call, req).await
        })
    }

    fn start_call<'a>(&self, trace: &'a mut Vec<TraceEvent>) -> Call<'a> {
        Call {
            deadline: Instant::now() + self.config.timeout,
            trace,
        }
    }

    async fn call_with_token(&self, call: &mut Call<'_>, req: &ApiRequest) -> Result<Value> {
        let mut refreshed = false;
        loop {
            let token = self.token(call).await?;
            match self.execute(call, req, Some(&token.value)).await {
                Err(Error::Api { errcode, .. })
                    if !refreshed && TOKEN_ERRCODES.contains(&errcode) =>
                {
                    // Retry once with a new token, never recursively.
                    refreshed = true;
                    self.reject_token(&token.value);
                    if let Some(last) = call.trace.last_mut() {
                        last.outcome = "token_refresh";
                    }
                }
                other => return other,
            }
        }
    }

    fn reject_token(&self, rejected: &str) {
        token::slot(&self.key).invalidate(rejected);
        if let Some(store) = &self.store {
            let shared = store
                .read(self.key.as_str())
                .ok()
                .flatten()
                .and_then(|text| Token::from_store_value(&text));
            if shared.is_some_and(|t| t.value == rejected) {
                let _ = store.write(self.key.as_str(), None, Duration::from_secs(1));
            }
        }
    }

    /// Single flight: the first caller fetches, the others wait for it (cancellably) and then
    /// find the fresh token in the cache.
    async fn token(&self, call: &mut Call<'_>) -> Result<Token> {
        let slot = token::slot(&self.key);
        if let Some(t) = slot.fresh() {
            return Ok(t);
        }
        let remaining = call.remaining();
        let _flight = tokio::time::timeout(remaining, slot.refresh.lock())
            .await
            .map_err(|_| self.timeout_error("gettoken"))?;
        if let Some(t) = slot.fresh() {
            return Ok(t);
        }
        if let Some(shared) = self.read_store() {
            if !slot.was_rejected(&shared.value) {
                slot.set(shared.clone());
                return Ok(shared);
            }
        }
        let token = self.fetch_token(call).await?;
        slot.set(token.clone());
        if let Some(store) = &self.store {
            let _ = store.write(
                self.key.as_str(),
                Some(&token.to_store_value()),
                token::store_ttl(&token),
            );
        }
        Ok(token)
    }

    fn read_store(&self) -> Option<Token> {
        let text = self.store.as_ref()?.read(self.key.as_str()).ok()??;
        Token::from_store_value(&text)
    }

    async fn fetch_token(&self, call: &mut Call<'_>) -> Result<Token> {
        let req = ApiRequest::get(
            "gettoken",
            vec![
                ("corpid".into(), self.config.corp_id.clone()),
                ("corpsecret".into(), self.config.secret.expose().to_string()),
            ],
        );
        let body = self.execute(call, &req, None).await?;
        let value = body
            .get("access_token")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| Error::Protocol {
                path: "gettoken".into(),
                message: "gettoken answered without an access_token".into(),
                status: 200,
            })?;
        let expires_in = body.get("expires_in").and_then(int_of).unwrap_or(7200);
        Ok(Token::new(value.to_string(), expires_in.max(0) as u64))
    }

    /// One request, with retries for -1, 5xx and network failures within the deadline.
    async fn execute(
        &self,
        call: &mut Call<'_>,
        req: &ApiRequest,
        token: Option<&str>,
    ) -> Result<Value> {
        let path = api_path(&req.path).to_string();
        let mut retry = 0u32;
        loop {
            let started = Instant::now();
            let remaining = call.remaining();
            let mut event = TraceEvent {
                method: req.method.as_str(),
                path: path.clone(),
                attempt: retry + 1,
                status: None,
                errcode: None,
                duration: Duration::ZERO,
                outcome: "ok",
            };
            let sent = if remaining.is_zero() {
                Err(SendError::Timeout)
            } else {
                tokio::time::timeout(remaining, self.send_once(req, token, remaining))
                    .await
                    .unwrap_or(Err(SendError::Timeout))
            };
            event.duration = started.elapsed();
            let (result, retryable): (Result<Value>, bool) = match sent {
                Err(SendError::Timeout) => {
                    event.outcome = "timeout";
                    call.trace.push(event);
                    return Err(self.timeout_error(&path));
                }
                Err(SendError::Connect(message)) => (
                    Err(Error::Network {
                        path: path.clone(),
                        message,
                    }),
                    true,
                ),
                Err(SendError::Other(message)) => (
                    Err(Error::Network {
                        path: path.clone(),
                        message,
                    }),
                    req.idempotent,
                ),
                Ok((status, bytes)) => {
                    event.status = Some(status);
                    classify(&path, status, &bytes, req.idempotent, &mut event)
                }
            };
            if result.is_ok() {
                call.trace.push(event);
                return result;
            }
            event.outcome = match &result {
                Err(Error::Network { .. }) => "network_error",
                Err(Error::Protocol { .. }) => "protocol_error",
                _ => "api_error",
            };
            let delay = backoff::delay(retry, self.config.base_backoff, self.config.max_backoff);
            if !retryable || retry >= self.config.max_retries || delay >= call.remaining() {
                call.trace.push(event);
                return result;
            }
            event.outcome = "retry";
            call.trace.push(event);
            tokio::time::sleep(delay).await;
            retry += 1;
        }
    }

    async fn send_once(
        &self,
        req: &ApiRequest,
        token: Option<&str>,
        remaining: Duration,
    ) -> std::result::Result<(u16, Vec<u8>), SendError> {
        let http = self.http().map_err(|e| SendError::Connect(e.to_string()))?;
        let url = self.config.endpoint(&req.path);
        let mut builder = match req.method {
            Method::Get => http.get(url),
            Method::Post => http.post(url),
        };
        if let Some(token) = token {
            builder = builder.query(&[("access_token", token)]);
        }
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        if let Some(body) = &req.body {
            let bytes = serde_json::to_vec(body).map_err(|e| SendError::Connect(e.to_string()))?;
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(bytes);
        }
        let response = builder
            .timeout(remaining)
            .send()
            .await
            .map_err(send_error)?;
        let status = response.status().as_u16();
        let mut body = Vec::new();
        let mut response = response;
        while let Some(chunk) = response.chunk().await.map_err(send_error)? {
            if body.len() + chunk.len() > MAX_BODY {
                return Err(SendError::Other("answer larger than 32 MiB".into()));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }

    /// The connection pool of this process. After a fork the inherited pool belongs to a
    /// runtime whose threads are gone: leak it and start another.
    fn http(&self) -> Result<reqwest::Client> {
        let pid = std::process::id();
        let current = self.http.load_full();
        if let Some(h) = current.as_ref().filter(|h| h.pid == pid) {
            return Ok(h.client.clone());
        }
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .connect_timeout(self.config.open_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .pool_max_idle_per_host(64)
            .tcp_nodelay(true)
            .build()
            .map_err(|e| {
                Error::Internal(format!("cannot build the HTTP client: {}", describe(&e)))
            })?;
        let fresh = Arc::new(Http {
            pid,
            client: client.clone(),
        });
        self.http.store(Some(fresh));
        if let Some(inherited) = current {
            std::mem::forget(inherited);
        }
        Ok(client)
    }

    fn timeout_error(&self, path: &str) -> Error {
        Error::Timeout {
            path: path.to_string(),
            timeout_ms: self.config.timeout.as_millis() as u64,
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        // A pool inherited through fork must not be dropped in the child.
        if let Some(h) = self.http.swap(None) {
            if h.pid != std::process::id() {
                std::mem::forget(h);
            }
        }
    }
}

/// Sorts an answer into success, a retryable failure, or a final failure.
fn classify(
    path: &str,
    status: u16,
    bytes: &[u8],
    idempotent: bool,
    event: &mut TraceEvent,
) -> (Result<Value>, bool) {
    if status >= 500 {
        return (
            Err(Error::Protocol {
                path: path.to_string(),
                message: format!("HTTP {status} from the server"),
                status,
            }),
            idempotent,
        );
    }
    let json: Option<Value> = serde_json::from_slice(bytes).ok();
    let Some(json) = json.filter(Value::is_object) else {
        let snippet: String = String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
            .chars()
            .filter(|c| !c.is_control())
            .collect();
        return (
            Err(Error::Protocol {
                path: path.to_string(),
                message: format!("HTTP {status} with a body that is not WeCom's JSON: {snippet:?}"),
                status,
            }),
            false,
        );
    };
    if !(200..300).contains(&status) {
        return (
            Err(Error::Protocol {
                path: path.to_string(),
                message: format!("HTTP {status} from the server"),
                status,
            }),
            false,
        );
    }
    // Old gettoken answers carry no errcode; some carry it as a string.
    let errcode = json.get("errcode").and_then(int_of).unwrap_or(0);
    event.errcode = Some(errcode);
    if errcode == 0 {
        return (Ok(json), false);
    }
    let errmsg = json
        .get("errmsg")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    (
        Err(Error::api(errcode, errmsg, path, json)),
        errcode == BUSY_ERRCODE,
    )
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn send_error(e: reqwest::Error) -> SendError {
    if e.is_timeout() {
        SendError::Timeout
    } else if e.is_connect() {
        SendError::Connect(describe(&e))
    } else {
        SendError::Other(describe(&e))
    }
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

#[cfg(test)]
mod tests;
