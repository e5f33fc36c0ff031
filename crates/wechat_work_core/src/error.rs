//! Typed errors of the core. The Ruby binding maps each variant onto a class of the
//! `WechatWork::Error` tree, so every variant carries what that class exposes as attributes.

use serde_json::Value;

use crate::callback::Rejection;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// WeCom answered with a non-zero `errcode`.
    #[error("{errmsg} (errcode {errcode}) on {path}")]
    Api {
        errcode: i64,
        errmsg: String,
        path: String,
        body: Value,
    },
    /// The request could not be completed (DNS, connect, reset, TLS...). The message never holds a URL.
    /// `connect`: no connection was made (nothing listens there, DNS, TLS handshake), so the
    /// request certainly did not reach the server.
    #[error("{message} on {path}")]
    Network {
        path: String,
        message: String,
        connect: bool,
    },
    /// The whole call, retries included, ran past its deadline.
    #[error("no answer within {timeout_ms} ms on {path}")]
    Timeout { path: String, timeout_ms: u64 },
    /// The server answered with something that is not WeCom's JSON (HTML error page, 4xx, garbage).
    #[error("{message} on {path}")]
    Protocol {
        path: String,
        message: String,
        status: u16,
    },
    /// The client was built with settings that cannot work (missing corp id, bad base URL...).
    #[error("{0}")]
    Configuration(String),
    /// A caller passed something WeCom would reject; raised before any request.
    #[error("{0}")]
    Argument(String),
    /// A callback (or its URL verification) refused: why, typed, and what exactly was wrong.
    /// The message never holds the token, the key, the signature or the body.
    #[error("{message}")]
    Callback { reason: Rejection, message: String },
    /// The caller's thread was interrupted (Thread#kill, Thread#raise, Timeout, Ctrl-C).
    #[error("interrupted")]
    Cancelled,
    /// A bug: a panic caught at the boundary, or a broken invariant.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn api(
        errcode: i64,
        errmsg: impl Into<String>,
        path: impl Into<String>,
        body: Value,
    ) -> Self {
        Error::Api {
            errcode,
            errmsg: errmsg.into(),
            path: path.into(),
            body,
        }
    }

    pub fn argument(msg: impl Into<String>) -> Self {
        Error::Argument(msg.into())
    }

    pub fn configuration(msg: impl Into<String>) -> Self {
        Error::Configuration(msg.into())
    }

    pub fn callback(reason: Rejection, msg: impl Into<String>) -> Self {
        Error::Callback {
            reason,
            message: msg.into(),
        }
    }

    /// Why a callback was refused, when this is a refusal.
    pub fn rejection(&self) -> Option<Rejection> {
        match self {
            Error::Callback { reason, .. } => Some(*reason),
            _ => None,
        }
    }

    /// WeCom's errcode, when this is an API error.
    pub fn errcode(&self) -> Option<i64> {
        match self {
            Error::Api { errcode, .. } => Some(*errcode),
            _ => None,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
