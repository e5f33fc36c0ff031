//! Booked meetings over the wire: WeCom's checks, the app boundary, cancel and get_info.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{errcode, post, start_with, token, Conn};
use serde_json::{json, Value};
use wechat_work_simulator::SimulatorConfig;

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Two apps ("s3cret" and "other"), strict users: lilei, hanmeimei, zhangsan.
fn config() -> SimulatorConfig {
    let mut config = SimulatorConfig::default();
    let mut other = config.apps[0].clone();
    other.name = "other".into();
    other.secret = "other".into();
    other.agent_id = 1000003;
    config.apps.push(other);
    config.directory = json!({"users": [
        {"userid": "lilei", "department": [2]},
        {"userid": "hanmeimei", "department": [3]},
        {"userid": "zhangsan", "department": [2]}
    ]});
    config
}

fn other_token(conn: &mut Conn, corp_id: &str) -> String {
    let body = conn.json(
        "GET",
        &format!("/cgi-bin/gettoken?corpid={corp_id}&corpsecret=other"),
        "",
    );
    body["access_token"].as_str().unwrap().to_string()
}

fn meeting(extra: Value) -> Value {
    let mut body = json!({
        "admin_userid": "hanmeimei",
        "title": "Interview: Wang Fang",
        "meeting_start": now() + 3600,
        "meeting_duration": 2700,
        "invitees": {"userid": ["lilei", "zhangsan"]},
        "settings": {"password": "2046", "hosts": {"userid": ["lilei"]}}
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

#[test]
fn create_get_update_cancel() {
    let sim = start_with(config());
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let created = post(&mut conn, &t, "meeting/create", &meeting(json!({})));
    assert_eq!(errcode(&created), 0, "{created}");
    let id = created["meetingid"].as_str().unwrap().to_string();
    assert_eq!(created["meeting_code"].as_str().unwrap().len(), 9);
    assert!(created["meeting_link"]
        .as_str()
        .unwrap()
        .starts_with("https://"));

    let info = post(&mut conn, &t, "meeting/get_info", &json!({"meetingid": id}));
    assert_eq!(errcode(&info), 0, "{info}");
    assert_eq!(info["title"], "Interview: Wang Fang");
    assert_eq!(info["admin_userid"], "hanmeimei");
    assert_eq!(info["meeting_duration"], 2700);
    assert_eq!(info["status"], 1);
    assert_eq!(info["main_department"], 3);
    assert_eq!(info["settings"]["password"], "2046");
    assert_eq!(info["settings"]["need_password"], true);
    let members: Vec<&str> = info["attendees"]["member"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["userid"].as_str().unwrap())
        .collect();
    assert_eq!(members, vec!["hanmeimei", "lilei", "zhangsan"]);
    assert!(info["attendees"]["member"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["status"] == 2));

    let updated = post(
        &mut conn,
        &t,
        "meeting/update",
        &json!({"meetingid": id, "title": "Onsite: Wang Fang", "invitees": {"userid": ["lilei"]},
                "settings": {"enable_waiting_room": true}}),
    );
    assert_eq!(errcode(&updated), 0, "{updated}");
    let info = post(&mut conn, &t, "meeting/get_info", &json!({"meetingid": id}));
    assert_eq!(info["title"], "Onsite: Wang Fang");
    assert_eq!(info["attendees"]["member"].as_array().unwrap().len(), 2);
    // settings merge: the password stays
    assert_eq!(info["settings"]["password"], "2046");
    assert_eq!(info["settings"]["enable_waiting_room"], true);

    let url = post(
        &mut conn,
        &t,
        "meeting/create_customer_short_url",
        &json!({"meetingid": id, "customer_data": "candidate-42"}),
    );
    assert_eq!(errcode(&url), 0, "{url}");
    let link = &url["meeting_short_url_customer_data"];
    assert_eq!(link["customer_data"], "candidate-42");
    assert!(link["meeting_short_url"]
        .as_str()
        .unwrap()
        .starts_with("https://meeting.tencent.com/s/"));

    let cancelled = post(&mut conn, &t, "meeting/cancel", &json!({"meetingid": id}));
    assert_eq!(errcode(&cancelled), 0, "{cancelled}");
    let info = post(&mut conn, &t, "meeting/get_info", &json!({"meetingid": id}));
    assert_eq!(info["status"], 4);
    let again = post(&mut conn, &t, "meeting/cancel", &json!({"meetingid": id}));
    assert_eq!(errcode(&again), 400041);
    let update = post(
        &mut conn,
        &t,
        "meeting/update",
        &json!({"meetingid": id, "title": "x"}),
    );
    assert_eq!(errcode(&update), 400041);
    let url = post(
        &mut conn,
        &t,
        "meeting/create_customer_short_url",
        &json!({"meetingid": id}),
    );
    assert_eq!(errcode(&url), 400041);
    // nothing about meetings is delivered to people
    assert_eq!(sim.world().message_count(), 0);
}

#[test]
fn wecom_checks() {
    let sim = start_with(config());
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let code =
        |conn: &mut Conn, extra: Value| errcode(&post(conn, &t, "meeting/create", &meeting(extra)));
    assert_eq!(
        code(&mut conn, json!({"meeting_start": now() - 60})),
        400034
    );
    assert_eq!(code(&mut conn, json!({"meeting_duration": 299})), 400035);
    assert_eq!(code(&mut conn, json!({"meeting_duration": 86400})), 400035);
    assert_eq!(code(&mut conn, json!({"meeting_duration": 86399})), 0);
    // one unknown invitee fails the whole call: no meeting is made
    let before = sim.world().domains.meeting.lock().meetings.len();
    let bad = post(
        &mut conn,
        &t,
        "meeting/create",
        &meeting(json!({"invitees": {"userid": ["lilei", "ghost"]}})),
    );
    assert_eq!(errcode(&bad), 400021);
    assert!(bad["errmsg"].as_str().unwrap().contains("ghost"));
    assert_eq!(sim.world().domains.meeting.lock().meetings.len(), before);
    let many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    assert_eq!(
        code(&mut conn, json!({"invitees": {"userid": many}})),
        400020
    );
    for password in ["123", "1234567", "12ab"] {
        assert_eq!(
            code(&mut conn, json!({"settings": {"password": password}})),
            400030,
            "{password}"
        );
    }
    assert_eq!(
        code(&mut conn, json!({"settings": {"password": "123456"}})),
        0
    );
    let hosts: Vec<String> = (0..11).map(|_| "lilei".to_string()).collect();
    assert_eq!(
        code(&mut conn, json!({"settings": {"hosts": {"userid": hosts}}})),
        400027
    );
    assert_eq!(code(&mut conn, json!({"title": ""})), 400042);
    assert_eq!(code(&mut conn, json!({"title": "x".repeat(256)})), 400042);
    let missing_admin = post(
        &mut conn,
        &t,
        "meeting/create",
        &json!({"title": "x", "meeting_start": now() + 600, "meeting_duration": 600}),
    );
    assert_eq!(errcode(&missing_admin), 40058);
    assert_eq!(code(&mut conn, json!({"admin_userid": "ghost"})), 40003);
    let long = post(
        &mut conn,
        &t,
        "meeting/create_customer_short_url",
        &json!({"meetingid": "x", "customer_data": "x".repeat(257)}),
    );
    assert_eq!(errcode(&long), 40058);
}

#[test]
fn an_app_sees_only_its_own_meetings() {
    let sim = start_with(config());
    let mut conn = Conn::open(&sim);
    let mine = token(&mut conn, &sim);
    let theirs = other_token(&mut conn, &sim.world().corp_id);
    let id = post(&mut conn, &mine, "meeting/create", &meeting(json!({})))["meetingid"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        "meeting/get_info",
        "meeting/cancel",
        "meeting/update",
        "meeting/create_customer_short_url",
    ] {
        let answer = post(&mut conn, &theirs, path, &json!({"meetingid": id}));
        assert_eq!(errcode(&answer), 730005, "{path}: {answer}");
    }
    let unknown = post(
        &mut conn,
        &mine,
        "meeting/get_info",
        &json!({"meetingid": "hyNoSuchMeeting"}),
    );
    assert_eq!(errcode(&unknown), 90602);
    // still there for its own app
    let info = post(
        &mut conn,
        &mine,
        "meeting/get_info",
        &json!({"meetingid": id}),
    );
    assert_eq!(info["status"], 1);
}

#[test]
fn started_meetings_cannot_change_and_expire_on_the_simulated_clock() {
    let sim = start_with(config());
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let id = post(&mut conn, &t, "meeting/create", &meeting(json!({})))["meetingid"]
        .as_str()
        .unwrap()
        .to_string();
    sim.world().clock.advance(Duration::from_secs(3700));
    let t = token(&mut conn, &sim);
    let update = post(
        &mut conn,
        &t,
        "meeting/update",
        &json!({"meetingid": id, "title": "late"}),
    );
    assert_eq!(errcode(&update), 400221);
    assert_eq!(
        errcode(&post(
            &mut conn,
            &t,
            "meeting/cancel",
            &json!({"meetingid": id})
        )),
        400224
    );
    sim.world().clock.advance(Duration::from_secs(3600));
    let t = token(&mut conn, &sim);
    let info = post(&mut conn, &t, "meeting/get_info", &json!({"meetingid": id}));
    assert_eq!(info["status"], 5, "{info}");
}
