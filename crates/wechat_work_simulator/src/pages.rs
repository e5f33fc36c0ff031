//! The sign-in pages WeCom serves on its own hosts, served here on the simulator's host so a
//! client whose `base_url` is the simulator needs no other setting
//! (docs/wecom/signin-and-jssdk.md#oauth-inside-wecom):
//!
//! | page | WeCom's host | |
//! |---|---|---|
//! | `GET /connect/oauth2/authorize?appid&redirect_uri&response_type=code&scope&state&agentid` | open.weixin.qq.com | OAuth inside WeCom |
//! | `GET /wwlogin/sso/login?login_type=CorpApp&appid&agentid&redirect_uri&state` | login.work.weixin.qq.com | web (QR) login |
//! | `GET /wwopen/sso/qrConnect?appid&agentid&redirect_uri&state` | open.work.weixin.qq.com | the legacy QR login |
//!
//! Each lists the corp's members and a visitor who is not a member; following a link (or
//! `auto_login`) redirects (302) to `redirect_uri` with a one-time `code` (5 minutes on the
//! simulated clock) and the same `state`, as WeCom does once the member is known. Plain links
//! and redirects only: any HTTP client, or a browser, can sign in.
//!
//! Not simulated: trusted domains (any `redirect_uri` is accepted; WeCom requires the app's
//! 可信域名, exactly, port included) and the "open this in WeCom" page a normal browser gets
//! from the OAuth URL.

use std::fmt::Write as _;

use url::form_urlencoded;
use wechat_work_core::wecom::limits::OAUTH_STATE_BYTES;

use crate::endpoints::auth::{Flow, Grant, Scope, Who};
use crate::router::{query_pairs, Answer};
use crate::world::World;

pub const OAUTH_PATH: &str = "/connect/oauth2/authorize";
pub const QR_LOGIN_PATH: &str = "/wwlogin/sso/login";
pub const LEGACY_QR_LOGIN_PATH: &str = "/wwopen/sso/qrConnect";

/// Query parameters that pick who signs in (the links of the page).
const PICK_USER: &str = "simulator_user";
const PICK_VISITOR: &str = "simulator_visitor";

/// The answer for a sign-in page, or None when `path` is not one.
pub fn handle(world: &World, method: &str, path: &str, query: &str) -> Option<Answer> {
    let flow = match path.trim_end_matches('/') {
        OAUTH_PATH => Flow::OAuth,
        QR_LOGIN_PATH | LEGACY_QR_LOGIN_PATH => Flow::QrLogin,
        _ => return None,
    };
    if method != "GET" && method != "HEAD" {
        return Some(error_page(405, "the sign-in pages answer GET"));
    }
    let params = query_pairs(query);
    let request = match SignIn::parse(world, &params, flow, path) {
        Ok(r) => r,
        Err(message) => return Some(error_page(400, &message)),
    };
    let who = match pick(world, &params) {
        Ok(Some(who)) => who,
        Ok(None) => return Some(chooser(world, &request, path, query)),
        Err(message) => return Some(error_page(400, &message)),
    };
    let code = world.domains.auth.lock().issue_code(
        Grant {
            who,
            agent_id: request.agent_id,
            scope: request.scope,
            flow,
        },
        world.clock.now(),
    );
    Some(redirect(&with_code(
        &request.redirect_uri,
        &code,
        &request.state,
    )))
}

/// A sign-in request, checked the way WeCom checks it before showing its page.
struct SignIn {
    redirect_uri: String,
    state: String,
    agent_id: Option<i64>,
    scope: Scope,
    flow: Flow,
}

impl SignIn {
    fn parse(
        world: &World,
        params: &[(String, String)],
        flow: Flow,
        path: &str,
    ) -> Result<Self, String> {
        let get = |key: &str| {
            params
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
        };
        match get("appid") {
            Some(id) if id == world.corp_id => {}
            Some(id) => {
                return Err(format!(
                    "appid {id:?} is not this corp's id ({}): appid is the CorpID",
                    world.corp_id
                ))
            }
            None => return Err("appid is missing (the CorpID)".into()),
        }
        let redirect_uri = get("redirect_uri").unwrap_or_default();
        if !(redirect_uri.starts_with("http://") || redirect_uri.starts_with("https://")) {
            return Err(format!(
                "redirect_uri must be an absolute http(s) URL (URL-encoded in the query), got {redirect_uri:?}"
            ));
        }
        let state = get("state").unwrap_or_default();
        if state.len() > OAUTH_STATE_BYTES || !state.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(format!(
                "state must be letters and digits ([a-zA-Z0-9]), at most {OAUTH_STATE_BYTES} bytes"
            ));
        }
        let agent_id = match get("agentid").filter(|a| !a.is_empty()) {
            None => None,
            Some(a) => match a
                .parse::<i64>()
                .ok()
                .filter(|a| world.app_by_agent(*a).is_some())
            {
                Some(id) => Some(id),
                None => {
                    return Err(format!(
                        "invalid agentid {a:?} (40056): no app of this corp has it"
                    ))
                }
            },
        };
        let scope = match flow {
            Flow::QrLogin => {
                if path.trim_end_matches('/') == QR_LOGIN_PATH {
                    match get("login_type") {
                        Some("CorpApp") => {}
                        Some("ServiceApp") => {
                            return Err("login_type ServiceApp (third-party suites) is not simulated: use CorpApp".into())
                        }
                        other => {
                            return Err(format!(
                                "login_type must be CorpApp (a self-built app), got {other:?}"
                            ))
                        }
                    }
                }
                if agent_id.is_none() {
                    return Err("agentid is required for the web login of a self-built app".into());
                }
                Scope::Base
            }
            Flow::OAuth => {
                if get("response_type") != Some("code") {
                    return Err("response_type must be code".into());
                }
                match get("scope") {
                    Some("snsapi_base") => Scope::Base,
                    // WeCom: without agentid, snsapi_privateinfo is treated as snsapi_base.
                    Some("snsapi_privateinfo") if agent_id.is_some() => Scope::PrivateInfo,
                    Some("snsapi_privateinfo") => Scope::Base,
                    other => {
                        return Err(format!(
                            "scope must be snsapi_base or snsapi_privateinfo, got {other:?}"
                        ))
                    }
                }
            }
        };
        Ok(Self {
            redirect_uri: redirect_uri.to_string(),
            state: state.to_string(),
            agent_id,
            scope,
            flow,
        })
    }
}

/// Who the request picked (a link of the page), else who `auto_login` names, else nobody.
fn pick(world: &World, params: &[(String, String)]) -> Result<Option<Who>, String> {
    let get = |key: &str| {
        params
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let who = if get(PICK_VISITOR).is_some() {
        Some(Who::Visitor)
    } else if let Some(userid) = get(PICK_USER) {
        Some(Who::Member(userid.to_string()))
    } else {
        world.domains.auth.lock().auto_login.clone()
    };
    match who {
        Some(Who::Member(userid)) => match world.directory.read().user(&userid) {
            Some(user) => Ok(Some(Who::Member(user.userid))),
            None => Err(format!(
                "{userid:?} is not a member of the corp (the simulator was started with users:)"
            )),
        },
        other => Ok(other),
    }
}

/// `redirect_uri` with `code` and `state` added to its query (before any fragment), the rest
/// of it untouched.
pub fn with_code(redirect_uri: &str, code: &str, state: &str) -> String {
    let (base, fragment) = match redirect_uri.split_once('#') {
        Some((b, f)) => (b, Some(f)),
        None => (redirect_uri, None),
    };
    let sep = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    let mut out = format!("{base}{sep}code={code}&state={state}");
    if let Some(f) = fragment {
        out.push('#');
        out.push_str(f);
    }
    out
}

fn redirect(location: &str) -> Answer {
    let mut answer = Answer::html(
        302,
        format!(
            "<!DOCTYPE html><html><body><a href=\"{}\">Continue</a></body></html>",
            escape(location)
        ),
    );
    answer
        .headers
        .push(("Location".into(), location.to_string()));
    answer
        .headers
        .push(("Cache-Control".into(), "no-store".into()));
    answer
}

fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// The page that lists who can sign in.
fn chooser(world: &World, request: &SignIn, path: &str, query: &str) -> Answer {
    let base = format!("{path}?{query}");
    let app = request
        .agent_id
        .and_then(|a| world.app_by_agent(a))
        .map_or_else(
            || "any app of the corp (no agentid)".to_string(),
            |a| format!("{} (agentid {})", a.config.name, a.config.agent_id),
        );
    let (title, what) = match (request.flow, request.scope) {
        (Flow::QrLogin, _) => ("WeCom web login", "Scan with WeCom: pick who scans."),
        (Flow::OAuth, Scope::Base) => ("WeCom sign-in", "Silent sign-in (snsapi_base): pick who opens the page in WeCom."),
        (Flow::OAuth, Scope::PrivateInfo) => (
            "WeCom sign-in: allow access to your information",
            "snsapi_privateinfo: the member consents to share mobile, email, avatar and QR code (auth/getuserdetail).",
        ),
    };
    let mut html = String::new();
    let _ = write!(
        html,
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{title} (simulator)</title></head><body>\
         <h1>{title}</h1><p>{what}</p><p>App: {}. Returns to {}.</p><ul id=\"members\">",
        escape(&app),
        escape(&request.redirect_uri)
    );
    for user in world.directory.read().users() {
        let href = format!("{base}&{PICK_USER}={}", encode(&user.userid));
        let _ = write!(
            html,
            "<li><a class=\"member\" data-userid=\"{}\" href=\"{}\">{}</a> ({})</li>",
            escape(&user.userid),
            escape(&href),
            escape(&user.name),
            escape(&user.userid)
        );
    }
    let _ = write!(
        html,
        "</ul><p><a class=\"visitor\" href=\"{}\">Someone who is not a member of the corp</a> (answered with an openid)</p>\
         <p><small>WeCom simulator. Tests: Simulator.start(auto_login: \"userid\") signs in without this page.</small></p>\
         </body></html>",
        escape(&format!("{base}&{PICK_VISITOR}=1"))
    );
    let mut answer = Answer::html(200, html);
    answer
        .headers
        .push(("Cache-Control".into(), "no-store".into()));
    answer
}

fn error_page(status: u16, message: &str) -> Answer {
    Answer::html(
        status,
        format!(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Sign-in error (simulator)</title></head>\
             <body><h1>Sign-in error</h1><p class=\"error\">{}</p></body></html>",
            escape(message)
        ),
    )
}

/// Text as HTML (element content and quoted attributes).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_and_state_go_into_the_query_before_the_fragment() {
        assert_eq!(
            with_code("https://a.test/cb", "C", "S"),
            "https://a.test/cb?code=C&state=S"
        );
        assert_eq!(
            with_code("https://a.test/cb?x=%20y", "C", ""),
            "https://a.test/cb?x=%20y&code=C&state="
        );
        assert_eq!(
            with_code("https://a.test/cb?#/room", "C", "S"),
            "https://a.test/cb?code=C&state=S#/room"
        );
    }

    #[test]
    fn escapes_html() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
