//! The endpoint registry: every WeCom API the gem calls, one record each.
//!
//! A record says how to call the endpoint (method, path, which parameters go to the query,
//! body kind, answer kind), which credential it needs, whether a repeat is harmless, and how
//! to check its parameters before any request. The transport, the Ruby binding (`_call` by
//! name), the Ruby client's methods and the simulator's routing table all derive from it.
//!
//! Adding an endpoint: one record in its domain file, one Ruby method, one simulator handler,
//! and their specs (a test fails if a record has no simulator handler or no Ruby method).

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

pub mod check;

use serde_json::Value;

use crate::error::Result;

pub use check::Params;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }

    pub fn parse(text: &str) -> Option<Method> {
        match text.to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "POST" => Some(Method::Post),
            _ => None,
        }
    }
}

/// What authenticates a call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// `?access_token=` of the app (fetched and cached by the client).
    AccessToken,
    /// `?key=` of a group robot (webhook).
    WebhookKey,
    /// Nothing (`gettoken` itself).
    None,
}

/// May the call be sent again after it possibly reached WeCom (a lost answer, a 5xx)?
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Idempotency {
    /// A repeat changes nothing more (reads, uploads that only make another media_id).
    Safe,
    /// Safe only when the body sets `enable_duplicate_check` (WeCom then drops the repeat).
    DuplicateCheck,
    /// A repeat could act twice (create a second schedule, post twice to a robot): retried only
    /// when it certainly did not reach WeCom (connection refused, errcode -1).
    Unsafe,
}

/// How parameters travel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// All in the query string (GET).
    Query,
    /// A JSON body, except the endpoint's `query` keys.
    Json,
    /// A multipart upload of one file in the part `media`; parameters in the query.
    Multipart,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// WeCom's JSON (`errcode`, `errmsg`, fields).
    Json,
    /// The bytes of a file (or WeCom's JSON error), streamed to a file.
    Binary,
}

/// What the client knows about a file before uploading it.
#[derive(Clone, Debug)]
pub struct UploadInfo {
    pub filename: String,
    pub size: u64,
}

pub type Validate = fn(&Params) -> Result<()>;
pub type CheckUpload = fn(&Params, &UploadInfo) -> Result<()>;

#[derive(Clone, Copy)]
pub struct Endpoint {
    /// The API path under `/cgi-bin/`, which is also the endpoint's name: `message/send`.
    pub path: &'static str,
    pub method: Method,
    pub credential: Credential,
    pub idempotency: Idempotency,
    pub body: Body,
    pub answer: Answer,
    /// Parameters of a JSON or multipart call that go to the query string (`type`).
    pub query: &'static [&'static str],
    /// Query parameters every call carries (`ticket/get`: `type=agent_config`).
    pub fixed_query: &'static [(&'static str, &'static str)],
    /// Checks the parameters the way WeCom would, before any request.
    pub validate: Validate,
    /// Checks a file before uploading it (size, format).
    pub check_upload: Option<CheckUpload>,
    /// The official documentation page (`path/90236`).
    pub doc: &'static str,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Endpoint({} {})", self.method.as_str(), self.path)
    }
}

fn no_check(_: &Params) -> Result<()> {
    Ok(())
}

impl Endpoint {
    pub fn name(&self) -> &'static str {
        self.path
    }

    /// A read: GET, parameters in the query, access token, safe to repeat.
    pub const fn get(path: &'static str, doc: &'static str) -> Self {
        Endpoint {
            path,
            method: Method::Get,
            credential: Credential::AccessToken,
            idempotency: Idempotency::Safe,
            body: Body::Query,
            answer: Answer::Json,
            query: &[],
            fixed_query: &[],
            validate: no_check,
            check_upload: None,
            doc,
        }
    }

    /// A JSON POST with the access token. Unsafe to repeat unless said otherwise.
    pub const fn post(path: &'static str, doc: &'static str) -> Self {
        Endpoint {
            method: Method::Post,
            body: Body::Json,
            idempotency: Idempotency::Unsafe,
            ..Endpoint::get(path, doc)
        }
    }

    pub const fn validate(self, validate: Validate) -> Self {
        Endpoint { validate, ..self }
    }

    pub const fn idempotency(self, idempotency: Idempotency) -> Self {
        Endpoint {
            idempotency,
            ..self
        }
    }

    /// A POST that only reads (WeCom uses POST for some queries).
    pub const fn safe(self) -> Self {
        self.idempotency(Idempotency::Safe)
    }

    pub const fn credential(self, credential: Credential) -> Self {
        Endpoint { credential, ..self }
    }

    pub const fn query(self, query: &'static [&'static str]) -> Self {
        Endpoint { query, ..self }
    }

    pub const fn fixed_query(self, fixed_query: &'static [(&'static str, &'static str)]) -> Self {
        Endpoint {
            fixed_query,
            ..self
        }
    }

    pub const fn upload(self, check: CheckUpload) -> Self {
        Endpoint {
            body: Body::Multipart,
            check_upload: Some(check),
            ..self
        }
    }

    pub const fn binary(self) -> Self {
        Endpoint {
            answer: Answer::Binary,
            ..self
        }
    }

    /// May a call with these parameters be repeated after it possibly reached WeCom?
    pub fn is_idempotent(&self, params: &Value) -> bool {
        match self.idempotency {
            Idempotency::Safe => true,
            Idempotency::Unsafe => false,
            Idempotency::DuplicateCheck => {
                crate::wecom::flags::is_on(params.get("enable_duplicate_check"))
            }
        }
    }
}

/// Every endpoint, by domain.
pub static DOMAINS: &[(&str, &[Endpoint])] = &[
    ("auth", auth::ENDPOINTS),
    ("message", message::ENDPOINTS),
    ("contacts", contacts::ENDPOINTS),
    ("media", media::ENDPOINTS),
    ("chat", chat::ENDPOINTS),
    ("webhook", webhook::ENDPOINTS),
    ("schedule", schedule::ENDPOINTS),
    ("meeting", meeting::ENDPOINTS),
    ("external_contact", external_contact::ENDPOINTS),
    ("ops", ops::ENDPOINTS),
];

/// Every registered endpoint.
pub fn all() -> impl Iterator<Item = &'static Endpoint> {
    DOMAINS.iter().flat_map(|(_, endpoints)| endpoints.iter())
}

/// The endpoint named `name` (its path: `message/send`; a leading `/cgi-bin/` is ignored).
pub fn find(name: &str) -> Option<&'static Endpoint> {
    let name = api_path(name);
    all().find(|e| e.path == name)
}

/// The API path without the `/cgi-bin/` prefix or a trailing slash: what logs and errors name.
pub fn api_path(path: &str) -> &str {
    let p = path.trim_start_matches('/');
    p.strip_prefix("cgi-bin/")
        .unwrap_or(p)
        .trim_end_matches('/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_findable() {
        let mut seen = std::collections::HashSet::new();
        for e in all() {
            assert!(seen.insert(e.path), "{} registered twice", e.path);
            assert!(!e.path.starts_with('/') && !e.path.contains("cgi-bin"));
            assert!(std::ptr::eq(find(e.path).unwrap(), e));
            assert!(
                e.doc.starts_with("path/"),
                "{}: doc {:?} is not an official page",
                e.path,
                e.doc
            );
        }
        assert!(find("/cgi-bin/message/send").is_some());
        assert!(find("message/nope").is_none());
    }

    #[test]
    fn reads_are_gets_or_marked_safe_and_uploads_are_posts() {
        for e in all() {
            if e.method == Method::Get {
                assert_eq!(e.idempotency, Idempotency::Safe, "{}", e.path);
                assert_eq!(e.body, Body::Query, "{}", e.path);
            }
            if e.body == Body::Multipart {
                assert_eq!(e.method, Method::Post, "{}", e.path);
                assert!(e.check_upload.is_some(), "{}", e.path);
            }
        }
    }

    #[test]
    fn paths() {
        assert_eq!(api_path("/cgi-bin/message/send"), "message/send");
        assert_eq!(api_path("message/send/"), "message/send");
        assert_eq!(api_path("gettoken"), "gettoken");
    }
}
