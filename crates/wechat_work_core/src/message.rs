//! message/send bodies: the checks WeCom would fail, made before any request so the caller
//! gets a clear argument error instead of an errcode.

use serde_json::Value;

use crate::error::{Error, Result};

pub const MSGTYPES: [&str; 11] = [
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
pub const MAX_CONTENT_BYTES: usize = 2048;
pub const MAX_USERS: usize = 1000;
pub const MAX_PARTIES: usize = 100;
pub const MAX_TAGS: usize = 100;
pub const MAX_ARTICLES: usize = 8;

/// Splits a `|`-separated recipient list the way WeCom does (spaces around ids ignored).
pub fn split_ids(list: &str) -> Vec<&str> {
    list.split('|')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

/// Checks a message/send body. `require_agent`: self-built apps must name their agent id.
pub fn validate(body: &Value) -> Result<()> {
    let obj = body
        .as_object()
        .ok_or_else(|| Error::argument("the message must be a JSON object"))?;
    let msgtype = obj
        .get("msgtype")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::argument("msgtype is missing"))?;
    if !MSGTYPES.contains(&msgtype) {
        return Err(Error::argument(format!(
            "unknown msgtype {msgtype:?}; WeCom accepts {}",
            MSGTYPES.join(", ")
        )));
    }
    match obj.get("agentid") {
        Some(Value::Number(_)) => {}
        Some(Value::String(s)) if s.parse::<i64>().is_ok() => {}
        _ => {
            return Err(Error::argument(
                "agent_id is missing: pass agent_id: to the client (or WECHAT_WORK_AGENT_ID)",
            ))
        }
    }
    validate_recipients(obj)?;
    let payload = obj.get(msgtype).and_then(Value::as_object).ok_or_else(|| {
        Error::argument(format!("the {msgtype} message has no {msgtype:?} object"))
    })?;
    let field = |name: &str| payload.get(name).and_then(Value::as_str).unwrap_or("");
    let required = |name: &str| -> Result<()> {
        if field(name).trim().is_empty() {
            Err(Error::argument(format!(
                "{msgtype} needs a non-empty {name}"
            )))
        } else {
            Ok(())
        }
    };
    match msgtype {
        "text" | "markdown" => {
            required("content")?;
            let len = field("content").len();
            if len > MAX_CONTENT_BYTES {
                return Err(Error::argument(format!(
                    "{msgtype} content is {len} bytes; WeCom truncates past {MAX_CONTENT_BYTES} bytes (UTF-8), so it is refused"
                )));
            }
        }
        "image" | "voice" | "file" | "video" => required("media_id")?,
        "textcard" => {
            required("title")?;
            required("description")?;
            required("url")?;
        }
        "news" => check_articles(payload.get("articles"), "news")?,
        "mpnews" if payload.get("media_id").is_none() => {
            check_articles(payload.get("articles"), "mpnews")?
        }
        "mpnews" => {}
        "miniprogram_notice" => {
            required("appid")?;
            required("title")?;
        }
        "template_card" => required("card_type")?,
        _ => {}
    }
    Ok(())
}

fn check_articles(articles: Option<&Value>, msgtype: &str) -> Result<()> {
    let n = articles.and_then(Value::as_array).map_or(0, Vec::len);
    if n == 0 || n > MAX_ARTICLES {
        return Err(Error::argument(format!(
            "{msgtype} needs 1 to {MAX_ARTICLES} articles, got {n}"
        )));
    }
    Ok(())
}

fn validate_recipients(obj: &serde_json::Map<String, Value>) -> Result<()> {
    let list = |key: &str| {
        obj.get(key)
            .and_then(Value::as_str)
            .map(split_ids)
            .unwrap_or_default()
    };
    let (users, parties, tags) = (list("touser"), list("toparty"), list("totag"));
    if users.is_empty() && parties.is_empty() && tags.is_empty() {
        return Err(Error::argument(
            "no recipient: give to: a userid, an Array of userids, users:/parties:/tags:, or :all",
        ));
    }
    for (ids, max, what) in [
        (&users, MAX_USERS, "users"),
        (&parties, MAX_PARTIES, "parties"),
        (&tags, MAX_TAGS, "tags"),
    ] {
        if ids.len() > max {
            return Err(Error::argument(format!(
                "{} {what} in one message; WeCom allows at most {max}",
                ids.len()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn text(content: &str) -> Value {
        json!({"touser": "zhangsan", "msgtype": "text", "agentid": 1, "text": {"content": content}})
    }

    #[test]
    fn accepts_a_plain_text_message() {
        validate(&text("hi")).unwrap();
        validate(&text(&"字".repeat(682))).unwrap(); // 2046 bytes
    }

    #[test]
    fn refuses_what_wecom_would_refuse() {
        let cases = [
            (text(""), "content"),
            (text(&"字".repeat(683)), "2048"),
            (
                json!({"touser": "a", "msgtype": "fax", "agentid": 1}),
                "unknown msgtype",
            ),
            (
                json!({"touser": "a", "msgtype": "text", "text": {"content": "x"}}),
                "agent_id",
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
                "1 to 8",
            ),
            (
                json!({"touser": "a", "msgtype": "textcard", "agentid": 1, "textcard": {"title": "t", "url": "u"}}),
                "description",
            ),
        ];
        for (body, needle) in cases {
            let err = validate(&body).unwrap_err();
            assert!(matches!(err, Error::Argument(_)));
            assert!(
                err.to_string().contains(needle),
                "{err} should mention {needle}"
            );
        }
        let many: Vec<String> = (0..1001).map(|i| format!("u{i}")).collect();
        let body = json!({"touser": many.join("|"), "msgtype": "text", "agentid": 1, "text": {"content": "x"}});
        assert!(validate(&body)
            .unwrap_err()
            .to_string()
            .contains("at most 1000"));
    }

    #[test]
    fn splits_like_wecom() {
        assert_eq!(split_ids("a|b | c||"), vec!["a", "b", "c"]);
    }
}
