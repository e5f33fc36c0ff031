//! App group chats (appchat/create, update, get, send): chats belong to the app that created
//! them (86008 for another app's), members must exist in the directory, 2 to 2000 of them,
//! names cut at 50 characters, posts checked like message/send and delivered with
//! `"channel": "chat"`. Sources: docs/wecom/chats.md#errcodes (the official errcode page,
//! 86xxx) and, where WeCom documents nothing, docs/wecom/chats.md#simulator-choices.

use std::collections::HashMap;

use rand::Rng;
use serde_json::{json, Map, Value};
use wechat_work_core::api::chat::{valid_chatid, CHAT_MSGTYPES};
use wechat_work_core::wecom::limits;

use super::{message, Ctx, Handler, Reply};
use crate::directory::Directory;
use crate::fields;
use crate::reply_try;
use crate::wire::ApiFailure;

pub static HANDLERS: &[(&str, Handler)] = &[
    ("appchat/create", create),
    ("appchat/update", update),
    ("appchat/get", get),
    ("appchat/send", send),
];

#[derive(Debug, Clone)]
struct Chat {
    name: String,
    owner: String,
    members: Vec<String>,
    /// The app that created it: the only one that may use it.
    agent_id: i64,
}

/// The corp's app group chats by chatid. Like contacts, they outlive `World::clear`.
#[derive(Debug, Default)]
pub struct State {
    chats: HashMap<String, Chat>,
}

impl State {
    /// Nothing per-send to forget: chats stay, as contacts do.
    pub fn clear(&mut self) {}

    /// A chat of app `agent_id`, or WeCom's errcode: 86003 unknown, 86008 another app's.
    fn owned_mut(&mut self, chatid: &str, agent_id: i64) -> Result<&mut Chat, ApiFailure> {
        match self.chats.get_mut(chatid) {
            None => Err(ApiFailure::new(86003)),
            Some(chat) if chat.agent_id != agent_id => Err(ApiFailure::new(86008)),
            Some(chat) => Ok(chat),
        }
    }
}

/// A random chatid shaped like WeCom's (`wr` + 30 letters and digits).
fn random_chatid() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    let tail: String = (0..limits::CHAT_ID_CHARS - 2)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    format!("wr{tail}")
}

fn contains(list: &[String], userid: &str) -> bool {
    list.iter().any(|u| u.eq_ignore_ascii_case(userid))
}

/// An optional String field; 40058 when it has another type.
fn opt_string<'a>(body: &'a Value, key: &str) -> Result<Option<&'a str>, ApiFailure> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiFailure::detail(
            40058,
            &format!("{key} must be a string"),
        )),
    }
}

/// A list of userids (absent: empty); 40058 when it is not an Array of Strings.
fn userids(body: &Value, key: &str) -> Result<Vec<String>, ApiFailure> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v.as_str() {
                Some(s) => Ok(s.trim().to_string()),
                None => Err(ApiFailure::detail(
                    40058,
                    &format!("{key} must be an array of userids"),
                )),
            })
            .collect(),
        Some(_) => Err(ApiFailure::detail(
            40058,
            &format!("{key} must be an array of userids"),
        )),
    }
}

/// Members as the directory spells them, without repeats. Unknown ones: 86216 ("添加会话成员时，
/// 指定的成员ID不存在通讯录", the official errcode page; which of 86007 and 86216 WeCom
/// answers for appchat is not documented: 86216 names the case).
fn existing_members(ids: &[String], dir: &Directory) -> Result<Vec<String>, ApiFailure> {
    let mut out: Vec<String> = Vec::new();
    let mut unknown: Vec<&str> = Vec::new();
    for id in ids {
        if !dir.user_exists(id) {
            unknown.push(id);
        } else if !contains(&out, id) {
            out.push(
                dir.known_user(id)
                    .map_or_else(|| id.clone(), |u| u.userid.clone()),
            );
        }
    }
    if unknown.is_empty() {
        Ok(out)
    } else {
        Err(ApiFailure::detail(
            86216,
            &format!("not in the contacts: {}", unknown.join(", ")),
        ))
    }
}

/// Userids without repeats (WeCom's userids are case-insensitive).
fn distinct(ids: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for id in ids {
        if !contains(&out, id) {
            out.push(id.clone());
        }
    }
    out
}

fn check_count(members: &[String]) -> Result<(), ApiFailure> {
    if (limits::CHAT_MIN_USERS..=limits::CHAT_MAX_USERS).contains(&members.len()) {
        Ok(())
    } else {
        Err(ApiFailure::new(86006))
    }
}

/// WeCom cuts a name over 50 characters ("超过将截断").
fn cut_name(name: &str) -> String {
    name.chars().take(limits::CHAT_NAME_CHARS).collect()
}

fn chatid_of(body: &Value) -> Result<&str, ApiFailure> {
    match opt_string(body, "chatid")? {
        None | Some("") => Err(ApiFailure::detail(40058, "chatid is required")),
        Some(id) => Ok(id),
    }
}

fn create(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    created(ctx, &body).into()
}

fn created(ctx: &Ctx, body: &Value) -> Result<Map<String, Value>, ApiFailure> {
    let requested = opt_string(body, "chatid")?.filter(|id| !id.is_empty());
    if let Some(id) = requested {
        if !valid_chatid(id) {
            return Err(ApiFailure::new(86001));
        }
    }
    let name = opt_string(body, "name")?.map(cut_name).unwrap_or_default();
    if body.get("userlist").map_or(true, Value::is_null) {
        return Err(ApiFailure::detail(40058, "userlist is required"));
    }
    let requested_members = userids(body, "userlist")?;
    check_count(&distinct(&requested_members))?;
    let members = existing_members(&requested_members, &ctx.world.directory.read())?;
    let owner = match opt_string(body, "owner")?.filter(|o| !o.is_empty()) {
        Some(o) => match members.iter().find(|m| m.eq_ignore_ascii_case(o)) {
            Some(m) => m.clone(),
            None => return Err(ApiFailure::new(86207)),
        },
        // "如果不指定，系统会随机从userlist中选一人作为群主"
        None => members[rand::rng().random_range(0..members.len())].clone(),
    };
    let mut state = ctx.world.domains.chat.lock();
    let chatid = match requested {
        Some(id) if state.chats.contains_key(id) => return Err(ApiFailure::new(86215)),
        Some(id) => id.to_string(),
        None => loop {
            let id = random_chatid();
            if !state.chats.contains_key(&id) {
                break id;
            }
        },
    };
    state.chats.insert(
        chatid.clone(),
        Chat {
            name,
            owner,
            members,
            agent_id: ctx.app().agent_id(),
        },
    );
    Ok(fields! {"chatid" => chatid})
}

fn update(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    updated(ctx, &body).into()
}

/// All or nothing: the changes are worked out on a copy and kept only when every check passes.
fn updated(ctx: &Ctx, body: &Value) -> Result<Map<String, Value>, ApiFailure> {
    let chatid = chatid_of(body)?;
    let name = opt_string(body, "name")?.map(cut_name);
    let owner = opt_string(body, "owner")?.filter(|o| !o.is_empty());
    let added = existing_members(
        &userids(body, "add_user_list")?,
        &ctx.world.directory.read(),
    )?;
    let removed = userids(body, "del_user_list")?;
    let mut state = ctx.world.domains.chat.lock();
    let chat = state.owned_mut(chatid, ctx.app().agent_id())?;
    let mut next = chat.clone();
    // "删除会话成员时，指定的成员ID不存在于会话中" is 86216 too.
    let strangers: Vec<&str> = removed
        .iter()
        .filter(|u| !contains(&next.members, u))
        .map(String::as_str)
        .collect();
    if !strangers.is_empty() {
        return Err(ApiFailure::detail(
            86216,
            &format!("not in the chat: {}", strangers.join(", ")),
        ));
    }
    next.members.retain(|m| !contains(&removed, m));
    for user in added {
        if !contains(&next.members, &user) {
            next.members.push(user);
        }
    }
    check_count(&next.members)?;
    if let Some(name) = name {
        next.name = name;
    }
    if let Some(owner) = owner {
        next.owner = owner.to_string();
    }
    // A new owner must be a member; removing the owner without naming another is refused the
    // same way (what WeCom does then is not documented).
    match next
        .members
        .iter()
        .find(|m| m.eq_ignore_ascii_case(&next.owner))
    {
        Some(m) => next.owner = m.clone(),
        None => return Err(ApiFailure::new(86207)),
    }
    *chat = next;
    Ok(Map::new())
}

fn get(ctx: &Ctx) -> Reply {
    let Some(chatid) = ctx.param("chatid").filter(|c| !c.is_empty()) else {
        return Reply::Fail(ApiFailure::detail(40058, "chatid is required"));
    };
    let mut state = ctx.world.domains.chat.lock();
    match state.owned_mut(chatid, ctx.app().agent_id()) {
        // chat_type 0 普通群聊 (1 课程群聊 is not made by appchat/create).
        Ok(chat) => Reply::Ok(fields! {"chat_info" => json!({
            "chatid": chatid,
            "name": chat.name,
            "owner": chat.owner,
            "userlist": chat.members,
            "chat_type": 0,
        })}),
        Err(f) => Reply::Fail(f),
    }
}

fn send(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    sent(ctx, body).into()
}

fn sent(ctx: &Ctx, body: Value) -> Result<Map<String, Value>, ApiFailure> {
    let chatid = chatid_of(&body)?.to_string();
    ctx.world
        .domains
        .chat
        .lock()
        .owned_mut(&chatid, ctx.app().agent_id())?;
    let msgtype = body
        .get("msgtype")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !CHAT_MSGTYPES.contains(&msgtype) {
        return Err(ApiFailure::new(40008));
    }
    message::check_content(msgtype, body.get(msgtype))?;
    let mut delivered = body;
    message::truncate_like_wecom(&mut delivered);
    if let Value::Object(map) = &mut delivered {
        map.insert("channel".into(), json!("chat"));
    }
    ctx.world.deliver(delivered);
    Ok(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_chatids_are_valid() {
        for _ in 0..100 {
            let id = random_chatid();
            assert!(valid_chatid(&id), "{id}");
            assert_eq!(id.len(), 32);
        }
    }

    #[test]
    fn members_are_checked_and_deduplicated() {
        let dir = Directory::from_config(&json!({"users": ["lilei", "zhangsan"]})).unwrap();
        let ids = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            existing_members(&ids(&["LiLei", "lilei", "zhangsan"]), &dir).unwrap(),
            vec!["lilei", "zhangsan"]
        );
        let err = existing_members(&ids(&["lilei", "ghost"]), &dir).unwrap_err();
        assert_eq!(err.errcode, 86216);
        assert!(err.text.contains("ghost"));
        assert_eq!(check_count(&ids(&["a"])).unwrap_err().errcode, 86006);
        assert_eq!(cut_name(&"群".repeat(60)).chars().count(), 50);
    }
}
