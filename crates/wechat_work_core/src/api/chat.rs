//! App group chats (应用发送消息到群聊会话, path/90245 create, path/98913 update,
//! path/98914 get, path/90248 send). Only chats the app created; the app's visible range must
//! be the root department.

use super::{message, Endpoint, Params};
use crate::error::Result;
use crate::wecom::limits;

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint::post("appchat/create", "path/90245").validate(validate_create),
    Endpoint::post("appchat/update", "path/98913").validate(validate_update),
    Endpoint::get("appchat/get", "path/98914").validate(validate_get),
    Endpoint::post("appchat/send", "path/90248").validate(validate_send),
];

/// Message types a group chat takes (no miniprogram_notice, no template_card).
pub const CHAT_MSGTYPES: &[&str] = &[
    "text", "image", "voice", "video", "file", "textcard", "news", "mpnews", "markdown",
];

/// `[0-9a-zA-Z]`, at most 32 characters.
pub fn valid_chatid(chatid: &str) -> bool {
    !chatid.is_empty()
        && chatid.len() <= limits::CHAT_ID_CHARS
        && chatid.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn chatid(p: &Params, required: bool) -> Result<()> {
    let id = if required {
        Some(p.str("chatid")?)
    } else {
        p.opt_str("chatid")?
    };
    if let Some(id) = id {
        if !valid_chatid(id) {
            return Err(p.fail(format!(
                "chatid {id:?} must be 1 to {} letters or digits",
                limits::CHAT_ID_CHARS
            )));
        }
    }
    Ok(())
}

/// Optional in create and update (path/90245: "name 否"); WeCom cuts a longer one, the client refuses it.
fn name(p: &Params) -> Result<()> {
    if let Some(name) = p.opt_str("name")? {
        let chars = name.chars().count();
        if chars > limits::CHAT_NAME_CHARS {
            return Err(p.fail(format!(
                "name is {chars} characters; WeCom allows at most {}",
                limits::CHAT_NAME_CHARS
            )));
        }
    }
    Ok(())
}

fn validate_create(p: &Params) -> Result<()> {
    p.only(&["name", "owner", "userlist", "chatid"], "appchat/create")?;
    name(p)?;
    p.opt_str("owner")?;
    let users = p.strings("userlist", limits::CHAT_MIN_USERS, limits::CHAT_MAX_USERS)?;
    if let Some(owner) = p.opt_str("owner")? {
        if !users.iter().any(|u| u.eq_ignore_ascii_case(owner)) {
            return Err(p.fail(format!("owner {owner:?} must be one of userlist")));
        }
    }
    chatid(p, false)
}

fn validate_update(p: &Params) -> Result<()> {
    p.only(
        &["chatid", "name", "owner", "add_user_list", "del_user_list"],
        "appchat/update",
    )?;
    chatid(p, true)?;
    name(p)?;
    p.opt_str("owner")?;
    p.strings("add_user_list", 0, limits::CHAT_MAX_USERS)?;
    p.strings("del_user_list", 0, limits::CHAT_MAX_USERS)?;
    if !["name", "owner", "add_user_list", "del_user_list"]
        .iter()
        .any(|k| p.has(k))
    {
        return Err(
            p.fail("nothing to change: give name:, owner:, add_user_list: or del_user_list:")
        );
    }
    Ok(())
}

fn validate_get(p: &Params) -> Result<()> {
    p.only(&["chatid"], "appchat/get")?;
    chatid(p, true)
}

fn validate_send(p: &Params) -> Result<()> {
    chatid(p, true)?;
    let msgtype = p.str("msgtype")?;
    if !CHAT_MSGTYPES.contains(&msgtype) {
        return Err(p.fail(format!(
            "a group chat takes {}, not {msgtype:?}",
            CHAT_MSGTYPES.join(", ")
        )));
    }
    p.only(
        &["chatid", "msgtype", "safe", msgtype],
        "a group chat message",
    )?;
    message::check_payload(&p.obj(msgtype)?, msgtype)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn create(body: Value) -> std::result::Result<(), String> {
        validate_create(&Params::new("appchat/create", &body)).map_err(|e| e.to_string())
    }

    #[test]
    fn create_checks_members_owner_name_and_chatid() {
        create(json!({"userlist": ["lilei", "zhangsan"]})).unwrap();
        create(json!({"name": "Interview", "owner": "LiLei", "userlist": ["lilei", "zhangsan"], "chatid": "abc123"}))
            .unwrap();
        let err = |b: Value| create(b).unwrap_err();
        assert!(err(json!({"userlist": ["lilei"]}))
            .contains("userlist has 1 items; WeCom takes 2 to 2000"));
        assert!(err(json!({"owner": "x", "userlist": ["a", "b"]}))
            .contains("owner \"x\" must be one of userlist"));
        assert!(
            err(json!({"name": "面".repeat(51), "userlist": ["a", "b"]}))
                .contains("name is 51 characters")
        );
        assert!(err(json!({"chatid": "a-b", "userlist": ["a", "b"]}))
            .contains("1 to 32 letters or digits"));
        assert!(
            err(json!({"userlist": ["a", "b"], "members": []})).contains("does not take members")
        );
    }

    #[test]
    fn send_takes_chat_msgtypes_only() {
        let send =
            |b: Value| validate_send(&Params::new("appchat/send", &b)).map_err(|e| e.to_string());
        send(json!({"chatid": "c1", "msgtype": "text", "text": {"content": "hi"}, "safe": 0}))
            .unwrap();
        assert!(
            send(json!({"chatid": "c1", "msgtype": "template_card", "template_card": {}}))
                .unwrap_err()
                .contains("not \"template_card\"")
        );
        assert!(send(
            json!({"chatid": "c1", "msgtype": "text", "text": {"content": "hi"}, "agentid": 1})
        )
        .unwrap_err()
        .contains("does not take agentid"));
    }
}
