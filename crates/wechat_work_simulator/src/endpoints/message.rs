//! App messages: message/send (every msgtype, WeCom's checks and errcodes, recipients, the
//! duplicate check, over-long text cut like WeCom), message/recall (within 24 hours, messages
//! this simulator delivered), message/update_template_card (single-use response codes, 72 h).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};
use wechat_work_core::api::message::{CARD_TYPES, INTERACTIVE_CARDS, MSGTYPES};
use wechat_work_core::wecom::{flags, ids, limits};

use super::{Ctx, Handler, Reply};
use crate::directory::Directory;
use crate::fields;
use crate::reply_try;
use crate::wire::{self, ApiFailure};

pub static HANDLERS: &[(&str, Handler)] = &[
    ("message/send", send),
    ("message/recall", recall),
    ("message/update_template_card", update_template_card),
];

/// A delivered app message, remembered for recall and card updates.
#[derive(Debug, Clone)]
struct Sent {
    agent_id: i64,
    at: Instant,
    /// Index of its record in the outbox.
    record: usize,
    recalled: bool,
}

#[derive(Debug, Clone)]
struct ResponseCode {
    agent_id: i64,
    task_id: String,
    issued: Instant,
    used: bool,
}

#[derive(Debug, Default)]
pub struct State {
    duplicates: DuplicateCheck,
    sent: HashMap<String, Sent>,
    response_codes: HashMap<String, ResponseCode>,
    /// task_ids used per app ("同一个应用任务id不能重复").
    task_ids: HashMap<(i64, String), ()>,
    seq: u64,
}

impl State {
    pub fn clear(&mut self) {
        self.duplicates.clear();
        self.sent.clear();
    }

    fn next_msgid(&mut self) -> String {
        self.seq += 1;
        format!("{}{:x}", wire::random_token(40), self.seq)
    }

    /// A new response_code for an interactive card (also used when a click callback hands one
    /// out).
    pub fn issue_response_code(&mut self, agent_id: i64, task_id: &str, now: Instant) -> String {
        let code = wire::random_token(64);
        self.response_codes.insert(
            code.clone(),
            ResponseCode {
                agent_id,
                task_id: task_id.to_string(),
                issued: now,
                used: false,
            },
        );
        code
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
        Some(list) if (1..=limits::MAX_ARTICLES).contains(&list.len()) => Ok(list),
        _ => Err(ApiFailure::new(45008)),
    }
}

/// The checks WeCom makes on one msgtype's object (shared with group chats). Returns whether
/// the message is an interactive card.
pub fn check_content(msgtype: &str, payload: Option<&Value>) -> Result<bool, ApiFailure> {
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
            if items > limits::MAX_MINIPROGRAM_ITEMS {
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
                if !(1..=limits::MAX_CARD_BUTTONS).contains(&buttons) {
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

fn split(value: Option<&Value>, field: &str) -> Result<Vec<String>, ApiFailure> {
    ids::field(value).ok_or_else(|| {
        ApiFailure::detail(
            40058,
            &format!("{field} must be a string of ids separated by '|'"),
        )
    })
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
        Some(v) => match flags::integer(v) {
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

    let users = split(obj.get("touser"), "touser")?;
    let parties = split(obj.get("toparty"), "toparty")?;
    let tags = split(obj.get("totag"), "totag")?;
    if users.len() > limits::MAX_USERS {
        return Err(ApiFailure::new(40032));
    }
    if parties.len() > limits::MAX_PARTIES {
        return Err(ApiFailure::new(82002));
    }
    if tags.len() > limits::MAX_TAGS {
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

    if flags::is_on(obj.get("enable_duplicate_check")) {
        let secs = obj
            .get("duplicate_check_interval")
            .and_then(flags::integer)
            .filter(|s| *s > 0)
            .map_or(limits::DEFAULT_DUPLICATE_INTERVAL, |s| {
                (s as u64).min(limits::MAX_DUPLICATE_INTERVAL)
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

/// WeCom accepts over-long fields and cuts them (on a UTF-8 boundary) before delivery; the
/// core's limits table says which fields are cut.
pub fn truncate_like_wecom(body: &mut Value) {
    let msgtype = body
        .get("msgtype")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(payload) = body.get_mut(&msgtype) else {
        return;
    };
    for limit in limits::message_text_limits(&msgtype)
        .iter()
        .filter(|l| l.truncated)
    {
        truncate_at(payload, limit.path, limit);
    }
}

fn truncate_at(value: &mut Value, pattern: &str, limit: &limits::TextLimit) {
    let (head, rest) = match pattern.split_once('/') {
        Some((h, r)) => (h, Some(r)),
        None => (pattern, None),
    };
    let children: Vec<&mut Value> = if head == "*" {
        value
            .as_array_mut()
            .map(|a| a.iter_mut().collect())
            .unwrap_or_default()
    } else {
        value.get_mut(head).into_iter().collect()
    };
    for child in children {
        match rest {
            Some(rest) => truncate_at(child, rest, limit),
            None => {
                if let Value::String(text) = child {
                    limits::truncate(text, limit);
                }
            }
        }
    }
}

fn send(ctx: &Ctx) -> Reply {
    let parsed = reply_try!(ctx.json());
    let app = ctx.app();
    let accepted = {
        let dir = ctx.world.directory.read();
        reply_try!(validate(&parsed, app.agent_id(), &dir))
    };
    let now = ctx.now();
    let key = accepted
        .duplicate_interval
        .map(|_| wire::canonical(&parsed));
    let mut state = ctx.world.domains.message.lock();
    if let (Some(key), Some(interval)) = (&key, accepted.duplicate_interval) {
        if let Some(original) = state.duplicates.lookup(key, now, interval) {
            return Reply::Ok(original);
        }
    }
    let task_id = parsed
        .pointer("/template_card/task_id")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(task_id) = &task_id {
        if state
            .task_ids
            .insert((app.agent_id(), task_id.clone()), ())
            .is_some()
        {
            return Reply::Fail(ApiFailure::new(42014));
        }
    }
    let msgid = state.next_msgid();
    let mut fields = accepted.invalid_fields();
    fields.insert("msgid".into(), json!(msgid));
    if accepted.interactive {
        let code = state.issue_response_code(app.agent_id(), task_id.as_deref().unwrap_or(""), now);
        fields.insert("response_code".into(), json!(code));
    }
    if let (Some(key), Some(interval)) = (key, accepted.duplicate_interval) {
        state
            .duplicates
            .remember(key, now, interval, fields.clone());
    }
    let mut delivered = parsed;
    truncate_like_wecom(&mut delivered);
    if let Value::Object(map) = &mut delivered {
        map.insert("channel".into(), json!("app"));
        map.insert("msgid".into(), json!(msgid));
    }
    let record = {
        let mut outbox = ctx.world.outbox.lock();
        outbox.records.push(delivered);
        outbox.records.len() - 1
    };
    state.sent.insert(
        msgid,
        Sent {
            agent_id: app.agent_id(),
            at: now,
            record,
            recalled: false,
        },
    );
    Reply::Ok(fields)
}

fn recall(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let Some(msgid) = body
        .get("msgid")
        .and_then(Value::as_str)
        .filter(|m| !m.is_empty())
    else {
        return Reply::Fail(ApiFailure::detail(40058, "msgid is required"));
    };
    let now = ctx.now();
    let mut state = ctx.world.domains.message.lock();
    let Some(sent) = state.sent.get_mut(msgid) else {
        return Reply::Fail(ApiFailure::detail(40058, "invalid msgid"));
    };
    if sent.agent_id != ctx.app().agent_id() {
        return Reply::Fail(ApiFailure::new(301002));
    }
    if now.saturating_duration_since(sent.at) > Duration::from_secs(limits::RECALL_WINDOW_SECS) {
        return Reply::Fail(ApiFailure::detail(
            40058,
            "the message is older than 24 hours and cannot be recalled",
        ));
    }
    if sent.recalled {
        return Reply::Fail(ApiFailure::detail(
            40058,
            "the message was already recalled",
        ));
    }
    sent.recalled = true;
    let record = sent.record;
    drop(state);
    if let Some(Value::Object(map)) = ctx.world.outbox.lock().records.get_mut(record) {
        map.insert("recalled".into(), json!(true));
    }
    Reply::Ok(Map::new())
}

fn update_template_card(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let app = ctx.app();
    match body.get("agentid").and_then(flags::integer) {
        None => return Reply::Fail(ApiFailure::new(41011)),
        Some(a) if a != app.agent_id() => return Reply::Fail(ApiFailure::new(301002)),
        Some(_) => {}
    }
    let Some(code) = body.get("response_code").and_then(Value::as_str) else {
        return Reply::Fail(ApiFailure::new(60140));
    };
    let now = ctx.now();
    let mut state = ctx.world.domains.message.lock();
    let Some(entry) = state.response_codes.get_mut(code) else {
        return Reply::Fail(ApiFailure::new(60140));
    };
    if now.saturating_duration_since(entry.issued)
        > Duration::from_secs(limits::RESPONSE_CODE_TTL_SECS)
    {
        return Reply::Fail(ApiFailure::new(60140));
    }
    if entry.used {
        return Reply::Fail(ApiFailure::new(42022));
    }
    if entry.agent_id != app.agent_id() {
        return Reply::Fail(ApiFailure::new(42015));
    }
    let replacement = match (body.get("button"), body.get("template_card")) {
        (Some(button), None) => match button.get("replace_name").and_then(Value::as_str) {
            Some(name) if !name.is_empty() => json!({"button": {"replace_name": name}}),
            _ => return Reply::Fail(ApiFailure::detail(40058, "button.replace_name is required")),
        },
        (None, Some(card)) => {
            if let Err(f) = check_content("template_card", Some(card)) {
                return Reply::Fail(f);
            }
            json!({"template_card": card})
        }
        _ => return Reply::Fail(ApiFailure::detail(40058, "give button or template_card")),
    };
    entry.used = true;
    let task_id = entry.task_id.clone();
    drop(state);
    let dir = ctx.world.directory.read();
    let invalid: Vec<String> = body
        .get("userids")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|u| !dir.user_exists(u))
        .map(str::to_ascii_lowercase)
        .collect();
    drop(dir);
    let mut record =
        json!({"channel": "card_update", "task_id": task_id, "agentid": app.agent_id()});
    if let (Value::Object(r), Value::Object(extra)) = (&mut record, replacement) {
        r.extend(extra);
    }
    ctx.world.deliver(record);
    Reply::Ok(fields! {"invaliduser" => invalid})
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
    fn agentid_rules() {
        let dir = lenient();
        let v = |extra: Value| code(validate(&text_body(extra), 1000002, &dir));
        assert_eq!(v(json!({})), 0);
        assert_eq!(v(json!({"agentid": "1000002"})), 0);
        assert_eq!(v(json!({"agentid": null})), 41011);
        assert_eq!(v(json!({"agentid": "abc"})), 40056);
        assert_eq!(v(json!({"agentid": 1.5})), 40056);
        assert_eq!(v(json!({"agentid": 7})), 301002);
        assert_eq!(code(validate(&json!([1]), 1000002, &dir)), 40058);
    }

    #[test]
    fn the_duplicate_check_reads_flags_like_the_client() {
        let dir = lenient();
        for (flag, on) in [
            (json!(1), true),
            (json!("1"), true),
            (json!(true), true),
            (json!(2), true),
            (json!(0), false),
            (json!("0"), false),
        ] {
            let a = validate(
                &text_body(json!({"enable_duplicate_check": flag})),
                1000002,
                &dir,
            )
            .unwrap();
            assert_eq!(a.duplicate_interval.is_some(), on, "{flag}");
            assert_eq!(on, flags::is_on(Some(&flag)));
        }
    }

    #[test]
    fn over_long_fields_are_cut_on_a_character_boundary() {
        let mut body = json!({"msgtype": "text", "text": {"content": "面".repeat(700)}});
        truncate_like_wecom(&mut body);
        assert_eq!(body["text"]["content"].as_str().map(str::len), Some(2046));
        let mut card = json!({"msgtype": "textcard", "textcard": {"title": "t".repeat(200), "description": "d", "url": "u".repeat(3000)}});
        truncate_like_wecom(&mut card);
        assert_eq!(card["textcard"]["title"].as_str().map(str::len), Some(128));
        assert_eq!(
            card["textcard"]["url"].as_str().map(str::len),
            Some(3000),
            "urls are not cut"
        );
        let mut news =
            json!({"msgtype": "news", "news": {"articles": [{"title": "t".repeat(200)}]}});
        truncate_like_wecom(&mut news);
        assert_eq!(
            news["news"]["articles"][0]["title"].as_str().map(str::len),
            Some(128)
        );
    }

    #[test]
    fn msgtype_and_content_rules() {
        let dir = lenient();
        let v = |b: Value| code(validate(&b, 1, &dir));
        let base = |t: &str, payload: Value| json!({"touser": "u", "agentid": 1, "msgtype": t, t: payload});
        assert_eq!(v(base("sms", json!({}))), 40008);
        assert_eq!(v(base("text", json!({"content": ""}))), 44004);
        for t in ["image", "voice", "file", "video"] {
            assert_eq!(v(base(t, json!({}))), 40007, "{t}");
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
        assert_eq!(v(base("news", json!({"articles": []}))), 45008);
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
        let err = validate(
            &text_body(json!({"touser": "Ghost", "toparty": "9"})),
            1000002,
            &dir,
        )
        .unwrap_err();
        assert_eq!(err.errcode, 81013);
        assert_eq!(err.extra["invaliduser"], "ghost");
        assert!(validate(
            &text_body(json!({"touser": "@all", "toparty": "9"})),
            1000002,
            &dir
        )
        .is_ok());
        let users: Vec<String> = (0..1001).map(|i| format!("u{i}")).collect();
        assert_eq!(
            code(validate(
                &text_body(json!({"touser": users.join("|")})),
                1000002,
                &lenient()
            )),
            40032
        );
    }
}
