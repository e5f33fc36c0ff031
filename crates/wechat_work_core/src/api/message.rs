//! App messages: `message/send` (path/90236), `message/recall` (path/94867),
//! `message/update_template_card` (path/94888). The checks WeCom would fail are made before
//! any request, so the caller gets an argument error naming the field instead of an errcode.

use serde_json::Value;

use super::{Endpoint, Idempotency, Params};
use crate::error::Result;
use crate::wecom::{flags, ids, limits};

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint::post("message/send", "path/90236")
        .idempotency(Idempotency::DuplicateCheck)
        .validate(validate_send),
    Endpoint::post("message/recall", "path/94867").validate(validate_recall),
    Endpoint::post("message/update_template_card", "path/94888").validate(validate_update_card),
];

pub const MSGTYPES: &[&str] = &[
    "text",
    "image",
    "voice",
    "video",
    "file",
    "textcard",
    "news",
    "mpnews",
    "markdown",
    "miniprogram_notice",
    "template_card",
];

pub const CARD_TYPES: &[&str] = &[
    "text_notice",
    "news_notice",
    "button_interaction",
    "vote_interaction",
    "multiple_interaction",
];

/// Card types that answer a `response_code` and need a `task_id`.
pub const INTERACTIVE_CARDS: &[&str] = &[
    "button_interaction",
    "vote_interaction",
    "multiple_interaction",
];

/// Top-level fields of a message/send body besides the msgtype's own object.
pub const SEND_FIELDS: &[&str] = &[
    "touser",
    "toparty",
    "totag",
    "msgtype",
    "agentid",
    "safe",
    "enable_id_trans",
    "enable_duplicate_check",
    "duplicate_check_interval",
];

/// The fields each msgtype's object takes (template cards are checked by card type instead).
pub fn payload_fields(msgtype: &str) -> Option<&'static [&'static str]> {
    Some(match msgtype {
        "text" | "markdown" => &["content"],
        "image" | "voice" | "file" => &["media_id"],
        "video" => &["media_id", "title", "description"],
        "textcard" => &["title", "description", "url", "btntxt"],
        "news" | "mpnews" => &["articles", "media_id"],
        "miniprogram_notice" => &[
            "appid",
            "page",
            "title",
            "description",
            "emphasis_first_item",
            "content_item",
        ],
        _ => return None,
    })
}

const NEWS_ARTICLE_FIELDS: &[&str] =
    &["title", "description", "url", "picurl", "appid", "pagepath"];
const MPNEWS_ARTICLE_FIELDS: &[&str] = &[
    "title",
    "thumb_media_id",
    "author",
    "content_source_url",
    "content",
    "digest",
];

fn validate_send(p: &Params) -> Result<()> {
    let body = p.object()?;
    let msgtype = p.str("msgtype")?;
    if !MSGTYPES.contains(&msgtype) {
        return Err(p.fail(format!(
            "unknown msgtype {msgtype:?}; WeCom accepts {}",
            MSGTYPES.join(", ")
        )));
    }
    let allowed: Vec<&str> = SEND_FIELDS.iter().copied().chain([msgtype]).collect();
    p.only(&allowed, "a message")?;
    match p.get("agentid") {
        Some(v) if flags::integer(v).is_some_and(|a| a > 0) => {}
        None => {
            return Err(p.fail(
                "agentid is missing: pass agent_id: to the client (or WECHAT_WORK_AGENT_ID)",
            ))
        }
        Some(v) => {
            return Err(p.fail(format!(
                "agentid must be a positive Integer, got {}",
                super::check::describe(v)
            )))
        }
    }
    check_recipients(p, ["touser", "toparty", "totag"], false)?;
    for flag in ["safe", "enable_id_trans", "enable_duplicate_check"] {
        if flag == "safe" {
            if let Some(v) = p.get("safe") {
                if !matches!(flags::integer(v), Some(0..=2)) {
                    return Err(p.fail(format!(
                        "safe must be 0 (shareable), 1 (no sharing, watermark) or 2 (inside the corp, mpnews only), got {}",
                        super::check::describe(v)
                    )));
                }
            }
        } else if let Err(problem) = flags::check(p.get(flag)) {
            return Err(p.fail(format!("{flag} {problem}")));
        }
    }
    if let Some(v) = p.get("duplicate_check_interval") {
        let max = limits::MAX_DUPLICATE_INTERVAL as i64;
        if !flags::integer(v).is_some_and(|s| (1..=max).contains(&s)) {
            return Err(p.fail(format!(
                "duplicate_check_interval must be 1 to {max} seconds, got {}",
                super::check::describe(v)
            )));
        }
    }
    let payload = p.obj(msgtype)?;
    check_payload(&payload, msgtype)?;
    let _ = body;
    Ok(())
}

/// The checks of one msgtype's object (shared with group chats, which take the same objects).
pub fn check_payload(payload: &Params, msgtype: &str) -> Result<()> {
    if let Some(fields) = payload_fields(msgtype) {
        payload.only(fields, msgtype)?;
    }
    let name = |field: &str| format!("{msgtype}.{field}");
    match msgtype {
        "text" | "markdown" => {
            payload.str_named("content", &name("content"))?;
        }
        "image" | "voice" | "file" => {
            payload.str_named("media_id", &name("media_id"))?;
        }
        "video" => {
            payload.str_named("media_id", &name("media_id"))?;
        }
        "textcard" => {
            for field in ["title", "description", "url"] {
                payload.str_named(field, &name(field))?;
            }
            payload.opt_str("btntxt")?;
        }
        "news" => check_articles(payload, msgtype, NEWS_ARTICLE_FIELDS, &["title"])?,
        "mpnews" if payload.has("media_id") => {
            payload.str_named("media_id", &name("media_id"))?;
        }
        "mpnews" => check_articles(
            payload,
            msgtype,
            MPNEWS_ARTICLE_FIELDS,
            &["title", "thumb_media_id", "content"],
        )?,
        "miniprogram_notice" => {
            payload.str_named("appid", &name("appid"))?;
            payload.str_named("title", &name("title"))?;
            payload.array("content_item", 0, limits::MAX_MINIPROGRAM_ITEMS)?;
        }
        "template_card" => check_card(payload)?,
        _ => {}
    }
    payload.text_limits(msgtype, limits::message_text_limits(msgtype))
}

fn check_articles(
    payload: &Params,
    msgtype: &str,
    fields: &[&str],
    required: &[&str],
) -> Result<()> {
    let articles = payload.get("articles");
    let count = articles.and_then(Value::as_array).map_or(0, Vec::len);
    if !(1..=limits::MAX_ARTICLES).contains(&count) {
        return Err(payload.fail(format!(
            "{msgtype} needs 1 to {} articles, got {count}",
            limits::MAX_ARTICLES
        )));
    }
    for (i, article) in articles
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let a = payload.at(article);
        a.only(fields, &format!("{msgtype}.articles[{i}]"))?;
        for field in required {
            a.str_named(field, &format!("{msgtype}.articles[{i}].{field}"))?;
        }
    }
    Ok(())
}

/// A template card's required parts per card type (docs/wecom/messages.md#template-cards).
pub fn check_card(card: &Params) -> Result<()> {
    let card_type = card.str_named("card_type", "template_card.card_type")?;
    if !CARD_TYPES.contains(&card_type) {
        return Err(card.fail(format!(
            "template_card.card_type must be one of {}, got {card_type:?}",
            CARD_TYPES.join(", ")
        )));
    }
    let named = |field: &str| format!("template_card.{field}");
    let has_title = card
        .get("main_title")
        .and_then(|m| m.get("title"))
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty());
    if let Some(task_id) = card.opt_str("task_id")? {
        check_task_id(card, task_id)?;
    }
    let needs_task = INTERACTIVE_CARDS.contains(&card_type) || card.has("action_menu");
    if needs_task && !card.has("task_id") {
        return Err(card.fail(format!(
            "template_card.task_id is missing: a {card_type} card{} needs a task_id unique to the app",
            if card.has("action_menu") { " with action_menu" } else { "" }
        )));
    }
    match card_type {
        "text_notice" => {
            if !has_title && !card.has("sub_title_text") {
                return Err(
                    card.fail("a text_notice card needs main_title.title or sub_title_text")
                );
            }
            card.obj("card_action").map_err(|_| {
                card.fail(format!(
                    "{} is missing: a text_notice card needs it",
                    named("card_action")
                ))
            })?;
        }
        "news_notice" => {
            if !has_title {
                return Err(card.fail("template_card.main_title.title is missing"));
            }
            if !card.has("card_image") && !card.has("image_text_area") {
                return Err(card.fail("a news_notice card needs card_image or image_text_area"));
            }
            card.obj("card_action").map_err(|_| {
                card.fail(format!(
                    "{} is missing: a news_notice card needs it",
                    named("card_action")
                ))
            })?;
        }
        "button_interaction" => {
            if !has_title {
                return Err(card.fail("template_card.main_title.title is missing"));
            }
            let buttons = card.array("button_list", 1, limits::MAX_CARD_BUTTONS)?;
            for (i, b) in buttons.iter().enumerate() {
                card.at(b)
                    .str_named("text", &named(&format!("button_list[{i}].text")))?;
            }
        }
        "vote_interaction" => {
            if !has_title {
                return Err(card.fail("template_card.main_title.title is missing"));
            }
            let checkbox = card.obj("checkbox")?;
            checkbox.str_named("question_key", &named("checkbox.question_key"))?;
            checkbox.array("option_list", 1, 20)?;
            card.obj("submit_button")?
                .str_named("key", &named("submit_button.key"))?;
        }
        "multiple_interaction" => {
            if !has_title {
                return Err(card.fail("template_card.main_title.title is missing"));
            }
            let selects = card.array("select_list", 1, 3)?;
            for (i, s) in selects.iter().enumerate() {
                let s = card.at(s);
                s.str_named(
                    "question_key",
                    &named(&format!("select_list[{i}].question_key")),
                )?;
                s.array("option_list", 1, 10)?;
            }
            card.obj("submit_button")?
                .str_named("key", &named("submit_button.key"))?;
        }
        _ => {}
    }
    Ok(())
}

/// "同一个应用任务id不能重复,只能由数字、字母和'_-@'组成,最长128字节".
pub fn valid_task_id(task_id: &str) -> bool {
    !task_id.is_empty()
        && task_id.len() <= limits::MAX_TASK_ID_BYTES
        && task_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'@'))
}

fn check_task_id(card: &Params, task_id: &str) -> Result<()> {
    if valid_task_id(task_id) {
        Ok(())
    } else {
        Err(card.fail(format!(
            "template_card.task_id {task_id:?} must be 1 to {} bytes of letters, digits, _ - @",
            limits::MAX_TASK_ID_BYTES
        )))
    }
}

/// touser/toparty/totag (message/send) or userids/partyids/tagids (update_template_card):
/// at least one recipient, within WeCom's counts.
fn check_recipients(p: &Params, keys: [&str; 3], arrays: bool) -> Result<()> {
    let mut total = 0;
    for (key, max, what) in [
        (keys[0], limits::MAX_USERS, "users"),
        (keys[1], limits::MAX_PARTIES, "departments"),
        (keys[2], limits::MAX_TAGS, "tags"),
    ] {
        let count = match p.get(key) {
            None => 0,
            Some(Value::Array(items)) if arrays => items.len(),
            Some(v) if arrays => {
                return Err(p.fail(format!(
                    "{key} must be an Array of ids, got {}",
                    super::check::describe(v)
                )))
            }
            Some(v) => ids::field(Some(v))
                .ok_or_else(|| {
                    p.fail(format!(
                        "{key} must be ids separated by '|', got {}",
                        super::check::describe(v)
                    ))
                })?
                .len(),
        };
        if count > max {
            return Err(p.fail(format!(
                "{count} {what} in one message; WeCom allows at most {max}"
            )));
        }
        total += count;
    }
    if total == 0 {
        return Err(p.fail(
            "no recipient: give to: a userid, an Array of userids, users:/parties:/tags:, or :all",
        ));
    }
    Ok(())
}

fn validate_recall(p: &Params) -> Result<()> {
    p.only(&["msgid"], "message/recall")?;
    p.str("msgid").map(drop)
}

fn validate_update_card(p: &Params) -> Result<()> {
    p.only(
        &[
            "userids",
            "partyids",
            "tagids",
            "atall",
            "agentid",
            "response_code",
            "button",
            "template_card",
            "enable_id_trans",
        ],
        "message/update_template_card",
    )?;
    p.str("response_code")?;
    p.int("agentid")?;
    if !flags::is_on(p.get("atall")) {
        check_recipients(p, ["userids", "partyids", "tagids"], true)?;
    }
    match (p.get("button"), p.get("template_card")) {
        (Some(_), Some(_)) => Err(p.fail(
            "give button (replace the buttons' text) or template_card (replace the card), not both",
        )),
        (Some(_), None) => p
            .obj("button")?
            .str_named("replace_name", "button.replace_name")
            .map(drop),
        (None, Some(_)) => check_card(&p.obj("template_card")?),
        (None, None) => Err(p.fail("button: { replace_name: } or template_card: is missing")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(body: Value) -> Result<()> {
        validate_send(&Params::new("message/send", &body))
    }

    fn text(content: Value) -> Value {
        json!({"touser": "zhangsan", "msgtype": "text", "agentid": 1, "text": {"content": content}})
    }

    #[test]
    fn accepts_a_plain_text_message() {
        check(text(json!("hi"))).unwrap();
        check(text(json!("字".repeat(682)))).unwrap(); // 2046 bytes
    }

    #[test]
    fn refuses_what_wecom_would_refuse_naming_the_field() {
        let cases = [
            (text(json!("")), "text.content is empty"),
            (
                text(json!(123)),
                "text.content must be a String, got an Integer",
            ),
            (
                text(json!("字".repeat(683))),
                "text.content is 2049 bytes; WeCom allows at most 2048 bytes",
            ),
            (
                json!({"touser": "a", "msgtype": "fax", "agentid": 1}),
                "unknown msgtype \"fax\"",
            ),
            (
                json!({"touser": "a", "msgtype": "text", "text": {"content": "x"}}),
                "agentid is missing",
            ),
            (
                json!({"touser": "a", "msgtype": "text", "agentid": "abc", "text": {"content": "x"}}),
                "agentid must be a positive Integer, got \"abc\" (a String)",
            ),
            (
                json!({"msgtype": "text", "agentid": 1, "text": {"content": "x"}}),
                "no recipient",
            ),
            (
                json!({"touser": " | ", "msgtype": "text", "agentid": 1, "text": {"content": "x"}}),
                "no recipient",
            ),
            (
                json!({"touser": "a", "msgtype": "news", "agentid": 1, "news": {"articles": []}}),
                "1 to 8 articles",
            ),
            (
                json!({"touser": "a", "msgtype": "textcard", "agentid": 1, "textcard": {"title": "t", "url": "u"}}),
                "textcard.description is missing",
            ),
            (
                json!({"touser": "a", "msgtype": "textcard", "agentid": 1, "textcard": {"title": "t".repeat(500), "description": "d", "url": "u"}}),
                "textcard.title is 500 bytes; WeCom allows at most 128 bytes",
            ),
            (
                json!({"touser": "a", "msgtype": "text", "agentid": 1, "text": {"content": "x", "sfae": 1}}),
                "text does not take sfae",
            ),
            (
                json!({"touser": "a", "msgtype": "text", "agentid": 1, "sfae": 1, "text": {"content": "x"}}),
                "a message does not take sfae",
            ),
            (
                json!({"touser": "a", "msgtype": "text", "agentid": 1, "safe": 3, "text": {"content": "x"}}),
                "safe must be 0",
            ),
            (
                json!({"touser": "a", "msgtype": "text", "agentid": 1, "enable_duplicate_check": 2, "text": {"content": "x"}}),
                "enable_duplicate_check must be 0, 1, true or false",
            ),
            (
                json!({"touser": ["a"], "msgtype": "text", "agentid": 1, "text": {"content": "x"}}),
                "touser must be ids separated by '|'",
            ),
        ];
        for (body, needle) in cases {
            let err = check(body).unwrap_err();
            assert!(matches!(err, crate::Error::Argument(_)));
            assert!(
                err.to_string().contains(needle),
                "{err} should mention {needle}"
            );
            assert!(err.to_string().starts_with("message/send: "), "{err}");
        }
        let many: Vec<String> = (0..1001).map(|i| format!("u{i}")).collect();
        let body = json!({"touser": many.join("|"), "msgtype": "text", "agentid": 1, "text": {"content": "x"}});
        assert!(check(body)
            .unwrap_err()
            .to_string()
            .contains("at most 1000"));
    }

    #[test]
    fn template_cards_by_type() {
        let card = |c: Value| json!({"touser": "a", "msgtype": "template_card", "agentid": 1, "template_card": c});
        check(card(json!({"card_type": "text_notice", "main_title": {"title": "t"}, "card_action": {"type": 1, "url": "https://x"}}))).unwrap();
        check(card(json!({"card_type": "button_interaction", "task_id": "iv-42", "main_title": {"title": "t"},
            "button_list": [{"text": "Accept", "key": "accept"}]}))).unwrap();
        let err = |c: Value| check(card(c)).unwrap_err().to_string();
        assert!(err(json!({"card_type": "bogus"})).contains("card_type must be one of"));
        assert!(
            err(json!({"card_type": "text_notice", "main_title": {"title": "t"}}))
                .contains("card_action is missing")
        );
        assert!(
            err(json!({"card_type": "vote_interaction", "main_title": {"title": "t"}}))
                .contains("task_id is missing")
        );
        assert!(err(json!({"card_type": "button_interaction", "task_id": "t 1", "main_title": {"title": "t"}, "button_list": [{"text": "x"}]})).contains("letters, digits"));
        assert!(err(json!({"card_type": "button_interaction", "task_id": "t1", "main_title": {"title": "t"}, "button_list": []})).contains("button_list has 0 items"));
        assert!(err(json!({"card_type": "multiple_interaction", "task_id": "t1", "main_title": {"title": "t"},
            "select_list": [{"question_key": "q", "option_list": [{"id": "a", "text": "A"}]}]})).contains("submit_button is missing"));
    }

    #[test]
    fn update_card_and_recall() {
        let p = |v: &Value| validate_update_card(&Params::new("message/update_template_card", v));
        p(&json!({"userids": ["a"], "agentid": 1, "response_code": "rc", "button": {"replace_name": "Done"}})).unwrap();
        p(&json!({"atall": 1, "agentid": 1, "response_code": "rc", "button": {"replace_name": "Done"}})).unwrap();
        assert!(
            p(&json!({"userids": ["a"], "agentid": 1, "button": {"replace_name": "Done"}}))
                .is_err()
        );
        assert!(
            p(&json!({"agentid": 1, "response_code": "rc", "button": {"replace_name": "x"}}))
                .unwrap_err()
                .to_string()
                .contains("no recipient")
        );
        assert!(p(&json!({"userids": ["a"], "agentid": 1, "response_code": "rc"})).is_err());
        let r = |v: &Value| validate_recall(&Params::new("message/recall", v));
        r(&json!({"msgid": "m"})).unwrap();
        assert!(r(&json!({}))
            .unwrap_err()
            .to_string()
            .contains("msgid is missing"));
    }
}
