//! gettoken, the JS-SDK tickets, and the OAuth code exchange.

use serde_json::Value;

use super::{Ctx, Handler, Reply};
use crate::fields;
use crate::wire::ApiFailure;

pub static HANDLERS: &[(&str, Handler)] = &[
    ("gettoken", gettoken),
    ("get_jsapi_ticket", corp_ticket),
    ("ticket/get", agent_ticket),
    ("auth/getuserinfo", getuserinfo),
    ("auth/getuserdetail", getuserdetail),
];

/// OAuth codes and user tickets issued by the sign-in pages.
#[derive(Debug, Default)]
pub struct State {}

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
    let (ticket, expires_in) = ctx.world.corp_tickets.lock().get_or_issue(ctx.now());
    Reply::Ok(fields! {"ticket" => ticket, "expires_in" => expires_in})
}

fn agent_ticket(ctx: &Ctx) -> Reply {
    if ctx.param("type") != Some("agent_config") {
        return Reply::Fail(ApiFailure::new(40005));
    }
    let (ticket, expires_in) = ctx.app().agent_tickets.lock().get_or_issue(ctx.now());
    Reply::Ok(fields! {"ticket" => ticket, "expires_in" => expires_in})
}

fn getuserinfo(ctx: &Ctx) -> Reply {
    let _code = ctx.param("code").unwrap_or_default();
    Reply::Fail(ApiFailure::new(40029))
}

fn getuserdetail(ctx: &Ctx) -> Reply {
    match ctx.json() {
        Err(f) => Reply::Fail(f),
        Ok(body) => {
            let _ticket = body.get("user_ticket").and_then(Value::as_str);
            Reply::Fail(ApiFailure::new(84015))
        }
    }
}
