//! The routing table, keyed by method and path, built from the core's endpoint registry: each
//! record gets its domain's handler. The router checks the credential the record names (the
//! access token and its app, or a robot key) before the handler runs, so handlers never
//! repeat token checks. Unknown paths answer in WeCom's format, saying what is missing.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::OnceLock;

use serde_json::Value;
use wechat_work_core::api::{self, Credential, Endpoint, Method};

use crate::endpoints::{self, Ctx, Handler, Reply};
use crate::wire::{self, ApiFailure};
use crate::world::World;

/// An HTTP answer, ready to send.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The errcode of a JSON answer (for the request log).
    pub errcode: Option<i64>,
}

impl Answer {
    pub fn json(status: u16, body: &Value) -> Self {
        Self {
            status,
            content_type: "application/json; charset=UTF-8".into(),
            headers: Vec::new(),
            body: body.to_string().into_bytes(),
            errcode: body.get("errcode").and_then(Value::as_i64),
        }
    }

    pub fn html(status: u16, body: String) -> Self {
        Self {
            status,
            content_type: "text/html; charset=UTF-8".into(),
            headers: Vec::new(),
            body: body.into_bytes(),
            errcode: None,
        }
    }
}

type Table = HashMap<(Method, &'static str), (&'static Endpoint, Handler)>;

/// Every registered endpoint that has a handler, by (method, path).
pub fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        api::all()
            .filter_map(|e| endpoints::handler(e.path).map(|h| ((e.method, e.path), (e, h))))
            .collect()
    })
}

/// Registered endpoints without a simulator handler (a test requires none).
pub fn missing_handlers() -> Vec<&'static str> {
    api::all()
        .filter(|e| endpoints::handler(e.path).is_none())
        .map(|e| e.path)
        .collect()
}

pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// WeCom's answer to one request.
pub fn route(
    world: &World,
    method: &str,
    path: &str,
    query: &str,
    content_type: &str,
    body: &[u8],
    ip: IpAddr,
) -> Answer {
    let name = api::api_path(path);
    let found = Method::parse(method)
        .filter(|_| path.starts_with("/cgi-bin/"))
        .and_then(|m| table().get(&(m, name)));
    let Some((endpoint, handler)) = found else {
        return not_implemented(method, path, ip);
    };
    let query = query_pairs(query);
    let param = |key: &str| {
        query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let mut ctx = Ctx {
        world,
        endpoint,
        query: &query,
        body,
        content_type,
        ip,
        app: None,
        robot: None,
    };
    match endpoint.credential {
        Credential::None => {}
        Credential::AccessToken => match world.app_for_token(param("access_token")) {
            Ok(app) => ctx.app = Some(app),
            Err(e) => return failure(ApiFailure::new(e.errcode()), ip),
        },
        Credential::WebhookKey => match param("key").filter(|k| !k.is_empty()) {
            Some(key) => ctx.robot = Some(key),
            None => return failure(ApiFailure::new(93000), ip),
        },
    }
    match handler(&ctx) {
        Reply::Ok(fields) => Answer::json(200, &wire::ok(fields)),
        Reply::Fail(f) => failure(f, ip),
        Reply::Raw {
            status,
            content_type,
            headers,
            body,
        } => Answer {
            status,
            content_type,
            headers,
            body,
            errcode: None,
        },
    }
}

pub fn failure(f: ApiFailure, ip: IpAddr) -> Answer {
    Answer::json(200, &f.to_body(ip))
}

/// A path the simulator does not serve: HTTP 404 with WeCom-shaped JSON that says so, so the
/// client raises an error that names the path instead of a bare protocol error.
fn not_implemented(method: &str, path: &str, ip: IpAddr) -> Answer {
    let text = if path.starts_with("/cgi-bin/") {
        format!(
            "not implemented by the WeCom simulator: {method} {path} (it serves the gem's registered endpoints; stub this one in tests or use real WeCom)"
        )
    } else {
        format!("not found: {method} {path} (WeCom's APIs are under /cgi-bin/, the simulator's own under /_simulator/)")
    };
    Answer::json(404, &ApiFailure::with_text(404, text).to_body(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_registered_endpoint_has_a_handler() {
        assert_eq!(missing_handlers(), Vec::<&str>::new());
        assert_eq!(table().len(), api::all().count());
    }

    #[test]
    fn every_handler_belongs_to_a_registered_endpoint() {
        for (name, _) in endpoints::HANDLERS.iter().flat_map(|h| h.iter()) {
            assert!(
                api::find(name).is_some(),
                "handler {name} has no registry record"
            );
        }
    }
}
