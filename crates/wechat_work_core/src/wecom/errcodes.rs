//! WeCom's errcodes, once: what each means in English, what usually fixes it, whether a call
//! may be retried, and which credential it condemns. The client's retry and refresh logic,
//! the simulator's `errmsg` texts and the Ruby error classes and hints all read this table.
//!
//! Sources: the official global error page (path/90313, via WxJava's `WxCpErrorMsgEnum` and
//! go-workwx's generated `errcodes`), and `errmsg` prefixes observed in real answers; each
//! code with its source: docs/wecom/tokens-and-errors.md#errcodes.

/// What the client does about an errcode.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Nothing was done (-1 "system busy"): retried at once, with backoff, within the call.
    Now,
    /// A limit: not retried within the call (WeCom blocks for 60 s to 60 min), but a job
    /// should try again later.
    Later,
    /// Retrying cannot help: the request or the setup must change.
    Never,
}

/// The credential an errcode condemns: the client drops it (if it is still the cached one),
/// fetches a new one and retries the call once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refresh {
    None,
    AccessToken,
    JsapiTicket,
}

/// Errors people handle differently; each is one Ruby class (`WechatWork::RateLimitError`...).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    SystemBusy,
    InvalidCredential,
    InvalidCorpId,
    InvalidToken,
    InvalidAgent,
    InvalidCode,
    RateLimit,
    IpNotAllowed,
    Permission,
    NoValidRecipient,
    WrongAgent,
    NotFound,
    InvalidArgument,
    Media,
    Other,
}

impl Family {
    /// The name the Ruby layer maps to a class.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::SystemBusy => "system_busy",
            Family::InvalidCredential => "invalid_credential",
            Family::InvalidCorpId => "invalid_corp_id",
            Family::InvalidToken => "invalid_token",
            Family::InvalidAgent => "invalid_agent",
            Family::InvalidCode => "invalid_code",
            Family::RateLimit => "rate_limit",
            Family::IpNotAllowed => "ip_not_allowed",
            Family::Permission => "permission",
            Family::NoValidRecipient => "no_valid_recipient",
            Family::WrongAgent => "wrong_agent",
            Family::NotFound => "not_found",
            Family::InvalidArgument => "invalid_argument",
            Family::Media => "media",
            Family::Other => "other",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Errcode {
    pub code: i64,
    /// The English `errmsg` prefix WeCom answers (observed where known).
    pub text: &'static str,
    pub family: Family,
    pub retry: Retry,
    pub refresh: Refresh,
    /// What usually fixes it; empty when there is nothing better than the text.
    pub hint: &'static str,
}

const fn code(code: i64, text: &'static str, family: Family, hint: &'static str) -> Errcode {
    Errcode {
        code,
        text,
        family,
        retry: Retry::Never,
        refresh: Refresh::None,
        hint,
    }
}

const fn busy(code: i64, text: &'static str, hint: &'static str) -> Errcode {
    Errcode {
        code,
        text,
        family: Family::SystemBusy,
        retry: Retry::Now,
        refresh: Refresh::None,
        hint,
    }
}

const fn limit(code: i64, text: &'static str, hint: &'static str) -> Errcode {
    Errcode {
        code,
        text,
        family: Family::RateLimit,
        retry: Retry::Later,
        refresh: Refresh::None,
        hint,
    }
}

const fn token(code: i64, text: &'static str, family: Family, hint: &'static str) -> Errcode {
    Errcode {
        code,
        text,
        family,
        retry: Retry::Never,
        refresh: Refresh::AccessToken,
        hint,
    }
}

use Family::*;

/// Sorted by code (checked by a test), so [`lookup`] can binary-search.
pub static ERRCODES: &[Errcode] = &[
    busy(-1, "system busy", "WeCom was busy; the call was retried with backoff. Try again later."),
    code(0, "ok", Other, ""),
    code(404, "not implemented by the WeCom simulator", NotFound, "The local WeCom simulator does not implement this API yet; it is not a WeCom errcode. Use real WeCom for it, or stub the answer in tests."),
    token(40001, "invalid credential", InvalidCredential, "The secret is wrong for this corp id, or the app is disabled. Check the app's Secret in the admin console (应用管理 → the app → Secret)."),
    code(40003, "invalid userid", InvalidArgument, "The userid does not exist in the corp."),
    code(40004, "invalid media type", Media, "The file type is not allowed for this media type."),
    code(40005, "invalid type", Media, "The media type must be image, voice, video or file."),
    code(40006, "invalid file size", Media, "The file is too small (at most 5 bytes) or too large for its type."),
    code(40007, "invalid media_id", Media, "The media_id is unknown or older than 3 days: upload the file again."),
    code(40008, "invalid message type", InvalidArgument, ""),
    code(40009, "invalid image size", Media, "Images must be more than 5 bytes and at most 10 MB (2 MB for uploadimg)."),
    code(40011, "invalid video size", Media, "Videos must be more than 5 bytes and at most 10 MB."),
    code(40013, "invalid corpid", InvalidCorpId, "The corp id is wrong. It is shown under 我的企业 → 企业信息 → 企业ID."),
    token(40014, "invalid access_token", InvalidToken, "The access token is invalid; the client refetched it once and WeCom still refused it."),
    code(40029, "invalid code", InvalidCode, "The OAuth code is invalid, already used or older than 5 minutes: send the user through sign-in again."),
    code(40031, "invalid userid list", InvalidArgument, "At least one userid is not in the corp's contacts."),
    code(40032, "invalid userid list size", InvalidArgument, "Too many userids in one call (at most 1000)."),
    code(40035, "invalid parameter", InvalidArgument, ""),
    code(40056, "invalid agentid", InvalidAgent, "The agent id is wrong: it is shown on the app's page in the admin console."),
    code(40058, "invalid Request Parameter", InvalidArgument, "A field is missing, malformed or too long; see errmsg."),
    code(40066, "invalid partyid list", InvalidArgument, ""),
    code(40068, "invalid tagid", InvalidArgument, ""),
    code(40091, "secret is invalid", InvalidCredential, "The secret belongs to another corp, or was reset."),
    Errcode {
        code: 40093,
        text: "invalid jsapi ticket",
        family: InvalidToken,
        retry: Retry::Never,
        refresh: Refresh::JsapiTicket,
        hint: "The JS-SDK ticket is no longer valid; the client refetched it once.",
    },
    code(40096, "invalid external userid", InvalidArgument, "The external_userid is not a customer of this corp."),
    code(41001, "access_token missing", InvalidToken, ""),
    code(41002, "corpid missing", InvalidCorpId, "Set corp_id."),
    code(41004, "corpsecret missing", InvalidCredential, "Set the app's secret."),
    code(41006, "media_id missing", InvalidArgument, "Pass the media_id of an upload (a robot's file or voice post needs one from its own webhook/upload_media)."),
    code(41008, "missing code", InvalidCode, "The OAuth code is missing: the member declined, or the redirect lost the query."),
    code(41009, "missing userid", InvalidArgument, ""),
    code(41011, "missing agentid", InvalidAgent, "Pass agent_id (the app's AgentId)."),
    code(41016, "missing title", InvalidArgument, ""),
    code(41033, "missing description", InvalidArgument, ""),
    code(41039, "invalid contact way type", InvalidArgument, "A contact way's type is 1 (one member) or 2 (several members)."),
    code(41040, "invalid contact way scene", InvalidArgument, "A contact way's scene is 1 (mini program) or 2 (QR code)."),
    code(41041, "contact way user count exceeds the limit", InvalidArgument, "A contact way takes at most 100 members."),
    code(41047, "invalid msgid", NotFound, "The mass message (msgid) is unknown: use the msgid add_msg_template answered."),
    code(41048, "no customer to send to", InvalidArgument, "None of the external_userids can receive this mass message."),
    token(42001, "access_token expired", InvalidToken, "The access token expired; the client refetched it once and WeCom still refused it."),
    code(42014, "taskid has existed or empty or exceed max len", InvalidArgument, "A template card's task_id must be unique per app, at most 128 bytes of [0-9a-zA-Z_-@]."),
    code(42015, "the app updating the card is not the app that sent it", WrongAgent, "Update a template card with the app (agent id) that sent it."),
    code(42016, "task_id not found", NotFound, ""),
    code(42022, "response_code has been used", InvalidCode, "A response_code works once: use the newest one from the card's last click callback."),
    code(43004, "user has not followed the WeChat plugin", Permission, "The member must have logged into WeCom with WeChat or followed the WeChat plugin."),
    code(44001, "empty media data", Media, "The file is empty."),
    code(44004, "empty content", InvalidArgument, ""),
    code(45001, "media size out of limit", Media, "The file is larger than WeCom allows for its type."),
    code(45002, "content size out of limit", InvalidArgument, ""),
    code(45008, "article size out of limit", InvalidArgument, "News messages take 1 to 8 articles."),
    limit(45009, "api freq out of limit", "WeCom's rate limit was hit; blocked for 60 s (per-minute limit) or 60 min (per-hour limit). Slow down or spread the calls; a group robot takes 20 messages a minute."),
    limit(45033, "api concurrent out of limit", "Too many concurrent calls to WeCom; reduce concurrency and retry."),
    code(46004, "user not found", NotFound, "No member has this mobile or email (or it is outside the app's visible range)."),
    code(48002, "api forbidden", Permission, "The app has no permission for this API: grant it in the admin console (e.g. add the app under 日程 / 会议 / 客户联系 → 可调用接口的应用)."),
    code(48009, "contact sync from a new IP cannot read member details", Permission, "Since 2022-08-15 the contact-sync secret cannot read member details from newly added IPs; use user/list_id and department/simplelist."),
    code(50001, "redirect_uri not authorized", Permission, "The redirect URI's domain must be the app's trusted domain (可信域名), exactly, port included."),
    code(50002, "user out of the app's visible range", Permission, "The member is outside the app's visible range (可见范围)."),
    code(50003, "app disabled", Permission, "The app is disabled in the admin console."),
    code(60011, "no privilege to access/modify contact/party/agent", Permission, "The member, department or tag is outside the app's visible range (可见范围)."),
    code(60020, "not allow to access from your ip", IpNotAllowed, "This server's IP is not in the app's trusted IPs (企业可信IP). Add it in the app's settings; it takes about a minute to apply."),
    code(60111, "userid not found", NotFound, ""),
    code(60140, "invalid response_code", InvalidCode, "The response_code is unknown or older than 72 hours."),
    code(81013, "user & party & tag all invalid", NoValidRecipient, "None of the recipients is valid (unknown, or outside the app's visible range). See #invalid_users / #invalid_parties / #invalid_tags."),
    code(82001, "all recipients invalid", NoValidRecipient, ""),
    code(82002, "invalid partyid list size", InvalidArgument, "At most 100 departments per message."),
    code(82003, "invalid tagid list size", InvalidArgument, "At most 100 tags per message."),
    code(84014, "user ticket expired", InvalidCode, "The user_ticket lives 1800 s: sign the user in again."),
    code(84015, "invalid user ticket", InvalidCode, ""),
    code(84061, "external contact relation not found", NotFound, ""),
    code(84074, "no external contact permission", Permission, "Add the app under 客户联系 → 可调用接口的应用, and make sure the member is in its visible range."),
    code(86001, "invalid chatid", InvalidArgument, ""),
    code(86003, "chatid not found", NotFound, ""),
    code(86004, "invalid chat name", InvalidArgument, ""),
    code(86005, "invalid chat owner", InvalidArgument, ""),
    code(86006, "chat member count out of range", InvalidArgument, "A group chat has 2 to 2000 members."),
    code(86007, "invalid chat member", InvalidArgument, ""),
    code(86008, "chat not created by this app", Permission, "An app can only use group chats it created."),
    code(86207, "chat owner not in member list", InvalidArgument, "The owner must be one of the chat's members."),
    code(86215, "chatid already exists", InvalidArgument, ""),
    code(86216, "invalid chat member id", InvalidArgument, "Members added must exist in the contacts; members removed must be in the chat."),
    code(90457, "invalid calendar id", InvalidArgument, ""),
    code(90460, "schedule deleted", NotFound, ""),
    code(90461, "invalid schedule id", NotFound, ""),
    code(90462, "schedule id list is empty", InvalidArgument, ""),
    code(90464, "too many attendees", InvalidArgument, "A schedule takes at most 1000 attendees."),
    code(90465, "unsupported repeat type", InvalidArgument, "repeat_type is 0 (daily), 1 (weekly), 2 (monthly), 5 (yearly) or 7 (workdays)."),
    code(90466, "no access to another app's calendar or schedule", Permission, ""),
    code(90471, "invalid reminder time", InvalidArgument, "remind_before_event_secs is 0, 300, 900, 3600 or 86400; prefer remind_time_diffs."),
    code(90480, "invalid timezone", InvalidArgument, "timezone is -12 to 12 (hours from UTC)."),
    code(90492, "admin not in attendee list", InvalidArgument, "A schedule's admins must also be attendees."),
    code(90602, "invalid meetingid", NotFound, "No meeting has this id."),
    code(90704, "invalid remind_time_diffs", InvalidArgument, "Reminder offsets are seconds from the start: -604800 (7 days before) to 86399."),
    code(90706, "a one-off schedule cannot move into the past", InvalidArgument, "The new start_time of a non-repeating schedule must not be in the past."),
    code(93000, "invalid webhook url", InvalidCredential, "The robot's key is wrong, or the robot was removed from the group."),
    code(93004, "robot disabled", Permission, ""),
    code(301002, "not allow operate another agent with this accesstoken.", WrongAgent, "The agent id does not belong to the app whose secret issued the token. Pair each agent id with its own secret."),
    code(301017, "voice media must be AMR", Media, "WeCom takes voice media as AMR only (at most 2 MB, 60 seconds); convert the recording first."),
    code(301019, "media md5 not match", Media, "The md5 does not match the bytes sent (a robot's image: md5 of the raw image, before base64)."),
    code(400020, "too many invitees", InvalidArgument, "A meeting takes at most 100 invitees (300 in paid corps)."),
    code(400021, "invalid invitee", InvalidArgument, "Every invitee must be a member inside the app's visible range."),
    code(400027, "too many meeting hosts", InvalidArgument, "A meeting takes at most 10 hosts."),
    code(400030, "invalid meeting password", InvalidArgument, "A meeting password is 4 to 6 digits."),
    code(400031, "invalid meeting settings", InvalidArgument, ""),
    code(400034, "meeting start time must be in the future", InvalidArgument, ""),
    code(400035, "invalid meeting duration", InvalidArgument, "A meeting lasts 300 to 86399 seconds."),
    code(400041, "meeting cancelled", NotFound, ""),
    code(400042, "invalid meeting title", InvalidArgument, ""),
    code(400221, "a meeting in progress or ended cannot be updated", InvalidArgument, ""),
    code(400224, "a meeting in progress or ended cannot be cancelled", InvalidArgument, ""),
    code(730005, "meeting not created by this app", Permission, "An app can only see and change meetings it created."),
];

/// The table row for `code`, if WeCom's code is known.
pub fn lookup(code: i64) -> Option<&'static Errcode> {
    ERRCODES
        .binary_search_by_key(&code, |e| e.code)
        .ok()
        .map(|i| &ERRCODES[i])
}

/// The English text for `code` ("unknown error" when the table does not know it).
pub fn text(code: i64) -> &'static str {
    lookup(code).map_or("unknown error", |e| e.text)
}

/// How the client retries after `code`.
pub fn retry(code: i64) -> Retry {
    lookup(code).map_or(Retry::Never, |e| e.retry)
}

/// Which credential `code` condemns.
pub fn refresh(code: i64) -> Refresh {
    lookup(code).map_or(Refresh::None, |e| e.refresh)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_and_unique() {
        for pair in ERRCODES.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
    }

    #[test]
    fn classes_the_client_relies_on() {
        assert_eq!(retry(-1), Retry::Now);
        assert_eq!(retry(45009), Retry::Later);
        assert_eq!(retry(60020), Retry::Never);
        assert_eq!(retry(123456), Retry::Never);
        for c in [40001, 40014, 42001] {
            assert_eq!(refresh(c), Refresh::AccessToken, "{c}");
        }
        assert_eq!(refresh(40093), Refresh::JsapiTicket);
        assert_eq!(refresh(81013), Refresh::None);
        assert_eq!(text(60020), "not allow to access from your ip");
        assert_eq!(text(7), "unknown error");
        assert_eq!(lookup(301002).map(|e| e.family), Some(Family::WrongAgent));
    }
}
