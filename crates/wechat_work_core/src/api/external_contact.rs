//! External contacts (客户联系, path/92113 list, 92114 get, 92994 batch, 92228 contact way,
//! 92135 mass message, 93338 its result). Candidates are external contacts; WeCom sends a mass
//! message only after the member confirms it, so this is not a notification channel.

use super::{Endpoint, Params};
use crate::error::Result;
use crate::wecom::limits;

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint::get("externalcontact/list", "path/92113").validate(validate_list),
    Endpoint::get("externalcontact/get", "path/92114").validate(validate_get),
    Endpoint::post("externalcontact/batch/get_by_user", "path/92994")
        .safe()
        .validate(validate_batch),
    Endpoint::post("externalcontact/add_contact_way", "path/92228").validate(validate_contact_way),
    Endpoint::post("externalcontact/add_msg_template", "path/92135")
        .validate(validate_msg_template),
    Endpoint::post("externalcontact/get_groupmsg_send_result", "path/93338")
        .safe()
        .validate(validate_send_result),
];

fn validate_list(p: &Params) -> Result<()> {
    p.only(&["userid"], "externalcontact/list")?;
    p.str("userid").map(drop)
}

fn validate_get(p: &Params) -> Result<()> {
    p.only(&["external_userid", "cursor"], "externalcontact/get")?;
    p.str("external_userid")?;
    p.opt_str("cursor").map(drop)
}

fn validate_batch(p: &Params) -> Result<()> {
    p.only(
        &["userid_list", "cursor", "limit"],
        "externalcontact/batch/get_by_user",
    )?;
    p.strings("userid_list", 1, limits::EXTERNAL_BATCH_USERS)?;
    p.opt_str("cursor")?;
    if let Some(limit) = p.opt_int("limit")? {
        let max = limits::EXTERNAL_BATCH_LIMIT as i64;
        if !(1..=max).contains(&limit) {
            return Err(p.fail(format!("limit must be 1 to {max}, got {limit}")));
        }
    }
    Ok(())
}

fn validate_contact_way(p: &Params) -> Result<()> {
    p.only(
        &[
            "type",
            "scene",
            "style",
            "remark",
            "skip_verify",
            "state",
            "user",
            "party",
            "is_temp",
            "expires_in",
            "chat_expires_in",
            "unionid",
            "conclusions",
        ],
        "externalcontact/add_contact_way",
    )?;
    let kind = p.int("type")?;
    if !(1..=2).contains(&kind) {
        return Err(p.fail(format!(
            "type must be 1 (one member) or 2 (several), got {kind}"
        )));
    }
    let scene = p.int("scene")?;
    if !(1..=2).contains(&scene) {
        return Err(p.fail(format!(
            "scene must be 1 (mini program) or 2 (QR code), got {scene}"
        )));
    }
    let users = p.strings("user", 0, limits::CONTACT_WAY_MAX_USERS)?;
    if kind == 1 && users.len() != 1 {
        return Err(p.fail(format!(
            "type 1 (one member) takes exactly one user, got {}",
            users.len()
        )));
    }
    if users.is_empty() && !p.has("party") {
        return Err(p.fail("user is missing: who answers the contact way?"));
    }
    for (key, max) in [
        ("state", limits::CONTACT_WAY_STATE_CHARS),
        ("remark", limits::CONTACT_WAY_REMARK_CHARS),
    ] {
        if let Some(text) = p.opt_str(key)? {
            let chars = text.chars().count();
            if chars > max {
                return Err(p.fail(format!(
                    "{key} is {chars} characters; WeCom allows at most {max}"
                )));
            }
        }
    }
    Ok(())
}

fn validate_msg_template(p: &Params) -> Result<()> {
    p.only(
        &[
            "chat_type",
            "external_userid",
            "chat_id_list",
            "tag_filter",
            "sender",
            "allow_select",
            "text",
            "attachments",
        ],
        "externalcontact/add_msg_template",
    )?;
    let chat_type = p.opt_str("chat_type")?.unwrap_or("single");
    if chat_type != "single" && chat_type != "group" {
        return Err(p.fail(format!(
            "chat_type must be \"single\" or \"group\", got {chat_type:?}"
        )));
    }
    let customers = p.strings("external_userid", 0, limits::MSG_TEMPLATE_MAX_CUSTOMERS)?;
    if chat_type == "group" {
        p.str("sender")?;
    } else if customers.is_empty() && !p.has("sender") {
        // "external_userid ... 不可与sender同时为空" (path/92135): a sender alone means all of
        // that member's customers.
        return Err(p.fail(
            "give external_userid (the customers) or sender (all of that member's customers)",
        ));
    }
    let has_text = match p.get("text") {
        Some(v) => {
            let text = p.at(v);
            let content = text.str_named("content", "text.content")?;
            if content.len() > limits::MSG_TEMPLATE_TEXT_BYTES {
                return Err(p.fail(format!(
                    "text.content is {} bytes; WeCom allows at most {}",
                    content.len(),
                    limits::MSG_TEMPLATE_TEXT_BYTES
                )));
            }
            true
        }
        None => false,
    };
    let attachments = p.array("attachments", 0, limits::MSG_TEMPLATE_MAX_ATTACHMENTS)?;
    if !has_text && attachments.is_empty() {
        return Err(p.fail("give text: or attachments:"));
    }
    Ok(())
}

fn validate_send_result(p: &Params) -> Result<()> {
    p.only(
        &["msgid", "userid", "limit", "cursor"],
        "externalcontact/get_groupmsg_send_result",
    )?;
    p.str("msgid")?;
    p.str("userid")?;
    p.opt_str("cursor")?;
    if let Some(limit) = p.opt_int("limit")? {
        // WeCom answers 500 rows above the maximum; refusing says so instead.
        let max = limits::MSG_TEMPLATE_RESULT_MAX_LIMIT as i64;
        if !(1..=max).contains(&limit) {
            return Err(p.fail(format!("limit must be 1 to {max}, got {limit}")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn check(validate: fn(&Params) -> Result<()>, name: &'static str, v: Value) -> String {
        validate(&Params::new(name, &v))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn contact_ways_and_mass_messages() {
        let way = |v| check(validate_contact_way, "externalcontact/add_contact_way", v);
        assert_eq!(way(json!({"type": 1, "scene": 2, "user": ["lilei"]})), "");
        assert!(way(json!({"type": 3, "scene": 2, "user": ["lilei"]})).contains("type must be 1"));
        assert!(
            way(json!({"type": 1, "scene": 2, "user": ["a", "b"]})).contains("exactly one user")
        );
        assert!(
            way(json!({"type": 1, "scene": 2, "user": ["a"], "state": "x".repeat(31)}))
                .contains("state is 31 characters")
        );
        let mass = |v| check(validate_msg_template, "externalcontact/add_msg_template", v);
        assert_eq!(
            mass(json!({"sender": "lilei", "text": {"content": "hi"}})),
            ""
        );
        assert!(mass(json!({"text": {"content": "hi"}})).contains("give external_userid"));
        assert!(mass(json!({"external_userid": ["wm1"]})).contains("give text: or attachments:"));
        assert!(
            mass(json!({"chat_type": "group", "text": {"content": "hi"}}))
                .contains("sender is missing")
        );
        let result = |v| {
            check(
                validate_send_result,
                "externalcontact/get_groupmsg_send_result",
                v,
            )
        };
        assert!(result(json!({"msgid": "m", "userid": "u", "limit": 1001})).contains("1 to 1000"));
        let batch = |v| check(validate_batch, "externalcontact/batch/get_by_user", v);
        let many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
        assert!(batch(json!({ "userid_list": many })).contains("WeCom takes 1 to 100"));
    }
}
