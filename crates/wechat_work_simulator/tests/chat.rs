//! App group chats over the wire: create, update, get, send, and WeCom's errcodes.

mod common;

use common::{errcode, get, other_token, post, token, two_apps, Conn};
use serde_json::{json, Value};

#[test]
fn create_get_update_and_send() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);

    let created = post(
        &mut conn,
        &t,
        "appchat/create",
        &json!({"name": "Interview: Han Meimei", "owner": "zhangsan", "userlist": ["zhangsan", "LiLei", "lilei"], "chatid": "interview42"}),
    );
    assert_eq!(created["errcode"], 0, "{created}");
    assert_eq!(created["chatid"], "interview42");

    let info = get(&mut conn, &t, "appchat/get", "chatid=interview42");
    assert_eq!(
        info["chat_info"],
        json!({"chatid": "interview42", "name": "Interview: Han Meimei", "owner": "zhangsan",
               "userlist": ["zhangsan", "lilei"], "chat_type": 0})
    );

    let updated = post(
        &mut conn,
        &t,
        "appchat/update",
        &json!({"chatid": "interview42", "name": "Interview (moved)", "owner": "hanmeimei",
                "add_user_list": ["hanmeimei"], "del_user_list": ["lilei"]}),
    );
    assert_eq!(updated, json!({"errcode": 0, "errmsg": "ok"}));
    let info = get(&mut conn, &t, "appchat/get", "chatid=interview42");
    assert_eq!(info["chat_info"]["name"], "Interview (moved)");
    assert_eq!(info["chat_info"]["owner"], "hanmeimei");
    assert_eq!(
        info["chat_info"]["userlist"],
        json!(["zhangsan", "hanmeimei"])
    );

    let body = json!({"chatid": "interview42", "msgtype": "text", "text": {"content": "Room 3 at 15:00"}, "safe": 0});
    let sent = post(&mut conn, &t, "appchat/send", &body);
    assert_eq!(sent, json!({"errcode": 0, "errmsg": "ok"}));
    let delivered = sim.world().messages_from(0);
    assert_eq!(delivered.len(), 1);
    assert_eq!(delivered[0]["channel"], "chat");
    assert_eq!(delivered[0]["chatid"], "interview42");
    assert_eq!(delivered[0]["text"], body["text"]);
    sim.stop();
}

#[test]
fn random_chatid_random_owner_and_name_cut_at_50_characters() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let created = post(
        &mut conn,
        &t,
        "appchat/create",
        &json!({"name": "面".repeat(60), "userlist": ["lilei", "zhangsan"]}),
    );
    let chatid = created["chatid"].as_str().unwrap().to_string();
    assert_eq!(chatid.len(), 32);
    assert!(chatid.bytes().all(|b| b.is_ascii_alphanumeric()));
    let info = get(&mut conn, &t, "appchat/get", &format!("chatid={chatid}"));
    assert_eq!(
        info["chat_info"]["name"].as_str().unwrap().chars().count(),
        50
    );
    let owner = info["chat_info"]["owner"].as_str().unwrap();
    assert!(["lilei", "zhangsan"].contains(&owner), "{owner}");
    sim.stop();
}

#[test]
fn create_errors() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let mut create = |body: Value| errcode(&post(&mut conn, &t, "appchat/create", &body));
    assert_eq!(create(json!({"userlist": ["lilei"]})), 86006);
    assert_eq!(create(json!({"userlist": ["lilei", "LILEI"]})), 86006);
    let many: Vec<String> = (0..2001).map(|i| format!("u{i}")).collect();
    assert_eq!(create(json!({"userlist": many})), 86006);
    assert_eq!(create(json!({"userlist": ["lilei", "ghost"]})), 86216);
    assert_eq!(
        create(json!({"userlist": ["lilei", "zhangsan"], "owner": "hanmeimei"})),
        86207
    );
    assert_eq!(
        create(json!({"userlist": ["lilei", "zhangsan"], "chatid": "not-valid"})),
        86001
    );
    assert_eq!(create(json!({"name": "no members"})), 40058);
    assert_eq!(
        create(json!({"userlist": ["lilei", "zhangsan"], "chatid": "taken"})),
        0
    );
    assert_eq!(
        create(json!({"userlist": ["lilei", "zhangsan"], "chatid": "taken"})),
        86215
    );
    sim.stop();
}

#[test]
fn update_is_all_or_nothing() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    post(
        &mut conn,
        &t,
        "appchat/create",
        &json!({"chatid": "c1", "owner": "lilei", "userlist": ["lilei", "zhangsan"]}),
    );
    let mut update = |body: Value| errcode(&post(&mut conn, &t, "appchat/update", &body));
    assert_eq!(
        update(json!({"chatid": "c1", "name": "x", "del_user_list": ["zhangsan"]})),
        86006
    );
    assert_eq!(
        update(json!({"chatid": "c1", "add_user_list": ["ghost"]})),
        86216
    );
    assert_eq!(
        update(json!({"chatid": "c1", "del_user_list": ["hanmeimei"]})),
        86216
    );
    assert_eq!(update(json!({"chatid": "c1", "owner": "hanmeimei"})), 86207);
    assert_eq!(
        update(json!({"chatid": "c1", "add_user_list": ["hanmeimei"], "del_user_list": ["lilei"]})),
        86207,
        "removing the owner needs a new owner"
    );
    assert_eq!(update(json!({"chatid": "nope", "name": "x"})), 86003);
    let info = get(&mut conn, &t, "appchat/get", "chatid=c1");
    assert_eq!(
        info["chat_info"],
        json!({"chatid": "c1", "name": "", "owner": "lilei", "userlist": ["lilei", "zhangsan"], "chat_type": 0}),
        "failed updates change nothing"
    );
    sim.stop();
}

#[test]
fn chats_belong_to_the_app_that_created_them() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    let other = other_token(&mut conn, &sim);
    post(
        &mut conn,
        &t,
        "appchat/create",
        &json!({"chatid": "mine", "userlist": ["lilei", "zhangsan"]}),
    );
    let info = get(&mut conn, &other, "appchat/get", "chatid=mine");
    assert_eq!(errcode(&info), 86008);
    assert!(info["errmsg"]
        .as_str()
        .unwrap()
        .starts_with("chat not created by this app, hint: ["));
    let text = json!({"chatid": "mine", "msgtype": "text", "text": {"content": "hi"}});
    assert_eq!(
        errcode(&post(&mut conn, &other, "appchat/send", &text)),
        86008
    );
    assert_eq!(
        errcode(&post(
            &mut conn,
            &other,
            "appchat/update",
            &json!({"chatid": "mine", "name": "x"})
        )),
        86008
    );
    assert_eq!(
        errcode(&post(
            &mut conn,
            &other,
            "appchat/create",
            &json!({"chatid": "mine", "userlist": ["lilei", "zhangsan"]})
        )),
        86215,
        "chatids are unique in the corp"
    );
    assert_eq!(sim.world().message_count(), 0);
    sim.stop();
}

#[test]
fn send_checks_like_message_send() {
    let sim = two_apps();
    let mut conn = Conn::open(&sim);
    let t = token(&mut conn, &sim);
    post(
        &mut conn,
        &t,
        "appchat/create",
        &json!({"chatid": "c1", "userlist": ["lilei", "zhangsan"]}),
    );
    let mut send = |msgtype: &str, payload: Value| {
        errcode(&post(
            &mut conn,
            &t,
            "appchat/send",
            &json!({"chatid": "c1", "msgtype": msgtype, msgtype: payload}),
        ))
    };
    assert_eq!(send("text", json!({"content": ""})), 44004);
    assert_eq!(send("image", json!({})), 40007);
    assert_eq!(
        send("textcard", json!({"title": "t", "url": "https://x"})),
        41033
    );
    assert_eq!(send("news", json!({"articles": []})), 45008);
    assert_eq!(
        send("template_card", json!({"card_type": "text_notice"})),
        40008,
        "no template cards in group chats"
    );
    assert_eq!(sim.world().message_count(), 0);
    assert_eq!(send("markdown", json!({"content": "面".repeat(700)})), 0);
    let delivered = sim.world().messages_from(0);
    assert_eq!(
        delivered[0]["markdown"]["content"].as_str().map(str::len),
        Some(2046),
        "cut at 2048 bytes like message/send"
    );
    let unknown = post(
        &mut conn,
        &t,
        "appchat/send",
        &json!({"chatid": "nope", "msgtype": "text", "text": {"content": "hi"}}),
    );
    assert_eq!(errcode(&unknown), 86003);
    assert!(unknown["errmsg"]
        .as_str()
        .unwrap()
        .starts_with("chatid not found"));
    sim.stop();
}
