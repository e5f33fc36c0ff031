//! Group robots end to end: webhook/send (every msgtype, the rate limit, keys) and
//! webhook/upload_media (a robot's files serve only that robot).

mod common;

use std::time::Duration;

use base64::Engine;
use md5::{Digest, Md5};
use reqwest::blocking::{multipart, Client};
use serde_json::{json, Value};
use wechat_work_simulator::Simulator;

const KEY: &str = "693a91f6-7aaa-4bc4-97a0-0ec2sifa5aaa";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR robot picture";

fn send(sim: &Simulator, key: &str, body: &Value) -> Value {
    Client::new()
        .post(format!("{}/cgi-bin/webhook/send?key={key}", sim.base_url()))
        .json(body)
        .send()
        .unwrap()
        .json()
        .unwrap()
}

fn upload(sim: &Simulator, key: &str, kind: &str, filename: &str, bytes: &[u8]) -> Value {
    let part = multipart::Part::bytes(bytes.to_vec()).file_name(filename.to_string());
    Client::new()
        .post(format!(
            "{}/cgi-bin/webhook/upload_media?key={key}&type={kind}",
            sim.base_url()
        ))
        .multipart(multipart::Form::new().part("media", part))
        .send()
        .unwrap()
        .json()
        .unwrap()
}

fn text(content: &str) -> Value {
    json!({"msgtype": "text", "text": {"content": content}})
}

fn code(answer: Value) -> i64 {
    answer["errcode"].as_i64().unwrap()
}

fn image(bytes: &[u8]) -> Value {
    let md5: String = Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    json!({"msgtype": "image", "image": {
        "base64": base64::engine::general_purpose::STANDARD.encode(bytes), "md5": md5}})
}

#[test]
fn posts_are_delivered_with_the_robot_and_channel() {
    let sim = common::start();
    let body = json!({"msgtype": "text", "text": {"content": "build failed",
        "mentioned_list": ["lilei", "@all"], "mentioned_mobile_list": ["13800001111"]}});
    let answer = send(&sim, KEY, &body);
    assert_eq!(answer, json!({"errcode": 0, "errmsg": "ok"}));
    let delivered = &sim.world().messages_from(0)[0];
    assert_eq!(delivered["channel"], "robot");
    assert_eq!(delivered["robot"], KEY);
    assert_eq!(delivered["text"], body["text"]);

    for body in [
        json!({"msgtype": "markdown", "markdown": {"content": "**bold** <font color=\"warning\">132</font>"}}),
        json!({"msgtype": "markdown_v2", "markdown_v2": {"content": "| a | b |\n| - | - |\n| 1 | 2 |"}}),
        json!({"msgtype": "news", "news": {"articles": [{"title": "t", "url": "https://example.com"}]}}),
        json!({"msgtype": "template_card", "template_card": {"card_type": "text_notice",
            "main_title": {"title": "Interview"}, "card_action": {"type": 1, "url": "https://example.com"}}}),
        image(PNG),
    ] {
        assert_eq!(code(send(&sim, KEY, &body)), 0, "{body}");
    }
    assert_eq!(sim.world().message_count(), 6);
}

#[test]
fn twenty_messages_a_minute_per_robot() {
    let sim = common::start();
    for i in 0..20 {
        assert_eq!(code(send(&sim, KEY, &text(&format!("m{i}")))), 0);
    }
    let refused = send(&sim, KEY, &text("21st"));
    assert_eq!(refused["errcode"], 45009);
    assert!(refused["errmsg"]
        .as_str()
        .unwrap()
        .starts_with("api freq out of limit"));
    // Another robot has its own budget.
    assert_eq!(code(send(&sim, "another-robot", &text("hi"))), 0);
    assert_eq!(sim.world().message_count(), 21);
    // The window slides on the simulated clock.
    sim.world().clock.advance(Duration::from_secs(59));
    assert_eq!(code(send(&sim, KEY, &text("still limited"))), 45009);
    sim.world().clock.advance(Duration::from_secs(1));
    assert_eq!(code(send(&sim, KEY, &text("a minute later"))), 0);
    // /_simulator/clear forgets the windows.
    for _ in 0..19 {
        send(&sim, KEY, &text("x"));
    }
    assert_eq!(code(send(&sim, KEY, &text("full"))), 45009);
    sim.world().clear();
    assert_eq!(code(send(&sim, KEY, &text("after clear"))), 0);
}

#[test]
fn keys_that_name_no_robot() {
    let sim = common::start();
    assert_eq!(code(send(&sim, "invalid-robot", &text("x"))), 93000);
    assert_eq!(code(send(&sim, "disabled-robot", &text("x"))), 93004);
    assert_eq!(code(send(&sim, "", &text("x"))), 93000);
    let no_key: Value = Client::new()
        .post(format!("{}/cgi-bin/webhook/send", sim.base_url()))
        .json(&text("x"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(no_key["errcode"], 93000);
    assert_eq!(sim.world().message_count(), 0);
}

#[test]
fn wecoms_checks_on_robot_messages() {
    let sim = common::start();
    let refused = |body: Value| code(send(&sim, KEY, &body));
    assert_eq!(
        refused(json!({"msgtype": "textcard", "textcard": {}})),
        40008
    );
    assert_eq!(refused(text("")), 44004);
    assert_eq!(refused(text(&"字".repeat(683))), 40058, "over 2048 bytes");
    assert_eq!(refused(text(&"字".repeat(682))), 0);
    let long_markdown = send(
        &sim,
        KEY,
        &json!({"msgtype": "markdown", "markdown": {"content": "a".repeat(4097)}}),
    );
    assert_eq!(long_markdown["errcode"], 40058);
    assert!(long_markdown["errmsg"]
        .as_str()
        .unwrap()
        .starts_with("markdown.content exceed max length 4096."));
    assert_eq!(
        refused(json!({"msgtype": "text", "text": {"content": "x", "mentioned_list": "lilei"}})),
        40058
    );
    assert_eq!(
        refused(json!({"msgtype": "news", "news": {"articles": []}})),
        45008
    );
    let nine: Vec<Value> = (0..9)
        .map(|i| json!({"title": format!("t{i}"), "url": "https://e.com"}))
        .collect();
    assert_eq!(
        refused(json!({"msgtype": "news", "news": {"articles": nine}})),
        45008
    );
    assert_eq!(
        refused(json!({"msgtype": "news", "news": {"articles": [{"title": "t"}]}})),
        40058
    );
    assert_eq!(
        refused(
            json!({"msgtype": "template_card", "template_card": {"card_type": "button_interaction",
            "main_title": {"title": "t"}, "card_action": {"type": 1, "url": "https://e.com"}}})
        ),
        40058,
        "robots send notices only"
    );
    assert_eq!(
        refused(
            json!({"msgtype": "template_card", "template_card": {"card_type": "text_notice",
            "main_title": {"title": "t"}}})
        ),
        40058,
        "card_action is required"
    );
    assert_eq!(sim.world().message_count(), 1);
}

#[test]
fn images_are_checked_by_size_md5_and_format() {
    let sim = common::start();
    let mut body = image(PNG);
    body["image"]["md5"] = json!("0".repeat(32));
    let answer = send(&sim, KEY, &body);
    assert_eq!(answer["errcode"], 301019);
    assert!(answer["errmsg"]
        .as_str()
        .unwrap()
        .starts_with("media md5 not match"));
    let mut big = PNG.to_vec();
    big.resize(2 * 1024 * 1024 + 1, 0);
    assert_eq!(code(send(&sim, KEY, &image(&big))), 40009);
    big.truncate(2 * 1024 * 1024);
    assert_eq!(
        code(send(&sim, KEY, &image(&big))),
        0,
        "exactly 2 MB is fine"
    );
    assert_eq!(code(send(&sim, KEY, &image(b"GIF89a not ok"))), 40004);
    let mut broken = image(PNG);
    broken["image"]["base64"] = json!("***");
    assert_eq!(code(send(&sim, KEY, &broken)), 40058);
}

#[test]
fn a_robots_files_serve_only_that_robot() {
    let sim = common::start();
    let answer = upload(&sim, KEY, "file", "report.pdf", b"%PDF-1.4 report");
    assert_eq!(answer["errcode"], 0, "{answer}");
    assert_eq!(answer["type"], "file");
    assert!(answer["created_at"].is_string());
    let media_id = answer["media_id"].as_str().unwrap().to_string();
    let file = json!({"msgtype": "file", "file": {"media_id": media_id}});
    assert_eq!(code(send(&sim, "other-robot", &file)), 40007);
    assert_eq!(
        code(send(
            &sim,
            KEY,
            &json!({"msgtype": "voice", "voice": {"media_id": media_id}})
        )),
        40007,
        "a file is not a voice"
    );
    assert_eq!(code(send(&sim, KEY, &file)), 0);
    let delivered = sim.world().messages_from(0).pop().unwrap();
    assert_eq!(
        delivered["media"],
        json!({"type": "file", "filename": "report.pdf", "size": 15})
    );
    assert_eq!(
        code(send(&sim, KEY, &json!({"msgtype": "file", "file": {}}))),
        41006
    );
    // Voice: AMR only; then valid 3 days.
    assert_eq!(
        code(upload(&sim, KEY, "voice", "a.mp3", b"#!AMR\n....")),
        301017
    );
    let voice = upload(&sim, KEY, "voice", "a.amr", b"#!AMR\n....");
    let voice_id = voice["media_id"].as_str().unwrap().to_string();
    let voice_post = json!({"msgtype": "voice", "voice": {"media_id": voice_id}});
    assert_eq!(code(send(&sim, KEY, &voice_post)), 0);
    sim.world()
        .clock
        .advance(Duration::from_secs(3 * 24 * 3600));
    assert_eq!(code(send(&sim, KEY, &voice_post)), 40007);
    // Types: file or voice; the robot's key is checked.
    assert_eq!(code(upload(&sim, KEY, "image", "a.png", PNG)), 40005);
    assert_eq!(
        code(upload(&sim, "invalid-key", "file", "a.txt", b"hello world")),
        93000
    );
    // The corp's media/get does not know a robot's media.
    let mut conn = common::Conn::open(&sim);
    let t = common::token(&mut conn, &sim);
    let got = common::get(&mut conn, &t, "media/get", &format!("media_id={media_id}"));
    assert_eq!(got["errcode"], 40007);
}
