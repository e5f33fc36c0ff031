//! Client behaviour against a scripted loopback server.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use serde_json::{json, Value};

use super::*;
use crate::api::Method;
use crate::transport::credential::Kind as CredentialKind;
use crate::transport::{ClientConfig, SharedStore, TraceEvent};

/// What the scripted server saw.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    query: String,
    body: String,
}

type Handler = dyn Fn(&Seen, usize) -> (u16, String, Duration) + Send + Sync;

struct FakeServer {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl FakeServer {
    fn start(
        handler: impl Fn(&Seen, usize) -> (u16, String, Duration) + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let counter = Arc::new(AtomicUsize::new(0));
        let seen2 = seen.clone();
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (handler, seen, counter) = (handler.clone(), seen2.clone(), counter.clone());
                thread::spawn(move || serve(stream, &*handler, &seen, &counter));
            }
        });
        Self { url, seen }
    }

    fn count(&self, path: &str) -> usize {
        self.seen
            .lock()
            .iter()
            .filter(|s| s.path.ends_with(path))
            .count()
    }
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Seen>>, counter: &AtomicUsize) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut parts = line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("").to_string();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            if h == "\r\n" {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let s = Seen {
            method,
            path: path.to_string(),
            query: query.to_string(),
            body: String::from_utf8_lossy(&body).into(),
        };
        seen.lock().push(s.clone());
        let n = counter.fetch_add(1, Ordering::SeqCst);
        let (status, answer, delay) = handler(&s, n);
        thread::sleep(delay);
        if status == 0 {
            return; // drop the connection without answering
        }
        let _ = write!(
            writer,
            "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
            answer.len()
        );
    }
}

fn ok_token(expires_in: u64) -> String {
    json!({"errcode": 0, "errmsg": "ok", "access_token": "tok-1", "expires_in": expires_in})
        .to_string()
}

fn config(url: &str) -> ClientConfig {
    let mut c = ClientConfig::new("ww-test", format!("secret-{}", rand::random::<u64>()));
    c.base_url = url.to_string();
    c.timeout = Duration::from_secs(5);
    c.base_backoff = Duration::from_millis(5);
    c.max_backoff = Duration::from_millis(20);
    c
}

fn client(url: &str) -> Client {
    Client::new(config(url), None).unwrap()
}

fn send(c: &Client, body: Value) -> (Result<Value>, Vec<TraceEvent>) {
    let mut trace = Vec::new();
    // An API the registry does not know: the pipeline is what is under test, not a record.
    let dedup = crate::wecom::flags::is_on(body.get("enable_duplicate_check"));
    let req = Request::adhoc(Method::Post, "test/post", body, dedup).unwrap();
    let r = c.call(&req, None, &Canceller::new(), &mut trace);
    (r, trace)
}

const NO_DELAY: Duration = Duration::ZERO;

#[test]
fn caches_the_token_and_sends_it_as_a_query_parameter() {
    let server = FakeServer::start(|s, _| {
        if s.path.ends_with("gettoken") {
            (200, ok_token(7200), NO_DELAY)
        } else {
            (
                200,
                json!({"errcode": 0, "errmsg": "ok", "msgid": "m1"}).to_string(),
                NO_DELAY,
            )
        }
    });
    let c = client(&server.url);
    for _ in 0..3 {
        let (r, _) = send(&c, json!({"msgtype": "text"}));
        assert_eq!(r.unwrap()["msgid"], "m1");
    }
    assert_eq!(server.count("gettoken"), 1);
    let seen = server.seen.lock();
    assert!(seen
        .iter()
        .any(|s| s.path == "/cgi-bin/test/post" && s.query == "access_token=tok-1"));
    assert!(seen
        .iter()
        .any(|s| s.method == "POST" && s.body.contains("\"msgtype\":\"text\"")));
}

#[test]
fn cold_threads_make_one_gettoken_call() {
    let server = FakeServer::start(|s, _| {
        if s.path.ends_with("gettoken") {
            (200, ok_token(7200), Duration::from_millis(150))
        } else {
            (200, json!({"errcode": 0}).to_string(), NO_DELAY)
        }
    });
    let c = Arc::new(client(&server.url));
    let handles: Vec<_> = (0..16)
        .map(|_| {
            let c = c.clone();
            thread::spawn(move || {
                c.credential(
                    CredentialKind::AccessToken,
                    &Canceller::new(),
                    &mut Vec::new(),
                )
            })
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap().unwrap(), "tok-1");
    }
    assert_eq!(server.count("gettoken"), 1);
}

#[test]
fn a_rejected_token_is_refetched_once_and_the_call_retried() {
    let issued = AtomicUsize::new(0);
    let server = FakeServer::start(move |s, _| {
        if s.path.ends_with("gettoken") {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            let body =
                json!({"errcode": 0, "access_token": format!("tok-{n}"), "expires_in": 7200});
            (200, body.to_string(), NO_DELAY)
        } else if s.query.contains("tok-1") {
            (
                200,
                json!({"errcode": 40014, "errmsg": "invalid access_token"}).to_string(),
                NO_DELAY,
            )
        } else {
            (
                200,
                json!({"errcode": 42001, "errmsg": "access_token expired"}).to_string(),
                NO_DELAY,
            )
        }
    });
    let c = client(&server.url);
    // First body: rejected once, refetched, then 42001 again: no second refresh.
    let (r, trace) = send(&c, json!({"first": true}));
    assert_eq!(r.unwrap_err().errcode(), Some(42001));
    assert_eq!(server.count("gettoken"), 2);
    assert_eq!(server.count("test/post"), 2);
    assert!(trace.iter().any(|e| e.outcome == "token_refresh"));
}

#[test]
fn busy_is_retried_with_backoff_then_succeeds() {
    let server = FakeServer::start(|s, n| {
        if s.path.ends_with("gettoken") {
            (200, ok_token(7200), NO_DELAY)
        } else if n < 3 {
            (
                200,
                json!({"errcode": -1, "errmsg": "system busy"}).to_string(),
                NO_DELAY,
            )
        } else {
            (
                200,
                json!({"errcode": 0, "msgid": "m"}).to_string(),
                NO_DELAY,
            )
        }
    });
    let c = client(&server.url);
    let (r, trace) = send(&c, json!({}));
    assert_eq!(r.unwrap()["msgid"], "m");
    assert_eq!(server.count("test/post"), 3);
    assert_eq!(trace.iter().filter(|e| e.outcome == "retry").count(), 2);
}

#[test]
fn busy_forever_gives_up_after_max_retries() {
    let server = FakeServer::start(|s, _| {
        if s.path.ends_with("gettoken") {
            (200, ok_token(7200), NO_DELAY)
        } else {
            (
                200,
                json!({"errcode": -1, "errmsg": "system busy"}).to_string(),
                NO_DELAY,
            )
        }
    });
    let c = client(&server.url);
    let (r, _) = send(&c, json!({}));
    assert_eq!(r.unwrap_err().errcode(), Some(-1));
    assert_eq!(server.count("test/post"), 4);
}

#[test]
fn a_5xx_is_retried_only_when_the_post_is_deduplicated() {
    let server = FakeServer::start(|s, _| {
        if s.path.ends_with("gettoken") {
            (200, ok_token(7200), NO_DELAY)
        } else {
            (502, "<html>bad gateway</html>".into(), NO_DELAY)
        }
    });
    let c = client(&server.url);
    let (r, _) = send(&c, json!({"msgtype": "text"}));
    assert!(matches!(r, Err(Error::Protocol { status: 502, .. })));
    assert_eq!(server.count("test/post"), 1);
    let (r, _) = send(&c, json!({"msgtype": "text", "enable_duplicate_check": 1}));
    assert!(matches!(r, Err(Error::Protocol { status: 502, .. })));
    assert_eq!(server.count("test/post"), 1 + 4);
}

#[test]
fn connection_refused_is_a_network_error_after_retries() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = client(&format!("http://127.0.0.1:{port}"));
    let mut trace = Vec::new();
    let err = c
        .credential(CredentialKind::AccessToken, &Canceller::new(), &mut trace)
        .unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    assert_eq!(trace.len(), 4);
    assert!(!err.to_string().contains("secret-"), "{err}");
    assert!(!err.to_string().contains("corpsecret"), "{err}");
}

#[test]
fn a_silent_server_times_out_at_the_deadline() {
    let server = FakeServer::start(|_, _| (0, String::new(), Duration::from_secs(30)));
    let mut cfg = config(&server.url);
    cfg.timeout = Duration::from_millis(300);
    let c = Client::new(cfg, None).unwrap();
    let started = Instant::now();
    let err = c
        .credential(
            CredentialKind::AccessToken,
            &Canceller::new(),
            &mut Vec::new(),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[test]
fn cancel_stops_a_waiting_call() {
    let server = FakeServer::start(|_, _| (0, String::new(), Duration::from_secs(30)));
    let c = client(&server.url);
    let cancel = Canceller::new();
    let trigger = cancel.clone();
    thread::spawn(move || {
        thread::sleep(Duration::from_millis(100));
        trigger.cancel();
    });
    let err = c
        .credential(CredentialKind::AccessToken, &cancel, &mut Vec::new())
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
}

#[test]
fn non_json_answers_are_protocol_errors() {
    let server = FakeServer::start(|_, _| (200, "<html>proxy login</html>".into(), NO_DELAY));
    let c = client(&server.url);
    let err = c
        .credential(
            CredentialKind::AccessToken,
            &Canceller::new(),
            &mut Vec::new(),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::Protocol { status: 200, .. }),
        "{err:?}"
    );
}

#[test]
fn gettoken_errors_are_api_errors_and_not_retried() {
    let server = FakeServer::start(|_, _| {
        (
            200,
            json!({"errcode": 40001, "errmsg": "invalid credential, hint: [x]"}).to_string(),
            NO_DELAY,
        )
    });
    let c = client(&server.url);
    let err = c
        .credential(
            CredentialKind::AccessToken,
            &Canceller::new(),
            &mut Vec::new(),
        )
        .unwrap_err();
    assert_eq!(err.errcode(), Some(40001));
    assert_eq!(server.count("gettoken"), 1);
}

#[test]
fn a_shared_store_saves_gettoken_calls() {
    #[derive(Default)]
    struct MemStore(Mutex<std::collections::HashMap<String, String>>);
    impl SharedStore for MemStore {
        fn read(&self, key: &str) -> std::result::Result<Option<String>, String> {
            Ok(self.0.lock().get(key).cloned())
        }
        fn write(
            &self,
            key: &str,
            value: Option<&str>,
            _: Duration,
        ) -> std::result::Result<(), String> {
            match value {
                Some(v) => self.0.lock().insert(key.into(), v.into()),
                None => self.0.lock().remove(key),
            };
            Ok(())
        }
    }
    let server = FakeServer::start(|_, _| (200, ok_token(7200), NO_DELAY));
    let store: Arc<dyn SharedStore> = Arc::new(MemStore::default());
    let cfg = config(&server.url);
    let a = Client::new(cfg.clone(), Some(store.clone())).unwrap();
    a.credential(
        CredentialKind::AccessToken,
        &Canceller::new(),
        &mut Vec::new(),
    )
    .unwrap();
    // Another process: same key, empty in-process cache.
    crate::transport::credential::slot(a.key(CredentialKind::AccessToken)).clear();
    let b = Client::new(cfg, Some(store)).unwrap();
    assert_eq!(
        b.credential(
            CredentialKind::AccessToken,
            &Canceller::new(),
            &mut Vec::new()
        )
        .unwrap(),
        "tok-1"
    );
    assert_eq!(server.count("gettoken"), 1);
}

#[test]
fn refresh_fetches_only_when_the_credential_expires_soon() {
    let server = FakeServer::start(|_, _| (200, ok_token(3600), NO_DELAY));
    let c = client(&server.url);
    let cancel = Canceller::new();
    let (fetched, left) = c
        .refresh(
            CredentialKind::AccessToken,
            Duration::from_secs(600),
            &cancel,
            &mut Vec::new(),
        )
        .unwrap();
    assert!(fetched && left >= 3599, "{fetched} {left}");
    let (fetched, _) = c
        .refresh(
            CredentialKind::AccessToken,
            Duration::from_secs(600),
            &cancel,
            &mut Vec::new(),
        )
        .unwrap();
    assert!(!fetched, "an hour left is not within 10 minutes");
    let (fetched, _) = c
        .refresh(
            CredentialKind::AccessToken,
            Duration::from_secs(4000),
            &cancel,
            &mut Vec::new(),
        )
        .unwrap();
    assert!(fetched);
    assert_eq!(server.count("gettoken"), 2);
}
