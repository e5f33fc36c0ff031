//! A call as the transport sends it, built from an endpoint record and the caller's
//! parameters (checked first), or ad hoc for an API the registry does not know yet.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::api::{self, Answer, Body, Credential, Endpoint, Method, Params, UploadInfo};
use crate::error::{Error, Result};

/// A file to upload, streamed from disk on each attempt.
#[derive(Clone, Debug)]
pub struct Upload {
    pub path: PathBuf,
    /// The name WeCom shows (and checks the extension of).
    pub filename: String,
    pub content_type: String,
    pub size: u64,
}

#[derive(Clone, Debug)]
pub struct Request {
    /// The API path (`message/send`): what logs, traces and errors name.
    pub name: String,
    pub method: Method,
    pub credential: Credential,
    pub answer: Answer,
    pub query: Vec<(String, String)>,
    pub json: Option<Value>,
    pub upload: Option<Upload>,
    /// May it be sent again after it possibly reached WeCom?
    pub idempotent: bool,
}

impl Request {
    /// A call to a registered endpoint: the parameters are checked the way WeCom would, then
    /// split between the query string and the body as the record says.
    pub fn to(endpoint: &'static Endpoint, params: Value) -> Result<Request> {
        Self::build(endpoint, params, None)
    }

    /// An upload to a registered multipart endpoint; the file is checked (size, format) first.
    pub fn upload(endpoint: &'static Endpoint, params: Value, file: Upload) -> Result<Request> {
        Self::build(endpoint, params, Some(file))
    }

    fn build(endpoint: &'static Endpoint, params: Value, file: Option<Upload>) -> Result<Request> {
        let params = match params {
            Value::Null => Value::Object(Map::new()),
            other => other,
        };
        let checked = Params::new(endpoint.path, &params);
        checked.object()?;
        (endpoint.validate)(&checked)?;
        match (endpoint.body, &file, endpoint.check_upload) {
            (Body::Multipart, None, _) => {
                return Err(Error::argument(format!(
                    "{}: uploads a file: give a path or an IO",
                    endpoint.path
                )))
            }
            (Body::Multipart, Some(f), Some(check)) => check(
                &checked,
                &UploadInfo {
                    filename: f.filename.clone(),
                    size: f.size,
                },
            )?,
            (_, Some(_), _) => {
                return Err(Error::argument(format!(
                    "{} does not take a file",
                    endpoint.path
                )))
            }
            _ => {}
        }
        let idempotent = endpoint.is_idempotent(&params);
        let Value::Object(mut map) = params else {
            return Err(Error::argument(format!(
                "{}: parameters must be a Hash",
                endpoint.path
            )));
        };
        let mut query: Vec<(String, String)> = endpoint
            .fixed_query
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let json = match endpoint.body {
            Body::Query | Body::Multipart => {
                query.extend(query_pairs(endpoint.path, map)?);
                None
            }
            Body::Json => {
                let mut moved = Map::new();
                for key in endpoint.query {
                    if let Some(v) = map.remove(*key) {
                        moved.insert(key.to_string(), v);
                    }
                }
                query.extend(query_pairs(endpoint.path, moved)?);
                Some(Value::Object(map))
            }
        };
        Ok(Request {
            name: endpoint.path.to_string(),
            method: endpoint.method,
            credential: endpoint.credential,
            answer: endpoint.answer,
            query,
            json,
            upload: file,
            idempotent,
        })
    }

    /// A call to an API the registry does not know: GET parameters go to the query, a POST's
    /// to a JSON body. A registered path is sent through its record instead.
    pub fn adhoc(method: Method, path: &str, params: Value, idempotent: bool) -> Result<Request> {
        let name = api::api_path(path);
        if let Some(endpoint) = api::find(name) {
            if endpoint.method == method && endpoint.body != Body::Multipart {
                let mut req = Self::to(endpoint, params)?;
                req.idempotent |= idempotent;
                return Ok(req);
            }
        }
        if name.is_empty() || name.contains('?') || name.contains("..") {
            return Err(Error::argument(format!(
                "{path:?} is not an API path like \"user/get\""
            )));
        }
        let map = match params {
            Value::Null => Map::new(),
            Value::Object(map) => map,
            other => {
                return Err(Error::argument(format!(
                    "{name}: parameters must be a Hash, got {}",
                    api::check::kind(&other)
                )))
            }
        };
        let (query, json) = match method {
            Method::Get => (query_pairs(name, map)?, None),
            Method::Post => (Vec::new(), Some(Value::Object(map))),
        };
        Ok(Request {
            name: name.to_string(),
            method,
            credential: Credential::AccessToken,
            answer: Answer::Json,
            query,
            json,
            upload: None,
            idempotent: idempotent || method == Method::Get,
        })
    }
}

/// Query parameters from JSON scalars: Strings as they are, numbers as digits, true/false as
/// WeCom's 1/0. Arrays and Hashes have no query form.
fn query_pairs(endpoint: &str, map: Map<String, Value>) -> Result<Vec<(String, String)>> {
    map.into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let text = match v {
                Value::String(s) => s,
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => (if b { "1" } else { "0" }).to_string(),
                other => {
                    return Err(Error::argument(format!(
                        "{endpoint}: {k} must be a String or a number, got {}",
                        api::check::kind(&other)
                    )))
                }
            };
            Ok((k, text))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn endpoint(name: &str) -> &'static Endpoint {
        api::find(name).unwrap()
    }

    #[test]
    fn gets_go_to_the_query_posts_to_the_body() {
        let get = Request::to(endpoint("user/get"), json!({"userid": "lilei"})).unwrap();
        assert_eq!(get.query, vec![("userid".to_string(), "lilei".to_string())]);
        assert!(get.json.is_none() && get.idempotent);
        let send = Request::to(
            endpoint("message/send"),
            json!({"touser": "a", "msgtype": "text", "agentid": 1, "text": {"content": "x"}, "enable_duplicate_check": 1}),
        )
        .unwrap();
        assert!(send.query.is_empty() && send.json.is_some() && send.idempotent);
        let ticket = Request::to(endpoint("ticket/get"), json!({})).unwrap();
        assert_eq!(
            ticket.query,
            vec![("type".to_string(), "agent_config".to_string())]
        );
    }

    #[test]
    fn sends_are_idempotent_only_with_duplicate_check() {
        let body = |flag: Value| json!({"touser": "a", "msgtype": "text", "agentid": 1, "text": {"content": "x"}, "enable_duplicate_check": flag});
        assert!(
            !Request::to(endpoint("message/send"), body(json!(0)))
                .unwrap()
                .idempotent
        );
        assert!(
            Request::to(endpoint("message/send"), body(json!("1")))
                .unwrap()
                .idempotent
        );
        assert!(
            !Request::to(endpoint("message/recall"), json!({"msgid": "m"}))
                .unwrap()
                .idempotent
        );
    }

    #[test]
    fn checks_run_before_anything_is_sent() {
        let err = Request::to(endpoint("user/get"), json!({})).unwrap_err();
        assert_eq!(err.to_string(), "user/get: userid is missing");
        let err = Request::to(endpoint("media/upload"), json!({"type": "file"})).unwrap_err();
        assert!(err.to_string().contains("give a path or an IO"));
        let file = Upload {
            path: "/tmp/x".into(),
            filename: "x.gif".into(),
            content_type: "image/gif".into(),
            size: 100,
        };
        let err =
            Request::upload(endpoint("media/upload"), json!({"type": "image"}), file).unwrap_err();
        assert!(err.to_string().contains("not a JPG"));
    }

    #[test]
    fn adhoc_calls_and_registered_paths() {
        let r = Request::adhoc(
            Method::Get,
            "/cgi-bin/agent/get",
            json!({"agentid": 7, "x": true}),
            false,
        )
        .unwrap();
        assert_eq!(r.name, "agent/get");
        assert!(r.query.contains(&("x".to_string(), "1".to_string())));
        assert!(r.idempotent);
        let p = Request::adhoc(Method::Post, "agent/set", json!({"a": [1]}), false).unwrap();
        assert!(!p.idempotent && p.json.is_some());
        // A registered path is checked by its record.
        assert!(Request::adhoc(Method::Get, "user/get", json!({}), false).is_err());
        assert!(Request::adhoc(Method::Get, "a?b=1", json!({}), false).is_err());
        assert!(Request::adhoc(Method::Get, "agent/get", json!({"a": [1]}), false).is_err());
    }
}
