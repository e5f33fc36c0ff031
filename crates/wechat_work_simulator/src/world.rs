//! The simulated corp: its apps (each with its own secret, agent id and tokens), its contacts,
//! what was delivered, what was asked, and each domain's own state behind its own lock.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use serde_json::{json, Value};
use wechat_work_core::api::api_path;
use wechat_work_core::{Error, Result};

use crate::clock::Clock;
use crate::directory::Directory;
use crate::endpoints;
use crate::faults::{Fault, FaultKind, FaultQueue};
use crate::tokens::{TokenError, TokenStore};

/// The request log keeps this many entries (oldest dropped); counts stay exact.
pub const REQUEST_LOG_LIMIT: usize = 100_000;

/// One app of the corp: its name in the simulator, secret, agent id.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub name: String,
    pub secret: String,
    pub agent_id: i64,
    pub token_ttl: Duration,
    /// Created after 2022-06-20: user/get withholds avatar, gender, mobile, email, address.
    pub restricted_fields: bool,
}

pub struct App {
    pub config: AppConfig,
    pub tokens: Mutex<TokenStore>,
    /// The app's JS-SDK ticket (`ticket/get?type=agent_config`).
    pub agent_tickets: Mutex<TokenStore>,
}

impl App {
    pub fn new(config: AppConfig) -> Self {
        let ttl = config.token_ttl;
        Self {
            config,
            tokens: Mutex::new(TokenStore::new(ttl)),
            agent_tickets: Mutex::new(TokenStore::new(Duration::from_secs(7200))),
        }
    }

    pub fn agent_id(&self) -> i64 {
        self.config.agent_id
    }
}

/// One logged request: no query (it holds tokens), no body.
#[derive(Debug, Clone)]
struct Logged {
    method: String,
    path: String,
    errcode: Option<i64>,
    status: Option<u16>,
}

#[derive(Debug, Default)]
pub struct RequestLog {
    log: VecDeque<Logged>,
    counts: HashMap<String, u64>,
    total: u64,
}

/// Everything delivered to people, in order: app messages, group chat posts, robot posts.
/// Each record is the body WeCom received plus `channel` ("app", "chat", "robot").
#[derive(Debug, Default)]
pub struct Outbox {
    pub records: Vec<Value>,
}

pub struct World {
    pub corp_id: String,
    pub apps: Vec<App>,
    /// The corp's JS-SDK ticket (`get_jsapi_ticket`), one for the corp.
    pub corp_tickets: Mutex<TokenStore>,
    pub clock: Clock,
    pub directory: RwLock<Directory>,
    pub log: Mutex<RequestLog>,
    pub faults: Mutex<FaultQueue>,
    pub outbox: Mutex<Outbox>,
    pub domains: endpoints::Domains,
}

impl World {
    pub fn new(corp_id: String, apps: Vec<AppConfig>, directory: &Value) -> Result<Self> {
        if apps.is_empty() {
            return Err(Error::argument("the simulator needs at least one app"));
        }
        for (i, a) in apps.iter().enumerate() {
            if apps[..i].iter().any(|b| b.secret == a.secret) {
                return Err(Error::argument(format!(
                    "apps {:?} and another app share a secret: each app needs its own",
                    a.name
                )));
            }
            if apps[..i].iter().any(|b| b.agent_id == a.agent_id) {
                return Err(Error::argument(format!(
                    "two apps have agent_id {}: each app needs its own",
                    a.agent_id
                )));
            }
        }
        Ok(Self {
            corp_id,
            apps: apps.into_iter().map(App::new).collect(),
            corp_tickets: Mutex::new(TokenStore::new(Duration::from_secs(7200))),
            clock: Clock::default(),
            directory: RwLock::new(Directory::from_config(directory)?),
            log: Mutex::new(RequestLog::default()),
            faults: Mutex::new(FaultQueue::default()),
            outbox: Mutex::new(Outbox::default()),
            domains: endpoints::Domains::default(),
        })
    }

    /// The first app: what a single-app simulator is.
    pub fn default_app(&self) -> &App {
        &self.apps[0]
    }

    pub fn app_by_secret(&self, secret: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.config.secret == secret)
    }

    pub fn app_by_agent(&self, agent_id: i64) -> Option<&App> {
        self.apps.iter().find(|a| a.config.agent_id == agent_id)
    }

    pub fn app_by_name(&self, name: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.config.name == name)
    }

    /// The app whose token this is, or the errcode WeCom answers (41001, 40014, 42001).
    pub fn app_for_token(&self, token: Option<&str>) -> std::result::Result<&App, TokenError> {
        let now = self.clock.now();
        let mut worst = TokenError::Invalid;
        for app in &self.apps {
            match app.tokens.lock().check(token, now) {
                Ok(()) => return Ok(app),
                Err(TokenError::Missing) => return Err(TokenError::Missing),
                Err(TokenError::Expired) => worst = TokenError::Expired,
                Err(TokenError::Invalid) => {}
            }
        }
        Err(worst)
    }

    // ---- what tests look at -------------------------------------------------------------

    /// Delivered messages from index `from` on.
    pub fn messages_from(&self, from: usize) -> Vec<Value> {
        let outbox = self.outbox.lock();
        outbox
            .records
            .get(from..)
            .map(<[Value]>::to_vec)
            .unwrap_or_default()
    }

    pub fn message_count(&self) -> usize {
        self.outbox.lock().records.len()
    }

    pub fn deliver(&self, record: Value) {
        self.outbox.lock().records.push(record);
    }

    /// `{"method","path","errcode","status"}` per request, oldest first. No query, no body.
    pub fn requests(&self) -> Vec<Value> {
        self.log
            .lock()
            .log
            .iter()
            .map(|l| json!({"method": l.method, "path": l.path, "errcode": l.errcode, "status": l.status}))
            .collect()
    }

    /// Requests to `path` (`gettoken`, `/cgi-bin/message/send`), or all requests.
    pub fn request_count(&self, path: Option<&str>) -> u64 {
        let log = self.log.lock();
        match path {
            None => log.total,
            Some(p) => log.counts.get(api_path(p)).copied().unwrap_or(0),
        }
    }

    pub fn record(&self, method: &str, path: &str, errcode: Option<i64>, status: Option<u16>) {
        let mut log = self.log.lock();
        log.total += 1;
        *log.counts.entry(api_path(path).to_string()).or_insert(0) += 1;
        if log.log.len() >= REQUEST_LOG_LIMIT {
            log.log.pop_front();
        }
        log.log.push_back(Logged {
            method: method.to_string(),
            path: path.to_string(),
            errcode,
            status,
        });
    }

    /// Forgets delivered messages, the request log, injected faults and each domain's
    /// memory of sends (duplicate checks); apps, tokens and contacts stay.
    pub fn clear(&self) {
        self.outbox.lock().records.clear();
        *self.log.lock() = RequestLog::default();
        self.faults.lock().clear();
        self.domains.clear();
    }

    pub fn inject(&self, fault: Fault) {
        self.faults.lock().push(fault);
    }

    pub fn clear_faults(&self) {
        self.faults.lock().clear();
    }

    /// The fault, if any, the request to `path` meets (counted as used).
    pub fn take_fault(&self, path: &str) -> Option<FaultKind> {
        let mut faults = self.faults.lock();
        if faults.is_empty() {
            return None;
        }
        faults.take(api_path(path))
    }

    /// Every issued token becomes invalid (40014); gettoken issues new ones. `app`: one app's.
    pub fn revoke_tokens(&self, app: Option<&str>) {
        for a in self.selected(app) {
            a.tokens.lock().revoke_all();
        }
    }

    /// Every issued token expires now (42001).
    pub fn expire_tokens(&self, app: Option<&str>) {
        let now = self.clock.now();
        for a in self.selected(app) {
            a.tokens.lock().expire_all(now);
        }
    }

    /// Every JS-SDK ticket (the corp's and the apps') becomes invalid; new ones are issued next.
    pub fn revoke_tickets(&self) {
        self.corp_tickets.lock().revoke_all();
        for a in &self.apps {
            a.agent_tickets.lock().revoke_all();
        }
    }

    fn selected<'a>(&'a self, app: Option<&'a str>) -> impl Iterator<Item = &'a App> + 'a {
        self.apps.iter().filter(move |a| match app {
            None => true,
            Some(name) => a.config.name == name,
        })
    }

    pub fn add_user(&self, user: &Value) -> Result<()> {
        self.directory.write().add_user_value(user)
    }
}
