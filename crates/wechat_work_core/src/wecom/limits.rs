//! WeCom's documented limits, once. The client refuses what exceeds them before any request
//! (with the limit in the message); the simulator applies them the way WeCom does.
//! Sources, per section below: docs/wecom/messages.md#text-limits,
//! docs/wecom/messages.md#card-text-limits, docs/wecom/chats.md#limits,
//! docs/wecom/robots.md#message-types, docs/wecom/media.md#sizes-and-formats,
//! docs/wecom/schedules.md#adding-a-schedule, docs/wecom/meetings.md#creating-a-meeting,
//! docs/wecom/external-contacts.md, docs/wecom/signin-and-jssdk.md,
//! docs/wecom/contacts.md#listing-member-ids.

/// How a text limit counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// UTF-8 bytes (most WeCom limits: "最长不超过2048个字节").
    Bytes,
    /// Characters ("不超过4个文字").
    Chars,
}

impl Unit {
    pub fn measure(self, text: &str) -> usize {
        match self {
            Unit::Bytes => text.len(),
            Unit::Chars => text.chars().count(),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Bytes => "bytes",
            Unit::Chars => "characters",
        }
    }
}

/// A text field's limit inside a body: `path` is `/`-separated, `*` for every array item.
#[derive(Clone, Copy, Debug)]
pub struct TextLimit {
    pub path: &'static str,
    pub max: usize,
    pub unit: Unit,
    /// WeCom cuts the text at the limit instead of refusing it (the simulator does the same;
    /// the client refuses either way, so nothing is silently lost).
    pub truncated: bool,
}

const fn bytes(path: &'static str, max: usize) -> TextLimit {
    TextLimit {
        path,
        max,
        unit: Unit::Bytes,
        truncated: true,
    }
}

const fn chars(path: &'static str, max: usize) -> TextLimit {
    TextLimit {
        path,
        max,
        unit: Unit::Chars,
        truncated: true,
    }
}

const fn refused(limit: TextLimit) -> TextLimit {
    TextLimit {
        truncated: false,
        ..limit
    }
}

// ---- message/send -------------------------------------------------------------------------

pub const MAX_CONTENT_BYTES: usize = 2048;
pub const MAX_USERS: usize = 1000;
pub const MAX_PARTIES: usize = 100;
pub const MAX_TAGS: usize = 100;
pub const MAX_ARTICLES: usize = 8;
pub const MAX_MINIPROGRAM_ITEMS: usize = 10;
/// enable_duplicate_check's window: WeCom's default, and its maximum (4 hours).
pub const DEFAULT_DUPLICATE_INTERVAL: u64 = 1800;
pub const MAX_DUPLICATE_INTERVAL: u64 = 14400;
/// A message can be recalled for 24 hours.
pub const RECALL_WINDOW_SECS: u64 = 24 * 3600;
/// A template card's response_code works once, for 72 hours.
pub const RESPONSE_CODE_TTL_SECS: u64 = 72 * 3600;
pub const MAX_TASK_ID_BYTES: usize = 128;
pub const MAX_CARD_BUTTONS: usize = 6;

/// Text limits per msgtype, paths relative to the msgtype's object.
const MESSAGE_TEXT: &[TextLimit] = &[bytes("content", MAX_CONTENT_BYTES)];
const MESSAGE_TEXTCARD: &[TextLimit] = &[
    bytes("title", 128),
    bytes("description", 512),
    refused(bytes("url", 2048)),
    chars("btntxt", 4),
];
const MESSAGE_VIDEO: &[TextLimit] = &[bytes("title", 128), bytes("description", 512)];
const MESSAGE_NEWS: &[TextLimit] = &[
    bytes("articles/*/title", 128),
    bytes("articles/*/description", 512),
    refused(bytes("articles/*/url", 2048)),
];
const MESSAGE_MPNEWS: &[TextLimit] = &[
    bytes("articles/*/title", 128),
    bytes("articles/*/author", 64),
    refused(bytes("articles/*/content", 666 * 1024)),
    bytes("articles/*/digest", 512),
];
const MESSAGE_MINIPROGRAM_NOTICE: &[TextLimit] = &[
    refused(bytes("page", 1024)),
    chars("title", 12),
    chars("description", 12),
    chars("content_item/*/key", 10),
    chars("content_item/*/value", 30),
];
const MESSAGE_TEMPLATE_CARD: &[TextLimit] = &[
    refused(bytes("task_id", MAX_TASK_ID_BYTES)),
    chars("source/desc", 20),
    chars("main_title/title", 36),
    chars("main_title/desc", 44),
    chars("sub_title_text", 160),
    chars("emphasis_content/title", 14),
    chars("emphasis_content/desc", 22),
    chars("horizontal_content_list/*/keyname", 5),
    chars("horizontal_content_list/*/value", 30),
    chars("button_list/*/text", 10),
    refused(bytes("button_list/*/key", 1024)),
    chars("submit_button/text", 10),
    refused(bytes("submit_button/key", 1024)),
];

/// Text limits per msgtype, paths relative to the msgtype's object.
pub fn message_text_limits(msgtype: &str) -> &'static [TextLimit] {
    match msgtype {
        "text" | "markdown" => MESSAGE_TEXT,
        "textcard" => MESSAGE_TEXTCARD,
        "video" => MESSAGE_VIDEO,
        "news" => MESSAGE_NEWS,
        "mpnews" => MESSAGE_MPNEWS,
        "miniprogram_notice" => MESSAGE_MINIPROGRAM_NOTICE,
        "template_card" => MESSAGE_TEMPLATE_CARD,
        _ => &[],
    }
}

// ---- group chats (appchat) ----------------------------------------------------------------

pub const CHAT_MIN_USERS: usize = 2;
pub const CHAT_MAX_USERS: usize = 2000;
pub const CHAT_NAME_CHARS: usize = 50;
pub const CHAT_ID_CHARS: usize = 32;

// ---- group robots (webhook) ---------------------------------------------------------------

/// Messages one robot may send per minute (45009 beyond).
pub const ROBOT_PER_MINUTE: u32 = 20;
pub const ROBOT_TEXT_BYTES: usize = 2048;
pub const ROBOT_MARKDOWN_BYTES: usize = 4096;
/// Raw bytes of a robot image (before base64), JPG or PNG.
pub const ROBOT_IMAGE_BYTES: u64 = 2 * 1024 * 1024;

/// Text limits of robot messages (refused by WeCom, not cut: "exceed max length 4096").
const ROBOT_TEXT: &[TextLimit] = &[refused(bytes("content", ROBOT_TEXT_BYTES))];
const ROBOT_MARKDOWN: &[TextLimit] = &[refused(bytes("content", ROBOT_MARKDOWN_BYTES))];
const ROBOT_MARKDOWN_V2: &[TextLimit] = &[refused(bytes("content", ROBOT_MARKDOWN_BYTES))];
const ROBOT_NEWS: &[TextLimit] = &[
    bytes("articles/*/title", 128),
    bytes("articles/*/description", 512),
];

/// Text limits per msgtype, paths relative to the msgtype's object.
pub fn robot_text_limits(msgtype: &str) -> &'static [TextLimit] {
    match msgtype {
        "text" => ROBOT_TEXT,
        "markdown" => ROBOT_MARKDOWN,
        "markdown_v2" => ROBOT_MARKDOWN_V2,
        "news" => ROBOT_NEWS,
        _ => &[],
    }
}

// ---- media --------------------------------------------------------------------------------

/// Every upload must be larger than this ("所有文件size必须大于5个字节").
pub const MEDIA_MIN_BYTES: u64 = 5;

/// A temporary media type's size cap and accepted file extensions (empty: any).
#[derive(Clone, Copy, Debug)]
pub struct MediaRule {
    pub kind: &'static str,
    pub max_bytes: u64,
    pub extensions: &'static [&'static str],
    /// Content-Type WeCom's overview page suggests for the part.
    pub content_type: &'static str,
    /// errcode WeCom answers for an oversized file of this type.
    pub too_large_errcode: i64,
}

pub const MEDIA_RULES: &[MediaRule] = &[
    MediaRule {
        kind: "image",
        max_bytes: 10 * 1024 * 1024,
        extensions: &["jpg", "jpeg", "png"],
        content_type: "image/png",
        too_large_errcode: 40009,
    },
    MediaRule {
        kind: "voice",
        max_bytes: 2 * 1024 * 1024,
        extensions: &["amr"],
        content_type: "voice/amr",
        too_large_errcode: 40006,
    },
    MediaRule {
        kind: "video",
        max_bytes: 10 * 1024 * 1024,
        extensions: &["mp4"],
        content_type: "video/mp4",
        too_large_errcode: 40011,
    },
    MediaRule {
        kind: "file",
        max_bytes: 20 * 1024 * 1024,
        extensions: &[],
        content_type: "application/octet-stream",
        too_large_errcode: 40006,
    },
];

/// `media/uploadimg`: a permanent image for mpnews bodies, JPG or PNG, up to 2 MB.
pub const UPLOADIMG_RULE: MediaRule = MediaRule {
    kind: "image",
    max_bytes: 2 * 1024 * 1024,
    extensions: &["jpg", "jpeg", "png"],
    content_type: "image/png",
    too_large_errcode: 40009,
};

/// The robot's own upload (`webhook/upload_media`): file ≤20 MB, voice ≤2 MB AMR.
pub const ROBOT_MEDIA_RULES: &[MediaRule] = &[MEDIA_RULES[1], MEDIA_RULES[3]];

pub fn media_rule(kind: &str) -> Option<&'static MediaRule> {
    MEDIA_RULES.iter().find(|r| r.kind == kind)
}

/// A temporary media_id lives 3 days.
pub const MEDIA_TTL_SECS: u64 = 3 * 24 * 3600;

// ---- schedules, meetings ------------------------------------------------------------------

pub const SCHEDULE_MAX_ATTENDEES: usize = 1000;
pub const SCHEDULE_MAX_ADMINS: usize = 3;
pub const SCHEDULE_TEXT_LIMITS: &[TextLimit] = &[
    refused(chars("schedule/summary", 128)),
    refused(chars("schedule/description", 1000)),
    refused(chars("schedule/location", 128)),
];
/// `remind_time_diffs` offsets, seconds relative to the start.
pub const SCHEDULE_REMIND_MIN: i64 = -604_800;
pub const SCHEDULE_REMIND_MAX: i64 = 86_399;

pub const MEETING_MIN_DURATION: u64 = 300;
pub const MEETING_MAX_DURATION: u64 = 86_399;
/// Invitees of a meeting in a corp without a paid plan (paid: up to 300).
pub const MEETING_MAX_INVITEES: usize = 100;
pub const MEETING_MAX_HOSTS: usize = 10;
pub const MEETING_TEXT_LIMITS: &[TextLimit] = &[
    refused(chars("title", 255)),
    refused(chars("description", 500)),
    refused(chars("location", 128)),
];
pub const MEETING_REMIND_BEFORE: &[u64] = &[0, 300, 900, 3600, 86400];
/// A meeting password is 4 to 6 digits.
pub const MEETING_PASSWORD_DIGITS: std::ops::RangeInclusive<usize> = 4..=6;
pub const CUSTOMER_DATA_BYTES: usize = 256;

// ---- external contacts --------------------------------------------------------------------

pub const EXTERNAL_BATCH_USERS: usize = 100;
pub const EXTERNAL_BATCH_LIMIT: u64 = 100;
/// batch/get_by_user without `limit`.
pub const EXTERNAL_BATCH_DEFAULT_LIMIT: u64 = 50;
/// externalcontact/get answers at most this many `follow_user` rows, then a `next_cursor`.
pub const EXTERNAL_FOLLOW_PAGE: usize = 500;
pub const CONTACT_WAY_STATE_CHARS: usize = 30;
pub const CONTACT_WAY_REMARK_CHARS: usize = 30;
pub const CONTACT_WAY_MAX_USERS: usize = 100;
pub const MSG_TEMPLATE_MAX_CUSTOMERS: usize = 10_000;
pub const MSG_TEMPLATE_TEXT_BYTES: usize = 4000;
pub const MSG_TEMPLATE_MAX_ATTACHMENTS: usize = 9;
/// get_groupmsg_send_result `limit`: at most 1000; without it (or above it) WeCom answers 500.
pub const MSG_TEMPLATE_RESULT_MAX_LIMIT: u64 = 1000;
pub const MSG_TEMPLATE_RESULT_DEFAULT_LIMIT: u64 = 500;

// ---- identity, JS-SDK ---------------------------------------------------------------------

/// OAuth codes live 5 minutes and work once.
pub const OAUTH_CODE_TTL_SECS: u64 = 300;
pub const USER_TICKET_TTL_SECS: u64 = 1800;
/// OAuth `state`: `[a-zA-Z0-9]`, at most 128 bytes.
pub const OAUTH_STATE_BYTES: usize = 128;
/// JS-SDK ticket fetches per hour: "一小时内，一个企业最多可获取400次，且单个应用不能超过100次"
/// (path/90506, docs/wecom/signin-and-jssdk.md#js-sdk-tickets). Hence the server-side cache.
pub const JSAPI_TICKETS_PER_HOUR_CORP: usize = 400;
pub const JSAPI_TICKETS_PER_HOUR_APP: usize = 100;

// ---- contacts -----------------------------------------------------------------------------

pub const LIST_ID_MAX_LIMIT: u64 = 10_000;

/// Checks every text limit of `limits` in `object`; the first one exceeded, as
/// `(path, length, limit)`. `prefix` names the object in the path (`textcard`).
pub fn exceeded(
    object: &serde_json::Value,
    limits: &'static [TextLimit],
) -> Option<(String, usize, &'static TextLimit)> {
    for limit in limits {
        let mut found = None;
        visit(object, limit.path, String::new(), &mut |path, text| {
            let len = limit.unit.measure(text);
            if found.is_none() && len > limit.max {
                found = Some((path, len));
            }
        });
        if let Some((path, len)) = found {
            return Some((path, len, limit));
        }
    }
    None
}

/// Calls `f(path, text)` for every string at `pattern` (`a/*/b`) under `value`.
pub fn visit(
    value: &serde_json::Value,
    pattern: &str,
    at: String,
    f: &mut dyn FnMut(String, &str),
) {
    let (head, rest) = match pattern.split_once('/') {
        Some((h, r)) => (h, Some(r)),
        None => (pattern, None),
    };
    let join = |seg: &str| {
        if at.is_empty() {
            seg.to_string()
        } else {
            format!("{at}.{seg}")
        }
    };
    let children: Vec<(String, &serde_json::Value)> = if head == "*" {
        value
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| (format!("{at}[{i}]"), v))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        value
            .get(head)
            .map(|v| vec![(join(head), v)])
            .unwrap_or_default()
    };
    for (path, child) in children {
        match rest {
            Some(rest) => visit(child, rest, path, f),
            None => {
                if let Some(text) = child.as_str() {
                    f(path, text)
                }
            }
        }
    }
}

/// Cuts `text` to `limit` (on a character boundary), as WeCom does with over-long fields.
pub fn truncate(text: &mut String, limit: &TextLimit) {
    match limit.unit {
        Unit::Bytes => {
            if text.len() > limit.max {
                let mut end = limit.max;
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.truncate(end);
            }
        }
        Unit::Chars => {
            if let Some((i, _)) = text.char_indices().nth(limit.max) {
                text.truncate(i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_first_exceeded_limit_with_its_path() {
        let card = json!({"title": "t".repeat(129), "description": "d"});
        let (path, len, limit) = exceeded(&card, message_text_limits("textcard")).unwrap();
        assert_eq!((path.as_str(), len, limit.max), ("title", 129, 128));
        let news = json!({"articles": [{"title": "ok"}, {"title": "字".repeat(43)}]});
        let (path, len, _) = exceeded(&news, message_text_limits("news")).unwrap();
        assert_eq!((path.as_str(), len), ("articles[1].title", 129));
        assert!(exceeded(
            &json!({"content": "字".repeat(682)}),
            message_text_limits("text")
        )
        .is_none());
        let btn = json!({"title": "t", "btntxt": "五个字不行"});
        let (_, len, limit) = exceeded(&btn, message_text_limits("textcard")).unwrap();
        assert_eq!((len, limit.unit), (5, Unit::Chars));
    }

    #[test]
    fn truncates_on_character_boundaries() {
        let mut s = "面".repeat(700);
        truncate(&mut s, &bytes("content", 2048));
        assert_eq!(s.len(), 2046);
        let mut s = "五个字不行".to_string();
        truncate(&mut s, &chars("btntxt", 4));
        assert_eq!(s, "五个字不");
    }

    #[test]
    fn media_rules() {
        assert_eq!(
            media_rule("file").map(|r| r.max_bytes),
            Some(20 * 1024 * 1024)
        );
        assert!(media_rule("sticker").is_none());
        assert_eq!(ROBOT_MEDIA_RULES[0].kind, "voice");
    }
}
