//! The simulated WeCom: what each API answers, what was delivered, what was asked. Pure logic
//! (no sockets): the server hands it method, path, query and body and sends back its answer.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::{json, Map, Value};

use super::directory::Directory;
use super::faults::{api_name, Fault, FaultKind, FaultQueue};
use super::message::{self, DuplicateCheck};
use super::tokens::TokenStore;
use super::wire::{self, ApiFailure};
use crate::error::Result;

/// The request log keeps this many entries (oldest dropped); counts stay exact.
pub const REQUEST_LOG_LIMIT: usize = 100_000;

/// The simulated app's identity and the corp's contacts.
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub corp_id: String,
    pub secret: String,
    pub agent_id: i64,
    pub token_ttl: Duration,
}

/// An answer: HTTP status and JSON body.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
}

impl Answer {
    fn json(body: Value) -> Self {
        Self { status: 200, body }
    }

    pub fn errcode(&self) -> Option<i64> {
        self.body.get("errcode").and_then(Value::as_i64)
    }
}

#[derive(Debug, Clone)]
struct Logged {
    method: String,
    path: String,
    errcode: Option<i64>,
    status: Option<u16>,
}

struct Inner {
    tokens: TokenStore,
    directory: Directory,
    messages: Vec<Value>,
    log: VecDeque<Logged>,
    counts: HashMap<String, u64>,
    total: u64,
    faults: FaultQueue,
    duplicates: DuplicateCheck,
}

pub struct State {
    app: AppConfig,
    /// Milliseconds added to the clock by [`State::advance_clock`] (tests of expiry).
    offset_ms: AtomicU64,
    msg_seq: AtomicU64,
    inner: Mutex<Inner>,
}

fn param(query: &str, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

impl State {
    pub fn new(app: AppConfig, directory: &Value) -> Result<Self> {
        let tokens = TokenStore::new(app.token_ttl);
        Ok(Self {
            app,
            offset_ms: AtomicU64::new(0),
            msg_seq: AtomicU64::new(0),
            inner: Mutex::new(Inner {
                tokens,
                directory: Directory::from_config(directory)?,
                messages: Vec::new(),
                log: VecDeque::new(),
                counts: HashMap::new(),
                total: 0,
                faults: FaultQueue::default(),
                duplicates: DuplicateCheck::default(),
            }),
        })
    }

    pub fn app(&self) -> &AppConfig {
        &self.app
    }

    pub fn now(&self) -> Instant {
        let now = Instant::now();
        now.checked_add(Duration::from_millis(
            self.offset_ms.load(Ordering::Relaxed),
        ))
        .unwrap_or(now)
    }

    /// Moves the simulator's clock forward (token expiry, duplicate-check windows).
    pub fn advance_clock(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX / 2);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }

    // ---- what tests look at -------------------------------------------------------------

    pub fn messages(&self) -> Vec<Value> {
        self.inner.lock().messages.clone()
    }

    /// Delivered messages from index `from` on (for followers such as the CLI).
    pub fn messages_from(&self, from: usize) -> Vec<Value> {
        let inner = self.inner.lock();
        inner
            .messages
            .get(from..)
            .map(<[Value]>::to_vec)
            .unwrap_or_default()
    }

    pub fn message_count(&self) -> usize {
        self.inner.lock().messages.len()
    }

    /// `{"method","path","errcode","status"}` per request, oldest first. No query, no body.
    pub fn requests(&self) -> Vec<Value> {
        self.inner
            .lock()
            .log
            .iter()
            .map(|l| json!({"method": l.method, "path": l.path, "errcode": l.errcode, "status": l.status}))
            .collect()
    }

    /// Requests to `path` (`gettoken`, `/cgi-bin/message/send`), or all requests.
    pub fn request_count(&self, path: Option<&str>) -> u64 {
        let inner = self.inner.lock();
        match path {
            None => inner.total,
            Some(p) => inner.counts.get(api_name(p)).copied().unwrap_or(0),
        }
    }

    /// Forgets delivered messages, the request log and the duplicate-check memory; tokens stay.
    pub fn clear(&self) {
        let mut inner = self.inner.lock();
        inner.messages.clear();
        inner.log.clear();
        inner.counts.clear();
        inner.total = 0;
        inner.duplicates.clear();
    }

    pub fn inject(&self, fault: Fault) {
        self.inner.lock().faults.push(fault);
    }

    pub fn clear_faults(&self) {
        self.inner.lock().faults.clear();
    }

    pub fn revoke_tokens(&self) {
        self.inner.lock().tokens.revoke_all();
    }

    pub fn expire_tokens(&self) {
        let now = self.now();
        self.inner.lock().tokens.expire_all(now);
    }

    pub fn add_user(&self, user: &Value) -> Result<()> {
        self.inner.lock().directory.add_user_value(user)
    }

    // ---- what the server calls ----------------------------------------------------------

    /// The fault, if any, the request to `path` meets (counted as used).
    pub fn take_fault(&self, path: &str) -> Option<FaultKind> {
        let mut inner = self.inner.lock();
        if inner.faults.is_empty() {
            return None;
        }
        inner.faults.take(api_name(path))
    }

    pub fn record(&self, method: &str, path: &str, errcode: Option<i64>, status: Option<u16>) {
        let mut inner = self.inner.lock();
        inner.total += 1;
        *inner.counts.entry(api_name(path).to_string()).or_insert(0) += 1;
        if inner.log.len() >= REQUEST_LOG_LIMIT {
            inner.log.pop_front();
        }
        inner.log.push_back(Logged {
            method: method.to_string(),
            path: path.to_string(),
            errcode,
            status,
        });
    }

    /// WeCom's answer to one request. `path` is the URL path, `query` the raw query string.
    pub fn handle(&self, path: &str, query: &str, body: &[u8], ip: IpAddr) -> Answer {
        let fail = |f: ApiFailure| Answer::json(f.to_body(ip));
        match path {
            "/cgi-bin/gettoken" => match self.gettoken(query) {
                Ok(fields) => Answer::json(wire::ok(fields)),
                Err(f) => fail(f),
            },
            "/cgi-bin/message/send" => match self.message_send(query, body) {
                Ok(fields) => Answer::json(wire::ok(fields)),
                Err(f) => fail(f),
            },
            "/cgi-bin/user/get" => match self.user_get(query) {
                Ok(fields) => Answer::json(wire::ok(fields)),
                Err(f) => fail(f),
            },
            _ => Answer {
                status: 404,
                body: ApiFailure::with_text(
                    404,
                    format!("not found: the WeCom simulator does not implement {path}"),
                )
                .to_body(ip),
            },
        }
    }

    fn gettoken(&self, query: &str) -> Result<Map<String, Value>, ApiFailure> {
        let corpid = param(query, "corpid").unwrap_or_default();
        let secret = param(query, "corpsecret").unwrap_or_default();
        if corpid.is_empty() {
            return Err(ApiFailure::new(41002));
        }
        if secret.is_empty() {
            return Err(ApiFailure::new(41004));
        }
        if corpid != self.app.corp_id {
            return Err(ApiFailure::new(40013));
        }
        if secret != self.app.secret {
            return Err(ApiFailure::new(40001));
        }
        let now = self.now();
        let (token, expires_in) = self.inner.lock().tokens.get_or_issue(now);
        let mut fields = Map::new();
        fields.insert("access_token".into(), json!(token));
        fields.insert("expires_in".into(), json!(expires_in));
        Ok(fields)
    }

    fn check_token(&self, query: &str) -> Result<(), ApiFailure> {
        let token = param(query, "access_token");
        let now = self.now();
        self.inner
            .lock()
            .tokens
            .check(token.as_deref(), now)
            .map_err(|e| ApiFailure::new(e.errcode()))
    }

    fn message_send(&self, query: &str, body: &[u8]) -> Result<Map<String, Value>, ApiFailure> {
        self.check_token(query)?;
        let parsed: Value = serde_json::from_slice(body).map_err(|_| {
            ApiFailure::with_text(
                40058,
                "Warning: wrong json format. Invalid input invalid Request Parameter",
            )
        })?;
        let accepted = {
            let inner = self.inner.lock();
            message::validate(&parsed, self.app.agent_id, &inner.directory)?
        };
        let now = self.now();
        let key = accepted
            .duplicate_interval
            .map(|_| wire::canonical(&parsed));
        let mut inner = self.inner.lock();
        if let (Some(key), Some(interval)) = (&key, accepted.duplicate_interval) {
            if let Some(original) = inner.duplicates.lookup(key, now, interval) {
                return Ok(original);
            }
        }
        let mut fields = accepted.invalid_fields();
        fields.insert("msgid".into(), json!(self.next_msgid()));
        if accepted.interactive {
            fields.insert("response_code".into(), json!(wire::random_token(64)));
        }
        if let (Some(key), Some(interval)) = (key, accepted.duplicate_interval) {
            inner
                .duplicates
                .remember(key, now, interval, fields.clone());
        }
        let mut delivered = parsed;
        message::truncate_like_wecom(&mut delivered);
        inner.messages.push(delivered);
        Ok(fields)
    }

    fn next_msgid(&self) -> String {
        let n = self.msg_seq.fetch_add(1, Ordering::Relaxed);
        format!("{}{n:x}", wire::random_token(40))
    }

    fn user_get(&self, query: &str) -> Result<Map<String, Value>, ApiFailure> {
        self.check_token(query)?;
        let userid = param(query, "userid").unwrap_or_default();
        if userid.is_empty() {
            return Err(ApiFailure::new(41009));
        }
        self.inner
            .lock()
            .directory
            .user_json(&userid)
            .ok_or_else(|| ApiFailure::new(60111))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

    fn state(directory: Value) -> State {
        State::new(
            AppConfig {
                corp_id: "wwcorp".into(),
                secret: "s3cret".into(),
                agent_id: 1000002,
                token_ttl: Duration::from_secs(7200),
            },
            &directory,
        )
        .unwrap()
    }

    fn token(s: &State) -> String {
        let a = s.handle(
            "/cgi-bin/gettoken",
            "corpid=wwcorp&corpsecret=s3cret",
            b"",
            IP,
        );
        a.body["access_token"].as_str().unwrap().to_string()
    }

    fn send(s: &State, token: &str, body: &Value) -> Answer {
        s.handle(
            "/cgi-bin/message/send",
            &format!("access_token={token}"),
            body.to_string().as_bytes(),
            IP,
        )
    }

    #[test]
    fn gettoken_errors_and_stability() {
        let s = state(json!({}));
        let code = |q: &str| s.handle("/cgi-bin/gettoken", q, b"", IP).errcode();
        assert_eq!(code(""), Some(41002));
        assert_eq!(code("corpid=wwcorp"), Some(41004));
        assert_eq!(code("corpid=other&corpsecret=s3cret"), Some(40013));
        assert_eq!(code("corpid=wwcorp&corpsecret=nope"), Some(40001));
        let ok = s.handle(
            "/cgi-bin/gettoken",
            "corpid=wwcorp&corpsecret=s3cret",
            b"",
            IP,
        );
        assert_eq!(ok.status, 200);
        assert_eq!(ok.body["errmsg"], "ok");
        assert_eq!(ok.body["expires_in"], 7200);
        let t = token(&s);
        assert_eq!(ok.body["access_token"], t.as_str());
        s.advance_clock(Duration::from_secs(7300));
        assert_ne!(token(&s), t);
    }

    #[test]
    fn token_errors_on_apis() {
        let s = state(json!({}));
        let body =
            json!({"touser": "a", "msgtype": "text", "agentid": 1000002, "text": {"content": "x"}});
        assert_eq!(
            s.handle("/cgi-bin/message/send", "", b"{}", IP).errcode(),
            Some(41001)
        );
        assert_eq!(send(&s, "bogus", &body).errcode(), Some(40014));
        let t = token(&s);
        assert_eq!(send(&s, &t, &body).errcode(), Some(0));
        s.expire_tokens();
        assert_eq!(send(&s, &t, &body).errcode(), Some(42001));
        let t2 = token(&s);
        s.revoke_tokens();
        assert_eq!(send(&s, &t2, &body).errcode(), Some(40014));
        let t3 = token(&s);
        s.advance_clock(Duration::from_secs(7201));
        assert_eq!(
            s.handle(
                "/cgi-bin/user/get",
                &format!("access_token={t3}&userid=a"),
                b"",
                IP
            )
            .errcode(),
            Some(42001)
        );
    }

    #[test]
    fn message_send_records_and_answers_msgid() {
        let s = state(json!({}));
        let t = token(&s);
        let body = json!({"touser": "zhangsan", "msgtype": "text", "agentid": 1000002, "text": {"content": "hi"}});
        let a = send(&s, &t, &body);
        assert_eq!(a.errcode(), Some(0));
        let b = send(&s, &t, &body);
        assert_ne!(a.body["msgid"], b.body["msgid"]);
        assert_eq!(s.messages(), vec![body.clone(), body]);
        assert!(a.body.get("response_code").is_none());
        let bad = s.handle(
            "/cgi-bin/message/send",
            &format!("access_token={t}"),
            b"touser=a",
            IP,
        );
        assert_eq!(bad.errcode(), Some(40058));
        assert!(bad.body["errmsg"]
            .as_str()
            .unwrap()
            .starts_with("Warning: wrong json format."));
        assert_eq!(s.messages_from(1).len(), 1);
        assert_eq!(s.messages_from(5).len(), 0);
    }

    #[test]
    fn interactive_cards_get_a_response_code() {
        let s = state(json!({}));
        let t = token(&s);
        let body = json!({"touser": "a", "msgtype": "template_card", "agentid": 1000002,
            "template_card": {"card_type": "vote_interaction", "task_id": "t1"}});
        let a = send(&s, &t, &body);
        assert_eq!(a.errcode(), Some(0));
        assert!(a.body["response_code"].as_str().unwrap().len() >= 32);
    }

    #[test]
    fn duplicate_check_answers_the_original_msgid_and_delivers_once() {
        let s = state(json!({}));
        let t = token(&s);
        let body = json!({"touser": "a", "msgtype": "text", "agentid": 1000002, "text": {"content": "x"},
            "enable_duplicate_check": 1, "duplicate_check_interval": 60});
        let a = send(&s, &t, &body);
        let b = send(&s, &t, &body);
        assert_eq!(b.errcode(), Some(0));
        assert_eq!(a.body["msgid"], b.body["msgid"]);
        assert_eq!(s.message_count(), 1);
        // another body is delivered
        let mut other = body.clone();
        other["text"]["content"] = json!("y");
        assert_ne!(send(&s, &t, &other).body["msgid"], a.body["msgid"]);
        assert_eq!(s.message_count(), 2);
        // after the interval the same body is delivered again
        s.advance_clock(Duration::from_secs(61));
        let t = token(&s);
        let c = send(&s, &t, &body);
        assert_ne!(c.body["msgid"], a.body["msgid"]);
        assert_eq!(s.message_count(), 3);
        // without the flag: no suppression
        let plain =
            json!({"touser": "a", "msgtype": "text", "agentid": 1000002, "text": {"content": "x"}});
        send(&s, &t, &plain);
        send(&s, &t, &plain);
        assert_eq!(s.message_count(), 5);
    }

    #[test]
    fn strict_recipients_are_reported() {
        let s = state(json!({"users": ["zhangsan"]}));
        let t = token(&s);
        let a = send(
            &s,
            &t,
            &json!({"touser": "zhangsan|Ghost", "msgtype": "text", "agentid": 1000002, "text": {"content": "x"}}),
        );
        assert_eq!(a.errcode(), Some(0));
        assert_eq!(a.body["invaliduser"], "ghost");
        let b = send(
            &s,
            &t,
            &json!({"touser": "Ghost", "msgtype": "text", "agentid": 1000002, "text": {"content": "x"}}),
        );
        assert_eq!(b.errcode(), Some(81013));
        assert_eq!(b.body["invaliduser"], "ghost");
        assert_eq!(s.message_count(), 1);
    }

    #[test]
    fn user_get_and_unknown_paths() {
        let s = state(json!({"users": [{"userid": "zhangsan", "name": "张三"}]}));
        let t = token(&s);
        let get = |u: &str| {
            s.handle(
                "/cgi-bin/user/get",
                &format!("access_token={t}&userid={u}"),
                b"",
                IP,
            )
        };
        assert_eq!(get("zhangsan").body["name"], "张三");
        assert_eq!(get("lisi").errcode(), Some(60111));
        assert_eq!(get("").errcode(), Some(41009));
        let nf = s.handle("/cgi-bin/nope", "", b"", IP);
        assert_eq!(nf.status, 404);
        assert_eq!(nf.errcode(), Some(404));
        s.add_user(&json!({"userid": "lisi"})).unwrap();
        assert_eq!(get("lisi").body["name"], "Lisi");
    }

    #[test]
    fn request_log_and_counts() {
        let s = state(json!({}));
        s.record("GET", "/cgi-bin/gettoken", Some(0), Some(200));
        s.record("POST", "/cgi-bin/message/send", None, None);
        assert_eq!(s.request_count(None), 2);
        assert_eq!(s.request_count(Some("gettoken")), 1);
        assert_eq!(s.request_count(Some("/cgi-bin/message/send")), 1);
        assert_eq!(
            s.requests()[1],
            json!({"method": "POST", "path": "/cgi-bin/message/send", "errcode": null, "status": null})
        );
        s.clear();
        assert_eq!(s.request_count(None), 0);
        assert!(s.requests().is_empty());
    }
}
