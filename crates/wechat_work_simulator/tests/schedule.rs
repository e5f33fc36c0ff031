//! Schedules over the wire: add, get, update (overwrite), del, and WeCom's errcodes.

mod common;

use std::time::{SystemTime, UNIX_EPOCH};

use common::{errcode, other_token, post, token, two_apps, Conn};
use serde_json::{json, Value};

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn interview(start: i64) -> Value {
    json!({
        "admins": ["hanmeimei"],
        "start_time": start,
        "end_time": start + 3600,
        "attendees": [{"userid": "hanmeimei"}, {"userid": "LiLei"}],
        "summary": "Interview: Zhang San",
        "description": "Second round",
        "location": "Room 3",
        "reminders": {"is_remind": 1, "remind_time_diffs": [-900]}
    })
}

fn fetch(conn: &mut Conn, t: &str, id: &str) -> Value {
    let answer = post(
        conn,
        t,
        "oa/schedule/get",
        &json!({"schedule_id_list": [id]}),
    );
    assert_eq!(errcode(&answer), 0, "{answer}");
    answer["schedule_list"][0].clone()
}

#[test]
fn add_get_update_delete() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let start = now() + 86400;
    let added = post(
        &mut conn,
        &t,
        "oa/schedule/add",
        &json!({"schedule": interview(start)}),
    );
    assert_eq!(errcode(&added), 0, "{added}");
    let id = added["schedule_id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 32);

    let got = fetch(&mut conn, &t, &id);
    assert_eq!(got["schedule_id"], id.as_str());
    assert_eq!(got["status"], 0);
    assert_eq!(got["start_time"], start);
    assert_eq!(got["end_time"], start + 3600);
    assert_eq!(got["summary"], "Interview: Zhang San");
    assert_eq!(got["admins"], json!(["hanmeimei"]));
    assert_eq!(
        got["attendees"],
        json!([{"userid": "hanmeimei", "response_status": 0}, {"userid": "lilei", "response_status": 0}])
    );
    assert_eq!(got["reminders"]["remind_time_diffs"], json!([-900]));
    assert_eq!(got["reminders"]["is_remind"], 1);
    assert!(got["cal_id"].as_str().unwrap().starts_with("wc"));

    // Overwrite: what update leaves out is gone.
    let updated = post(
        &mut conn,
        &t,
        "oa/schedule/update",
        &json!({"schedule": {"schedule_id": id, "start_time": start + 7200, "end_time": start + 9000,
                             "attendees": [{"userid": "zhangsan"}]}}),
    );
    assert_eq!(updated, json!({"errcode": 0, "errmsg": "ok"}));
    let got = fetch(&mut conn, &t, &id);
    assert_eq!(got["start_time"], start + 7200);
    assert_eq!(got["summary"], "");
    assert_eq!(got["location"], "");
    assert_eq!(got["admins"], json!([]));
    assert_eq!(got["reminders"]["is_remind"], 0);
    assert_eq!(
        got["attendees"],
        json!([{"userid": "zhangsan", "response_status": 0}])
    );

    // skip_attendees keeps them.
    let kept = post(
        &mut conn,
        &t,
        "oa/schedule/update",
        &json!({"skip_attendees": 1, "schedule": {"schedule_id": id, "start_time": start + 7200,
                "end_time": start + 9000, "summary": "Moved"}}),
    );
    assert_eq!(errcode(&kept), 0, "{kept}");
    let got = fetch(&mut conn, &t, &id);
    assert_eq!(got["summary"], "Moved");
    assert_eq!(got["attendees"][0]["userid"], "zhangsan");

    let del = post(
        &mut conn,
        &t,
        "oa/schedule/del",
        &json!({"schedule_id": id}),
    );
    assert_eq!(del, json!({"errcode": 0, "errmsg": "ok"}));
    assert_eq!(
        fetch(&mut conn, &t, &id)["status"],
        1,
        "a deleted schedule reads as cancelled"
    );
    assert_eq!(
        errcode(&post(
            &mut conn,
            &t,
            "oa/schedule/del",
            &json!({"schedule_id": id})
        )),
        90460
    );
    let again =
        json!({"schedule": {"schedule_id": id, "start_time": start, "end_time": start + 60}});
    assert_eq!(
        errcode(&post(&mut conn, &t, "oa/schedule/update", &again)),
        90460
    );
    sim.stop();
}

#[test]
fn add_errors() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let start = now() + 3600;
    let mut add = |schedule: Value| {
        post(
            &mut conn,
            &t,
            "oa/schedule/add",
            &json!({ "schedule": schedule }),
        )
    };
    let backwards = add(json!({"start_time": start, "end_time": start - 60}));
    assert_eq!(errcode(&backwards), 40058);
    assert!(backwards["errmsg"]
        .as_str()
        .unwrap()
        .starts_with("missing paramters start_time, hint: ["));
    let many: Vec<Value> = (0..1001)
        .map(|i| json!({"userid": format!("u{i}")}))
        .collect();
    assert_eq!(
        errcode(&add(
            json!({"start_time": start, "end_time": start + 60, "attendees": many})
        )),
        90464
    );
    let ghost = add(
        json!({"start_time": start, "end_time": start + 60, "attendees": [{"userid": "ghost"}]}),
    );
    assert_eq!(errcode(&ghost), 40003);
    assert!(ghost["errmsg"].as_str().unwrap().contains("ghost"));
    assert_eq!(
        errcode(&add(
            json!({"start_time": start, "end_time": start + 60, "admins": ["lilei"]})
        )),
        90492
    );
    assert_eq!(
        errcode(&add(json!({"start_time": start, "end_time": start + 60,
                            "reminders": {"is_remind": 1, "remind_time_diffs": [-604801]}}))),
        90704
    );
    assert_eq!(
        errcode(&add(
            json!({"start_time": start, "end_time": start + 60, "cal_id": "wcSOMEONEELSE"})
        )),
        90457
    );
    assert_eq!(
        errcode(&post(
            &mut conn,
            &t,
            "oa/schedule/get",
            &json!({"schedule_id_list": []})
        )),
        90462
    );
    assert_eq!(
        errcode(&post(
            &mut conn,
            &t,
            "oa/schedule/get",
            &json!({"schedule_id_list": ["nope"]})
        )),
        90461
    );
    sim.stop();
}

#[test]
fn schedules_belong_to_the_app_that_created_them() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let other = other_token(&mut conn, &sim);
    let start = now() + 3600;
    let added = post(
        &mut conn,
        &t,
        "oa/schedule/add",
        &json!({"schedule": interview(start)}),
    );
    let id = added["schedule_id"].as_str().unwrap();
    let get = post(
        &mut conn,
        &other,
        "oa/schedule/get",
        &json!({"schedule_id_list": [id]}),
    );
    assert_eq!(errcode(&get), 90466);
    let update =
        json!({"schedule": {"schedule_id": id, "start_time": start, "end_time": start + 60}});
    assert_eq!(
        errcode(&post(&mut conn, &other, "oa/schedule/update", &update)),
        90466
    );
    assert_eq!(
        errcode(&post(
            &mut conn,
            &other,
            "oa/schedule/del",
            &json!({"schedule_id": id})
        )),
        90466
    );
    assert_eq!(fetch(&mut conn, &t, id)["status"], 0);
    sim.stop();
}

#[test]
fn a_one_off_schedule_cannot_move_into_the_past() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let start = now() + 3600;
    let added = post(
        &mut conn,
        &t,
        "oa/schedule/add",
        &json!({"schedule": interview(start)}),
    );
    let id = added["schedule_id"].as_str().unwrap();
    let past = json!({"schedule": {"schedule_id": id, "start_time": now() - 7200, "end_time": now() - 3600}});
    assert_eq!(
        errcode(&post(&mut conn, &t, "oa/schedule/update", &past)),
        90706
    );
    sim.stop();
}
