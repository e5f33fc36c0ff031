//! message/send: the checks WeCom makes on a body, recipient parsing and the duplicate check.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

// WeCom's limits are shared with the client's pre-flight checks.
pub use crate::message::{MAX_PARTIES, MAX_TAGS, MAX_USERS, MSGTYPES};

use super::directory::Directory;
use super::wire::ApiFailure;

pub const CARD_TYPES: &[&str] = &[
    "text_notice",
    "news_notice",
    "button_interaction",
    "vote_interaction",
    "multiple_interaction",
];

/// Card types that answer a `response_code` (and need a `task_id`).
pub const INTERACTIVE_CARDS: &[&str] = &[
    "button_interaction",
    "vote_interaction",
    "multiple_interaction",
];

pub const DEFAULT_DUPLICATE_INTERVAL: u64 = 1800;
pub const MAX_DUPLICATE_INTERVAL: u64 = 14400;

/// `"a | b|c"` → `["a", "b", "c"]`; numbers are accepted as one id; absent/null/empty → `[]`.
pub fn split_ids(value: Option<&Value>, field: &str) -> Result<Vec<String>, ApiFailure> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(crate::message::split_ids(s)
            .into_iter()
            .map(str::to_string)
            .collect()),
        Some(Value::Number(n)) => Ok(vec![n.to_string()]),
        Some(_) => Err(ApiFailure::detail(
            40058,
            &format!("{field} must be a string of ids separated by '|'"),
        )),
    }
}

/// What a valid body is answered with and what goes into the delivered list.
#[derive(Debug, Clone, PartialEq)]
pub struct Accepted {
    pub msgtype: String,
    pub interactive: bool,
    pub invalid_users: Vec<String>,
    pub invalid_parties: Vec<String>,
    pub invalid_tags: Vec<String>,
    /// Some(interval) when `enable_duplicate_check` is on.
    pub duplicate_interval: Option<Duration>,
}

impl Accepted {
    /// `invaliduser` / `invalidparty` / `invalidtag` for the answer (only the non-empty ones).
    pub fn invalid_fields(&self) -> Map<String, Value> {
        let mut out = Map::new();
        for (key, list) in [
            ("invaliduser", &self.invalid_users),
            ("invalidparty", &self.invalid_parties),
            ("invalidtag", &self.invalid_tags),
        ] {
            if !list.is_empty() {
                out.insert(key.into(), json!(list.join("|")));
            }
        }
        out
    }
}

fn flag(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
        Some(Value::String(s)) => s.trim().parse::<i64>().is_ok_and(|n| n != 0),
        _ => false,
    }
}

fn integer(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => {
            let s = s.trim();
            if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
                s.parse().ok()
            } else {
                None
            }
        }
        _ => None,
    }
}

fn text<'a>(obj: Option<&'a Value>, key: &str) -> Option<&'a str> {
    obj.and_then(|o| o.get(key))
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn require_media(obj: Option<&Value>) -> Result<(), ApiFailure> {
    text(obj, "media_id")
        .map(|_| ())
        .ok_or_else(|| ApiFailure::new(40007))
}

fn articles(obj: Option<&Value>) -> Result<&Vec<Value>, ApiFailure> {
    match obj
        .and_then(|o| o.get("articles"))
        .and_then(Value::as_array)
    {
        Some(list) if (1..=8).contains(&list.len()) => Ok(list),
        _ => Err(ApiFailure::new(45008)),
    }
}

fn check_content(msgtype: &str, payload: Option<&Value>) -> Result<bool, ApiFailure> {
    let mut interactive = false;
    match msgtype {
        "text" | "markdown" => {
            text(payload, "content").ok_or_else(|| ApiFailure::new(44004))?;
        }
        "image" | "voice" | "file" | "video" => require_media(payload)?,
        "textcard" => {
            text(payload, "title").ok_or_else(|| ApiFailure::new(41016))?;
            text(payload, "description").ok_or_else(|| ApiFailure::new(41033))?;
            text(payload, "url")
                .ok_or_else(|| ApiFailure::detail(40058, "textcard.url is required"))?;
        }
        "news" => {
            for article in articles(payload)? {
                text(Some(article), "title").ok_or_else(|| ApiFailure::new(41016))?;
            }
        }
        "mpnews" => {
            if text(payload, "media_id").is_none() {
                for article in articles(payload)? {
                    text(Some(article), "title").ok_or_else(|| ApiFailure::new(41016))?;
                    text(Some(article), "thumb_media_id").ok_or_else(|| ApiFailure::new(40007))?;
                    text(Some(article), "content").ok_or_else(|| ApiFailure::new(44004))?;
                }
            }
        }
        "miniprogram_notice" => {
            text(payload, "appid")
                .ok_or_else(|| ApiFailure::detail(40058, "miniprogram_notice.appid is required"))?;
            text(payload, "title").ok_or_else(|| ApiFailure::new(41016))?;
            let items = payload
                .and_then(|p| p.get("content_item"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            if items > 10 {
                return Err(ApiFailure::detail(
                    40058,
                    "miniprogram_notice.content_item allows at most 10 items",
                ));
            }
        }
        "template_card" => {
            let card_type = text(payload, "card_type").unwrap_or_default();
            if !CARD_TYPES.contains(&card_type) {
                return Err(ApiFailure::detail(
                    40058,
                    "template_card.card_type must be one of text_notice, news_notice, button_interaction, vote_interaction, multiple_interaction",
                ));
            }
            interactive = INTERACTIVE_CARDS.contains(&card_type);
            if interactive {
                text(payload, "task_id").ok_or_else(|| {
                    ApiFailure::detail(
                        40058,
                        "template_card.task_id is required for interactive cards",
                    )
                })?;
            }
            if card_type == "button_interaction" {
                let buttons = payload
                    .and_then(|p| p.get("button_list"))
                    .and_then(Value::as_array)
                    .map_or(0, Vec::len);
                if !(1..=6).contains(&buttons) {
                    return Err(ApiFailure::detail(
                        40058,
                        "template_card.button_list needs 1 to 6 buttons",
                    ));
                }
            }
        }
        _ => return Err(ApiFailure::new(40008)),
    }
    Ok(interactive)
}

/// Checks a message/send body the way WeCom does, for the app `agent_id`.
pub fn validate(body: &Value, agent_id: i64, dir: &Directory) -> Result<Accepted, ApiFailure> {
    let obj = match body {
        Value::Object(map) => map,
        _ => {
            return Err(ApiFailure::with_text(
                40058,
                "Warning: wrong json format. Invalid input invalid Request Parameter",
            ))
        }
    };
    match obj.get("agentid") {
        None | Some(Value::Null) => return Err(ApiFailure::new(41011)),
        Some(v) => match integer(v) {
            None => return Err(ApiFailure::new(40056)),
            Some(id) if id != agent_id => return Err(ApiFailure::new(301002)),
            Some(_) => {}
        },
    }
    let msgtype = obj
        .get("msgtype")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !MSGTYPES.contains(&msgtype) {
        return Err(ApiFailure::new(40008));
    }
    let interactive = check_content(msgtype, obj.get(msgtype))?;

    let users = split_ids(obj.get("touser"), "touser")?;
    let parties = split_ids(obj.get("toparty"), "toparty")?;
    let tags = split_ids(obj.get("totag"), "totag")?;
    if users.len() > MAX_USERS {
        return Err(ApiFailure::new(40032));
    }
    if parties.len() > MAX_PARTIES {
        return Err(ApiFailure::new(82002));
    }
    if tags.len() > MAX_TAGS {
        return Err(ApiFailure::new(82003));
    }

    let mut accepted = Accepted {
        msgtype: msgtype.to_string(),
        interactive,
        invalid_users: Vec::new(),
        invalid_parties: Vec::new(),
        invalid_tags: Vec::new(),
        duplicate_interval: None,
    };
    let all = users.iter().any(|u| u == "@all");
    let mut valid = 0usize;
    if all {
        // @all: the app's whole visible range; toparty and totag are ignored.
        valid = 1;
    } else {
        for u in &users {
            if dir.user_exists(u) {
                valid += 1;
            } else {
                let lower = u.to_ascii_lowercase();
                if !accepted.invalid_users.contains(&lower) {
                    accepted.invalid_users.push(lower);
                }
            }
        }
        for p in &parties {
            if dir.party_exists(p) {
                valid += 1;
            } else if !accepted.invalid_parties.contains(p) {
                accepted.invalid_parties.push(p.clone());
            }
        }
        for t in &tags {
            if dir.tag_exists(t) {
                valid += 1;
            } else if !accepted.invalid_tags.contains(t) {
                accepted.invalid_tags.push(t.clone());
            }
        }
    }
    if valid == 0 {
        let mut failure = ApiFailure::new(81013);
        failure.extra = accepted.invalid_fields();
        return Err(failure);
    }

    if flag(obj.get("enable_duplicate_check")) {
        let secs = obj
            .get("duplicate_check_interval")
            .and_then(integer)
            .filter(|s| *s > 0)
            .map_or(DEFAULT_DUPLICATE_INTERVAL, |s| {
                (s as u64).min(MAX_DUPLICATE_INTERVAL)
            });
        accepted.duplicate_interval = Some(Duration::from_secs(secs));
    }
    Ok(accepted)
}

/// Remembers delivered bodies (by canonical JSON) with the answer they got.
#[derive(Debug, Default)]
pub struct DuplicateCheck {
    seen: HashMap<String, (Instant, Duration, Map<String, Value>)>,
}

impl DuplicateCheck {
    /// The original answer when the same body was delivered less than `interval` ago.
    pub fn lookup(
        &self,
        key: &str,
        now: Instant,
        interval: Duration,
    ) -> Option<Map<String, Value>> {
        self.seen.get(key).and_then(|(at, _, answer)| {
            (now.saturating_duration_since(*at) < interval).then(|| answer.clone())
        })
    }

    pub fn remember(
        &mut self,
        key: String,
        now: Instant,
        interval: Duration,
        answer: Map<String, Value>,
    ) {
        if self.seen.len() >= 10_000 {
            self.seen
                .retain(|_, (at, ttl, _)| now.saturating_duration_since(*at) < *ttl);
        }
        self.seen.insert(key, (now, interval, answer));
    }

    pub fn clear(&mut self) {
        self.seen.clear();
    }
}

/// WeCom accepts over-long fields and cuts them (on a UTF-8 boundary) before delivery:
/// text/markdown content at 2048 bytes, titles at 128, descriptions at 512.
pub fn truncate_like_wecom(body: &mut Value) {
    let msgtype = body
        .get("msgtype")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let limits: &[(&str, usize)] = match msgtype.as_str() {
        "text" | "markdown" => &[("content", crate::message::MAX_CONTENT_BYTES)],
        "textcard" | "video" => &[("title", 128), ("description", 512)],
        _ => &[],
    };
    if let Some(payload) = body.get_mut(&msgtype).and_then(Value::as_object_mut) {
        for (field, max) in limits {
            if let Some(Value::String(text)) = payload.get_mut(*field) {
                truncate_utf8(text, *max);
            }
        }
    }
    if msgtype == "news" {
        let articles = body
            .pointer_mut("/news/articles")
            .and_then(Value::as_array_mut);
        for article in articles.into_iter().flatten() {
            for (field, max) in [("title", 128), ("description", 512)] {
                if let Some(Value::String(text)) = article.get_mut(field) {
                    truncate_utf8(text, max);
                }
            }
        }
    }
}

fn truncate_utf8(text: &mut String, max: usize) {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lenient() -> Directory {
        Directory::from_config(&json!({})).unwrap()
    }

    fn text_body(extra: Value) -> Value {
        let mut body = json!({"touser": "zhangsan", "msgtype": "text", "agentid": 1000002, "text": {"content": "hi"}});
        if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        body
    }

    fn code(r: Result<Accepted, ApiFailure>) -> i64 {
        match r {
            Ok(_) => 0,
            Err(f) => f.errcode,
        }
    }

    #[test]
    fn recipients_split_and_trim() {
        let ids = split_ids(Some(&json!(" a | b||c ")), "touser").unwrap();
        assert_eq!(ids, vec!["a", "b", "c"]);
        assert_eq!(split_ids(Some(&json!(12)), "toparty").unwrap(), vec!["12"]);
        assert!(split_ids(None, "totag").unwrap().is_empty());
        assert_eq!(
            split_ids(Some(&json!(["a"])), "touser")
                .unwrap_err()
                .errcode,
            40058
        );
    }

    #[test]
    fn agentid_rules() {
        let dir = lenient();
        assert_eq!(code(validate(&text_body(json!({})), 1000002, &dir)), 0);
        assert_eq!(
            code(validate(
                &text_body(json!({"agentid": "1000002"})),
                1000002,
                &dir
            )),
            0
        );
        assert_eq!(
            code(validate(
                &text_body(json!({"agentid": null})),
                1000002,
                &dir
            )),
            41011
        );
        assert_eq!(
            code(validate(
                &text_body(json!({"agentid": "abc"})),
                1000002,
                &dir
            )),
            40056
        );
        assert_eq!(
            code(validate(&text_body(json!({"agentid": 1.5})), 1000002, &dir)),
            40056
        );
        assert_eq!(
            code(validate(&text_body(json!({"agentid": 7})), 1000002, &dir)),
            301002
        );
        assert_eq!(code(validate(&json!([1]), 1000002, &dir)), 40058);
    }

    #[test]
    fn over_long_fields_are_cut_on_a_character_boundary() {
        let mut body = json!({"msgtype": "text", "text": {"content": "面".repeat(700)}});
        truncate_like_wecom(&mut body);
        let content = body["text"]["content"].as_str().unwrap_or_default();
        assert_eq!(content.len(), 2046);
        let mut card = json!({"msgtype": "textcard", "textcard": {"title": "t".repeat(200), "description": "d"}});
        truncate_like_wecom(&mut card);
        assert_eq!(card["textcard"]["title"].as_str().map(str::len), Some(128));
        assert_eq!(card["textcard"]["description"], "d");
    }

    #[test]
    fn msgtype_and_content_rules() {
        let dir = lenient();
        let v = |b: Value| code(validate(&b, 1, &dir));
        let base = |t: &str, payload: Value| json!({"touser": "u", "agentid": 1, "msgtype": t, t: payload});
        assert_eq!(v(base("sms", json!({}))), 40008);
        assert_eq!(v(json!({"touser": "u", "agentid": 1})), 40008);
        assert_eq!(v(base("text", json!({"content": ""}))), 44004);
        assert_eq!(v(base("markdown", json!({}))), 44004);
        assert_eq!(v(base("markdown", json!({"content": "**x**"}))), 0);
        for t in ["image", "voice", "file", "video"] {
            assert_eq!(v(base(t, json!({}))), 40007, "{t}");
            assert_eq!(v(base(t, json!({"media_id": "m1"}))), 0, "{t}");
        }
        assert_eq!(
            v(base(
                "textcard",
                json!({"description": "d", "url": "http://x"})
            )),
            41016
        );
        assert_eq!(
            v(base("textcard", json!({"title": "t", "url": "http://x"}))),
            41033
        );
        assert_eq!(
            v(base("textcard", json!({"title": "t", "description": "d"}))),
            40058
        );
        assert_eq!(
            v(base(
                "textcard",
                json!({"title": "t", "description": "d", "url": "http://x"})
            )),
            0
        );
        let article = json!({"title": "a", "url": "http://x"});
        assert_eq!(v(base("news", json!({"articles": []}))), 45008);
        assert_eq!(
            v(base("news", json!({"articles": vec![article.clone(); 9]}))),
            45008
        );
        assert_eq!(
            v(base("news", json!({"articles": vec![article.clone(); 8]}))),
            0
        );
        assert_eq!(
            v(base("news", json!({"articles": [{"url": "http://x"}]}))),
            41016
        );
        let mp = json!({"title": "t", "thumb_media_id": "m", "content": "c"});
        assert_eq!(v(base("mpnews", json!({"articles": [mp]}))), 0);
        assert_eq!(v(base("mpnews", json!({"media_id": "m"}))), 0);
        assert_eq!(
            v(base(
                "mpnews",
                json!({"articles": [{"title": "t", "content": "c"}]})
            )),
            40007
        );
        assert_eq!(v(base("mpnews", json!({}))), 45008);
        assert_eq!(
            v(base(
                "miniprogram_notice",
                json!({"appid": "wx1", "title": "t"})
            )),
            0
        );
        assert_eq!(v(base("miniprogram_notice", json!({"title": "t"}))), 40058);
        assert_eq!(
            v(base(
                "template_card",
                json!({"card_type": "text_notice", "main_title": {"title": "x"}})
            )),
            0
        );
        assert_eq!(
            v(base("template_card", json!({"card_type": "bogus"}))),
            40058
        );
        assert_eq!(
            v(base(
                "template_card",
                json!({"card_type": "vote_interaction"})
            )),
            40058
        );
        assert_eq!(
            v(base(
                "template_card",
                json!({"card_type": "button_interaction", "task_id": "t1"})
            )),
            40058
        );
        let ok = validate(
            &base(
                "template_card",
                json!({"card_type": "button_interaction", "task_id": "t1", "button_list": [{"text": "ok", "key": "k"}]}),
            ),
            1,
            &dir,
        )
        .unwrap();
        assert!(ok.interactive);
    }

    #[test]
    fn recipient_limits() {
        let dir = lenient();
        let users: Vec<String> = (0..1001).map(|i| format!("u{i}")).collect();
        let parties: Vec<String> = (1..=101).map(|i| i.to_string()).collect();
        assert_eq!(
            code(validate(
                &text_body(json!({"touser": users.join("|")})),
                1000002,
                &dir
            )),
            40032
        );
        assert_eq!(
            code(validate(
                &text_body(json!({"touser": users[..1000].join("|")})),
                1000002,
                &dir
            )),
            0
        );
        assert_eq!(
            code(validate(
                &text_body(json!({"toparty": parties.join("|")})),
                1000002,
                &dir
            )),
            82002
        );
        assert_eq!(
            code(validate(
                &text_body(json!({"totag": parties.join("|")})),
                1000002,
                &dir
            )),
            82003
        );
        assert_eq!(
            code(validate(&text_body(json!({"touser": ""})), 1000002, &dir)),
            81013
        );
    }

    #[test]
    fn strict_partial_and_all_invalid() {
        let dir = Directory::from_config(
            &json!({"users": ["zhangsan"], "departments": [1], "tags": [3]}),
        )
        .unwrap();
        let ok = validate(
            &text_body(
                json!({"touser": "ZhangSan|Ghost | BAD USER", "toparty": "1|9", "totag": "3|4"}),
            ),
            1000002,
            &dir,
        )
        .unwrap();
        assert_eq!(ok.invalid_users, vec!["ghost", "bad user"]);
        assert_eq!(ok.invalid_parties, vec!["9"]);
        assert_eq!(ok.invalid_tags, vec!["4"]);
        let fields = ok.invalid_fields();
        assert_eq!(fields["invaliduser"], "ghost|bad user");
        let err = validate(
            &text_body(json!({"touser": "Ghost", "toparty": "9"})),
            1000002,
            &dir,
        )
        .unwrap_err();
        assert_eq!(err.errcode, 81013);
        assert_eq!(err.extra["invaliduser"], "ghost");
        assert_eq!(err.extra["invalidparty"], "9");
        assert!(!err.extra.contains_key("invalidtag"));
        // @all ignores parties and tags
        assert!(validate(
            &text_body(json!({"touser": "@all", "toparty": "9"})),
            1000002,
            &dir
        )
        .is_ok());
    }

    #[test]
    fn duplicate_settings_and_store() {
        let dir = lenient();
        let a = validate(
            &text_body(json!({"enable_duplicate_check": 1})),
            1000002,
            &dir,
        )
        .unwrap();
        assert_eq!(a.duplicate_interval, Some(Duration::from_secs(1800)));
        let b = validate(
            &text_body(json!({"enable_duplicate_check": "1", "duplicate_check_interval": 99999})),
            1000002,
            &dir,
        )
        .unwrap();
        assert_eq!(b.duplicate_interval, Some(Duration::from_secs(14400)));
        let c = validate(
            &text_body(json!({"enable_duplicate_check": 0})),
            1000002,
            &dir,
        )
        .unwrap();
        assert_eq!(c.duplicate_interval, None);

        let mut store = DuplicateCheck::default();
        let t0 = Instant::now();
        let ivl = Duration::from_secs(60);
        let mut answer = Map::new();
        answer.insert("msgid".into(), json!("m1"));
        assert!(store.lookup("k", t0, ivl).is_none());
        store.remember("k".into(), t0, ivl, answer);
        assert_eq!(
            store
                .lookup("k", t0 + Duration::from_secs(59), ivl)
                .unwrap()["msgid"],
            "m1"
        );
        assert!(store
            .lookup("k", t0 + Duration::from_secs(60), ivl)
            .is_none());
        assert!(store.lookup("other", t0, ivl).is_none());
    }
}
