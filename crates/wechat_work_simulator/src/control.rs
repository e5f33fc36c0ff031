//! The simulator's own HTTP API, beside WeCom's `/cgi-bin`: what a test or a developer outside
//! the process needs to see and steer it.
//!
//! | request | does |
//! |---|---|
//! | `GET /_simulator/messages[?from=N]` | delivered messages (JSON array, oldest first) |
//! | `GET /_simulator/requests` | the request log, and `GET /_simulator/requests/count[?path=gettoken]` |
//! | `POST /_simulator/faults` | queue a fault: `{"kind": "errcode", "errcode": -1, "path": "message/send", "times": 1}` |
//! | `DELETE /_simulator/faults` | clear queued faults |
//! | `POST /_simulator/clear` | forget messages, requests and faults |
//! | `POST /_simulator/tokens/revoke`, `/tokens/expire`, `/tickets/revoke` | force the client's refresh paths |
//! | `GET /_simulator/media/<id>` | a permanent image from media/uploadimg (the URL it answers) |
//! | `GET`/`POST`/`DELETE /_simulator/auto_login` | who the sign-in pages sign in at once: `{"userid": "lilei"}`, `{"visitor": true}`, `{}` |
//! | `POST /_simulator/jssdk/verify` | what `wx.config` / `wx.agentConfig` would say: the config object plus `"url"` |
//! | `GET /_simulator` | this list, and the apps (names, agent ids, corp id) |

use serde_json::{json, Value};

use crate::endpoints::auth::{self, Who};
use crate::faults::Fault;
use crate::router::{query_pairs, Answer};
use crate::world::World;

pub fn handle(world: &World, method: &str, rest: &str, query: &str, body: &[u8]) -> Answer {
    let route = rest.trim_end_matches('/');
    let params = query_pairs(query);
    let param = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    match (method, route) {
        ("GET", "") => Answer::json(200, &index(world)),
        ("GET", "/messages") => {
            let from = param("from").and_then(|f| f.parse().ok()).unwrap_or(0);
            Answer::json(200, &Value::Array(world.messages_from(from)))
        }
        ("GET", "/requests") => Answer::json(200, &Value::Array(world.requests())),
        ("GET", "/requests/count") => {
            Answer::json(200, &json!({"count": world.request_count(param("path"))}))
        }
        ("POST", "/faults") => match serde_json::from_slice::<Value>(body)
            .map_err(|e| format!("the body is not JSON: {e}"))
            .and_then(|spec| Fault::from_json(&spec).map_err(|e| e.to_string()))
        {
            Ok(fault) => {
                world.inject(fault);
                ok()
            }
            Err(message) => bad_request(&message),
        },
        ("DELETE", "/faults") => {
            world.clear_faults();
            ok()
        }
        ("POST", "/clear") => {
            world.clear();
            ok()
        }
        ("POST", "/tokens/revoke") => {
            world.revoke_tokens(param("app"));
            ok()
        }
        ("POST", "/tokens/expire") => {
            world.expire_tokens(param("app"));
            ok()
        }
        ("GET", route) if route.starts_with("/media/") => {
            image(world, route.trim_start_matches("/media/"))
        }
        ("POST", "/tickets/revoke") => {
            world.revoke_tickets();
            ok()
        }
        ("GET", "/auto_login") => Answer::json(200, &auto_login(world)),
        ("POST", "/auto_login") => match serde_json::from_slice::<Value>(body)
            .map_err(|e| format!("the body is not JSON: {e}"))
            .and_then(|v| Who::from_json(&v))
        {
            Ok(who) => {
                world.domains.auth.lock().auto_login = who;
                Answer::json(200, &auto_login(world))
            }
            Err(message) => bad_request(&message),
        },
        ("DELETE", "/auto_login") => {
            world.domains.auth.lock().auto_login = None;
            Answer::json(200, &auto_login(world))
        }
        ("POST", "/jssdk/verify") => match serde_json::from_slice::<Value>(body) {
            Ok(config) if config.is_object() => {
                Answer::json(200, &auth::verify_js_sdk(world, &config))
            }
            _ => bad_request("the body must be the wx.config / wx.agentConfig object plus \"url\""),
        },
        (_, route) => Answer::json(
            404,
            &json!({"error": format!("no {method} /_simulator{route}; GET /_simulator lists what there is")}),
        ),
    }
}

/// A permanent image uploaded with media/uploadimg.
fn image(world: &World, id: &str) -> Answer {
    match world.domains.media.lock().image(id) {
        Some(image) => Answer {
            status: 200,
            content_type: image.content_type,
            headers: vec![("Cache-Control".into(), "max-age=31536000".into())],
            body: image.bytes.as_ref().clone(),
            errcode: None,
        },
        None => Answer::json(404, &json!({"error": format!("no image {id:?}")})),
    }
}

fn auto_login(world: &World) -> Value {
    let who = world.domains.auth.lock().auto_login.clone();
    json!({"auto_login": who.map(|w| w.to_json())})
}

fn ok() -> Answer {
    Answer::json(200, &json!({"ok": true}))
}

fn bad_request(message: &str) -> Answer {
    Answer::json(400, &json!({"error": message}))
}

fn index(world: &World) -> Value {
    let apps: Vec<Value> = world
        .apps
        .iter()
        .map(|a| json!({"name": a.config.name, "agent_id": a.config.agent_id}))
        .collect();
    json!({
        "corp_id": world.corp_id,
        "apps": apps,
        "endpoints": [
            "GET /_simulator/messages[?from=N]",
            "GET /_simulator/requests",
            "GET /_simulator/requests/count[?path=API]",
            "POST /_simulator/faults {kind, path, times, ...}",
            "DELETE /_simulator/faults",
            "POST /_simulator/clear",
            "POST /_simulator/tokens/revoke[?app=NAME]",
            "POST /_simulator/tokens/expire[?app=NAME]",
            "POST /_simulator/tickets/revoke",
            "GET /_simulator/media/ID (uploadimg's images)",
            "GET|POST|DELETE /_simulator/auto_login {userid} | {visitor: true}",
            "POST /_simulator/jssdk/verify {appId|corpid+agentid, timestamp, nonceStr, signature, url}",
        ],
        "sign_in_pages": [
            "GET /connect/oauth2/authorize (OAuth inside WeCom)",
            "GET /wwlogin/sso/login (web login, login_type=CorpApp)",
            "GET /wwopen/sso/qrConnect (legacy web login)",
        ],
    })
}
