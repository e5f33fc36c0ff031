//! Group robots (群机器人, "消息推送", path/91770 and path/99110): the key in the URL is the
//! credential; 20 messages a minute per robot.

use super::{media, message, Credential, Endpoint, Params, UploadInfo};
use crate::error::Result;
use crate::wecom::limits;

pub static ENDPOINTS: &[Endpoint] = &[
    Endpoint::post("webhook/send", "path/91770")
        .credential(Credential::WebhookKey)
        .validate(validate_send),
    Endpoint::post("webhook/upload_media", "path/91770")
        .credential(Credential::WebhookKey)
        .query(&["type"])
        .safe()
        .validate(validate_upload_params)
        .upload(check_upload),
];

pub const ROBOT_MSGTYPES: &[&str] = &[
    "text",
    "markdown",
    "markdown_v2",
    "image",
    "news",
    "file",
    "voice",
    "template_card",
];

/// A robot's template cards: notices only, no interaction (docs/wecom/robots.md#template-cards).
pub const ROBOT_CARD_TYPES: &[&str] = &["text_notice", "news_notice"];

fn validate_send(p: &Params) -> Result<()> {
    let msgtype = p.str("msgtype")?;
    if !ROBOT_MSGTYPES.contains(&msgtype) {
        return Err(p.fail(format!(
            "a robot takes {}, not {msgtype:?}",
            ROBOT_MSGTYPES.join(", ")
        )));
    }
    p.only(&["msgtype", msgtype], "a robot message")?;
    let payload = p.obj(msgtype)?;
    let name = |f: &str| format!("{msgtype}.{f}");
    match msgtype {
        "text" => {
            payload.only(
                &["content", "mentioned_list", "mentioned_mobile_list"],
                "text",
            )?;
            payload.str_named("content", &name("content"))?;
            payload.strings("mentioned_list", 0, usize::MAX)?;
            payload.strings("mentioned_mobile_list", 0, usize::MAX)?;
        }
        "markdown" | "markdown_v2" => {
            payload.only(&["content"], msgtype)?;
            payload.str_named("content", &name("content"))?;
        }
        "image" => {
            payload.only(&["base64", "md5"], "image")?;
            let data = payload.str_named("base64", &name("base64"))?;
            payload.str_named("md5", &name("md5"))?;
            let raw = base64_decoded_len(data);
            if raw > limits::ROBOT_IMAGE_BYTES {
                return Err(payload.fail(format!(
                    "the image is about {raw} bytes; a robot takes images up to {} bytes (2 MB)",
                    limits::ROBOT_IMAGE_BYTES
                )));
            }
        }
        "news" => {
            payload.only(&["articles"], "news")?;
            let articles = payload.array("articles", 1, limits::MAX_ARTICLES)?;
            for (i, a) in articles.iter().enumerate() {
                let a = payload.at(a);
                a.str_named("title", &format!("news.articles[{i}].title"))?;
                a.str_named("url", &format!("news.articles[{i}].url"))?;
            }
        }
        "file" | "voice" => {
            payload.only(&["media_id"], msgtype)?;
            payload.str_named("media_id", &name("media_id"))?;
        }
        "template_card" => {
            let card_type = payload.str_named("card_type", "template_card.card_type")?;
            if !ROBOT_CARD_TYPES.contains(&card_type) {
                return Err(payload.fail(format!(
                    "a robot's template_card is text_notice or news_notice, not {card_type:?} (robots cannot receive answers)"
                )));
            }
            message::check_card(&payload)?;
        }
        _ => {}
    }
    payload.text_limits(msgtype, limits::robot_text_limits(msgtype))
}

/// The size of the bytes a base64 text decodes to: 3 bytes per 4 characters, less padding.
fn base64_decoded_len(data: &str) -> u64 {
    let text = data.trim_end();
    let padding = text.bytes().rev().take_while(|b| *b == b'=').count().min(2) as u64;
    (text.len() as u64).div_ceil(4) * 3 - padding
}

fn validate_upload_params(p: &Params) -> Result<()> {
    p.only(&["type"], "webhook/upload_media")?;
    let kind = p.str("type")?;
    if !limits::ROBOT_MEDIA_RULES.iter().any(|r| r.kind == kind) {
        return Err(p.fail(format!("type must be file or voice, got {kind:?}")));
    }
    Ok(())
}

fn check_upload(p: &Params, file: &UploadInfo) -> Result<()> {
    let kind = p.str("type")?;
    let rule = limits::ROBOT_MEDIA_RULES
        .iter()
        .find(|r| r.kind == kind)
        .ok_or_else(|| p.fail(format!("type must be file or voice, got {kind:?}")))?;
    media::check_file(p, rule, file)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn image(raw_len: usize) -> Result<()> {
        // Any base64 text of the right length: only the size is checked here.
        let chars = raw_len.div_ceil(3) * 4;
        let padding = (3 - raw_len % 3) % 3;
        let data = "A".repeat(chars - padding) + &"=".repeat(padding);
        let params = json!({"msgtype": "image", "image": {"base64": data, "md5": "x"}});
        validate_send(&Params::new("webhook/send", &params))
    }

    #[test]
    fn an_image_of_exactly_2_mb_passes_and_one_byte_more_does_not() {
        let max = limits::ROBOT_IMAGE_BYTES as usize;
        assert!(image(max).is_ok());
        assert!(image(max - 1).is_ok());
        let err = image(max + 1).unwrap_err().to_string();
        assert!(err.contains("2097153 bytes"), "{err}");
        assert_eq!(base64_decoded_len("TWFu"), 3);
        assert_eq!(base64_decoded_len("TWE="), 2);
        assert_eq!(base64_decoded_len("TQ=="), 1);
    }
}
