//! Contacts: members, departments, tags, id lookups. user/get withholds avatar, gender,
//! mobile, email and address from apps created after 2022-06-20 (WeCom's rule), unless the app
//! is configured as an older one.

use std::collections::HashMap;

use serde_json::{json, Value};
use wechat_work_core::wecom::{ids, limits};

use super::{Ctx, Handler, Reply};
use crate::directory::Directory;
use crate::fields;
use crate::reply_try;
use crate::wire::ApiFailure;

pub static HANDLERS: &[(&str, Handler)] = &[
    ("user/get", user_get),
    ("user/simplelist", user_simplelist),
    ("user/list", user_list),
    ("user/list_id", user_list_id),
    ("user/getuserid", userid_by_mobile),
    ("user/get_userid_by_email", userid_by_email),
    ("user/convert_to_openid", convert_to_openid),
    ("user/convert_to_userid", convert_to_userid),
    ("department/list", department_list),
    ("tag/list", tag_list),
    ("tag/get", tag_get),
];

fn user_get(ctx: &Ctx) -> Reply {
    let userid = ctx.param("userid").unwrap_or_default();
    if userid.is_empty() {
        return Reply::Fail(ApiFailure::new(41009));
    }
    let dir = ctx.world.directory.read();
    match dir.user(userid) {
        Some(user) => Reply::Ok(Directory::user_json(
            &user,
            ctx.app().config.restricted_fields,
        )),
        None => Reply::Fail(ApiFailure::new(60111)),
    }
}

fn department_param(ctx: &Ctx) -> Result<u64, ApiFailure> {
    ctx.param("department_id")
        .and_then(ids::parse_id)
        .ok_or_else(|| ApiFailure::detail(40058, "department_id is required"))
}

fn fetch_child(ctx: &Ctx) -> bool {
    ctx.param("fetch_child").is_some_and(|v| v == "1")
}

fn user_simplelist(ctx: &Ctx) -> Reply {
    let id = reply_try!(department_param(ctx));
    let dir = ctx.world.directory.read();
    if !dir.party_exists(&id.to_string()) {
        return Reply::Fail(ApiFailure::new(60011));
    }
    let list: Vec<Value> = dir
        .members_of(id, fetch_child(ctx))
        .into_iter()
        .map(Directory::simple_json)
        .collect();
    Reply::Ok(fields! {"userlist" => list})
}

fn user_list(ctx: &Ctx) -> Reply {
    let id = reply_try!(department_param(ctx));
    let dir = ctx.world.directory.read();
    if !dir.party_exists(&id.to_string()) {
        return Reply::Fail(ApiFailure::new(60011));
    }
    let restricted = ctx.app().config.restricted_fields;
    let list: Vec<Value> = dir
        .members_of(id, fetch_child(ctx))
        .into_iter()
        .map(|u| Value::Object(Directory::user_json(u, restricted)))
        .collect();
    Reply::Ok(fields! {"userlist" => list})
}

/// One row per (member, department), paged by an opaque cursor (the next row's offset).
fn user_list_id(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let limit = body
        .get("limit")
        .and_then(Value::as_u64)
        .unwrap_or(limits::LIST_ID_MAX_LIMIT);
    if !(1..=limits::LIST_ID_MAX_LIMIT).contains(&limit) {
        return Reply::Fail(ApiFailure::detail(40058, "limit must be 1 to 10000"));
    }
    let offset = match body
        .get("cursor")
        .and_then(Value::as_str)
        .filter(|c| !c.is_empty())
    {
        None => 0,
        Some(cursor) => match decode_cursor(cursor) {
            Some(n) => n,
            None => return Reply::Fail(ApiFailure::detail(40058, "invalid cursor")),
        },
    };
    let dir = ctx.world.directory.read();
    let rows: Vec<Value> = dir
        .users()
        .flat_map(|u| {
            u.department
                .iter()
                .map(move |d| json!({"userid": u.userid, "department": d}))
        })
        .collect();
    let end = (offset + limit as usize).min(rows.len());
    let page = rows
        .get(offset..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    let next = if end < rows.len() {
        encode_cursor(end)
    } else {
        String::new()
    };
    Reply::Ok(fields! {"next_cursor" => next, "dept_user" => page})
}

/// Cursors look opaque, as WeCom's do, but are an offset.
fn encode_cursor(offset: usize) -> String {
    format!("c{offset:08x}")
}

fn decode_cursor(cursor: &str) -> Option<usize> {
    usize::from_str_radix(cursor.strip_prefix('c')?, 16).ok()
}

fn userid_by_mobile(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let mobile = body
        .get("mobile")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let dir = ctx.world.directory.read();
    let found = dir
        .users()
        .find(|u| u.mobile() == Some(mobile) && !mobile.is_empty())
        .map(|u| u.userid.clone());
    match found {
        Some(userid) => Reply::Ok(fields! {"userid" => userid}),
        None => Reply::Fail(ApiFailure::new(46004)),
    }
}

fn userid_by_email(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let email = body
        .get("email")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let dir = ctx.world.directory.read();
    let found = dir
        .users()
        .find(|u| !email.is_empty() && u.email().is_some_and(|e| e.eq_ignore_ascii_case(email)))
        .map(|u| u.userid.clone());
    match found {
        Some(userid) => Reply::Ok(fields! {"userid" => userid}),
        None => Reply::Fail(ApiFailure::new(46004)),
    }
}

/// A stable openid per userid: `o` + a digest, like WeCom's `oDjGHs-1yCnGrRovBj2yHij5JAAA`.
pub fn openid_for(corp_id: &str, userid: &str) -> String {
    use sha1::{Digest, Sha1};
    let digest = Sha1::digest(format!("{corp_id}:{}", userid.to_ascii_lowercase()).as_bytes());
    let tail: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    format!("o{tail}")
}

/// Openids handed out by convert_to_openid, so that convert_to_userid can answer them for
/// members the lenient directory made up (records are found by recomputing their openid).
#[derive(Default)]
pub struct State {
    issued: HashMap<String, String>,
}

fn convert_to_openid(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let userid = body
        .get("userid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let dir = ctx.world.directory.read();
    if userid.is_empty() || !dir.user_exists(userid) {
        return Reply::Fail(ApiFailure::new(60111));
    }
    let openid = openid_for(&ctx.world.corp_id, userid);
    ctx.world
        .domains
        .contacts
        .lock()
        .issued
        .insert(openid.clone(), userid.to_ascii_lowercase());
    Reply::Ok(fields! {"openid" => openid})
}

/// openid → userid. Which errcode WeCom answers for an openid that is no member's is not
/// documented [UNV]: 40003 invalid userid, the code for "no such member id"
/// (docs/wecom/contacts.md#openid-conversion).
fn convert_to_userid(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let openid = body
        .get("openid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if openid.is_empty() {
        return Reply::Fail(ApiFailure::detail(40058, "openid is required"));
    }
    let issued = ctx
        .world
        .domains
        .contacts
        .lock()
        .issued
        .get(openid)
        .cloned();
    let dir = ctx.world.directory.read();
    let userid = issued
        .and_then(|u| dir.user(&u))
        .map(|u| u.userid)
        .or_else(|| {
            dir.users()
                .find(|u| openid_for(&ctx.world.corp_id, &u.userid) == openid)
                .map(|u| u.userid.clone())
        });
    match userid {
        Some(userid) => Reply::Ok(fields! {"userid" => userid}),
        None => Reply::Fail(ApiFailure::new(40003)),
    }
}

fn department_list(ctx: &Ctx) -> Reply {
    let dir = ctx.world.directory.read();
    let list: Vec<Value> = match ctx.param("id").filter(|s| !s.is_empty()) {
        None => dir.departments().map(Directory::department_json).collect(),
        Some(id) => match ids::parse_id(id) {
            Some(id) if dir.department(id).is_some() => dir
                .subtree(id)
                .into_iter()
                .map(Directory::department_json)
                .collect(),
            _ => return Reply::Fail(ApiFailure::new(60011)),
        },
    };
    Reply::Ok(fields! {"department" => list})
}

fn tag_list(ctx: &Ctx) -> Reply {
    let dir = ctx.world.directory.read();
    let list: Vec<Value> = dir
        .tags()
        .map(|t| json!({"tagid": t.id, "tagname": t.name}))
        .collect();
    Reply::Ok(fields! {"taglist" => list})
}

fn tag_get(ctx: &Ctx) -> Reply {
    let Some(id) = ctx.param("tagid").and_then(ids::parse_id) else {
        return Reply::Fail(ApiFailure::new(40068));
    };
    let dir = ctx.world.directory.read();
    let Some(tag) = dir.tag(id) else {
        return Reply::Fail(ApiFailure::new(40068));
    };
    let users: Vec<Value> = tag
        .users
        .iter()
        .map(|u| {
            let name = dir.user(u).map(|x| x.name).unwrap_or_default();
            json!({"userid": u, "name": name})
        })
        .collect();
    Reply::Ok(fields! {"tagname" => tag.name, "userlist" => users, "partylist" => tag.parties})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_openids_are_stable() {
        assert_eq!(decode_cursor(&encode_cursor(1234)), Some(1234));
        assert_eq!(decode_cursor("bogus"), None);
        assert_eq!(openid_for("ww", "LiLei"), openid_for("ww", "lilei"));
        assert_ne!(openid_for("ww", "lilei"), openid_for("ww", "hanmeimei"));
    }
}
