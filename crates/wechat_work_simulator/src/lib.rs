//! A local WeCom stand-in for tests, demos, benchmarks and development: the endpoints of
//! wechat_work_core's registry with WeCom's wire format, errcodes and limits, several apps per
//! corp, WeCom's sign-in pages (OAuth and web login, [`pages`]), a record of what was
//! delivered, injectable faults, and a control API under `/_simulator/`.
//!
//! The server runs on its own tokio runtime (own threads), separate from the client's, so a
//! test process can run both. [`Simulator::stop`] (also on drop) shuts it down; a simulator
//! inherited through `fork` is leaked in the child, never shut down there.

// No unwrap/expect outside tests: a panic on a path Ruby reaches would kill the worker.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod clock;
pub mod control;
pub mod control_guard;
pub mod directory;
pub mod endpoints;
pub mod faults;
pub mod pages;
pub mod router;
pub mod server;
pub mod tokens;
pub mod wire;
pub mod world;

use std::net::{SocketAddr, TcpListener as StdListener};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use wechat_work_core::{Error, Result};

pub use endpoints::auth::Who;
pub use faults::{Fault, FaultKind};
pub use world::{AppConfig, World};

pub const DEFAULT_CORP_ID: &str = "wwsimulator000001";
pub const DEFAULT_AGENT_ID: i64 = 1000002;

/// Everything [`Simulator::start`] needs.
#[derive(Debug, Clone)]
pub struct SimulatorConfig {
    pub host: String,
    /// 0 picks a free port.
    pub port: u16,
    pub corp_id: String,
    /// The corp's apps; the first is the default app.
    pub apps: Vec<AppConfig>,
    /// `{"users": null | [...], "departments": null | [...], "tags": null | [...]}`
    pub directory: Value,
    /// The sign-in pages redirect at once as this person (tests): no page to click through.
    pub auto_login: Option<Who>,
    /// The token the control API (`/_simulator/*`) requires; made up when the simulator is
    /// bound elsewhere than loopback and none is given (see [`control_guard`]).
    pub control_token: Option<String>,
}

fn default_app() -> AppConfig {
    AppConfig {
        name: "default".into(),
        secret: wire::random_token(43),
        agent_id: DEFAULT_AGENT_ID,
        token_ttl: Duration::from_secs(7200),
        restricted_fields: true,
    }
}

impl Default for SimulatorConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".into(),
            port: 0,
            corp_id: DEFAULT_CORP_ID.into(),
            apps: vec![default_app()],
            directory: Value::Null,
            auto_login: None,
            control_token: None,
        }
    }
}

fn string(config: &Value, key: &str) -> Result<Option<String>> {
    match config.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if !s.is_empty() => Ok(Some(s.clone())),
        Some(v) => Err(Error::argument(format!(
            "{key} must be a non-empty String, got {v}"
        ))),
    }
}

fn agent_id(config: &Value) -> Result<Option<i64>> {
    match config.get("agent_id") {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().filter(|a| *a > 0).map(Some).ok_or_else(|| {
            Error::argument(format!("agent_id must be a positive Integer, got {v}"))
        }),
    }
}

/// An app's settings from JSON, over `base`.
fn app_from(config: &Value, mut base: AppConfig) -> Result<AppConfig> {
    if let Some(name) = string(config, "name")? {
        base.name = name;
    }
    if let Some(secret) = string(config, "secret")? {
        base.secret = secret;
    }
    if let Some(agent) = agent_id(config)? {
        base.agent_id = agent;
    }
    match config.get("token_ttl") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let secs = v
                .as_f64()
                .filter(|s| s.is_finite() && *s > 0.0 && *s <= 1.0e9)
                .ok_or_else(|| {
                    Error::argument(format!("token_ttl must be positive seconds, got {v}"))
                })?;
            base.token_ttl = Duration::from_secs_f64(secs);
        }
    }
    match config.get("restricted_fields") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(b)) => base.restricted_fields = *b,
        Some(v) => {
            return Err(Error::argument(format!(
                "restricted_fields must be true or false, got {v}"
            )))
        }
    }
    Ok(base)
}

impl SimulatorConfig {
    /// From the binding's JSON; absent or null keys keep the defaults. The top-level
    /// `secret`/`agent_id`/`token_ttl` are the default app's; `apps` adds more:
    /// `[{"name": "approvals", "secret": "...", "agent_id": 1000003}]`.
    pub fn from_json(config: &Value) -> Result<Self> {
        let mut out = SimulatorConfig::default();
        if !config.is_object() {
            return Err(Error::argument("simulator options must be a JSON object"));
        }
        if let Some(host) = string(config, "host")? {
            out.host = host;
        }
        match config.get("port") {
            None | Some(Value::Null) => {}
            Some(v) => {
                out.port = v
                    .as_u64()
                    .and_then(|p| u16::try_from(p).ok())
                    .ok_or_else(|| Error::argument(format!("port must be 0..65535, got {v}")))?
            }
        }
        if let Some(corp_id) = string(config, "corp_id")? {
            out.corp_id = corp_id;
        }
        let first = app_from(config, default_app())?;
        let ttl = first.token_ttl;
        let restricted = first.restricted_fields;
        out.apps = vec![first];
        match config.get("apps") {
            None | Some(Value::Null) => {}
            Some(Value::Array(apps)) => {
                for (i, app) in apps.iter().enumerate() {
                    if !app.is_object() {
                        return Err(Error::argument(format!(
                            "apps[{i}] must be a Hash, got {app}"
                        )));
                    }
                    let mut base = default_app();
                    base.name = format!("app{}", i + 2);
                    base.agent_id = DEFAULT_AGENT_ID + 1 + i as i64;
                    base.token_ttl = ttl;
                    base.restricted_fields = restricted;
                    out.apps.push(app_from(app, base)?);
                }
            }
            Some(v) => return Err(Error::argument(format!("apps must be an Array, got {v}"))),
        }
        let mut directory = serde_json::Map::new();
        for key in ["users", "departments", "tags"] {
            directory.insert(key.into(), config.get(key).cloned().unwrap_or(Value::Null));
        }
        out.directory = Value::Object(directory);
        out.auto_login = Who::from_json(config.get("auto_login").unwrap_or(&Value::Null))
            .map_err(Error::argument)?;
        out.control_token = string(config, "control_token")?;
        Ok(out)
    }
}

pub struct Simulator {
    state: Arc<World>,
    addr: SocketAddr,
    guard: Arc<control_guard::ControlGuard>,
    base_url: String,
    shutdown: CancellationToken,
    runtime: Mutex<Option<tokio::runtime::Runtime>>,
    pid: u32,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url)
            .field("corp_id", &self.state.corp_id)
            .field("agent_id", &self.state.default_app().agent_id())
            .finish_non_exhaustive()
    }
}

impl Simulator {
    /// Binds the port (errors here, synchronously) and starts serving on a new runtime.
    pub fn start(config: SimulatorConfig) -> Result<Self> {
        let state = Arc::new(World::new(
            config.corp_id.clone(),
            config.apps.clone(),
            &config.directory,
        )?);
        state.domains.auth.lock().auto_login = config.auto_login.clone();
        let listener = StdListener::bind((config.host.as_str(), config.port)).map_err(|e| {
            Error::configuration(format!(
                "the simulator cannot listen on {}:{}: {e}",
                config.host, config.port
            ))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| Error::Internal(format!("simulator socket has no address: {e}")))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::Internal(format!("simulator socket: {e}")))?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("wechat_work-sim")
            // Signals are Ruby's: see wechat_work_core::runtime::block_async_signals.
            .on_thread_start(wechat_work_core::runtime::block_async_signals)
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the simulator runtime: {e}")))?;
        let listener = {
            let _guard = runtime.enter();
            tokio::net::TcpListener::from_std(listener)
                .map_err(|e| Error::Internal(format!("simulator socket: {e}")))?
        };
        let shutdown = CancellationToken::new();
        let guard = Arc::new(control_guard::ControlGuard::for_bind(
            &addr,
            config.control_token.clone(),
        ));
        runtime.spawn(server::serve(
            listener,
            state.clone(),
            guard.clone(),
            shutdown.clone(),
        ));
        let shown_host = match addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
            ip if ip.is_unspecified() => "[::1]".to_string(),
            std::net::IpAddr::V6(ip) => format!("[{ip}]"),
            std::net::IpAddr::V4(ip) => ip.to_string(),
        };
        let base_url = format!("http://{shown_host}:{}", addr.port());
        // uploadimg answers URLs the simulator serves itself.
        state.domains.media.lock().set_public_base(&base_url);
        Ok(Self {
            state,
            addr,
            guard,
            base_url,
            shutdown,
            runtime: Mutex::new(Some(runtime)),
            pid: std::process::id(),
        })
    }

    /// The control API's token, when it needs one (bound elsewhere than loopback).
    pub fn control_token(&self) -> Option<&str> {
        self.guard.token()
    }

    /// `http://127.0.0.1:PORT` (clients append `/cgi-bin/...`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn world(&self) -> &World {
        &self.state
    }

    pub fn is_running(&self) -> bool {
        self.runtime.lock().is_some()
    }

    /// Stops serving and closes the port; waits (briefly) for the server threads. Idempotent.
    pub fn stop(&self) {
        self.shut_down(true);
    }

    fn shut_down(&self, wait: bool) {
        let runtime = match self.runtime.try_lock() {
            Some(mut slot) => slot.take(),
            // Another thread is stopping it right now.
            None => return,
        };
        if let Some(runtime) = runtime {
            self.dispose(runtime, wait);
        }
    }

    fn dispose(&self, runtime: tokio::runtime::Runtime, wait: bool) {
        if self.pid != std::process::id() {
            // Inherited through fork: its threads do not exist here; dropping it would panic.
            std::mem::forget(runtime);
            return;
        }
        self.shutdown.cancel();
        if wait && tokio::runtime::Handle::try_current().is_err() {
            runtime.shutdown_timeout(Duration::from_secs(2));
        } else {
            // Never blocks; allowed inside an async context.
            runtime.shutdown_background();
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        // Runs in Ruby's GC: never block, never panic, take no lock (a forked child may have
        // inherited it locked).
        if let Some(runtime) = self.runtime.get_mut().take() {
            self.dispose(runtime, false);
        }
    }
}
