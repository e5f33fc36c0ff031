//! What each API answers, one file per domain. A handler gets the request already routed and
//! authenticated (its app, or its robot key) and returns a [`Reply`]. The routing table is
//! built from the core's endpoint registry; [`HANDLERS`] must cover every record (a test
//! walks the registry).

pub mod auth;
pub mod chat;
pub mod contacts;
pub mod external_contact;
pub mod media;
pub mod meeting;
pub mod message;
pub mod ops;
pub mod schedule;
pub mod webhook;

use std::net::IpAddr;
use std::time::Instant;

use serde_json::{Map, Value};
use wechat_work_core::api::Endpoint;

use crate::wire::ApiFailure;
use crate::world::{App, World};

/// Each domain's own state, each behind its own lock.
#[derive(Default)]
pub struct Domains {
    pub message: parking_lot::Mutex<message::State>,
    pub media: parking_lot::Mutex<media::State>,
    pub chat: parking_lot::Mutex<chat::State>,
    pub webhook: parking_lot::Mutex<webhook::State>,
    pub schedule: parking_lot::Mutex<schedule::State>,
    pub meeting: parking_lot::Mutex<meeting::State>,
    pub external_contact: parking_lot::Mutex<external_contact::State>,
    pub auth: parking_lot::Mutex<auth::State>,
    pub contacts: parking_lot::Mutex<contacts::State>,
}

impl Domains {
    /// Forgets what `World::clear` forgets: per-send memory such as duplicate checks.
    pub fn clear(&self) {
        self.message.lock().clear();
        self.webhook.lock().clear();
    }
}

/// One routed request.
pub struct Ctx<'a> {
    pub world: &'a World,
    pub endpoint: &'static Endpoint,
    /// Decoded query parameters (the credential included).
    pub query: &'a [(String, String)],
    pub body: &'a [u8],
    /// The request's Content-Type (multipart boundaries are read from it).
    pub content_type: &'a str,
    pub ip: IpAddr,
    /// The app whose access token authenticated the call (AccessToken endpoints).
    pub app: Option<&'a App>,
    /// The robot's key (WebhookKey endpoints).
    pub robot: Option<&'a str>,
}

impl<'a> Ctx<'a> {
    pub fn param(&self, key: &str) -> Option<&'a str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The JSON body as WeCom parses it: 40058 "wrong json format" when it is not JSON.
    pub fn json(&self) -> Result<Value, ApiFailure> {
        serde_json::from_slice::<Value>(self.body)
            .ok()
            .filter(Value::is_object)
            .ok_or_else(|| {
                ApiFailure::with_text(
                    40058,
                    "Warning: wrong json format. Invalid input invalid Request Parameter",
                )
            })
    }

    /// The authenticated app (the router guarantees one for AccessToken endpoints).
    pub fn app(&self) -> &'a App {
        self.app.unwrap_or_else(|| self.world.default_app())
    }

    pub fn now(&self) -> Instant {
        self.world.clock.now()
    }
}

/// A handler's answer.
pub enum Reply {
    /// `{"errcode":0,"errmsg":"ok", ...fields}`
    Ok(Map<String, Value>),
    /// `{"errcode":N,"errmsg":"<text>, hint: [...], from ip: ..., more info at ..."}`
    Fail(ApiFailure),
    /// Anything else: a file (media/get), an HTML page (sign-in).
    Raw {
        status: u16,
        content_type: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
}

impl From<Result<Map<String, Value>, ApiFailure>> for Reply {
    fn from(result: Result<Map<String, Value>, ApiFailure>) -> Self {
        match result {
            Ok(fields) => Reply::Ok(fields),
            Err(failure) => Reply::Fail(failure),
        }
    }
}

pub type Handler = fn(&Ctx) -> Reply;

/// Every handler, by endpoint name (its API path).
pub static HANDLERS: &[&[(&str, Handler)]] = &[
    auth::HANDLERS,
    message::HANDLERS,
    contacts::HANDLERS,
    media::HANDLERS,
    chat::HANDLERS,
    webhook::HANDLERS,
    schedule::HANDLERS,
    meeting::HANDLERS,
    external_contact::HANDLERS,
    ops::HANDLERS,
];

pub fn handler(name: &str) -> Option<Handler> {
    HANDLERS
        .iter()
        .flat_map(|h| h.iter())
        .find(|(n, _)| *n == name)
        .map(|(_, h)| *h)
}

/// The value of a `Result<T, ApiFailure>`, or the handler returns the failure as WeCom's
/// answer: `let body = reply_try!(ctx.json());`.
#[macro_export]
macro_rules! reply_try {
    ($result:expr) => {
        match $result {
            Ok(value) => value,
            Err(failure) => return $crate::endpoints::Reply::Fail(failure),
        }
    };
}

/// Builds `fields` into a map: `fields! {"a" => 1, "b" => "x"}`.
#[macro_export]
macro_rules! fields {
    ($($key:expr => $value:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut map = serde_json::Map::new();
        $(map.insert($key.to_string(), serde_json::json!($value));)*
        map
    }};
}
