//! Booked meetings (预约会议, path/97454 create, path/98148 fields, update/cancel/get_info) and
//! join links for outside guests (path/98818). Only apps added under 会议 → 可调用接口的应用;
//! an app sees only the meetings it created. `meetingid` is a String.

use std::time::{SystemTime, UNIX_EPOCH};

use super::{Endpoint, Params};
use crate::error::Result;
use crate::wecom::limits;

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint::post("meeting/create", "path/97454").validate(validate_create),
    Endpoint::post("meeting/update", "path/98154").validate(validate_update),
    Endpoint::post("meeting/cancel", "path/98153").validate(validate_cancel),
    Endpoint::post("meeting/get_info", "path/98149")
        .safe()
        .validate(validate_get),
    Endpoint::post("meeting/create_customer_short_url", "path/98818")
        .validate(validate_customer_url),
];

/// The fields of a meeting as create takes them (update adds `meetingid`), get_info answers
/// them back. `agentid` is the calling app's, not the meeting's.
pub const MEETING_FIELDS: &[&str] = &[
    "admin_userid",
    "title",
    "meeting_start",
    "meeting_duration",
    "description",
    "location",
    "invitees",
    "settings",
    "cal_id",
    "reminders",
    "agentid",
];

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn check_meeting(p: &Params, update: bool) -> Result<()> {
    if !update || p.has("title") {
        p.str("title")?;
    }
    if !update || p.has("meeting_start") {
        let start = p.int("meeting_start")?;
        if start <= now() {
            return Err(p.fail(format!("meeting_start ({start}) must be in the future")));
        }
    }
    if !update || p.has("meeting_duration") {
        let d = p.int("meeting_duration")?;
        let (min, max) = (
            limits::MEETING_MIN_DURATION as i64,
            limits::MEETING_MAX_DURATION as i64,
        );
        if !(min..=max).contains(&d) {
            return Err(p.fail(format!(
                "meeting_duration must be {min} to {max} seconds, got {d}"
            )));
        }
    }
    p.text_limits("", limits::MEETING_TEXT_LIMITS)?;
    if let Some(v) = p.get("invitees") {
        let invitees = p.at(v);
        invitees.only(&["userid"], "invitees")?;
        count(&invitees, "invitees.userid", limits::MEETING_MAX_INVITEES)?;
    }
    if let Some(v) = p.get("settings") {
        let s = p.at(v);
        if let Some(password) = s.opt_str("password")? {
            let digits = limits::MEETING_PASSWORD_DIGITS;
            if !digits.contains(&password.len()) || !password.bytes().all(|b| b.is_ascii_digit()) {
                return Err(p.fail(format!(
                    "settings.password must be {} to {} digits",
                    digits.start(),
                    digits.end()
                )));
            }
        }
        if let Some(hosts) = s.get("hosts") {
            count(
                &s.at(hosts),
                "settings.hosts.userid",
                limits::MEETING_MAX_HOSTS,
            )?;
        }
        if let Some(scope) = s.opt_int("remind_scope")? {
            if !(1..=4).contains(&scope) {
                return Err(p.fail(format!(
                    "settings.remind_scope must be 1 (none), 2 (host), 3 (all) or 4 (ring_users), got {scope}"
                )));
            }
        }
    }
    if let Some(r) = p.get("reminders") {
        let r = p.at(r);
        for (i, v) in r.array("remind_before", 0, 5)?.iter().enumerate() {
            if !v
                .as_u64()
                .is_some_and(|s| limits::MEETING_REMIND_BEFORE.contains(&s))
            {
                return Err(p.fail(format!(
                    "reminders.remind_before[{i}] must be one of {:?} seconds, got {v}",
                    limits::MEETING_REMIND_BEFORE
                )));
            }
        }
    }
    Ok(())
}

/// `{"userid": [...]}` with at most `max` userids; `name` is the field's path in the body.
fn count(list: &Params, name: &str, max: usize) -> Result<()> {
    let ids = list.strings("userid", 0, usize::MAX)?;
    if ids.len() > max {
        return Err(list.fail(format!(
            "{name} has {} userids; WeCom takes at most {max}",
            ids.len()
        )));
    }
    Ok(())
}

fn validate_create(p: &Params) -> Result<()> {
    p.only(MEETING_FIELDS, "meeting/create")?;
    p.str("admin_userid")?;
    check_meeting(p, false)
}

fn validate_update(p: &Params) -> Result<()> {
    let mut fields = MEETING_FIELDS.to_vec();
    fields.push("meetingid");
    p.only(&fields, "meeting/update")?;
    p.str("meetingid")?;
    check_meeting(p, true)
}

fn validate_cancel(p: &Params) -> Result<()> {
    p.only(&["meetingid", "sub_meetingid"], "meeting/cancel")?;
    p.str("meetingid").map(drop)
}

fn validate_get(p: &Params) -> Result<()> {
    p.only(&["meetingid"], "meeting/get_info")?;
    p.str("meetingid").map(drop)
}

fn validate_customer_url(p: &Params) -> Result<()> {
    p.only(
        &["meetingid", "customer_data"],
        "meeting/create_customer_short_url",
    )?;
    p.str("meetingid")?;
    if let Some(data) = p.opt_str("customer_data")? {
        if data.len() > limits::CUSTOMER_DATA_BYTES {
            return Err(p.fail(format!(
                "customer_data is {} bytes; WeCom allows at most {}",
                data.len(),
                limits::CUSTOMER_DATA_BYTES
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn durations_times_and_passwords() {
        let create = |extra: Value| {
            let mut v = json!({"admin_userid": "lilei", "title": "Interview", "meeting_start": now() + 3600, "meeting_duration": 3600});
            for (k, x) in extra.as_object().into_iter().flatten() {
                v[k] = x.clone();
            }
            validate_create(&Params::new("meeting/create", &v))
        };
        create(json!({})).unwrap();
        let err = |e: Value| create(e).unwrap_err().to_string();
        assert!(err(json!({"meeting_duration": 60})).contains("300 to 86399 seconds"));
        assert!(err(json!({"meeting_start": 1})).contains("must be in the future"));
        assert!(err(json!({"settings": {"password": "12ab"}})).contains("4 to 6 digits"));
        let many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
        assert!(err(json!({"invitees": {"userid": many}}))
            .contains("invitees.userid has 101 userids; WeCom takes at most 100"));
        assert!(err(json!({"reminders": {"remind_before": [60]}})).contains("remind_before[0]"));
    }
}
