//! What each HTTP attempt did, for the host's logger and instrumentation. Never holds a
//! query string, a token or a secret.

use std::time::Duration;

#[derive(Clone, Debug, PartialEq)]
pub struct TraceEvent {
    pub method: &'static str,
    /// API path without `/cgi-bin/` and without the query, e.g. `message/send`.
    pub path: String,
    /// 1 for the first attempt of this request.
    pub attempt: u32,
    pub status: Option<u16>,
    pub errcode: Option<i64>,
    pub duration: Duration,
    /// `ok`, `api_error`, `retry`, `token_refresh`, `network_error`, `timeout`, `protocol_error`.
    pub outcome: &'static str,
}
