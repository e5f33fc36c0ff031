//! External contacts (客户联系): candidates who added a member on WeChat. Seeded with four
//! outside people followed by the seeded members (list, get, batch/get_by_user with cursors),
//! "contact me" QR codes (add_contact_way), and mass messages (add_msg_template) with their
//! per-customer results (get_groupmsg_send_result). See docs/wecom/external-contacts.md.
//!
//! A mass message is only a task for the member: WeCom sends nothing until the member
//! confirms it in the client. The simulator keeps it pending (status 0) and delivers nothing to
//! anyone; [`State::confirm`] plays the member's confirmation for tests.

use std::collections::{BTreeMap, HashMap};

use serde_json::{json, Map, Value};
use wechat_work_core::wecom::{flags, ids, limits};

use super::{Ctx, Handler, Reply};
use crate::fields;
use crate::reply_try;
use crate::wire::{self, ApiFailure};

pub static HANDLERS: &[(&str, Handler)] = &[
    ("externalcontact/list", list),
    ("externalcontact/get", get),
    ("externalcontact/batch/get_by_user", batch_get_by_user),
    ("externalcontact/add_contact_way", add_contact_way),
    ("externalcontact/add_msg_template", add_msg_template),
    ("externalcontact/get_groupmsg_send_result", send_result),
];

/// The seeded outside people: three candidates on WeChat and a headhunter on WeCom.
pub const WANG_FANG: &str = "wmCandidateWangFang000000000AAAA";
pub const ZHAO_LEI: &str = "wmCandidateZhaoLei0000000000AAAA";
pub const LIU_YANG: &str = "wmCandidateLiuYang0000000000AAAA";
pub const CHEN_JING: &str = "woHeadhunterChenJing00000000AAAA";

/// `send_list.status` [SDK LinkWechat-Scrm `DetailMessageStatusResultDto`]: 0 not sent yet,
/// 1 sent, 2 failed (not a friend), 3 failed (already got another mass message).
pub const SEND_PENDING: i64 = 0;
pub const SEND_SENT: i64 = 1;

#[derive(Debug, Clone)]
pub struct Contact {
    pub external_userid: String,
    pub name: String,
    /// 1 a WeChat user, 2 a WeCom user of another corp.
    pub kind: i64,
    /// 0 unknown, 1 male, 2 female.
    pub gender: i64,
    /// Only for kind 2.
    pub corp_name: Option<String>,
    pub position: Option<String>,
}

/// One member following one external contact (what WeCom calls follow_user / follow_info).
#[derive(Debug, Clone)]
pub struct Follow {
    pub userid: String,
    pub external_userid: String,
    pub remark: String,
    pub description: String,
    pub createtime: i64,
    /// (tag_id, tag_name)
    pub tags: Vec<(String, String)>,
    /// 1 scanned a QR code, 3 searched a mobile number... (path/92114).
    pub add_way: i64,
    /// The `state` of the contact way they came through.
    pub state: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ContactWay {
    pub config_id: String,
    pub body: Value,
}

#[derive(Debug, Clone)]
pub struct Send {
    pub userid: String,
    pub external_userid: Option<String>,
    pub chat_id: Option<String>,
    pub status: i64,
    pub send_time: Option<i64>,
}

/// A mass message: pending sends per member, until each confirms.
#[derive(Debug, Clone)]
pub struct Template {
    pub msgid: String,
    pub chat_type: String,
    pub body: Value,
    pub sends: Vec<Send>,
}

#[derive(Debug)]
pub struct State {
    pub contacts: BTreeMap<String, Contact>,
    pub follows: Vec<Follow>,
    pub contact_ways: HashMap<String, ContactWay>,
    pub templates: HashMap<String, Template>,
}

impl Default for State {
    fn default() -> Self {
        Self::seeded()
    }
}

fn contact(id: &str, name: &str, kind: i64, gender: i64) -> Contact {
    Contact {
        external_userid: id.into(),
        name: name.into(),
        kind,
        gender,
        corp_name: None,
        position: None,
    }
}

fn follow(userid: &str, external: &str, remark: &str, createtime: i64) -> Follow {
    Follow {
        userid: userid.into(),
        external_userid: external.into(),
        remark: remark.into(),
        description: String::new(),
        createtime,
        tags: Vec::new(),
        add_way: 1,
        state: None,
    }
}

impl State {
    /// Candidates followed by the seeded members: lilei follows Wang Fang, Zhao Lei and Chen
    /// Jing; hanmeimei follows Wang Fang, Zhao Lei and Liu Yang; zhangsan follows Chen Jing.
    pub fn seeded() -> Self {
        let mut contacts = BTreeMap::new();
        let mut headhunter = contact(CHEN_JING, "Chen Jing", 2, 2);
        headhunter.corp_name = Some("Talent Bridge".into());
        headhunter.position = Some("Headhunter".into());
        for c in [
            contact(WANG_FANG, "Wang Fang", 1, 2),
            contact(ZHAO_LEI, "Zhao Lei", 1, 1),
            contact(LIU_YANG, "Liu Yang", 1, 0),
            headhunter,
        ] {
            contacts.insert(c.external_userid.clone(), c);
        }
        let mut onsite = follow("lilei", WANG_FANG, "Wang Fang (backend)", 1_717_000_000);
        onsite.tags = vec![("etStageOnsite".into(), "Onsite interview".into())];
        onsite.state = Some("campus-2024".into());
        onsite.description = "Backend engineer, campus fair".into();
        let follows = vec![
            follow("hanmeimei", WANG_FANG, "Wang Fang", 1_716_000_000),
            onsite,
            follow("lilei", ZHAO_LEI, "Zhao Lei (frontend)", 1_717_100_000),
            follow("hanmeimei", ZHAO_LEI, "Zhao Lei", 1_716_100_000),
            follow("hanmeimei", LIU_YANG, "Liu Yang", 1_716_200_000),
            follow(
                "zhangsan",
                CHEN_JING,
                "Chen Jing (Talent Bridge)",
                1_715_000_000,
            ),
            follow("lilei", CHEN_JING, "Chen Jing", 1_715_500_000),
        ];
        Self {
            contacts,
            follows,
            contact_ways: HashMap::new(),
            templates: HashMap::new(),
        }
    }

    /// Contacts and follows are the corp's data, not per-send memory: `clear` keeps them.
    pub fn clear(&mut self) {}

    /// The member's follows, oldest first.
    fn follows_of<'a>(&'a self, userid: &'a str) -> impl Iterator<Item = &'a Follow> + 'a {
        self.follows
            .iter()
            .filter(move |f| f.userid.eq_ignore_ascii_case(userid))
    }

    /// Who follows the contact, oldest first.
    fn followers(&self, external: &str) -> Vec<&Follow> {
        let mut rows: Vec<&Follow> = self
            .follows
            .iter()
            .filter(|f| f.external_userid == external)
            .collect();
        rows.sort_by_key(|f| f.createtime);
        rows
    }

    /// The member confirms the mass message in the client (what the API cannot do): their
    /// pending sends become sent at `now`. Returns how many.
    pub fn confirm(&mut self, msgid: &str, userid: &str, now: i64) -> usize {
        let Some(template) = self.templates.get_mut(msgid) else {
            return 0;
        };
        let mut n = 0;
        for send in template
            .sends
            .iter_mut()
            .filter(|s| s.userid.eq_ignore_ascii_case(userid) && s.status == SEND_PENDING)
        {
            send.status = SEND_SENT;
            send.send_time = Some(now);
            n += 1;
        }
        n
    }
}

fn contact_json(c: &Contact) -> Value {
    let mut out = json!({
        "external_userid": c.external_userid,
        "name": c.name,
        "type": c.kind,
        "gender": c.gender,
        "avatar": format!(
            "https://wework.qpic.cn/wwhead/{}/0",
            c.external_userid.chars().skip(2).take(10).collect::<String>()
        ),
    });
    if c.kind == 2 {
        if let Some(corp) = &c.corp_name {
            out["corp_name"] = json!(corp);
            out["corp_full_name"] = json!(format!("{corp} Co., Ltd."));
        }
        if let Some(position) = &c.position {
            out["position"] = json!(position);
        }
    }
    out
}

/// A `follow_user` row of externalcontact/get: tags as objects.
fn follow_user_json(f: &Follow) -> Value {
    let tags: Vec<Value> = f
        .tags
        .iter()
        .map(|(id, name)| json!({"group_name": "Interview stage", "tag_name": name, "tag_id": id, "type": 1}))
        .collect();
    let mut out = follow_common(f);
    out.insert("tags".into(), json!(tags));
    Value::Object(out)
}

/// A `follow_info` of batch/get_by_user: tag ids only.
fn follow_info_json(f: &Follow) -> Value {
    let mut out = follow_common(f);
    let ids: Vec<&String> = f.tags.iter().map(|(id, _)| id).collect();
    out.insert("tag_id".into(), json!(ids));
    Value::Object(out)
}

fn follow_common(f: &Follow) -> Map<String, Value> {
    let mut out = fields! {
        "userid" => f.userid,
        "remark" => f.remark,
        "description" => f.description,
        "createtime" => f.createtime,
        "remark_mobiles" => Vec::<String>::new(),
        "oper_userid" => f.userid,
        "add_way" => f.add_way,
    };
    if let Some(state) = &f.state {
        out.insert("state".into(), json!(state));
    }
    out
}

/// Cursors look opaque, as WeCom's do, but are an offset.
fn encode_cursor(offset: usize) -> String {
    format!("x{offset:08x}")
}

/// The offset of `cursor` (an absent or empty one is the start).
fn decode_cursor(cursor: Option<&str>) -> Result<usize, ApiFailure> {
    match cursor.filter(|c| !c.is_empty()) {
        None => Ok(0),
        Some(c) => c
            .strip_prefix('x')
            .and_then(|hex| usize::from_str_radix(hex, 16).ok())
            .ok_or_else(|| ApiFailure::detail(40058, "invalid cursor")),
    }
}

/// One page of `rows` from `offset`: the page and the next cursor ("" at the end).
fn page<T: Clone>(rows: &[T], offset: usize, limit: usize) -> (Vec<T>, String) {
    let end = offset.saturating_add(limit).min(rows.len());
    let items = rows.get(offset..end).map(<[T]>::to_vec).unwrap_or_default();
    let next = if end < rows.len() {
        encode_cursor(end)
    } else {
        String::new()
    };
    (items, next)
}

/// A member of the corp, or 40003 (a malformed userid, or an unknown one in strict mode).
fn member(ctx: &Ctx, userid: &str) -> Result<(), ApiFailure> {
    if ctx.world.directory.read().user_exists(userid) {
        Ok(())
    } else {
        Err(ApiFailure::detail(40003, userid))
    }
}

fn list(ctx: &Ctx) -> Reply {
    let userid = ctx.param("userid").unwrap_or_default();
    if userid.is_empty() {
        return Reply::Fail(ApiFailure::new(41009));
    }
    if let Err(f) = member(ctx, userid) {
        return Reply::Fail(f);
    }
    let state = ctx.world.domains.external_contact.lock();
    // A member with no customers gets an empty list; WeCom may answer 84061 instead [UNV]
    // (docs/wecom/external-contacts.md#listing-and-reading-contacts).
    let ids: Vec<&str> = state
        .follows_of(userid)
        .map(|f| f.external_userid.as_str())
        .collect();
    Reply::Ok(fields! {"external_userid" => ids})
}

/// A well-formed external_userid: `wm`/`wo` and id characters [OBS: every documented one].
fn well_formed_external(id: &str) -> bool {
    (id.starts_with("wm") || id.starts_with("wo"))
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn get(ctx: &Ctx) -> Reply {
    let external = ctx.param("external_userid").unwrap_or_default();
    if !well_formed_external(external) {
        return Reply::Fail(ApiFailure::new(40096));
    }
    let state = ctx.world.domains.external_contact.lock();
    // A well-formed id nobody in the corp follows: "不存在外部联系人的关系" [UNV which of
    // 84061 and 40096 WeCom answers for it].
    let Some(contact) = state.contacts.get(external) else {
        return Reply::Fail(ApiFailure::new(84061));
    };
    let offset = reply_try!(decode_cursor(ctx.param("cursor")));
    let rows: Vec<Value> = state
        .followers(external)
        .into_iter()
        .map(follow_user_json)
        .collect();
    let (follow_user, next) = page(&rows, offset, limits::EXTERNAL_FOLLOW_PAGE);
    Reply::Ok(fields! {
        "external_contact" => contact_json(contact),
        "follow_user" => follow_user,
        "next_cursor" => next,
    })
}

fn batch_get_by_user(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let userids: Vec<&str> = match body.get("userid_list").and_then(Value::as_array) {
        Some(list) if !list.is_empty() => list.iter().filter_map(Value::as_str).collect(),
        _ => return Reply::Fail(ApiFailure::detail(40058, "userid_list is required")),
    };
    if userids.len() > limits::EXTERNAL_BATCH_USERS {
        return Reply::Fail(ApiFailure::detail(
            40058,
            "userid_list takes at most 100 userids",
        ));
    }
    for userid in &userids {
        if let Err(f) = member(ctx, userid) {
            return Reply::Fail(f);
        }
    }
    // Above the maximum WeCom answers the maximum ("limit ≤100, clamped").
    let limit = body
        .get("limit")
        .and_then(flags::integer)
        .filter(|l| *l > 0)
        .map_or(limits::EXTERNAL_BATCH_DEFAULT_LIMIT, |l| {
            (l as u64).min(limits::EXTERNAL_BATCH_LIMIT)
        }) as usize;
    let offset = reply_try!(decode_cursor(body.get("cursor").and_then(Value::as_str)));
    let state = ctx.world.domains.external_contact.lock();
    let rows: Vec<Value> = userids
        .iter()
        .flat_map(|u| state.follows_of(u).collect::<Vec<_>>())
        .filter_map(|f| {
            state.contacts.get(&f.external_userid).map(|c| {
                json!({"external_contact": contact_json(c), "follow_info": follow_info_json(f)})
            })
        })
        .collect();
    let (items, next) = page(&rows, offset, limit);
    Reply::Ok(fields! {"external_contact_list" => items, "next_cursor" => next})
}

/// "联系我" (path/92228): type 1 one member / 2 several; scene 1 mini program / 2 QR code, and
/// only a QR code scene answers `qr_code`.
fn add_contact_way(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let kind = body.get("type").and_then(flags::integer);
    if !matches!(kind, Some(1 | 2)) {
        return Reply::Fail(ApiFailure::new(41039));
    }
    let scene = body.get("scene").and_then(flags::integer);
    if !matches!(scene, Some(1 | 2)) {
        return Reply::Fail(ApiFailure::new(41040));
    }
    let users: Vec<&str> = body
        .get("user")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let parties = body
        .get("party")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if users.len() > limits::CONTACT_WAY_MAX_USERS {
        return Reply::Fail(ApiFailure::new(41041));
    }
    if (kind == Some(1) && (users.len() != 1 || parties > 0)) || (users.is_empty() && parties == 0)
    {
        return Reply::Fail(ApiFailure::detail(
            40058,
            "type 1 takes exactly one user; type 2 takes users or parties",
        ));
    }
    for userid in &users {
        if !ids::valid_userid(userid) {
            return Reply::Fail(ApiFailure::detail(40003, userid));
        }
        if let Err(f) = member(ctx, userid) {
            return Reply::Fail(f);
        }
    }
    for (key, max) in [
        ("state", limits::CONTACT_WAY_STATE_CHARS),
        ("remark", limits::CONTACT_WAY_REMARK_CHARS),
    ] {
        let too_long = body
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|s| s.chars().count() > max);
        if too_long {
            return Reply::Fail(ApiFailure::detail(
                40058,
                &format!("{key} is longer than {max} characters"),
            ));
        }
    }
    let config_id = wire::random_token(32).replace(['-', '_'], "a");
    let mut answer = fields! {"config_id" => config_id};
    if scene == Some(2) {
        answer.insert(
            "qr_code".into(),
            json!(format!(
                "https://wework.qpic.cn/wwpic/{}/0",
                wire::random_token(24).replace(['-', '_'], "b")
            )),
        );
    }
    ctx.world
        .domains
        .external_contact
        .lock()
        .contact_ways
        .insert(config_id.clone(), ContactWay { config_id, body });
    Reply::Ok(answer)
}

/// 企业群发 (path/92135): a task per member, sent only once they confirm. `fail_list` holds the
/// customers nobody (or not the given sender) follows; 41048 when that is all of them.
fn add_msg_template(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let chat_type = body
        .get("chat_type")
        .and_then(Value::as_str)
        .unwrap_or("single")
        .to_string();
    let has_text = body
        .get("text")
        .and_then(|t| t.get("content"))
        .and_then(Value::as_str)
        .is_some_and(|c| !c.is_empty());
    let attachments = body
        .get("attachments")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if !has_text && attachments == 0 {
        return Reply::Fail(ApiFailure::detail(40058, "text or attachments is required"));
    }
    if attachments > limits::MSG_TEMPLATE_MAX_ATTACHMENTS {
        return Reply::Fail(ApiFailure::detail(40058, "at most 9 attachments"));
    }
    let sender = body
        .get("sender")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    if let Some(s) = &sender {
        if let Err(f) = member(ctx, s) {
            return Reply::Fail(f);
        }
    }
    let state = ctx.world.domains.external_contact.lock();
    let (sends, fail_list) = match chat_type.as_str() {
        "single" => {
            let requested: Vec<String> = body
                .get("external_userid")
                .and_then(Value::as_array)
                .map(|l| {
                    l.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default();
            match (requested.is_empty(), &sender) {
                (true, None) => {
                    return Reply::Fail(ApiFailure::detail(
                        40058,
                        "external_userid and sender cannot both be empty",
                    ))
                }
                // A sender alone: all of that member's customers.
                (true, Some(s)) => {
                    let sends = state
                        .follows_of(s)
                        .map(|f| pending(&f.userid, Some(&f.external_userid), None))
                        .collect();
                    (sends, Vec::new())
                }
                (false, _) => single_sends(&state, &requested, sender.as_deref()),
            }
        }
        "group" => {
            let Some(s) = &sender else {
                return Reply::Fail(ApiFailure::detail(40058, "sender is required for group"));
            };
            // The simulator has no customer groups: the member picks the groups when
            // confirming, so the task is the member's alone.
            (vec![pending(s, None, None)], Vec::new())
        }
        _ => {
            return Reply::Fail(ApiFailure::detail(
                40058,
                "chat_type must be single or group",
            ))
        }
    };
    drop(state);
    if sends.is_empty() {
        return Reply::Fail(ApiFailure::new(41048));
    }
    let msgid = format!("msg{}", wire::random_token(28).replace(['-', '_'], "c"));
    ctx.world.domains.external_contact.lock().templates.insert(
        msgid.clone(),
        Template {
            msgid: msgid.clone(),
            chat_type,
            body,
            sends,
        },
    );
    Reply::Ok(fields! {"fail_list" => fail_list, "msgid" => msgid})
}

fn pending(userid: &str, external: Option<&str>, chat: Option<&str>) -> Send {
    Send {
        userid: userid.to_string(),
        external_userid: external.map(str::to_string),
        chat_id: chat.map(str::to_string),
        status: SEND_PENDING,
        send_time: None,
    }
}

/// Each requested customer goes to the given sender (if they follow them) or to the member who
/// added them last ("仅会推送给最后跟客户进行聊天互动的企业成员"; the simulator has no chats, so
/// the latest follower stands for the last one who chatted).
fn single_sends(
    state: &State,
    requested: &[String],
    sender: Option<&str>,
) -> (Vec<Send>, Vec<String>) {
    let mut sends = Vec::new();
    let mut fail = Vec::new();
    for external in requested {
        let followers = state.followers(external);
        let chosen = match sender {
            Some(s) => followers
                .iter()
                .find(|f| f.userid.eq_ignore_ascii_case(s))
                .copied(),
            None => followers.last().copied(),
        };
        match chosen {
            Some(f)
                if !sends
                    .iter()
                    .any(|s: &Send| s.external_userid.as_deref() == Some(external)) =>
            {
                sends.push(pending(&f.userid, Some(external), None));
            }
            Some(_) => {}
            None => fail.push(external.clone()),
        }
    }
    (sends, fail)
}

fn send_result(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    let Some(msgid) = body
        .get("msgid")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Reply::Fail(ApiFailure::detail(40058, "msgid is required"));
    };
    let Some(userid) = body
        .get("userid")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Reply::Fail(ApiFailure::new(41009));
    };
    // "最大值1000,默认值500,超过最大值时取默认值" (path/93338).
    let limit = body
        .get("limit")
        .and_then(flags::integer)
        .filter(|l| (1..=limits::MSG_TEMPLATE_RESULT_MAX_LIMIT as i64).contains(l))
        .map_or(limits::MSG_TEMPLATE_RESULT_DEFAULT_LIMIT, |l| l as u64) as usize;
    let offset = reply_try!(decode_cursor(body.get("cursor").and_then(Value::as_str)));
    let state = ctx.world.domains.external_contact.lock();
    let Some(template) = state.templates.get(msgid) else {
        return Reply::Fail(ApiFailure::new(41047));
    };
    let rows: Vec<Value> = template
        .sends
        .iter()
        .filter(|s| s.userid.eq_ignore_ascii_case(userid))
        // Group sends list only what was sent: the member has not picked the groups yet.
        .filter(|s| template.chat_type == "single" || s.status == SEND_SENT)
        .map(send_json)
        .collect();
    let (send_list, next) = page(&rows, offset, limit);
    Reply::Ok(fields! {"next_cursor" => next, "send_list" => send_list})
}

fn send_json(s: &Send) -> Value {
    let mut out = fields! {"userid" => s.userid, "status" => s.status};
    if let Some(e) = &s.external_userid {
        out.insert("external_userid".into(), json!(e));
    }
    if let Some(c) = &s.chat_id {
        out.insert("chat_id".into(), json!(c));
    }
    // "发送时间,发送状态为1时返回"
    if let Some(t) = s.send_time {
        out.insert("send_time".into(), json!(t));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_pages_end_empty() {
        assert_eq!(decode_cursor(Some(&encode_cursor(42))).ok(), Some(42));
        assert_eq!(decode_cursor(None).ok(), Some(0));
        assert!(decode_cursor(Some("bogus")).is_err());
        let (items, next) = page(&[1, 2, 3], 0, 2);
        assert_eq!((items, next.is_empty()), (vec![1, 2], false));
        let (items, next) = page(&[1, 2, 3], 2, 2);
        assert_eq!((items, next), (vec![3], String::new()));
    }

    #[test]
    fn mass_messages_go_to_the_latest_follower_and_wait_for_confirmation() {
        let mut state = State::seeded();
        let (sends, fail) = single_sends(
            &state,
            &[WANG_FANG.to_string(), "wmNobody".to_string()],
            None,
        );
        assert_eq!(fail, vec!["wmNobody".to_string()]);
        // lilei added Wang Fang after hanmeimei did
        assert_eq!(sends[0].userid, "lilei");
        let (sends, fail) = single_sends(&state, &[LIU_YANG.to_string()], Some("lilei"));
        assert!(sends.is_empty());
        assert_eq!(fail, vec![LIU_YANG.to_string()]);
        state.templates.insert(
            "m".into(),
            Template {
                msgid: "m".into(),
                chat_type: "single".into(),
                body: json!({}),
                sends: vec![pending("lilei", Some(WANG_FANG), None)],
            },
        );
        assert_eq!(state.confirm("m", "LiLei", 7), 1);
        assert_eq!(state.templates["m"].sends[0].send_time, Some(7));
        assert_eq!(state.confirm("m", "lilei", 8), 0);
    }
}
