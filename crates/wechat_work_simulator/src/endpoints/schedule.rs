//! Schedules (oa/schedule/add, update, get, del): each belongs to the app that created it
//! (90466 for another app's), lives in that app's default calendar, and is overwritten whole
//! by update (WeCom: "全量覆盖", not incremental). del cancels it: get then answers it with
//! `status` 1, update and del answer 90460. Sources: docs/wecom/schedules.md#errcodes (the
//! official errcode page, 904xx and 907xx) and, where WeCom documents nothing,
//! docs/wecom/schedules.md#simulator-choices.

use std::collections::HashMap;

use rand::Rng;
use serde_json::{json, Map, Value};
use wechat_work_core::wecom::{flags, limits};

use super::{Ctx, Handler, Reply};
use crate::directory::Directory;
use crate::fields;
use crate::reply_try;
use crate::wire::ApiFailure;

pub static HANDLERS: &[(&str, Handler)] = &[
    ("oa/schedule/add", add),
    ("oa/schedule/update", update),
    ("oa/schedule/get", get),
    ("oa/schedule/del", del),
];

/// `remind_before_event_secs` takes only these (path/93703).
const REMIND_BEFORE_EVENT_SECS: &[i64] = &[0, 300, 900, 3600, 86400];
/// `repeat_type`: 0 daily, 1 weekly, 2 monthly, 5 yearly, 7 workdays.
const REPEAT_TYPES: &[i64] = &[0, 1, 2, 5, 7];
const REMINDER_FIELDS: &[&str] = &[
    "is_remind",
    "remind_before_event_secs",
    "remind_time_diffs",
    "is_repeat",
    "repeat_type",
    "repeat_until",
    "is_custom_repeat",
    "repeat_interval",
    "repeat_day_of_week",
    "repeat_day_of_month",
    "timezone",
];

#[derive(Debug, Clone)]
struct Schedule {
    agent_id: i64,
    /// 0 正常, 1 已取消 (deleted).
    status: i64,
    /// The fields get answers (schedule_id and status added on the way out).
    fields: Map<String, Value>,
}

impl Schedule {
    fn to_json(&self, id: &str) -> Value {
        let mut out = self.fields.clone();
        out.insert("schedule_id".into(), json!(id));
        out.insert("status".into(), json!(self.status));
        Value::Object(out)
    }

    fn attendee_statuses(&self) -> HashMap<String, Value> {
        self.fields
            .get("attendees")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|a| {
                let id = a.get("userid")?.as_str()?.to_ascii_lowercase();
                Some((id, a.get("response_status").cloned().unwrap_or(json!(0))))
            })
            .collect()
    }
}

/// Schedules by id. Like contacts, they outlive `World::clear`.
#[derive(Debug, Default)]
pub struct State {
    schedules: HashMap<String, Schedule>,
    /// Each app's default calendar (`cal_id` of its schedules), made on first use.
    calendars: HashMap<i64, String>,
}

impl State {
    /// Nothing per-send to forget: schedules stay, as contacts do.
    pub fn clear(&mut self) {}

    fn calendar(&mut self, agent_id: i64) -> String {
        self.calendars
            .entry(agent_id)
            .or_insert_with(|| format!("wc{}", random_chars(27, HEX_UPPER)) + "AAA")
            .clone()
    }

    /// The app's schedule `id`: 90461 unknown, 90466 another app's.
    fn owned(&mut self, id: &str, agent_id: i64) -> Result<&mut Schedule, ApiFailure> {
        match self.schedules.get_mut(id) {
            None => Err(ApiFailure::new(90461)),
            Some(s) if s.agent_id != agent_id => Err(ApiFailure::new(90466)),
            Some(s) => Ok(s),
        }
    }
}

const HEX_LOWER: &[u8] = b"0123456789abcdef";
const HEX_UPPER: &[u8] = b"0123456789ABCDEFabcdef";

fn random_chars(len: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::rng();
    (0..len)
        .map(|_| alphabet[rng.random_range(0..alphabet.len())] as char)
        .collect()
}

/// Shaped like WeCom's `17c7d2bd9f20d652840f72f59e796AAA`.
fn random_schedule_id() -> String {
    format!("{}AAA", random_chars(29, HEX_LOWER))
}

fn invalid(detail: &str) -> ApiFailure {
    ApiFailure::detail(40058, detail)
}

fn integer(obj: &Value, key: &str) -> Result<Option<i64>, ApiFailure> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => flags::integer(v)
            .map(Some)
            .ok_or_else(|| invalid(&format!("schedule.{key} must be an integer"))),
    }
}

/// The checked, stored form of a `schedule` object. `previous`: the schedule being updated
/// (its attendees' answers are kept; with `skip_attendees` its attendees stay as they are).
fn build(
    schedule: &Value,
    previous: Option<&Schedule>,
    skip_attendees: bool,
    dir: &Directory,
    cal_id: &str,
) -> Result<Map<String, Value>, ApiFailure> {
    if !schedule.is_object() {
        return Err(invalid("schedule is required"));
    }
    // Observed: end before start answered 40058 "missing paramters start_time"
    // (docs/wecom/schedules.md#adding-a-schedule); a zero-length schedule is refused the same
    // way (not documented).
    let start = integer(schedule, "start_time")?;
    let end = integer(schedule, "end_time")?;
    let (start, end) = match (start, end) {
        (Some(s), Some(e)) if e > s => (s, e),
        (_, Some(_)) | (None, None) => {
            return Err(ApiFailure::with_text(40058, "missing paramters start_time"))
        }
        (Some(_), None) => return Err(ApiFailure::with_text(40058, "missing paramters end_time")),
    };
    let whole_day = i64::from(flags::is_on(schedule.get("is_whole_day")));

    let attendees = match previous {
        Some(p) if skip_attendees => p.fields.get("attendees").cloned().unwrap_or(json!([])),
        _ => attendees(schedule, previous, dir)?,
    };
    let admins = admins(schedule, &attendees)?;

    let wrapped = json!({ "schedule": schedule });
    if let Some((path, len, limit)) = limits::exceeded(&wrapped, limits::SCHEDULE_TEXT_LIMITS) {
        return Err(invalid(&format!(
            "{path} is {len} characters; at most {} allowed",
            limit.max
        )));
    }
    let text = |key: &str| -> Result<String, ApiFailure> {
        match schedule.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(invalid(&format!("schedule.{key} must be a string"))),
        }
    };
    let reminders = reminders(schedule.get("reminders"))?;
    match schedule.get("cal_id").and_then(Value::as_str) {
        // The simulator has no oa/calendar/add: only the app's default calendar exists.
        Some(given) if !given.is_empty() && given != cal_id => return Err(ApiFailure::new(90457)),
        _ => {}
    }

    let mut out = Map::new();
    out.insert("admins".into(), json!(admins));
    out.insert("attendees".into(), attendees);
    out.insert("summary".into(), json!(text("summary")?));
    out.insert("description".into(), json!(text("description")?));
    out.insert("reminders".into(), reminders);
    out.insert("location".into(), json!(text("location")?));
    out.insert("cal_id".into(), json!(cal_id));
    out.insert("start_time".into(), json!(start));
    out.insert("end_time".into(), json!(end));
    out.insert("is_whole_day".into(), json!(whole_day));
    Ok(out)
}

/// `[{userid, response_status}]`: at most 1000 (90464), each in the directory. WeCom does not
/// document what it answers for an unknown attendee; the official page says every API but
/// user creation answers 40003 for a userid missing from the contacts, so that is used.
fn attendees(
    schedule: &Value,
    previous: Option<&Schedule>,
    dir: &Directory,
) -> Result<Value, ApiFailure> {
    let list = match schedule.get("attendees") {
        None | Some(Value::Null) => return Ok(json!([])),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(invalid("schedule.attendees must be an array")),
    };
    if list.len() > limits::SCHEDULE_MAX_ATTENDEES {
        return Err(ApiFailure::new(90464));
    }
    let answers = previous
        .map(Schedule::attendee_statuses)
        .unwrap_or_default();
    let mut seen: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for (i, attendee) in list.iter().enumerate() {
        let Some(userid) = attendee.get("userid").and_then(Value::as_str) else {
            return Err(invalid(&format!(
                "schedule.attendees[{i}].userid is required"
            )));
        };
        if !dir.user_exists(userid) {
            return Err(ApiFailure::detail(
                40003,
                &format!("schedule.attendees[{i}].userid {userid:?} is not in the contacts"),
            ));
        }
        let key = userid.to_ascii_lowercase();
        if seen.contains(&key) {
            continue;
        }
        let spelled = dir
            .known_user(userid)
            .map_or_else(|| userid.to_string(), |u| u.userid.clone());
        let status = answers.get(&key).cloned().unwrap_or(json!(0));
        out.push(json!({"userid": spelled, "response_status": status}));
        seen.push(key);
    }
    Ok(Value::Array(out))
}

/// At most 3; each must be an attendee ("管理员必须在共享成员的列表中", 90492).
fn admins(schedule: &Value, attendees: &Value) -> Result<Vec<String>, ApiFailure> {
    let list = match schedule.get("admins") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(invalid("schedule.admins must be an array of userids")),
    };
    if list.len() > limits::SCHEDULE_MAX_ADMINS {
        return Err(invalid("schedule.admins allows at most 3 userids"));
    }
    let members: Vec<String> = attendees
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a.get("userid").and_then(Value::as_str))
        .map(str::to_ascii_lowercase)
        .collect();
    list.iter()
        .map(|a| match a.as_str() {
            Some(id) if members.contains(&id.to_ascii_lowercase()) => Ok(id.to_string()),
            Some(id) => Err(ApiFailure::detail(
                90492,
                &format!("{id} is not an attendee"),
            )),
            None => Err(invalid("schedule.admins must be an array of userids")),
        })
        .collect()
}

/// The reminders WeCom keeps, checked: offsets (90704), the legacy fixed choices (90471),
/// repeat types (90465), time zones (90480). Absent: no reminder, no repeat, UTC+8.
fn reminders(given: Option<&Value>) -> Result<Value, ApiFailure> {
    let mut out = Map::new();
    out.insert("is_remind".into(), json!(0));
    out.insert("is_repeat".into(), json!(0));
    out.insert("timezone".into(), json!(8));
    let given = match given {
        None | Some(Value::Null) => return Ok(Value::Object(out)),
        Some(v @ Value::Object(_)) => v,
        Some(_) => return Err(invalid("schedule.reminders must be an object")),
    };
    let int = |key: &str| given.get(key).and_then(flags::integer);
    if let Some(diffs) = given.get("remind_time_diffs") {
        let ok = diffs.as_array().is_some_and(|list| {
            list.iter().all(|d| {
                d.as_i64().is_some_and(|d| {
                    (limits::SCHEDULE_REMIND_MIN..=limits::SCHEDULE_REMIND_MAX).contains(&d)
                })
            })
        });
        if !ok {
            return Err(ApiFailure::new(90704));
        }
    }
    if let Some(secs) = given.get("remind_before_event_secs") {
        if !flags::integer(secs).is_some_and(|s| REMIND_BEFORE_EVENT_SECS.contains(&s)) {
            return Err(ApiFailure::new(90471));
        }
    }
    if flags::is_on(given.get("is_repeat")) {
        if let Some(kind) = given.get("repeat_type") {
            if !flags::integer(kind).is_some_and(|k| REPEAT_TYPES.contains(&k)) {
                return Err(ApiFailure::new(90465));
            }
        }
    }
    if let Some(tz) = given.get("timezone") {
        if !flags::integer(tz).is_some_and(|t| (-12..=12).contains(&t)) {
            return Err(ApiFailure::new(90480));
        }
    }
    for key in REMINDER_FIELDS {
        if let Some(v) = given.get(*key).filter(|v| !v.is_null()) {
            let value = match *key {
                "is_remind" | "is_repeat" | "is_custom_repeat" => {
                    json!(i64::from(flags::is_on(Some(v))))
                }
                "remind_time_diffs" | "repeat_day_of_week" | "repeat_day_of_month" => v.clone(),
                _ => int(key).map_or_else(|| v.clone(), |n| json!(n)),
            };
            out.insert((*key).to_string(), value);
        }
    }
    Ok(Value::Object(out))
}

fn add(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    added(ctx, &body).into()
}

fn added(ctx: &Ctx, body: &Value) -> Result<Map<String, Value>, ApiFailure> {
    let schedule = body.get("schedule").unwrap_or(&Value::Null);
    let agent_id = ctx.app().agent_id();
    let mut state = ctx.world.domains.schedule.lock();
    let cal_id = state.calendar(agent_id);
    let fields = build(schedule, None, false, &ctx.world.directory.read(), &cal_id)?;
    let id = loop {
        let id = random_schedule_id();
        if !state.schedules.contains_key(&id) {
            break id;
        }
    };
    state.schedules.insert(
        id.clone(),
        Schedule {
            agent_id,
            status: 0,
            fields,
        },
    );
    Ok(fields! {"schedule_id" => id})
}

fn update(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    updated(ctx, &body).into()
}

fn updated(ctx: &Ctx, body: &Value) -> Result<Map<String, Value>, ApiFailure> {
    let schedule = body.get("schedule").unwrap_or(&Value::Null);
    let Some(id) = schedule
        .get("schedule_id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err(invalid("schedule.schedule_id is required"));
    };
    let skip_attendees = flags::is_on(body.get("skip_attendees"));
    let agent_id = ctx.app().agent_id();
    let now = ctx.world.clock.unix();
    let mut state = ctx.world.domains.schedule.lock();
    let cal_id = state.calendar(agent_id);
    let existing = state.owned(id, agent_id)?;
    if existing.status == 1 {
        return Err(ApiFailure::new(90460));
    }
    let fields = build(
        schedule,
        Some(existing),
        skip_attendees,
        &ctx.world.directory.read(),
        &cal_id,
    )?;
    // 90706: a one-off schedule's start cannot be moved into the past.
    let repeating = flags::is_on(fields.get("reminders").and_then(|r| r.get("is_repeat")));
    let start = fields.get("start_time").and_then(Value::as_i64);
    let moved = start != existing.fields.get("start_time").and_then(Value::as_i64);
    if !repeating && moved && start.is_some_and(|s| s < now) {
        return Err(ApiFailure::new(90706));
    }
    existing.fields = fields;
    Ok(Map::new())
}

fn get(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    listed(ctx, &body).into()
}

fn listed(ctx: &Ctx, body: &Value) -> Result<Map<String, Value>, ApiFailure> {
    let ids: Vec<&str> = body
        .get("schedule_id_list")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    if ids.is_empty() {
        return Err(ApiFailure::new(90462));
    }
    let agent_id = ctx.app().agent_id();
    let mut state = ctx.world.domains.schedule.lock();
    let list = ids
        .iter()
        .map(|id| state.owned(id, agent_id).map(|s| s.to_json(id)))
        .collect::<Result<Vec<Value>, ApiFailure>>()?;
    Ok(fields! {"schedule_list" => list})
}

fn del(ctx: &Ctx) -> Reply {
    let body = reply_try!(ctx.json());
    deleted(ctx, &body).into()
}

fn deleted(ctx: &Ctx, body: &Value) -> Result<Map<String, Value>, ApiFailure> {
    let Some(id) = body
        .get("schedule_id")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
    else {
        return Err(invalid("schedule_id is required"));
    };
    let mut state = ctx.world.domains.schedule.lock();
    let schedule = state.owned(id, ctx.app().agent_id())?;
    if schedule.status == 1 {
        return Err(ApiFailure::new(90460));
    }
    schedule.status = 1;
    Ok(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lenient() -> Directory {
        Directory::from_config(&json!({})).unwrap()
    }

    fn code(r: Result<Map<String, Value>, ApiFailure>) -> i64 {
        r.map_or_else(|f| f.errcode, |_| 0)
    }

    #[test]
    fn times_attendees_admins_and_texts() {
        let dir = lenient();
        let b = |s: Value| code(build(&s, None, false, &dir, "wcCAL"));
        assert_eq!(b(json!({"start_time": 100, "end_time": 200})), 0);
        assert_eq!(b(json!({"start_time": "100", "end_time": "200"})), 0);
        assert_eq!(b(json!({"start_time": 200, "end_time": 100})), 40058);
        assert_eq!(b(json!({"end_time": 100})), 40058);
        let many: Vec<Value> = (0..1001)
            .map(|i| json!({"userid": format!("u{i}")}))
            .collect();
        assert_eq!(
            b(json!({"start_time": 1, "end_time": 2, "attendees": many})),
            90464
        );
        assert_eq!(
            b(json!({"start_time": 1, "end_time": 2, "attendees": [{"userid": "bad id!"}]})),
            40003
        );
        assert_eq!(
            b(json!({"start_time": 1, "end_time": 2, "admins": ["lilei"]})),
            90492
        );
        assert_eq!(
            b(json!({"start_time": 1, "end_time": 2, "summary": "x".repeat(129)})),
            40058
        );
        assert_eq!(
            b(json!({"start_time": 1, "end_time": 2, "cal_id": "other"})),
            90457
        );
    }

    #[test]
    fn reminders_are_checked_and_completed() {
        assert_eq!(
            reminders(None).unwrap(),
            json!({"is_remind": 0, "is_repeat": 0, "timezone": 8})
        );
        let r = reminders(Some(
            &json!({"is_remind": true, "remind_time_diffs": [-900]}),
        ))
        .unwrap();
        assert_eq!(r["is_remind"], 1);
        assert_eq!(r["remind_time_diffs"], json!([-900]));
        let err = |v: Value| reminders(Some(&v)).unwrap_err().errcode;
        assert_eq!(err(json!({"remind_time_diffs": [-700000]})), 90704);
        assert_eq!(err(json!({"remind_before_event_secs": 60})), 90471);
        assert_eq!(err(json!({"is_repeat": 1, "repeat_type": 3})), 90465);
        assert_eq!(err(json!({"timezone": 13})), 90480);
    }

    #[test]
    fn ids_look_like_wecom_ids() {
        let id = random_schedule_id();
        assert_eq!(id.len(), 32);
        assert!(id.ends_with("AAA"));
    }
}
