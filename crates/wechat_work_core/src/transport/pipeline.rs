//! The one pipeline every call goes through: credential, deadline, attempts with backoff,
//! classification of the answer, one credential refresh, trace.
//!
//! One [`Client`] serves every thread of a process. Calls run on the caller's thread through
//! [`crate::cancel::block_on`]; the connection pool lives on the process runtime and is
//! rebuilt (the old one leaked) after `fork`.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use tokio::io::AsyncWriteExt;

use super::answer::{self, Classified};
use super::backoff;
use super::config::ClientConfig;
use super::credential::{self, Credential, Key, Kind, SharedStore};
use super::fork::ForkLocal;
use super::http;
use super::request::{Request, Upload};
use super::trace::TraceEvent;
use crate::api::{self, Credential as Auth, Method};
use crate::cancel::{self, Canceller};
use crate::error::{Error, Result};
use crate::wecom::errcodes::{self, Refresh};

pub struct Client {
    config: ClientConfig,
    store: Option<Arc<dyn SharedStore>>,
    http: ForkLocal<reqwest::Client>,
    /// The cache keys of this app's credentials (access token, corp ticket, agent ticket),
    /// computed once: a cache hit costs a lookup, not a digest.
    keys: [Key; 3],
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
    /// A local failure (the upload file, the download sink): never retried.
    Local(Error),
}

/// One HTTP exchange: status and either the buffered body or what was streamed to the sink.
struct Exchange {
    status: u16,
    body: Vec<u8>,
    /// Set when the body was streamed to the caller's file.
    file: Option<FileInfo>,
}

struct FileInfo {
    size: u64,
    content_type: String,
    filename: Option<String>,
}

impl Client {
    pub fn new(config: ClientConfig, store: Option<Arc<dyn SharedStore>>) -> Result<Self> {
        config.validate()?;
        let key = |kind| {
            Key::new(
                kind,
                &config.base_url,
                &config.corp_id,
                config.secret.expose(),
                config.agent_id,
            )
        };
        let keys = [
            key(Kind::AccessToken),
            key(Kind::CorpTicket),
            key(Kind::AgentTicket),
        ];
        Ok(Self {
            config,
            store,
            http: ForkLocal::new(),
            keys,
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The cache key of one of this app's credentials.
    pub fn key(&self, kind: Kind) -> &Key {
        match kind {
            Kind::AccessToken => &self.keys[0],
            Kind::CorpTicket => &self.keys[1],
            Kind::AgentTicket => &self.keys[2],
        }
    }

    /// The cached credential if it is fresh in this process: no I/O, no lock held for long,
    /// no syscall, so the host can answer it without releasing its interpreter lock.
    pub fn cached(&self, kind: Kind) -> Option<String> {
        credential::slot(self.key(kind)).fresh().map(|c| c.value)
    }

    /// When this process's cached credential was fetched (Unix seconds; here, or by the
    /// process that put it in the shared store), if it is cached and its date known. No I/O.
    pub fn fetched_at(&self, kind: Kind) -> Option<u64> {
        credential::slot(self.key(kind))
            .latest()
            .and_then(|c| c.fetched_at_unix)
    }

    /// The credential, fetched if needed (single flight).
    pub fn credential(
        &self,
        kind: Kind,
        cancel: &Canceller,
        trace: &mut Vec<TraceEvent>,
    ) -> Result<String> {
        self.require_app()?;
        if kind == Kind::AgentTicket && self.config.agent_id.is_none() {
            return Err(Error::configuration(
                "the agent ticket (wx.agentConfig) needs the app's agent_id",
            ));
        }
        cancel::block_on(cancel, async {
            let mut call = self.start_call(trace);
            Ok(self.fetch_cached(kind, &mut call).await?.value)
        })
    }

    /// Fetches a new credential when the current one (here or in the shared store) expires
    /// within `ahead`, so requests never wait on it (a refresher job). Single flight within the
    /// process; several processes may refresh at once (WeCom answers each). Returns whether it
    /// fetched, and the seconds the credential now has left.
    pub fn refresh(
        &self,
        kind: Kind,
        ahead: Duration,
        cancel: &Canceller,
        trace: &mut Vec<TraceEvent>,
    ) -> Result<(bool, u64)> {
        self.require_app()?;
        cancel::block_on(cancel, async {
            let mut call = self.start_call(trace);
            let key = self.key(kind);
            let slot = credential::slot(key);
            let remaining = call.remaining();
            let _flight = tokio::time::timeout(remaining, slot.refresh.lock())
                .await
                .map_err(|_| self.timeout_error(fetch_path(kind)))?;
            let current = slot.latest().or_else(|| self.read_store(key));
            if let Some(c) = current.filter(|c| c.remaining_secs() > ahead.as_secs()) {
                slot.set(c.clone());
                return Ok((false, c.remaining_secs()));
            }
            let fresh = self.fetch_new(kind, &mut call).await?;
            let left = fresh.remaining_secs();
            self.keep(key, &slot, fresh);
            Ok((true, left))
        })
    }

    /// Forgets a cached credential, here and in the shared store. With `rejected`, only if the
    /// cached value is still that one (compare-and-drop).
    pub fn invalidate(&self, kind: Kind, rejected: Option<&str>) {
        let key = self.key(kind);
        let slot = credential::slot(key);
        let value = match rejected {
            Some(v) => v.to_string(),
            None => match slot.fresh() {
                Some(c) => c.value,
                None => {
                    self.drop_shared(key, None);
                    return;
                }
            },
        };
        slot.invalidate(&value);
        self.drop_shared(key, Some(&value));
    }

    /// Sends `req` through the pipeline. Returns the JSON of a successful (errcode 0) answer;
    /// for a binary answer streamed to `sink`, `{"errcode":0, "size", "content_type", "filename"}`.
    pub fn call(
        &self,
        req: &Request,
        sink: Option<&Path>,
        cancel: &Canceller,
        trace: &mut Vec<TraceEvent>,
    ) -> Result<Value> {
        if req.answer == api::Answer::Binary && sink.is_none() {
            return Err(Error::argument(format!(
                "{} answers a file: give a path or an IO to write it to",
                req.name
            )));
        }
        cancel::block_on(cancel, async {
            let mut call = self.start_call(trace);
            self.call_with_credential(&mut call, req, sink).await
        })
    }

    fn start_call<'a>(&self, trace: &'a mut Vec<TraceEvent>) -> Call<'a> {
        Call {
            deadline: Instant::now() + self.config.timeout,
            trace,
        }
    }

    fn require_app(&self) -> Result<()> {
        if self.config.corp_id.is_empty() || self.config.secret.expose().is_empty() {
            return Err(Error::configuration(
                "this client has no corp_id and secret (a webhook client only calls webhook/*)",
            ));
        }
        Ok(())
    }

    async fn call_with_credential(
        &self,
        call: &mut Call<'_>,
        req: &Request,
        sink: Option<&Path>,
    ) -> Result<Value> {
        match req.credential {
            Auth::None => self.execute(call, req, None, sink).await,
            Auth::WebhookKey => {
                let key = self.config.webhook_key.as_ref().ok_or_else(|| {
                    Error::configuration(format!(
                        "{} is a group robot API: call it through WechatWork::Webhook (it needs the robot's key)",
                        req.name
                    ))
                })?;
                self.execute(call, req, Some(("key", key.expose())), sink)
                    .await
            }
            Auth::AccessToken => {
                self.require_app()?;
                let mut refreshed = false;
                loop {
                    let token = self.fetch_cached(Kind::AccessToken, call).await?;
                    let out = self
                        .execute(call, req, Some(("access_token", &token.value)), sink)
                        .await;
                    match out {
                        Err(Error::Api { errcode, .. })
                            if !refreshed && errcodes::refresh(errcode) == Refresh::AccessToken =>
                        {
                            // Retry once with a new token, never recursively.
                            refreshed = true;
                            self.invalidate(Kind::AccessToken, Some(&token.value));
                            if let Some(last) = call.trace.last_mut() {
                                last.outcome = "token_refresh";
                            }
                        }
                        other => return other,
                    }
                }
            }
        }
    }

    fn drop_shared(&self, key: &Key, only_if: Option<&str>) {
        let Some(store) = &self.store else { return };
        if let Some(value) = only_if {
            let shared = store
                .read(key.as_str())
                .ok()
                .flatten()
                .and_then(|text| Credential::from_store_value(&text));
            if !shared.is_some_and(|c| c.value == value) {
                return;
            }
        }
        let _ = store.write(key.as_str(), None, Duration::from_secs(1));
    }

    /// Single flight: the first caller fetches, the others wait for it (cancellably) and then
    /// find the fresh value in the cache.
    async fn fetch_cached(&self, kind: Kind, call: &mut Call<'_>) -> Result<Credential> {
        let key = self.key(kind);
        let slot = credential::slot(key);
        if let Some(c) = slot.fresh() {
            return Ok(c);
        }
        let what = fetch_path(kind);
        let remaining = call.remaining();
        let _flight = tokio::time::timeout(remaining, slot.refresh.lock())
            .await
            .map_err(|_| self.timeout_error(what))?;
        if let Some(c) = slot.fresh() {
            return Ok(c);
        }
        if let Some(shared) = self.read_store(key) {
            if !slot.was_rejected(&shared.value) {
                slot.set(shared.clone());
                return Ok(shared);
            }
        }
        let fresh = self.fetch_new(kind, call).await?;
        self.keep(key, &slot, fresh.clone());
        Ok(fresh)
    }

    /// Asks WeCom for the credential (no cache).
    async fn fetch_new(&self, kind: Kind, call: &mut Call<'_>) -> Result<Credential> {
        match kind {
            Kind::AccessToken => self.fetch_token(call).await,
            Kind::CorpTicket | Kind::AgentTicket => {
                // Tickets are fetched with the access token (and its one refresh).
                let req = Request::to(ticket_endpoint(kind)?, json!({}))?;
                let body = Box::pin(self.call_with_credential(call, &req, None)).await?;
                credential_from(&body, "ticket", fetch_path(kind))
            }
        }
    }

    /// Caches a fetched credential here and in the shared store.
    fn keep(&self, key: &Key, slot: &credential::Slot, fresh: Credential) {
        if let Some(store) = &self.store {
            let _ = store.write(
                key.as_str(),
                Some(&fresh.to_store_value()),
                fresh.store_ttl(),
            );
        }
        slot.set(fresh);
    }

    fn read_store(&self, key: &Key) -> Option<Credential> {
        let text = self.store.as_ref()?.read(key.as_str()).ok()??;
        Credential::from_store_value(&text)
    }

    async fn fetch_token(&self, call: &mut Call<'_>) -> Result<Credential> {
        let gettoken = api::find("gettoken")
            .ok_or_else(|| Error::Internal("gettoken is not registered".into()))?;
        let req = Request::to(
            gettoken,
            json!({"corpid": self.config.corp_id, "corpsecret": self.config.secret.expose()}),
        )?;
        let body = self.execute(call, &req, None, None).await?;
        credential_from(&body, "access_token", "gettoken")
    }

    /// One request, with retries for -1, 5xx and network failures within the deadline.
    async fn execute(
        &self,
        call: &mut Call<'_>,
        req: &Request,
        credential: Option<(&str, &str)>,
        sink: Option<&Path>,
    ) -> Result<Value> {
        let path = req.name.clone();
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
                tokio::time::timeout(remaining, self.send_once(req, credential, remaining, sink))
                    .await
                    .unwrap_or(Err(SendError::Timeout))
            };
            event.duration = started.elapsed();
            let classified = match sent {
                Err(SendError::Timeout) => {
                    event.outcome = "timeout";
                    call.trace.push(event);
                    return Err(self.timeout_error(&path));
                }
                Err(SendError::Local(e)) => {
                    event.outcome = "local_error";
                    call.trace.push(event);
                    return Err(e);
                }
                Err(SendError::Connect(message)) => Classified {
                    result: Err(Error::Network {
                        path: path.clone(),
                        message,
                        connect: true,
                    }),
                    retryable: true,
                },
                Err(SendError::Other(message)) => Classified {
                    result: Err(Error::Network {
                        path: path.clone(),
                        message,
                        connect: false,
                    }),
                    retryable: req.idempotent,
                },
                Ok(exchange) => {
                    event.status = Some(exchange.status);
                    match exchange.file {
                        Some(file) => Classified {
                            result: Ok(file_answer(&file)),
                            retryable: false,
                        },
                        None => {
                            let c = answer::classify(
                                &path,
                                exchange.status,
                                &exchange.body,
                                req.idempotent,
                            );
                            event.errcode = c.errcode();
                            c
                        }
                    }
                }
            };
            if classified.result.is_ok() {
                call.trace.push(event);
                return classified.result;
            }
            event.outcome = match &classified.result {
                Err(Error::Network { .. }) => "network_error",
                Err(Error::Protocol { .. }) => "protocol_error",
                _ => "api_error",
            };
            let delay = backoff::delay(retry, self.config.base_backoff, self.config.max_backoff);
            if !classified.retryable
                || retry >= self.config.max_retries
                || delay >= call.remaining()
            {
                call.trace.push(event);
                return classified.result;
            }
            event.outcome = "retry";
            call.trace.push(event);
            tokio::time::sleep(delay).await;
            retry += 1;
        }
    }

    async fn send_once(
        &self,
        req: &Request,
        credential: Option<(&str, &str)>,
        remaining: Duration,
        sink: Option<&Path>,
    ) -> std::result::Result<Exchange, SendError> {
        let http = self.http().map_err(SendError::Local)?;
        let url = self.config.endpoint(&req.name);
        let mut builder = match req.method {
            Method::Get => http.get(url),
            Method::Post => http.post(url),
        };
        if let Some(pair) = credential {
            builder = builder.query(&[pair]);
        }
        if !req.query.is_empty() {
            builder = builder.query(&req.query);
        }
        if let Some(body) = &req.json {
            let bytes = serde_json::to_vec(body).map_err(|e| {
                SendError::Local(Error::argument(format!(
                    "{}: the body is not JSON: {e}",
                    req.name
                )))
            })?;
            builder = builder
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/json; charset=utf-8",
                )
                .body(bytes);
        }
        if let Some(upload) = &req.upload {
            builder = builder.multipart(multipart(upload).await?);
        }
        let response = builder
            .timeout(remaining)
            .send()
            .await
            .map_err(send_error)?;
        let status = response.status().as_u16();
        match sink {
            Some(path) if answer::is_file(&response) => stream_to(response, path).await,
            _ => Ok(Exchange {
                status,
                body: read_body(response).await?,
                file: None,
            }),
        }
    }

    /// The connection pool of this process (rebuilt after a fork).
    fn http(&self) -> Result<reqwest::Client> {
        let pool = self
            .http
            .get_or_try_init(|| http::build_client(self.config.open_timeout))?;
        Ok((*pool).clone())
    }

    fn timeout_error(&self, path: &str) -> Error {
        Error::Timeout {
            path: path.to_string(),
            timeout_ms: self.config.timeout.as_millis() as u64,
        }
    }
}

fn fetch_path(kind: Kind) -> &'static str {
    match kind {
        Kind::AccessToken => "gettoken",
        Kind::CorpTicket => "get_jsapi_ticket",
        Kind::AgentTicket => "ticket/get",
    }
}

fn ticket_endpoint(kind: Kind) -> Result<&'static api::Endpoint> {
    api::find(fetch_path(kind))
        .ok_or_else(|| Error::Internal(format!("{} is not registered", fetch_path(kind))))
}

/// `{"access_token"|"ticket": "...", "expires_in": 7200}` as a cached credential.
fn credential_from(body: &Value, field: &str, path: &str) -> Result<Credential> {
    let value = body
        .get(field)
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Error::Protocol {
            path: path.into(),
            message: format!("{path} answered without {field}"),
            status: 200,
        })?;
    let expires_in = body
        .get("expires_in")
        .and_then(answer::int_of)
        .unwrap_or(7200);
    Ok(Credential::new(value.to_string(), expires_in.max(0) as u64))
}

fn file_answer(file: &FileInfo) -> Value {
    json!({
        "errcode": 0,
        "errmsg": "ok",
        "size": file.size,
        "content_type": file.content_type,
        "filename": file.filename,
    })
}

async fn multipart(upload: &Upload) -> std::result::Result<reqwest::multipart::Form, SendError> {
    let file = tokio::fs::File::open(&upload.path).await.map_err(|e| {
        SendError::Local(Error::argument(format!(
            "cannot read {}: {e}",
            upload.path.display()
        )))
    })?;
    let stream = tokio_util::io::ReaderStream::with_capacity(file, 64 * 1024);
    let body = reqwest::Body::wrap_stream(stream);
    let part = reqwest::multipart::Part::stream_with_length(body, upload.size)
        .file_name(http::safe_filename(&upload.filename))
        .mime_str(&upload.content_type)
        .map_err(|e| {
            SendError::Local(Error::argument(format!(
                "content_type {:?} is not a MIME type: {e}",
                upload.content_type
            )))
        })?;
    // Browsers send UTF-8 file names as they are; WeCom shows what it receives.
    Ok(reqwest::multipart::Form::new()
        .percent_encode_noop()
        .part("media", part))
}

async fn read_body(response: reqwest::Response) -> std::result::Result<Vec<u8>, SendError> {
    let mut body = Vec::new();
    let mut response = response;
    while let Some(chunk) = response.chunk().await.map_err(send_error)? {
        if body.len() + chunk.len() > answer::MAX_BODY {
            return Err(SendError::Other("answer larger than 32 MiB".into()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Streams a file answer to `path` (truncated first, so a retry starts over).
async fn stream_to(
    response: reqwest::Response,
    path: &Path,
) -> std::result::Result<Exchange, SendError> {
    let status = response.status().as_u16();
    let info_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/octet-stream")
        .to_string();
    let filename = answer::disposition_filename(&response);
    let local = |e: std::io::Error| {
        SendError::Local(Error::argument(format!(
            "cannot write {}: {e}",
            path.display()
        )))
    };
    let mut file = tokio::fs::File::create(path).await.map_err(local)?;
    let mut size = 0u64;
    let mut response = response;
    while let Some(chunk) = response.chunk().await.map_err(send_error)? {
        file.write_all(&chunk).await.map_err(local)?;
        size += chunk.len() as u64;
    }
    file.flush().await.map_err(local)?;
    Ok(Exchange {
        status,
        body: Vec::new(),
        file: Some(FileInfo {
            size,
            content_type: info_type,
            filename,
        }),
    })
}

fn send_error(e: reqwest::Error) -> SendError {
    if e.is_timeout() {
        SendError::Timeout
    } else if e.is_connect() {
        SendError::Connect(http::describe(&e))
    } else {
        SendError::Other(http::describe(&e))
    }
}

#[cfg(test)]
mod tests;
