//! gettoken, the JS-SDK tickets, and sign-in: the one-time codes the sign-in pages issue
//! ([`crate::pages`]), their exchange (`auth/getuserinfo`, path/91023) and the user tickets of
//! `snsapi_privateinfo` (`auth/getuserdetail`, path/95833). See docs/wecom/signin-and-jssdk.md.
//!
//! Decisions where WeCom's behaviour is not documented, the simulator's own [SIM]
//! (docs/wecom/signin-and-jssdk.md#simulator-choices):
//! * a code is bound to the app (`agentid`) it was issued for; exchanged with another app's
//!   token it answers 50001, what WeCom answers when the redirect domain is not the token's
//!   app's trusted domain. The failed attempt does not use the code up. A code issued without
//!   `agentid` (allowed for `snsapi_base`) can be exchanged by any app of the corp;
//! * a user ticket is bound to the app whose token exchanged the code: another app gets 84015;
//! * every member is in every app's visible range;
//! * past WeCom's JS-SDK ticket quota (400 fetches an hour per corp, 100 per app, counted for
//!   each kind of ticket) the fetch answers 45009, the generic frequency errcode.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use wechat_work_core::jssdk;
use wechat_work_core::wecom::limits::{
    JSAPI_TICKETS_PER_HOUR_APP, JSAPI_TICKETS_PER_HOUR_CORP, OAUTH_CODE_TTL_SECS,
    USER_TICKET_TTL_SECS,
};

use super::{Ctx, Handler, Reply};
use crate::fields;
use crate::reply_try;
use crate::tokens::TokenError;
use crate::wire::{random_token, ApiFailure};
use crate::world::World;

pub static HANDLERS: &[(&str, Handler)] = &[
    ("gettoken", gettoken),
    ("get_jsapi_ticket", corp_ticket),
    ("ticket/get", agent_ticket),
    ("auth/getuserinfo", getuserinfo),
    ("auth/getuserdetail", getuserdetail),
];

/// What the member agreed to share: `snsapi_base` (who they are) or `snsapi_privateinfo`
/// (also mobile, email, avatar... through a user ticket).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Base,
    PrivateInfo,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Base => "snsapi_base",
            Scope::PrivateInfo => "snsapi_privateinfo",
        }
    }
}

/// Where the code came from: OAuth inside WeCom, or the web (QR) login, whose codes never
/// carry a user ticket (path/98176).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    OAuth,
    QrLogin,
}

/// Who signs in: a member of the corp, or someone who is not (answered with an openid).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Who {
    Member(String),
    Visitor,
}

impl Who {
    /// `"lilei"` is a member; `{"visitor": true}` is someone who is not. Null: nobody.
    pub fn from_json(value: &Value) -> Result<Option<Who>, String> {
        match value {
            Value::Null => Ok(None),
            Value::String(s) if !s.is_empty() => Ok(Some(Who::Member(s.clone()))),
            Value::Object(map) if map.get("visitor") == Some(&Value::Bool(true)) => {
                Ok(Some(Who::Visitor))
            }
            Value::Object(map) if map.is_empty() => Ok(None),
            Value::Object(map) => match map.get("userid") {
                Some(Value::String(s)) if !s.is_empty() => Ok(Some(Who::Member(s.clone()))),
                Some(Value::Null) | None => Ok(None),
                Some(v) => Err(format!("userid must be a String, got {v}")),
            },
            other => Err(format!(
                "auto_login must be a userid, {{\"visitor\": true}} or null, got {other}"
            )),
        }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Who::Member(userid) => json!({"userid": userid}),
            Who::Visitor => json!({"visitor": true}),
        }
    }
}

/// What a code grants once exchanged.
#[derive(Debug, Clone)]
pub struct Grant {
    pub who: Who,
    /// The app it was issued for; None: any app of the corp may exchange it.
    pub agent_id: Option<i64>,
    pub scope: Scope,
    pub flow: Flow,
}

#[derive(Debug)]
struct Code {
    grant: Grant,
    expires_at: Instant,
    used: bool,
}

#[derive(Debug)]
struct UserTicket {
    userid: String,
    agent_id: i64,
    expires_at: Instant,
}

/// OAuth codes, user tickets, the visitor's openid, and who signs in without a choice.
#[derive(Debug, Default)]
pub struct State {
    codes: HashMap<String, Code>,
    tickets: HashMap<String, UserTicket>,
    visitor_openid: Option<String>,
    /// Recent JS-SDK ticket fetches: (when, agent ticket?, the asking app's agent id).
    ticket_fetches: VecDeque<(Instant, bool, i64)>,
    /// Set: the sign-in pages redirect at once as this person (tests, demos).
    pub auto_login: Option<Who>,
}

/// Codes and tickets are forgotten this long after they expire (then they answer like
/// unknown ones, which is the same errcode).
const FORGET_AFTER: Duration = Duration::from_secs(3600);

impl State {
    /// A one-time code for `grant`, valid [`OAUTH_CODE_TTL_SECS`].
    pub fn issue_code(&mut self, grant: Grant, now: Instant) -> String {
        self.codes
            .retain(|_, c| now.saturating_duration_since(c.expires_at) < FORGET_AFTER);
        // WeCom's codes are 43 characters in its examples (at most 512 bytes).
        let code = random_token(43);
        self.codes.insert(
            code.clone(),
            Code {
                grant,
                expires_at: now + Duration::from_secs(OAUTH_CODE_TTL_SECS),
                used: false,
            },
        );
        code
    }

    /// The visitor's openid: one per simulator, like WeCom's one per corp.
    pub fn visitor_openid(&mut self) -> String {
        self.visitor_openid
            .get_or_insert_with(|| format!("o{}", random_token(27)))
            .clone()
    }

    /// Counts a ticket fetch against WeCom's hourly quota: 45009 past it (not counted).
    fn ticket_quota(&mut self, agent: bool, app: i64, now: Instant) -> Result<(), ApiFailure> {
        let hour = Duration::from_secs(3600);
        while self
            .ticket_fetches
            .front()
            .is_some_and(|(at, _, _)| now.saturating_duration_since(*at) >= hour)
        {
            self.ticket_fetches.pop_front();
        }
        let same_kind = self.ticket_fetches.iter().filter(|(_, a, _)| *a == agent);
        let (corp, mine) = same_kind.fold((0, 0), |(c, m), (_, _, id)| {
            (c + 1, m + usize::from(*id == app))
        });
        if corp >= JSAPI_TICKETS_PER_HOUR_CORP || mine >= JSAPI_TICKETS_PER_HOUR_APP {
            return Err(ApiFailure::detail(
                45009,
                "JS-SDK tickets: at most 400 fetches an hour per corp and 100 per app; cache the ticket",
            ));
        }
        self.ticket_fetches.push_back((now, agent, app));
        Ok(())
    }

    /// `auth/getuserinfo` for the app `agent_id`: the grant once, then 40029.
    fn exchange(
        &mut self,
        code: &str,
        agent_id: i64,
        now: Instant,
    ) -> Result<Map<String, Value>, ApiFailure> {
        let grant = match self.codes.get_mut(code) {
            None => return Err(ApiFailure::new(40029)),
            Some(c) if c.used || now >= c.expires_at => return Err(ApiFailure::new(40029)),
            Some(c) if c.grant.agent_id.is_some_and(|a| a != agent_id) => {
                return Err(ApiFailure::detail(
                    50001,
                    "the code was issued for another app: exchange it with the token of the app whose agentid the sign-in URL named",
                ))
            }
            Some(c) => {
                c.used = true;
                c.grant.clone()
            }
        };
        Ok(match grant.who {
            Who::Member(userid) => {
                let mut out = fields! {"userid" => userid};
                if grant.scope == Scope::PrivateInfo && grant.flow == Flow::OAuth {
                    let ticket = self.issue_ticket(&userid, agent_id, now);
                    out.insert("user_ticket".into(), json!(ticket));
                }
                out
            }
            Who::Visitor => fields! {"openid" => self.visitor_openid()},
        })
    }

    fn issue_ticket(&mut self, userid: &str, agent_id: i64, now: Instant) -> String {
        self.tickets
            .retain(|_, t| now.saturating_duration_since(t.expires_at) < FORGET_AFTER);
        let ticket = random_token(86);
        self.tickets.insert(
            ticket.clone(),
            UserTicket {
                userid: userid.to_string(),
                agent_id,
                expires_at: now + Duration::from_secs(USER_TICKET_TTL_SECS),
            },
        );
        ticket
    }

    /// The member a user ticket stands for: 84015 when unknown or another app's, 84014 after
    /// [`USER_TICKET_TTL_SECS`]. A ticket may be used any number of times while it lives.
    fn ticket_user(&self, ticket: &str, agent_id: i64, now: Instant) -> Result<String, ApiFailure> {
        match self.tickets.get(ticket) {
            Some(t) if t.agent_id != agent_id => Err(ApiFailure::new(84015)),
            Some(t) if now >= t.expires_at => Err(ApiFailure::new(84014)),
            Some(t) => Ok(t.userid.clone()),
            None => Err(ApiFailure::new(84015)),
        }
    }
}

fn gettoken(ctx: &Ctx) -> Reply {
    let corpid = ctx.param("corpid").unwrap_or_default();
    let secret = ctx.param("corpsecret").unwrap_or_default();
    if corpid.is_empty() {
        return Reply::Fail(ApiFailure::new(41002));
    }
    if secret.is_empty() {
        return Reply::Fail(ApiFailure::new(41004));
    }
    if corpid != ctx.world.corp_id {
        return Reply::Fail(ApiFailure::new(40013));
    }
    let Some(app) = ctx.world.app_by_secret(secret) else {
        return Reply::Fail(ApiFailure::new(40001));
    };
    let (token, expires_in) = app.tokens.lock().get_or_issue(ctx.now());
    Reply::Ok(fields! {"access_token" => token, "expires_in" => expires_in})
}

fn corp_ticket(ctx: &Ctx) -> Reply {
    let quota = ctx
        .world
        .domains
        .auth
        .lock()
        .ticket_quota(false, ctx.app().agent_id(), ctx.now());
    if let Err(f) = quota {
        return Reply::Fail(f);
    }
    let (ticket, expires_in) = ctx.world.corp_tickets.lock().get_or_issue(ctx.now());
    Reply::Ok(fields! {"ticket" => ticket, "expires_in" => expires_in})
}

/// The app's own ticket: always the ticket of the app whose token asks.
fn agent_ticket(ctx: &Ctx) -> Reply {
    if ctx.param("type") != Some("agent_config") {
        return Reply::Fail(ApiFailure::new(40005));
    }
    let quota = ctx
        .world
        .domains
        .auth
        .lock()
        .ticket_quota(true, ctx.app().agent_id(), ctx.now());
    if let Err(f) = quota {
        return Reply::Fail(f);
    }
    let (ticket, expires_in) = ctx.app().agent_tickets.lock().get_or_issue(ctx.now());
    Reply::Ok(fields! {"ticket" => ticket, "expires_in" => expires_in})
}

fn getuserinfo(ctx: &Ctx) -> Reply {
    let code = ctx.param("code").unwrap_or_default();
    if code.is_empty() {
        return Reply::Fail(ApiFailure::new(41008));
    }
    let agent_id = ctx.app().agent_id();
    let mut state = ctx.world.domains.auth.lock();
    state.exchange(code, agent_id, ctx.now()).into()
}

/// The member's sensitive fields: answered even to apps created after 2022-06-20 (which
/// user/get withholds them from), since the member consented through `snsapi_privateinfo`.
fn getuserdetail(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let Some(ticket) = body.get("user_ticket").and_then(Value::as_str) else {
        return Reply::Fail(ApiFailure::detail(40058, "user_ticket is required"));
    };
    let userid = {
        let state = ctx.world.domains.auth.lock();
        reply_try!(state.ticket_user(ticket, ctx.app().agent_id(), ctx.now()))
    };
    let Some(user) = ctx.world.directory.read().user(&userid) else {
        return Reply::Fail(ApiFailure::new(84015));
    };
    let field = |key: &str, default: String| {
        user.extra
            .get(key)
            .and_then(Value::as_str)
            .map_or(default, str::to_string)
    };
    let domain = ctx.world.corp_id.to_ascii_lowercase();
    Reply::Ok(fields! {
        "userid" => user.userid,
        "gender" => field("gender", "0".into()),
        "avatar" => field("avatar", format!("https://wework.qpic.cn/wwpic/simulator/{}/0", user.userid)),
        "qr_code" => field("qr_code", format!("https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=sim{}", user.userid)),
        "mobile" => field("mobile", String::new()),
        "email" => field("email", String::new()),
        "biz_mail" => field("biz_mail", format!("{}@{domain}.wecom.work", user.userid)),
        "address" => field("address", String::new()),
    })
}

// ---- the JS-SDK as WeCom's client checks it ----------------------------------------------

/// What `wx.config` / `wx.agentConfig` would say about `config` (the object the page passes,
/// plus `"url"`: the page URL): `{"ok", "errMsg", ...}`. Checked against every ticket the
/// simulator issued, so a signature made with a revoked or expired ticket is told apart
/// (`"errcode": 40093`) from one that is simply wrong (another URL, another ticket).
pub fn verify_js_sdk(world: &World, config: &Value) -> Value {
    let agent = config.get("agentid").or_else(|| config.get("agentId"));
    let api = if agent.is_some() {
        "agentConfig"
    } else {
        "config"
    };
    let fail = |reason: String, errcode: Option<i64>| json!({"ok": false, "errMsg": format!("{api}:invalid signature"), "errcode": errcode, "reason": reason});
    let text = |key: &str| match config.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let (Some(url), Some(nonce), Some(timestamp), Some(signature)) = (
        text("url"),
        text("nonceStr"),
        text("timestamp"),
        text("signature"),
    ) else {
        return fail(
            "url, nonceStr, timestamp and signature are all needed".into(),
            None,
        );
    };
    let corp = if agent.is_some() {
        text("corpid")
    } else {
        text("appId")
    };
    if corp.as_deref() != Some(world.corp_id.as_str()) {
        return json!({"ok": false, "errMsg": format!("{api}:invalid corpid"), "errcode": 40013,
                      "reason": format!("{} is not this corp's id", if agent.is_some() { "corpid" } else { "appId" })});
    }
    if url.contains('#') {
        return fail(
            "the page URL WeCom signs has no #fragment: give location.href.split('#')[0]".into(),
            None,
        );
    }
    let signs = |ticket: &str| jssdk::signature(ticket, &nonce, &timestamp, &url) == signature;
    let now = world.clock.now();
    let found = match agent {
        None => world.corp_tickets.lock().find(now, signs),
        Some(a) => {
            let id = a
                .as_i64()
                .or_else(|| a.as_str().and_then(|s| s.parse().ok()));
            match id.and_then(|id| world.app_by_agent(id)) {
                None => {
                    return json!({"ok": false, "errMsg": "agentConfig:invalid agentid", "errcode": 40056,
                                  "reason": format!("no app of this corp has agentid {a}")})
                }
                Some(app) => app.agent_tickets.lock().find(now, signs),
            }
        }
    };
    let kind = if agent.is_some() {
        "agent jsapi_ticket (ticket/get?type=agent_config of this app)"
    } else {
        "corp jsapi_ticket (get_jsapi_ticket)"
    };
    match found {
        Some(Ok(())) => json!({"ok": true, "errMsg": format!("{api}:ok")}),
        Some(Err(TokenError::Expired)) => {
            fail(format!("signed with an expired {kind}"), Some(40093))
        }
        Some(Err(_)) => fail(format!("signed with a revoked {kind}"), Some(40093)),
        None => fail(
            format!("no {kind} issued by this simulator signs this url, nonceStr and timestamp"),
            None,
        ),
    }
}
