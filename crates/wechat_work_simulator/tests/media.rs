//! media/upload, media/get and media/uploadimg end to end, with real multipart requests.

mod common;

use std::time::Duration;

use reqwest::blocking::{multipart, Client};
use serde_json::Value;
use wechat_work_simulator::Simulator;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR picture bytes";

fn token(sim: &Simulator) -> String {
    let mut conn = common::Conn::open(sim);
    common::token(&mut conn, sim)
}

fn form(part: &str, filename: &str, bytes: &[u8]) -> multipart::Form {
    let part_value = multipart::Part::bytes(bytes.to_vec())
        .file_name(filename.to_string())
        .mime_str("application/octet-stream")
        .unwrap();
    multipart::Form::new().part(part.to_string(), part_value)
}

fn upload(sim: &Simulator, kind: &str, filename: &str, bytes: &[u8]) -> Value {
    upload_form(sim, kind, form("media", filename, bytes))
}

fn upload_form(sim: &Simulator, kind: &str, form: multipart::Form) -> Value {
    let url = format!(
        "{}/cgi-bin/media/upload?access_token={}&type={kind}",
        sim.base_url(),
        token(sim)
    );
    Client::new()
        .post(url)
        .multipart(form)
        .send()
        .unwrap()
        .json()
        .unwrap()
}

fn download(sim: &Simulator, media_id: &str) -> reqwest::blocking::Response {
    let url = format!(
        "{}/cgi-bin/media/get?access_token={}&media_id={media_id}",
        sim.base_url(),
        token(sim)
    );
    Client::new().get(url).send().unwrap()
}

#[test]
fn upload_then_download_the_same_bytes() {
    let sim = common::start();
    let data: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    let answer = upload(&sim, "file", "简历 v2.pdf", &data);
    assert_eq!(answer["errcode"], 0, "{answer}");
    assert_eq!(answer["type"], "file");
    let media_id = answer["media_id"].as_str().unwrap();
    assert!(media_id.len() >= 40);
    let created_at = answer["created_at"]
        .as_str()
        .expect("created_at is a String");
    let created: i64 = created_at.parse().unwrap();
    assert!((created - sim.world().clock.unix()).abs() <= 2);

    let got = download(&sim, media_id);
    assert_eq!(got.status(), 200);
    let headers = got.headers().clone();
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"__ v2.pdf\"; filename*=UTF-8''%E7%AE%80%E5%8E%86%20v2.pdf"
    );
    assert_eq!(got.bytes().unwrap().as_ref(), data.as_slice());
}

#[test]
fn media_ids_are_shared_by_the_corps_apps() {
    let mut config = wechat_work_simulator::SimulatorConfig::default();
    config.apps.push(wechat_work_simulator::AppConfig {
        name: "other".into(),
        secret: "other-secret".into(),
        agent_id: 1000003,
        token_ttl: Duration::from_secs(7200),
        restricted_fields: true,
    });
    let sim = common::start_with(config);
    let media_id = upload(&sim, "image", "a.png", PNG)["media_id"]
        .as_str()
        .unwrap()
        .to_string();
    let other: Value = Client::new()
        .get(format!(
            "{}/cgi-bin/gettoken?corpid={}&corpsecret=other-secret",
            sim.base_url(),
            sim.world().corp_id
        ))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let url = format!(
        "{}/cgi-bin/media/get?access_token={}&media_id={media_id}",
        sim.base_url(),
        other["access_token"].as_str().unwrap()
    );
    let got = Client::new().get(url).send().unwrap();
    assert_eq!(got.headers()["content-type"], "application/octet-stream");
    assert_eq!(got.bytes().unwrap().as_ref(), PNG);
}

#[test]
fn unknown_and_expired_media_answer_40007_as_json() {
    let sim = common::start();
    let got = download(&sim, "nope");
    assert_eq!(got.status(), 200);
    assert!(got.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("json"));
    let body: Value = got.json().unwrap();
    assert_eq!(body["errcode"], 40007);
    assert!(body["errmsg"]
        .as_str()
        .unwrap()
        .starts_with("invalid media_id"));

    let media_id = upload(&sim, "file", "a.txt", b"hello world")["media_id"]
        .as_str()
        .unwrap()
        .to_string();
    sim.world()
        .clock
        .advance(Duration::from_secs(3 * 24 * 3600 - 10));
    assert_eq!(download(&sim, &media_id).status(), 200);
    assert!(download(&sim, &media_id).headers()["content-type"] != "application/json");
    sim.world().clock.advance(Duration::from_secs(10));
    let body: Value = download(&sim, &media_id).json().unwrap();
    assert_eq!(body["errcode"], 40007, "valid for 3 days only");
}

#[test]
fn wecoms_size_and_format_checks() {
    let sim = common::start();
    let code = |v: Value| v["errcode"].as_i64().unwrap();
    assert_eq!(code(upload(&sim, "sticker", "a.png", PNG)), 40005);
    assert_eq!(code(upload(&sim, "file", "a.txt", b"")), 44001);
    assert_eq!(code(upload(&sim, "file", "a.txt", b"12345")), 40006);
    assert_eq!(code(upload(&sim, "file", "a.txt", b"123456")), 0);
    // The part must be named "media".
    assert_eq!(
        code(upload_form(&sim, "file", form("file", "a.txt", b"123456"))),
        44001
    );
    // Formats: by extension and by content.
    assert_eq!(code(upload(&sim, "image", "a.gif", PNG)), 40004);
    assert_eq!(
        code(upload(&sim, "image", "a.png", b"not a picture")),
        40004
    );
    assert_eq!(code(upload(&sim, "image", "a.JPG", PNG)), 0);
    assert_eq!(code(upload(&sim, "voice", "a.mp3", b"#!AMR\nxx")), 301017);
    assert_eq!(code(upload(&sim, "voice", "a.amr", b"#!AMR\nxx")), 0);
    assert_eq!(
        code(upload(&sim, "video", "a.mp4", b"\0\0\0\x18ftypmp42")),
        0
    );
    assert_eq!(
        code(upload(&sim, "video", "a.mov", b"\0\0\0\x18ftypmp42")),
        40004
    );
    // Sizes: image and video 10 MB, voice 2 MB, file 20 MB.
    let mut big_png = PNG.to_vec();
    big_png.resize(10 * 1024 * 1024 + 1, 0);
    assert_eq!(code(upload(&sim, "image", "a.png", &big_png)), 40009);
    big_png.truncate(10 * 1024 * 1024);
    assert_eq!(code(upload(&sim, "image", "a.png", &big_png)), 0);
    let mut amr = b"#!AMR\n".to_vec();
    amr.resize(2 * 1024 * 1024 + 1, 0);
    assert_eq!(code(upload(&sim, "voice", "a.amr", &amr)), 40006);
    let mut mp4 = b"\0\0\0\x18ftypmp42".to_vec();
    mp4.resize(10 * 1024 * 1024 + 1, 0);
    assert_eq!(code(upload(&sim, "video", "a.mp4", &mp4)), 40011);
    let file = vec![7u8; 20 * 1024 * 1024 + 1];
    assert_eq!(code(upload(&sim, "file", "a.bin", &file)), 40006);
    assert_eq!(code(upload(&sim, "file", "a.bin", &file[1..])), 0);
}

#[test]
fn not_multipart_is_refused_and_garbage_never_hurts() {
    let sim = common::start();
    let t = token(&sim);
    let url = format!(
        "{}/cgi-bin/media/upload?access_token={t}&type=file",
        sim.base_url()
    );
    let client = Client::new();
    let bodies: [(&str, &[u8]); 4] = [
        ("application/json", b"{}"),
        ("multipart/form-data", b"--x\r\n"),
        (
            "multipart/form-data; boundary=x",
            b"--x\r\nContent-Disposition: form-data; name=\"media\"; filename=\"a\"\r\n\r\nno end",
        ),
        ("multipart/form-data; boundary=x", b"\xff\xfe--x--"),
    ];
    for (content_type, body) in bodies {
        let answer: Value = client
            .post(&url)
            .header("content-type", content_type)
            .body(body.to_vec())
            .send()
            .unwrap()
            .json()
            .unwrap();
        assert_eq!(answer["errcode"], 44001, "{content_type}: {answer}");
    }
    // Still serving.
    assert_eq!(upload(&sim, "file", "a.txt", b"hello world")["errcode"], 0);
}

#[test]
fn uploadimg_answers_a_url_the_simulator_serves() {
    let sim = common::start();
    let url = format!(
        "{}/cgi-bin/media/uploadimg?access_token={}",
        sim.base_url(),
        token(&sim)
    );
    let post = |form| -> Value {
        Client::new()
            .post(&url)
            .multipart(form)
            .send()
            .unwrap()
            .json()
            .unwrap()
    };
    let answer = post(form("media", "logo.png", PNG));
    assert_eq!(answer["errcode"], 0, "{answer}");
    let image_url = answer["url"].as_str().unwrap();
    assert!(
        image_url.starts_with(&format!("{}/_simulator/media/", sim.base_url())),
        "{image_url}"
    );
    let got = Client::new().get(image_url).send().unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().unwrap().as_ref(), PNG);
    // 2 MB, JPG or PNG.
    let mut big = PNG.to_vec();
    big.resize(2 * 1024 * 1024 + 1, 0);
    assert_eq!(post(form("media", "logo.png", &big))["errcode"], 40009);
    assert_eq!(post(form("media", "logo.bmp", PNG))["errcode"], 40004);
    // Permanent: still there after 3 days.
    sim.world()
        .clock
        .advance(Duration::from_secs(4 * 24 * 3600));
    assert_eq!(Client::new().get(image_url).send().unwrap().status(), 200);
    let missing = Client::new()
        .get(format!("{}/_simulator/media/nope", sim.base_url()))
        .send()
        .unwrap();
    assert_eq!(missing.status(), 404);
}
