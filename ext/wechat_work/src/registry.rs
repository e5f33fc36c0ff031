//! The core's WeCom facts for the Ruby layer: the endpoint registry, the errcode table and
//! JS-SDK signatures. Ruby reads these instead of keeping copies.

use magnus::{function, Error, RArray, RModule, Ruby};
use wechat_work_core::api::{self, Answer, Body, Credential, Idempotency};
use wechat_work_core::wecom::errcodes::{self, Refresh, Retry};

/// `Native.endpoints`: one Hash per record.
fn endpoints(ruby: &Ruby) -> Result<RArray, Error> {
    let out = ruby.ary_new();
    for (domain, list) in api::DOMAINS {
        for e in list.iter() {
            let h = ruby.hash_new();
            h.aset(ruby.to_symbol("name"), e.path)?;
            h.aset(ruby.to_symbol("domain"), *domain)?;
            h.aset(ruby.to_symbol("method"), e.method.as_str())?;
            let credential = match e.credential {
                Credential::AccessToken => "access_token",
                Credential::WebhookKey => "webhook_key",
                Credential::None => "none",
            };
            h.aset(ruby.to_symbol("credential"), ruby.to_symbol(credential))?;
            let idempotency = match e.idempotency {
                Idempotency::Safe => "safe",
                Idempotency::DuplicateCheck => "duplicate_check",
                Idempotency::Unsafe => "unsafe",
            };
            h.aset(ruby.to_symbol("idempotency"), ruby.to_symbol(idempotency))?;
            let body = match e.body {
                Body::Query => "query",
                Body::Json => "json",
                Body::Multipart => "multipart",
            };
            h.aset(ruby.to_symbol("body"), ruby.to_symbol(body))?;
            let answer = match e.answer {
                Answer::Json => "json",
                Answer::Binary => "binary",
            };
            h.aset(ruby.to_symbol("answer"), ruby.to_symbol(answer))?;
            h.aset(
                ruby.to_symbol("doc"),
                format!("https://developer.work.weixin.qq.com/document/{}", e.doc),
            )?;
            out.push(h)?;
        }
    }
    Ok(out)
}

/// `Native.errcodes`: one Hash per known errcode.
fn errcode_table(ruby: &Ruby) -> Result<RArray, Error> {
    let out = ruby.ary_new();
    for e in errcodes::ERRCODES {
        let h = ruby.hash_new();
        h.aset(ruby.to_symbol("code"), e.code)?;
        h.aset(ruby.to_symbol("text"), e.text)?;
        h.aset(ruby.to_symbol("family"), ruby.to_symbol(e.family.as_str()))?;
        let retry = match e.retry {
            Retry::Now => "now",
            Retry::Later => "later",
            Retry::Never => "never",
        };
        h.aset(ruby.to_symbol("retry"), ruby.to_symbol(retry))?;
        let refresh = match e.refresh {
            Refresh::None => None,
            Refresh::AccessToken => Some("access_token"),
            Refresh::JsapiTicket => Some("jsapi_ticket"),
        };
        h.aset(
            ruby.to_symbol("refresh"),
            refresh.map(|r| ruby.to_symbol(r)),
        )?;
        h.aset(
            ruby.to_symbol("hint"),
            (!e.hint.is_empty()).then_some(e.hint),
        )?;
        out.push(h)?;
    }
    Ok(out)
}

/// `Native.check_base_url(url)`: raises ConfigurationError saying what is wrong and what to
/// write instead (no scheme, a trailing /cgi-bin...).
fn check_base_url(ruby: &Ruby, url: String) -> Result<(), Error> {
    crate::errors::check(
        ruby,
        wechat_work_core::transport::config::check_base_url(&url),
    )
}

/// `Native.loopback_base_url?(url)`: whether the base URL is this machine (the simulator).
fn loopback_base_url(url: String) -> bool {
    wechat_work_core::transport::config::is_loopback_base_url(&url)
}

/// `Native.limits`: the WeCom limits the Ruby layer states in its own checks and docs.
fn limits(ruby: &Ruby) -> Result<magnus::RHash, Error> {
    use wechat_work_core::wecom::limits as l;
    let h = ruby.hash_new();
    let set = |k: &str, v: u64| h.aset(ruby.to_symbol(k), v);
    set("max_duplicate_interval", l::MAX_DUPLICATE_INTERVAL)?;
    set("default_duplicate_interval", l::DEFAULT_DUPLICATE_INTERVAL)?;
    set("max_users", l::MAX_USERS as u64)?;
    set("max_parties", l::MAX_PARTIES as u64)?;
    set("max_tags", l::MAX_TAGS as u64)?;
    set("robot_per_minute", u64::from(l::ROBOT_PER_MINUTE))?;
    set("robot_image_bytes", l::ROBOT_IMAGE_BYTES)?;
    set("oauth_state_bytes", l::OAUTH_STATE_BYTES as u64)?;
    set("oauth_code_ttl", l::OAUTH_CODE_TTL_SECS)?;
    set("recall_window", l::RECALL_WINDOW_SECS)?;
    set("response_code_ttl", l::RESPONSE_CODE_TTL_SECS)?;
    set("media_ttl", l::MEDIA_TTL_SECS)?;
    set("external_batch_users", l::EXTERNAL_BATCH_USERS as u64)?;
    // The gem's own callback bounds (not WeCom's), stated once in the core too.
    use wechat_work_core::callback::{window, MAX_BODY_LEN};
    set("callback_body_bytes", MAX_BODY_LEN as u64)?;
    set("callback_timestamp_window", window::DEFAULT_SECS)?;
    set("callback_timestamp_window_max", window::MAX_SECS)?;
    Ok(h)
}

fn js_sdk_signature(ticket: String, noncestr: String, timestamp: String, url: String) -> String {
    wechat_work_core::jssdk::signature(&ticket, &noncestr, &timestamp, &url)
}

pub fn init(_ruby: &Ruby, native: RModule) -> Result<(), Error> {
    native.define_module_function("endpoints", function!(endpoints, 0))?;
    native.define_module_function("errcodes", function!(errcode_table, 0))?;
    native.define_module_function("js_sdk_signature", function!(js_sdk_signature, 4))?;
    native.define_module_function("check_base_url", function!(check_base_url, 1))?;
    native.define_module_function("loopback_base_url?", function!(loopback_base_url, 1))?;
    native.define_module_function("limits", function!(limits, 0))?;
    Ok(())
}
