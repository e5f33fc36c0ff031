//! Group robots (webhook/send, webhook/upload_media): the `key` in the URL is the credential,
//! each robot sends at most 20 messages a minute (45009 beyond, on the simulated clock), and a
//! robot's uploads serve only that robot (docs/wecom/robots.md#uploads).
//!
//! Which keys are robots: WeCom knows its robots; the simulator takes any non-empty key as a
//! robot, except keys starting with `invalid` (an unknown or removed robot: 93000) and keys
//! starting with `disabled` (a stopped robot: 93004), so tests can reach those answers.
//!
//! Posts are delivered as the body WeCom received plus `"channel" => "robot"` and
//! `"robot" => key` (file and voice posts also carry `"media" => {type, filename, size}`),
//! with news titles and descriptions cut like WeCom cuts them.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use base64::Engine;
use md5::{Digest, Md5};
use serde_json::{json, Value};
use wechat_work_core::api::webhook::{ROBOT_CARD_TYPES, ROBOT_MSGTYPES};
use wechat_work_core::wecom::limits::{self, TextLimit};

use super::media::{is_jpg_or_png, read_upload, upload_answer};
use super::{Ctx, Handler, Reply};
use crate::fields;
use crate::reply_try;
use crate::wire::{self, ApiFailure};

pub static HANDLERS: &[(&str, Handler)] = &[
    ("webhook/send", send),
    ("webhook/upload_media", upload_media),
];

const RATE_WINDOW: Duration = Duration::from_secs(60);

/// A file a robot uploaded (the simulator keeps what a post shows, not the bytes).
#[derive(Debug, Clone)]
struct RobotMedia {
    kind: &'static str,
    filename: String,
    size: usize,
    created: Instant,
}

#[derive(Debug, Default)]
struct Robot {
    /// When the robot's accepted messages of the last minute were sent.
    sent: VecDeque<Instant>,
    media: HashMap<String, RobotMedia>,
}

#[derive(Debug, Default)]
pub struct State {
    robots: HashMap<String, Robot>,
}

impl State {
    /// Forgets the rate windows (the robots' uploads stay, like other media).
    pub fn clear(&mut self) {
        for robot in self.robots.values_mut() {
            robot.sent.clear();
        }
    }
}

/// 93000 for keys that name no robot, 93004 for stopped robots (see the module docs).
fn check_key(key: &str) -> Result<(), ApiFailure> {
    if key.starts_with("invalid") {
        Err(ApiFailure::new(93000))
    } else if key.starts_with("disabled") {
        Err(ApiFailure::new(93004))
    } else {
        Ok(())
    }
}

fn robot_key<'a>(ctx: &Ctx<'a>) -> Result<&'a str, ApiFailure> {
    let key = ctx.robot.ok_or_else(|| ApiFailure::new(93000))?;
    check_key(key)?;
    Ok(key)
}

fn send(ctx: &Ctx) -> Reply {
    let key = reply_try!(robot_key(ctx));
    let body = reply_try!(ctx.json());
    let now = ctx.now();
    let mut state = ctx.world.domains.webhook.lock();
    let robot = state.robots.entry(key.to_string()).or_default();
    while robot
        .sent
        .front()
        .is_some_and(|at| now.saturating_duration_since(*at) >= RATE_WINDOW)
    {
        robot.sent.pop_front();
    }
    if robot.sent.len() >= limits::ROBOT_PER_MINUTE as usize {
        return Reply::Fail(ApiFailure::new(45009));
    }
    let mut record = reply_try!(check_message(&body, robot, now));
    robot.sent.push_back(now);
    drop(state);
    if let Value::Object(map) = &mut record {
        map.insert("channel".into(), json!("robot"));
        map.insert("robot".into(), json!(key));
    }
    ctx.world.deliver(record);
    Reply::Ok(fields! {})
}

fn text<'a>(payload: Option<&'a Value>, key: &str) -> Option<&'a str> {
    payload
        .and_then(|p| p.get(key))
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
}

fn required<'a>(payload: Option<&'a Value>, path: &str, key: &str) -> Result<&'a str, ApiFailure> {
    text(payload, key).ok_or_else(|| ApiFailure::detail(40058, &format!("{path} is required")))
}

/// WeCom refuses over-long robot text and markdown: "markdown.content exceed max length 4096".
fn content(payload: Option<&Value>, msgtype: &str, max: usize) -> Result<(), ApiFailure> {
    let content = text(payload, "content").ok_or_else(|| ApiFailure::new(44004))?;
    if content.len() > max {
        return Err(ApiFailure::with_text(
            40058,
            format!(
                "{msgtype}.content exceed max length {max}. {}",
                wire::english(40058)
            ),
        ));
    }
    Ok(())
}

fn string_list(payload: Option<&Value>, path: &str, key: &str) -> Result<(), ApiFailure> {
    match payload.and_then(|p| p.get(key)) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::Array(items)) if items.iter().all(Value::is_string) => Ok(()),
        Some(_) => Err(ApiFailure::detail(
            40058,
            &format!("{path} must be an array of strings"),
        )),
    }
}

/// The checks WeCom makes on a robot message; the record to deliver.
fn check_message(body: &Value, robot: &Robot, now: Instant) -> Result<Value, ApiFailure> {
    let msgtype = body
        .get("msgtype")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !ROBOT_MSGTYPES.contains(&msgtype) {
        return Err(ApiFailure::new(40008));
    }
    let payload = body.get(msgtype).filter(|p| p.is_object());
    let mut record = body.clone();
    match msgtype {
        "text" => {
            content(payload, msgtype, limits::ROBOT_TEXT_BYTES)?;
            string_list(payload, "text.mentioned_list", "mentioned_list")?;
            string_list(
                payload,
                "text.mentioned_mobile_list",
                "mentioned_mobile_list",
            )?;
        }
        "markdown" | "markdown_v2" => content(payload, msgtype, limits::ROBOT_MARKDOWN_BYTES)?,
        "image" => check_image(payload)?,
        "news" => {
            let articles = payload
                .and_then(|p| p.get("articles"))
                .and_then(Value::as_array)
                .filter(|a| (1..=limits::MAX_ARTICLES).contains(&a.len()))
                .ok_or_else(|| ApiFailure::new(45008))?;
            for (i, article) in articles.iter().enumerate() {
                text(Some(article), "title").ok_or_else(|| ApiFailure::new(41016))?;
                required(Some(article), &format!("news.articles[{i}].url"), "url")?;
            }
            truncate_like_wecom(&mut record, msgtype);
        }
        "file" | "voice" => {
            let media_id = text(payload, "media_id")
                .ok_or_else(|| ApiFailure::with_text(41006, "media_id missing"))?;
            let media = robot
                .media
                .get(media_id)
                .filter(|m| m.kind == msgtype)
                .filter(|m| {
                    now.saturating_duration_since(m.created)
                        < Duration::from_secs(limits::MEDIA_TTL_SECS)
                })
                .ok_or_else(|| ApiFailure::new(40007))?;
            if let Value::Object(map) = &mut record {
                map.insert(
                    "media".into(),
                    json!({"type": media.kind, "filename": media.filename, "size": media.size}),
                );
            }
        }
        "template_card" => check_card(payload)?,
        _ => return Err(ApiFailure::new(40008)),
    }
    Ok(record)
}

/// base64 of a JPG or PNG of at most 2 MB, and the md5 of those bytes.
fn check_image(payload: Option<&Value>) -> Result<(), ApiFailure> {
    let data = required(payload, "image.base64", "base64")?;
    let md5 = required(payload, "image.md5", "md5")?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(data)
        .map_err(|_| ApiFailure::detail(40058, "image.base64 is not base64"))?;
    if bytes.is_empty() {
        return Err(ApiFailure::new(44001));
    }
    if bytes.len() as u64 > limits::ROBOT_IMAGE_BYTES {
        return Err(ApiFailure::detail(
            40009,
            &format!(
                "a robot's image takes at most {} bytes, got {}",
                limits::ROBOT_IMAGE_BYTES,
                bytes.len()
            ),
        ));
    }
    let digest = Md5::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    if !hex.eq_ignore_ascii_case(md5.trim()) {
        return Err(ApiFailure::new(301019));
    }
    if !is_jpg_or_png(&bytes) {
        return Err(ApiFailure::detail(
            40004,
            "a robot's image must be JPG or PNG",
        ));
    }
    Ok(())
}

/// Notices only; the fields each notice needs (docs/wecom/robots.md#template-cards).
fn check_card(card: Option<&Value>) -> Result<(), ApiFailure> {
    let card_type = text(card, "card_type").unwrap_or_default();
    if !ROBOT_CARD_TYPES.contains(&card_type) {
        return Err(ApiFailure::detail(
            40058,
            "template_card.card_type must be text_notice or news_notice for a robot",
        ));
    }
    let title = card
        .and_then(|c| c.pointer("/main_title/title"))
        .and_then(Value::as_str)
        .is_some_and(|t| !t.trim().is_empty());
    let has = |key: &str| card.and_then(|c| c.get(key)).is_some_and(|v| !v.is_null());
    if card_type == "text_notice" && !title && !has("sub_title_text") {
        return Err(ApiFailure::detail(
            40058,
            "template_card.main_title.title or sub_title_text is required",
        ));
    }
    if card_type == "news_notice" && !title {
        return Err(ApiFailure::detail(
            40058,
            "template_card.main_title.title is required",
        ));
    }
    if card_type == "news_notice" && !has("card_image") && !has("image_text_area") {
        return Err(ApiFailure::detail(
            40058,
            "template_card.card_image or image_text_area is required",
        ));
    }
    if !card
        .and_then(|c| c.get("card_action"))
        .is_some_and(Value::is_object)
    {
        return Err(ApiFailure::detail(
            40058,
            "template_card.card_action is required",
        ));
    }
    Ok(())
}

/// Cuts the fields WeCom cuts (news titles and descriptions) before delivery.
fn truncate_like_wecom(body: &mut Value, msgtype: &str) {
    let Some(payload) = body.get_mut(msgtype) else {
        return;
    };
    for limit in limits::robot_text_limits(msgtype)
        .iter()
        .filter(|l| l.truncated)
    {
        let segments: Vec<&str> = limit.path.split('/').collect();
        truncate_at(payload, &segments, limit);
    }
}

fn truncate_at(value: &mut Value, path: &[&str], limit: &TextLimit) {
    let Some((head, rest)) = path.split_first() else {
        if let Value::String(text) = value {
            limits::truncate(text, limit);
        }
        return;
    };
    if *head == "*" {
        if let Value::Array(items) = value {
            for item in items {
                truncate_at(item, rest, limit);
            }
        }
    } else if let Some(child) = value.get_mut(*head) {
        truncate_at(child, rest, limit);
    }
}

fn upload_media(ctx: &Ctx) -> Reply {
    let key = reply_try!(robot_key(ctx));
    let kind = ctx.param("type").unwrap_or_default();
    let Some(rule) = limits::ROBOT_MEDIA_RULES.iter().find(|r| r.kind == kind) else {
        return Reply::Fail(ApiFailure::detail(40005, "type must be file or voice"));
    };
    let file = reply_try!(read_upload(ctx, rule));
    let now = ctx.now();
    let media_id = wire::random_token(44);
    let mut state = ctx.world.domains.webhook.lock();
    let robot = state.robots.entry(key.to_string()).or_default();
    robot.media.retain(|_, m| {
        now.saturating_duration_since(m.created) < Duration::from_secs(limits::MEDIA_TTL_SECS)
    });
    robot.media.insert(
        media_id.clone(),
        RobotMedia {
            kind: rule.kind,
            filename: file.filename,
            size: file.bytes.len(),
            created: now,
        },
    );
    upload_answer(rule.kind, &media_id, ctx.world.clock.unix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert!(check_key("693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa").is_ok());
        assert_eq!(check_key("invalid-1").unwrap_err().errcode, 93000);
        assert_eq!(check_key("disabled-1").unwrap_err().errcode, 93004);
    }

    #[test]
    fn news_titles_are_cut() {
        let mut body = json!({"msgtype": "news", "news": {"articles": [
            {"title": "t".repeat(200), "url": "https://e.com", "description": "d".repeat(600)}
        ]}});
        truncate_like_wecom(&mut body, "news");
        assert_eq!(
            body["news"]["articles"][0]["title"].as_str().map(str::len),
            Some(128)
        );
        assert_eq!(
            body["news"]["articles"][0]["description"]
                .as_str()
                .map(str::len),
            Some(512)
        );
    }

    #[test]
    fn image_md5_and_format() {
        let png = b"\x89PNG\r\n\x1a\nrest of the image".to_vec();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&png);
        let md5: String = Md5::digest(&png)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let ok = json!({"base64": b64, "md5": md5});
        assert!(check_image(Some(&ok)).is_ok());
        let bad = json!({"base64": b64, "md5": "0".repeat(32)});
        assert_eq!(check_image(Some(&bad)).unwrap_err().errcode, 301019);
        let gif = b"GIF89a......".to_vec();
        let gif = json!({
            "base64": base64::engine::general_purpose::STANDARD.encode(&gif),
            "md5": Md5::digest(&gif).iter().map(|b| format!("{b:02x}")).collect::<String>(),
        });
        assert_eq!(check_image(Some(&gif)).unwrap_err().errcode, 40004);
    }
}
