//! Schedules (日程, path/93648 overview, path/93703 add, path/97720 update): only for apps added
//! under 日程 → 可调用接口的应用. Times are Unix seconds.

use serde_json::Value;

use super::{Endpoint, Params};
use crate::error::Result;
use crate::wecom::limits;

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint::post("oa/schedule/add", "path/93703").validate(validate_add),
    Endpoint::post("oa/schedule/update", "path/97720").validate(validate_update),
    Endpoint::post("oa/schedule/get", "path/93704")
        .safe()
        .validate(validate_get),
    Endpoint::post("oa/schedule/del", "path/93705").validate(validate_del),
];

const SCHEDULE_FIELDS: &[&str] = &[
    "schedule_id",
    "admins",
    "start_time",
    "end_time",
    "is_whole_day",
    "attendees",
    "summary",
    "description",
    "reminders",
    "location",
    "cal_id",
];

fn check_schedule(p: &Params, update: bool) -> Result<()> {
    let s = p.obj("schedule")?;
    s.only(SCHEDULE_FIELDS, "schedule")?;
    if update {
        s.str_named("schedule_id", "schedule.schedule_id")?;
    } else if s.has("schedule_id") {
        return Err(p.fail("schedule.schedule_id is for oa/schedule/update"));
    }
    let start = s.int("start_time")?;
    let end = s.int("end_time")?;
    if end <= start {
        return Err(p.fail(format!(
            "schedule.end_time ({end}) must be after start_time ({start})"
        )));
    }
    s.strings("admins", 0, limits::SCHEDULE_MAX_ADMINS)?;
    let attendees = s.array("attendees", 0, limits::SCHEDULE_MAX_ATTENDEES)?;
    for (i, a) in attendees.iter().enumerate() {
        s.at(a)
            .str_named("userid", &format!("schedule.attendees[{i}].userid"))?;
    }
    p.text_limits("", limits::SCHEDULE_TEXT_LIMITS)?;
    if let Some(reminders) = s.get("reminders") {
        let r = s.at(reminders);
        for (i, diff) in r.array("remind_time_diffs", 0, 64)?.iter().enumerate() {
            let ok = diff.as_i64().is_some_and(|d| {
                (limits::SCHEDULE_REMIND_MIN..=limits::SCHEDULE_REMIND_MAX).contains(&d)
            });
            if !ok {
                return Err(p.fail(format!(
                    "schedule.reminders.remind_time_diffs[{i}] must be seconds from {} to {}, got {diff}",
                    limits::SCHEDULE_REMIND_MIN,
                    limits::SCHEDULE_REMIND_MAX
                )));
            }
        }
    }
    Ok(())
}

fn validate_add(p: &Params) -> Result<()> {
    p.only(&["schedule", "agentid"], "oa/schedule/add")?;
    check_schedule(p, false)
}

fn validate_update(p: &Params) -> Result<()> {
    p.only(
        &["schedule", "skip_attendees", "op_mode", "op_start_time"],
        "oa/schedule/update",
    )?;
    check_schedule(p, true)
}

fn validate_get(p: &Params) -> Result<()> {
    p.only(&["schedule_id_list"], "oa/schedule/get")?;
    p.strings("schedule_id_list", 1, 1000).map(drop)
}

fn validate_del(p: &Params) -> Result<()> {
    p.only(
        &["schedule_id", "op_mode", "op_start_time"],
        "oa/schedule/del",
    )?;
    p.str("schedule_id").map(drop)
}

/// The schedule object's `attendees` as userids (the simulator and the Ruby layer read them).
pub fn attendee_ids(schedule: &Value) -> Vec<String> {
    schedule
        .get("attendees")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| a.get("userid").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn times_attendees_and_texts() {
        let add = |s: Value| validate_add(&Params::new("oa/schedule/add", &json!({"schedule": s})));
        add(json!({"start_time": 100, "end_time": 200, "attendees": [{"userid": "lilei"}], "summary": "Interview"})).unwrap();
        let err = |s: Value| add(s).unwrap_err().to_string();
        assert!(err(json!({"start_time": 200, "end_time": 100}))
            .contains("end_time (100) must be after start_time (200)"));
        assert!(
            err(json!({"start_time": 1, "end_time": 2, "summary": "x".repeat(129)}))
                .contains("schedule.summary is 129 characters")
        );
        assert!(
            err(json!({"start_time": 1, "end_time": 2, "attendees": [{"user": "a"}]}))
                .contains("attendees[0].userid is missing")
        );
        assert!(err(
            json!({"start_time": 1, "end_time": 2, "reminders": {"remind_time_diffs": [-700000]}})
        )
        .contains("remind_time_diffs[0]"));
        assert!(err(json!({"end_time": 2})).contains("start_time is missing"));
    }
}
