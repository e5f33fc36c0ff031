//! Booked meetings (预约会议): create, update, cancel, get_info, and join links for outside
//! guests (create_customer_short_url). WeCom's checks and errcodes
//! (docs/wecom/meetings.md#creating-a-meeting): the start must be in the future (400034), 300
//! to 86399 seconds (400035), every invitee a member (400021, one bad userid fails the call),
//! at most 100 invitees (400020), a 4-6 digit password (400030). An app sees and changes only
//! the meetings it created (730005).
//!
//! Nobody joins a simulated meeting: get_info lists the invitees as "not joined", and a
//! meeting whose end has passed reads as expired.

use std::collections::HashMap;

use rand::Rng;
use serde_json::{json, Map, Value};
use wechat_work_core::api::meeting::MEETING_FIELDS;
use wechat_work_core::wecom::{flags, limits};

use super::{Ctx, Handler, Reply};
use crate::directory::Directory;
use crate::fields;
use crate::reply_try;
use crate::wire::{self, ApiFailure};

pub static HANDLERS: &[(&str, Handler)] = &[
    ("meeting/create", create),
    ("meeting/update", update),
    ("meeting/cancel", cancel),
    ("meeting/get_info", get_info),
    ("meeting/create_customer_short_url", customer_short_url),
];

/// `status` in get_info [third-party summary of path/98149]: 1 not started, 2 in progress,
/// 3 ended, 4 cancelled, 5 expired (its time passed and nobody joined).
pub const STATUS_NOT_STARTED: i64 = 1;
pub const STATUS_CANCELLED: i64 = 4;
pub const STATUS_EXPIRED: i64 = 5;

/// Fields the create body carries that get_info answers as they were given (the core's list,
/// without the caller's `agentid`).
fn stored_fields() -> impl Iterator<Item = &'static str> {
    MEETING_FIELDS.iter().copied().filter(|f| *f != "agentid")
}

#[derive(Debug, Clone)]
pub struct Meeting {
    pub id: String,
    /// The app that created it: the only one that may see or change it.
    pub agent_id: i64,
    pub fields: Map<String, Value>,
    pub meeting_code: String,
    pub meeting_link: String,
    pub cancelled: bool,
    /// (customer_data, link) per create_customer_short_url call.
    pub customer_links: Vec<(String, String)>,
}

impl Meeting {
    fn start(&self) -> i64 {
        self.fields
            .get("meeting_start")
            .and_then(flags::integer)
            .unwrap_or(0)
    }

    fn end(&self) -> i64 {
        let duration = self
            .fields
            .get("meeting_duration")
            .and_then(flags::integer)
            .unwrap_or(0);
        self.start() + duration
    }

    /// Has its start passed (WeCom then refuses updates and cancels)?
    fn begun(&self, now: i64) -> bool {
        now >= self.start()
    }

    pub fn status(&self, now: i64) -> i64 {
        if self.cancelled {
            STATUS_CANCELLED
        } else if now >= self.end() {
            STATUS_EXPIRED
        } else {
            STATUS_NOT_STARTED
        }
    }

    fn invitees(&self) -> Vec<String> {
        userids_of(self.fields.get("invitees"))
    }
}

#[derive(Debug, Default)]
pub struct State {
    pub meetings: HashMap<String, Meeting>,
}

impl State {
    /// Meetings are the corp's data, not per-send memory: `clear` keeps them.
    pub fn clear(&mut self) {}
}

/// `{"userid": [...]}` as userids (WeCom's shape for invitees, hosts and ring_users).
fn userids_of(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(|v| v.get("userid"))
        .and_then(Value::as_array)
        .map(|ids| {
            ids.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// A meeting id shaped like WeCom's (an opaque String).
fn new_meeting_id() -> String {
    format!("hy{}", wire::random_token(30).replace(['-', '_'], "A"))
}

fn new_meeting_code() -> String {
    let mut rng = rand::rng();
    (0..9)
        .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
        .collect()
}

fn body(ctx: &Ctx) -> Result<Map<String, Value>, ApiFailure> {
    match ctx.json()? {
        Value::Object(map) => Ok(map),
        _ => Err(ApiFailure::new(40058)),
    }
}

fn required_string<'a>(body: &'a Map<String, Value>, key: &str) -> Result<&'a str, ApiFailure> {
    body.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiFailure::detail(40058, &format!("{key} is required")))
}

/// WeCom's checks of the meeting fields present in `body` (all of them for a create).
fn check_fields(
    body: &Map<String, Value>,
    create: bool,
    now: i64,
    dir: &Directory,
) -> Result<(), ApiFailure> {
    let has = |key: &str| body.get(key).is_some_and(|v| !v.is_null());
    if create || has("admin_userid") {
        let admin = required_string(body, "admin_userid")?;
        if !dir.user_exists(admin) {
            // The errcode for an unknown admin is not documented [UNV]: 40003 invalid userid.
            return Err(ApiFailure::new(40003));
        }
    }
    if create || has("title") {
        body.get("title")
            .and_then(Value::as_str)
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| ApiFailure::new(400042))?;
    }
    if let Some((path, _, _)) =
        limits::exceeded(&Value::Object(body.clone()), limits::MEETING_TEXT_LIMITS)
    {
        return Err(if path == "title" {
            ApiFailure::new(400042)
        } else {
            // The errcode for an over-long description or location is not documented [UNV].
            ApiFailure::detail(40058, &format!("{path} is too long"))
        });
    }
    if create || has("meeting_start") {
        match body.get("meeting_start").and_then(flags::integer) {
            Some(start) if start > now => {}
            _ => return Err(ApiFailure::new(400034)),
        }
    }
    if create || has("meeting_duration") {
        let range = limits::MEETING_MIN_DURATION as i64..=limits::MEETING_MAX_DURATION as i64;
        match body.get("meeting_duration").and_then(flags::integer) {
            Some(d) if range.contains(&d) => {}
            _ => return Err(ApiFailure::new(400035)),
        }
    }
    if has("invitees") {
        let invitees = userids_of(body.get("invitees"));
        if invitees.len() > limits::MEETING_MAX_INVITEES {
            return Err(ApiFailure::new(400020));
        }
        // "任何userid不合法或者不在应用可见范围,直接报错": one bad invitee fails the call.
        if let Some(bad) = invitees.iter().find(|u| !dir.user_exists(u)) {
            return Err(ApiFailure::detail(400021, bad));
        }
    }
    if let Some(settings) = body.get("settings").filter(|v| !v.is_null()) {
        check_settings(settings, dir)?;
    }
    Ok(())
}

fn check_settings(settings: &Value, dir: &Directory) -> Result<(), ApiFailure> {
    if !settings.is_object() {
        return Err(ApiFailure::new(400031));
    }
    if let Some(password) = settings.get("password").filter(|v| !v.is_null()) {
        let ok = password.as_str().is_some_and(|p| {
            limits::MEETING_PASSWORD_DIGITS.contains(&p.len())
                && p.bytes().all(|b| b.is_ascii_digit())
        });
        if !ok {
            return Err(ApiFailure::new(400030));
        }
    }
    let hosts = userids_of(settings.get("hosts"));
    if hosts.len() > limits::MEETING_MAX_HOSTS {
        return Err(ApiFailure::new(400027));
    }
    let ring_users = userids_of(settings.get("ring_users"));
    if let Some(bad) = hosts
        .iter()
        .chain(ring_users.iter())
        .find(|u| !dir.user_exists(u))
    {
        return Err(ApiFailure::detail(400021, bad));
    }
    if let Some(scope) = settings.get("remind_scope").filter(|v| !v.is_null()) {
        if !flags::integer(scope).is_some_and(|s| (1..=4).contains(&s)) {
            return Err(ApiFailure::new(400031));
        }
    }
    Ok(())
}

/// The meeting `meetingid` names, if this app may use it: 90602 when there is none, 730005
/// when another app created it.
fn owned<'a>(
    state: &'a mut State,
    body: &Map<String, Value>,
    agent_id: i64,
) -> Result<&'a mut Meeting, ApiFailure> {
    let id = required_string(body, "meetingid")?;
    let meeting = state
        .meetings
        .get_mut(id)
        .ok_or_else(|| ApiFailure::new(90602))?;
    if meeting.agent_id != agent_id {
        return Err(ApiFailure::new(730005));
    }
    Ok(meeting)
}

/// A meeting this app may still change: its own (see [`owned`]), not cancelled (400041), not
/// begun (`begun_errcode`: 400221 for update, 400224 for cancel).
fn changeable<'a>(
    state: &'a mut State,
    body: &Map<String, Value>,
    agent_id: i64,
    now: i64,
    begun_errcode: i64,
) -> Result<&'a mut Meeting, ApiFailure> {
    let meeting = owned(state, body, agent_id)?;
    if meeting.cancelled {
        return Err(ApiFailure::new(400041));
    }
    if meeting.begun(now) {
        return Err(ApiFailure::new(begun_errcode));
    }
    Ok(meeting)
}

fn create(ctx: &Ctx) -> Reply {
    let body = reply_try!(body(ctx));
    let now = ctx.world.clock.unix();
    if let Err(f) = check_fields(&body, true, now, &ctx.world.directory.read()) {
        return Reply::Fail(f);
    }
    let fields: Map<String, Value> = stored_fields()
        .filter_map(|k| {
            body.get(k)
                .filter(|v| !v.is_null())
                .map(|v| (k.to_string(), v.clone()))
        })
        .collect();
    let id = new_meeting_id();
    let code = new_meeting_code();
    let meeting = Meeting {
        id: id.clone(),
        agent_id: ctx.app().agent_id(),
        fields,
        meeting_link: format!("https://meeting.tencent.com/dm/{}", wire::random_token(12)),
        meeting_code: code.clone(),
        cancelled: false,
        customer_links: Vec::new(),
    };
    let link = meeting.meeting_link.clone();
    ctx.world
        .domains
        .meeting
        .lock()
        .meetings
        .insert(id.clone(), meeting);
    Reply::Ok(fields! {"meetingid" => id, "meeting_code" => code, "meeting_link" => link})
}

fn update(ctx: &Ctx) -> Reply {
    let body = reply_try!(body(ctx));
    let now = ctx.world.clock.unix();
    let mut state = ctx.world.domains.meeting.lock();
    let meeting = reply_try!(changeable(
        &mut state,
        &body,
        ctx.app().agent_id(),
        now,
        400221
    ));
    if let Err(f) = check_fields(&body, false, now, &ctx.world.directory.read()) {
        return Reply::Fail(f);
    }
    // Given fields replace the stored ones (invitees as a whole list); settings merge key by
    // key, since a partial settings object leaving the others alone is the natural reading
    // [UNV].
    for key in stored_fields() {
        let Some(value) = body.get(key).filter(|v| !v.is_null()) else {
            continue;
        };
        match (key, meeting.fields.get_mut(key), value) {
            ("settings", Some(Value::Object(old)), Value::Object(new)) => {
                for (k, v) in new {
                    old.insert(k.clone(), v.clone());
                }
            }
            _ => {
                meeting.fields.insert(key.to_string(), value.clone());
            }
        }
    }
    Reply::Ok(fields! {})
}

fn cancel(ctx: &Ctx) -> Reply {
    let body = reply_try!(body(ctx));
    let now = ctx.world.clock.unix();
    let mut state = ctx.world.domains.meeting.lock();
    let meeting = reply_try!(changeable(
        &mut state,
        &body,
        ctx.app().agent_id(),
        now,
        400224
    ));
    meeting.cancelled = true;
    Reply::Ok(fields! {})
}

fn get_info(ctx: &Ctx) -> Reply {
    let body = reply_try!(body(ctx));
    let now = ctx.world.clock.unix();
    let mut state = ctx.world.domains.meeting.lock();
    let meeting = reply_try!(owned(&mut state, &body, ctx.app().agent_id()));
    let dir = ctx.world.directory.read();
    let mut out = meeting.fields.clone();
    let admin = out
        .get("admin_userid")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let main_department = dir
        .user(&admin)
        .and_then(|u| u.department.first().copied())
        .unwrap_or(1);
    // Nobody joins a simulated meeting: every invitee (and the admin) is "2 not joined".
    let mut members = vec![admin];
    for userid in meeting.invitees() {
        if !members.iter().any(|m| m.eq_ignore_ascii_case(&userid)) {
            members.push(userid);
        }
    }
    let member: Vec<Value> = members
        .iter()
        .map(|u| json!({"userid": u, "status": 2}))
        .collect();
    out.remove("invitees");
    if let Some(Value::Object(settings)) = out.get_mut("settings") {
        let has_password = settings.get("password").is_some_and(|p| !p.is_null());
        settings.insert("need_password".into(), json!(has_password));
    }
    let repeat = out
        .get("reminders")
        .and_then(|r| r.get("is_repeat"))
        .and_then(flags::integer)
        == Some(1);
    out.insert("meetingid".into(), json!(meeting.id));
    out.insert("main_department".into(), json!(main_department));
    out.insert("status".into(), json!(meeting.status(now)));
    out.insert("meeting_type".into(), json!(if repeat { 1 } else { 0 }));
    out.insert(
        "attendees".into(),
        json!({"member": member, "tmp_external_user": []}),
    );
    out.insert("meeting_code".into(), json!(meeting.meeting_code));
    out.insert("meeting_link".into(), json!(meeting.meeting_link));
    Reply::Ok(out)
}

/// One join link per outside guest, carrying `customer_data` (returned in WeCom's join and
/// waiting-room events) [OFF path/98818].
fn customer_short_url(ctx: &Ctx) -> Reply {
    let body = reply_try!(body(ctx));
    let data = match body.get("customer_data") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s.len() <= limits::CUSTOMER_DATA_BYTES => s.clone(),
        Some(Value::String(_)) => {
            return Reply::Fail(ApiFailure::detail(
                40058,
                "customer_data is longer than 256 bytes",
            ))
        }
        Some(_) => return Reply::Fail(ApiFailure::detail(40058, "customer_data must be a string")),
    };
    let mut state = ctx.world.domains.meeting.lock();
    let meeting = reply_try!(owned(&mut state, &body, ctx.app().agent_id()));
    if meeting.cancelled {
        return Reply::Fail(ApiFailure::new(400041));
    }
    let url = format!("https://meeting.tencent.com/s/{}", wire::random_token(12));
    meeting.customer_links.push((data.clone(), url.clone()));
    Reply::Ok(fields! {
        "meeting_short_url_customer_data" => json!({"customer_data": data, "meeting_short_url": url})
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_follows_the_clock_and_cancellation() {
        let mut m = Meeting {
            id: "m".into(),
            agent_id: 1,
            fields: Map::new(),
            meeting_code: "123456789".into(),
            meeting_link: "l".into(),
            cancelled: false,
            customer_links: vec![],
        };
        m.fields.insert("meeting_start".into(), json!(1000));
        m.fields.insert("meeting_duration".into(), json!(600));
        assert_eq!(m.status(999), STATUS_NOT_STARTED);
        assert!(m.begun(1000));
        assert_eq!(m.status(1600), STATUS_EXPIRED);
        m.cancelled = true;
        assert_eq!(m.status(1), STATUS_CANCELLED);
        assert_eq!(new_meeting_code().len(), 9);
        assert!(new_meeting_id().bytes().all(|b| b.is_ascii_alphanumeric()));
    }
}
