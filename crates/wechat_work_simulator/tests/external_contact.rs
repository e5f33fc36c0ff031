//! External contacts over the wire: the seeded candidates, cursors, contact ways, and mass
//! messages that stay pending (nothing is delivered) until the member confirms.

mod common;

use common::{errcode, get, post, start, token, Conn};
use serde_json::{json, Value};
use wechat_work_simulator::endpoints::external_contact::{
    Follow, CHEN_JING, LIU_YANG, WANG_FANG, ZHAO_LEI,
};

fn strings(value: &Value) -> Vec<&str> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

#[test]
fn list_and_get_the_seeded_candidates() {
    let sim = start();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let list = get(&mut conn, &t, "externalcontact/list", "userid=lilei");
    assert_eq!(errcode(&list), 0, "{list}");
    let mut ids = strings(&list["external_userid"]);
    ids.sort_unstable();
    let mut expected = vec![WANG_FANG, ZHAO_LEI, CHEN_JING];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    // lenient directory: any member exists, most have no customers
    let none = get(&mut conn, &t, "externalcontact/list", "userid=newhire");
    assert_eq!(strings(&none["external_userid"]), Vec::<&str>::new());
    assert_eq!(
        errcode(&get(
            &mut conn,
            &t,
            "externalcontact/list",
            "userid=not%20a%20userid"
        )),
        40003
    );

    let one = get(
        &mut conn,
        &t,
        "externalcontact/get",
        &format!("external_userid={WANG_FANG}"),
    );
    assert_eq!(errcode(&one), 0, "{one}");
    assert_eq!(one["external_contact"]["name"], "Wang Fang");
    assert_eq!(one["external_contact"]["type"], 1);
    assert_eq!(one["next_cursor"], "");
    let followers: Vec<&str> = one["follow_user"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["userid"].as_str().unwrap())
        .collect();
    assert_eq!(followers, vec!["hanmeimei", "lilei"]);
    let lilei = &one["follow_user"][1];
    assert_eq!(lilei["state"], "campus-2024");
    assert_eq!(lilei["tags"][0]["tag_id"], "etStageOnsite");

    let headhunter = get(
        &mut conn,
        &t,
        "externalcontact/get",
        &format!("external_userid={CHEN_JING}"),
    );
    assert_eq!(headhunter["external_contact"]["type"], 2);
    assert_eq!(headhunter["external_contact"]["corp_name"], "Talent Bridge");

    let unknown = get(
        &mut conn,
        &t,
        "externalcontact/get",
        "external_userid=wmNoSuchCandidate",
    );
    assert_eq!(errcode(&unknown), 84061);
    let malformed = get(
        &mut conn,
        &t,
        "externalcontact/get",
        "external_userid=lilei",
    );
    assert_eq!(errcode(&malformed), 40096);
}

#[test]
fn get_pages_follow_user_beyond_500() {
    let sim = start();
    {
        let mut state = sim.world().domains.external_contact.lock();
        for i in 0..520 {
            state.follows.push(Follow {
                userid: format!("recruiter{i:03}"),
                external_userid: LIU_YANG.into(),
                remark: String::new(),
                description: String::new(),
                createtime: 1_800_000_000 + i,
                tags: vec![],
                add_way: 1,
                state: None,
            });
        }
    }
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let first = get(
        &mut conn,
        &t,
        "externalcontact/get",
        &format!("external_userid={LIU_YANG}"),
    );
    assert_eq!(first["follow_user"].as_array().unwrap().len(), 500);
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    assert!(!cursor.is_empty());
    let second = get(
        &mut conn,
        &t,
        "externalcontact/get",
        &format!("external_userid={LIU_YANG}&cursor={cursor}"),
    );
    assert_eq!(second["follow_user"].as_array().unwrap().len(), 21);
    assert_eq!(second["next_cursor"], "");
}

#[test]
fn batch_follows_the_cursor_and_clamps_the_limit() {
    let sim = start();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let mut cursor = String::new();
    let mut rows = Vec::new();
    let mut requests = 0;
    loop {
        let page = post(
            &mut conn,
            &t,
            "externalcontact/batch/get_by_user",
            &json!({"userid_list": ["lilei", "zhangsan"], "limit": 2, "cursor": cursor}),
        );
        assert_eq!(errcode(&page), 0, "{page}");
        requests += 1;
        rows.extend(page["external_contact_list"].as_array().unwrap().clone());
        cursor = page["next_cursor"].as_str().unwrap().to_string();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(requests, 2);
    assert_eq!(rows.len(), 4);
    let pairs: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r["follow_info"]["userid"].as_str().unwrap().to_string(),
                r["external_contact"]["name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(pairs.contains(&("zhangsan".into(), "Chen Jing".into())));
    let tagged = rows
        .iter()
        .find(|r| r["follow_info"]["state"] == "campus-2024")
        .unwrap();
    assert_eq!(tagged["follow_info"]["tag_id"], json!(["etStageOnsite"]));

    // above 100 WeCom answers 100 rows: all 7 seeded follows in one page
    let all = post(
        &mut conn,
        &t,
        "externalcontact/batch/get_by_user",
        &json!({"userid_list": ["lilei", "hanmeimei", "zhangsan"], "limit": 1000}),
    );
    assert_eq!(all["external_contact_list"].as_array().unwrap().len(), 7);
    assert_eq!(all["next_cursor"], "");
    let too_many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    let refused = post(
        &mut conn,
        &t,
        "externalcontact/batch/get_by_user",
        &json!({ "userid_list": too_many }),
    );
    assert_eq!(errcode(&refused), 40058);
    let bad_cursor = post(
        &mut conn,
        &t,
        "externalcontact/batch/get_by_user",
        &json!({"userid_list": ["lilei"], "cursor": "nope"}),
    );
    assert_eq!(errcode(&bad_cursor), 40058);
}

#[test]
fn contact_ways() {
    let sim = start();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let qr = post(
        &mut conn,
        &t,
        "externalcontact/add_contact_way",
        &json!({"type": 1, "scene": 2, "user": ["hanmeimei"], "state": "campus-2024"}),
    );
    assert_eq!(errcode(&qr), 0, "{qr}");
    assert!(!qr["config_id"].as_str().unwrap().is_empty());
    assert!(qr["qr_code"].as_str().unwrap().starts_with("https://"));
    let mini = post(
        &mut conn,
        &t,
        "externalcontact/add_contact_way",
        &json!({"type": 2, "scene": 1, "user": ["hanmeimei", "lilei"], "party": [3]}),
    );
    assert_eq!(errcode(&mini), 0, "{mini}");
    assert!(mini.get("qr_code").is_none());
    let code = |conn: &mut Conn, body: Value| {
        errcode(&post(conn, &t, "externalcontact/add_contact_way", &body))
    };
    assert_eq!(
        code(&mut conn, json!({"type": 3, "scene": 2, "user": ["lilei"]})),
        41039
    );
    assert_eq!(
        code(&mut conn, json!({"type": 1, "scene": 9, "user": ["lilei"]})),
        41040
    );
    assert_eq!(
        code(
            &mut conn,
            json!({"type": 1, "scene": 2, "user": ["lilei", "zhangsan"]})
        ),
        40058
    );
    let crowd: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    assert_eq!(
        code(&mut conn, json!({"type": 2, "scene": 2, "user": crowd})),
        41041
    );
    assert_eq!(
        code(
            &mut conn,
            json!({"type": 1, "scene": 2, "user": ["lilei"], "state": "x".repeat(31)})
        ),
        40058
    );
    assert_eq!(
        sim.world()
            .domains
            .external_contact
            .lock()
            .contact_ways
            .len(),
        2
    );
}

#[test]
fn mass_messages_wait_for_the_member_and_deliver_nothing() {
    let sim = start();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let created = post(
        &mut conn,
        &t,
        "externalcontact/add_msg_template",
        &json!({"external_userid": [WANG_FANG, ZHAO_LEI, "wmNobodyFollowsThis"],
                "sender": "lilei", "text": {"content": "Your interview is on Friday"}}),
    );
    assert_eq!(errcode(&created), 0, "{created}");
    assert_eq!(strings(&created["fail_list"]), vec!["wmNobodyFollowsThis"]);
    let msgid = created["msgid"].as_str().unwrap().to_string();
    // WeCom sends nothing until the member confirms
    assert_eq!(sim.world().message_count(), 0);

    let result = post(
        &mut conn,
        &t,
        "externalcontact/get_groupmsg_send_result",
        &json!({"msgid": msgid, "userid": "lilei", "limit": 1}),
    );
    assert_eq!(errcode(&result), 0, "{result}");
    assert_eq!(result["send_list"][0]["status"], 0);
    assert!(result["send_list"][0].get("send_time").is_none());
    let cursor = result["next_cursor"].as_str().unwrap().to_string();
    assert!(!cursor.is_empty());
    let rest = post(
        &mut conn,
        &t,
        "externalcontact/get_groupmsg_send_result",
        &json!({"msgid": msgid, "userid": "lilei", "cursor": cursor}),
    );
    assert_eq!(rest["send_list"].as_array().unwrap().len(), 1);
    assert_eq!(rest["next_cursor"], "");

    // the member confirms in the client (not an API): then the rows read as sent
    let now = sim.world().clock.unix();
    assert_eq!(
        sim.world()
            .domains
            .external_contact
            .lock()
            .confirm(&msgid, "lilei", now),
        2
    );
    let sent = post(
        &mut conn,
        &t,
        "externalcontact/get_groupmsg_send_result",
        &json!({"msgid": msgid, "userid": "lilei"}),
    );
    assert!(sent["send_list"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["status"] == 1 && r["send_time"] == now));
    assert_eq!(sim.world().message_count(), 0);

    // a sender alone means all of that member's customers
    let all = post(
        &mut conn,
        &t,
        "externalcontact/add_msg_template",
        &json!({"sender": "hanmeimei", "text": {"content": "hi"}}),
    );
    let rows = post(
        &mut conn,
        &t,
        "externalcontact/get_groupmsg_send_result",
        &json!({"msgid": all["msgid"], "userid": "hanmeimei"}),
    );
    assert_eq!(rows["send_list"].as_array().unwrap().len(), 3);

    let nobody = post(
        &mut conn,
        &t,
        "externalcontact/add_msg_template",
        &json!({"external_userid": [LIU_YANG], "sender": "zhangsan", "text": {"content": "hi"}}),
    );
    assert_eq!(errcode(&nobody), 41048);
    let unknown = post(
        &mut conn,
        &t,
        "externalcontact/get_groupmsg_send_result",
        &json!({"msgid": "msgNoSuchThing", "userid": "lilei"}),
    );
    assert_eq!(errcode(&unknown), 41047);
    let empty = post(
        &mut conn,
        &t,
        "externalcontact/add_msg_template",
        &json!({"external_userid": [WANG_FANG]}),
    );
    assert_eq!(errcode(&empty), 40058);
}
