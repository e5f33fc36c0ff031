//! `WechatWork::Native::Callback` (crypto for an app's endpoint) and
//! `WechatWork::Native::CallbackSender` (WeCom's side, for tests). Positional methods only;
//! `lib/wechat_work/callback.rb` owns the keyword API. Crypto runs with the GVL held (it takes
//! microseconds); the Sender's network waits release it and can be interrupted. "Now" comes
//! from Ruby (`Time.now`), so the timestamp window and the senders share one clock, the one
//! tests move with `travel_to`.

use std::time::Duration;

use magnus::{function, method, prelude::*, Error, RHash, RModule, RString, Ruby, Value};
use serde_json::{Map, Value as Json};
use wechat_work_core::callback::{
    xml, CallbackCrypto, Delivery, Rejection, Sender, TimestampWindow,
};
use wechat_work_core::Error as CoreError;

use crate::convert::{json_to_ruby, parse_json};
use crate::errors::to_ruby;
use crate::gvl::{catch_panic, without_gvl};

#[magnus::wrap(class = "WechatWork::Native::Callback", free_immediately, size)]
struct NativeCallback(CallbackCrypto);

#[magnus::wrap(class = "WechatWork::Native::CallbackSender", free_immediately, size)]
struct NativeSender(Sender);

/// Runs core code with the GVL held, turning a panic into `WechatWork::Error`.
fn guard<T>(ruby: &Ruby, work: impl FnOnce() -> wechat_work_core::Result<T>) -> Result<T, Error> {
    catch_panic(work).map_err(|e| to_ruby(ruby, e))
}

/// A Ruby String's bytes as text; bytes that are not UTF-8 become U+FFFD (they then fail the
/// signature check instead of raising an encoding error).
fn lossy(s: RString) -> String {
    // SAFETY: the slice is copied before any Ruby code can run and move or free it.
    String::from_utf8_lossy(unsafe { s.as_slice() }).into_owned()
}

/// A body that must be UTF-8 XML: anything else is a ProtocolError.
fn utf8_body(ruby: &Ruby, s: RString) -> Result<String, Error> {
    // SAFETY: as in `lossy`.
    let bytes = unsafe { s.as_slice() }.to_vec();
    String::from_utf8(bytes).map_err(|_| to_ruby(ruby, xml::protocol("the body is not UTF-8")))
}

/// Unix seconds from Ruby; a time before 1970 counts as 0 (and fails any window).
fn unix_seconds(now: i64) -> u64 {
    u64::try_from(now).unwrap_or(0)
}

/// `nil` turns the window off; otherwise its seconds.
fn window(seconds: Option<u64>) -> wechat_work_core::Result<TimestampWindow> {
    seconds.map_or(Ok(TimestampWindow::off()), TimestampWindow::seconds)
}

fn fields_to_ruby(ruby: &Ruby, fields: Map<String, Json>) -> Result<Value, Error> {
    json_to_ruby(ruby, &Json::Object(fields))
}

impl NativeCallback {
    fn new(
        ruby: &Ruby,
        token: RString,
        encoding_aes_key: RString,
        receive_id: RString,
        verify_receive_id: bool,
        timestamp_window: Option<u64>,
    ) -> Result<Self, Error> {
        let (token, key, receive_id) = (lossy(token), lossy(encoding_aes_key), lossy(receive_id));
        guard(ruby, || {
            Ok(
                CallbackCrypto::new(&token, &key, &receive_id, verify_receive_id)?
                    .with_timestamp_window(window(timestamp_window)?),
            )
        })
        .map(Self)
    }

    fn verify_url(
        ruby: &Ruby,
        rb_self: &Self,
        msg_signature: RString,
        timestamp: RString,
        nonce: RString,
        echostr: RString,
        now: i64,
    ) -> Result<String, Error> {
        let (s, t, n, e) = (
            lossy(msg_signature),
            lossy(timestamp),
            lossy(nonce),
            lossy(echostr),
        );
        guard(ruby, || {
            rb_self.0.verify_url(&s, &t, &n, &e, unix_seconds(now))
        })
    }

    /// => [inner_xml, fields_hash]
    fn decrypt_message(
        ruby: &Ruby,
        rb_self: &Self,
        body: RString,
        msg_signature: RString,
        timestamp: RString,
        nonce: RString,
        now: i64,
    ) -> Result<(String, Value), Error> {
        let body = utf8_body(ruby, body)?;
        let (s, t, n) = (lossy(msg_signature), lossy(timestamp), lossy(nonce));
        let now = unix_seconds(now);
        let (inner, fields) = guard(ruby, || rb_self.0.decrypt_and_parse(&body, &s, &t, &n, now))?;
        Ok((inner, fields_to_ruby(ruby, fields)?))
    }

    fn encrypt_reply(
        ruby: &Ruby,
        rb_self: &Self,
        reply: RString,
        timestamp: RString,
        nonce: RString,
    ) -> Result<String, Error> {
        let reply = utf8_body(ruby, reply)?;
        let (t, n) = (lossy(timestamp), lossy(nonce));
        guard(ruby, || rb_self.0.encrypt_reply(&reply, &t, &n))
    }

    fn decrypt_reply(ruby: &Ruby, rb_self: &Self, envelope: RString) -> Result<String, Error> {
        let envelope = utf8_body(ruby, envelope)?;
        guard(ruby, || rb_self.0.decrypt_reply(&envelope))
    }

    fn sign(
        ruby: &Ruby,
        rb_self: &Self,
        timestamp: RString,
        nonce: RString,
        encrypt: RString,
    ) -> Result<String, Error> {
        let (t, n, e) = (lossy(timestamp), lossy(nonce), lossy(encrypt));
        guard(ruby, || Ok(rb_self.0.sign(&t, &n, &e)))
    }

    fn encrypt(ruby: &Ruby, rb_self: &Self, plaintext: RString) -> Result<String, Error> {
        let plaintext = utf8_body(ruby, plaintext)?;
        guard(ruby, || rb_self.0.encrypt(&plaintext))
    }

    fn receive_id(&self) -> String {
        self.0.receive_id().to_string()
    }

    /// The window in seconds, nil when off.
    fn timestamp_window(&self) -> Option<u64> {
        self.0.timestamp_window().secs()
    }
}

/// `WechatWork::Native::Callback.rejections` => [{reason:, http_status:, summary:}, ...]: every
/// reason a callback is refused for.
fn rejections(ruby: &Ruby) -> Result<magnus::RArray, Error> {
    let out = ruby.ary_new_capa(Rejection::ALL.len());
    for r in Rejection::ALL {
        let h = ruby.hash_new();
        h.aset(ruby.to_symbol("reason"), ruby.to_symbol(r.name()))?;
        h.aset(ruby.to_symbol("http_status"), r.http_status())?;
        h.aset(ruby.to_symbol("summary"), r.summary())?;
        out.push(h)?;
    }
    Ok(out)
}

/// `WechatWork::Native::Callback.parse_xml(xml)` => Hash of the root's fields.
fn parse_xml(ruby: &Ruby, xml_text: RString) -> Result<Value, Error> {
    let text = utf8_body(ruby, xml_text)?;
    let fields = guard(ruby, || xml::parse(&text))?;
    fields_to_ruby(ruby, fields)
}

/// `WechatWork::Native::Callback.build_xml(json, first_keys_json)` => "<xml>...</xml>".
fn build_xml(ruby: &Ruby, json: String, first: Vec<String>) -> Result<String, Error> {
    let value = parse_json(ruby, &json, "the fields")?;
    let Json::Object(map) = value else {
        return Err(Error::new(
            ruby.exception_arg_error(),
            "the fields must be a Hash",
        ));
    };
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    guard(ruby, || xml::build_ordered(&map, &first))
}

impl NativeSender {
    #[allow(clippy::too_many_arguments)]
    fn new(
        ruby: &Ruby,
        url: RString,
        token: RString,
        encoding_aes_key: RString,
        receive_id: RString,
        timeout: f64,
        retries: u32,
    ) -> Result<Self, Error> {
        let (url, token, key, receive_id) = (
            lossy(url),
            lossy(token),
            lossy(encoding_aes_key),
            lossy(receive_id),
        );
        if !timeout.is_finite() || timeout <= 0.0 || timeout > 3600.0 {
            return Err(to_ruby(
                ruby,
                CoreError::configuration("timeout must be between 0 and 3600 seconds"),
            ));
        }
        guard(ruby, || {
            let crypto = CallbackCrypto::new(&token, &key, &receive_id, true)?;
            Sender::new(&url, crypto, Duration::from_secs_f64(timeout), retries)
        })
        .map(Self)
    }

    fn verify_url(ruby: &Ruby, rb_self: &Self, timestamp: i64) -> Result<String, Error> {
        let sender = &rb_self.0;
        let timestamp = unix_seconds(timestamp);
        let out = without_gvl(ruby, |cancel| sender.verify_url(timestamp, cancel))?;
        out.map_err(|e| to_ruby(ruby, e))
    }

    fn deliver(
        ruby: &Ruby,
        rb_self: &Self,
        message_xml: RString,
        timestamp: i64,
    ) -> Result<RHash, Error> {
        let message = utf8_body(ruby, message_xml)?;
        let sender = &rb_self.0;
        let timestamp = unix_seconds(timestamp);
        let out = without_gvl(ruby, |cancel| sender.deliver(&message, timestamp, cancel))?;
        let delivery = out.map_err(|e| to_ruby(ruby, e))?;
        delivery_to_ruby(ruby, &delivery)
    }
}

fn delivery_to_ruby(ruby: &Ruby, d: &Delivery) -> Result<RHash, Error> {
    let attempts = ruby.ary_new_capa(d.attempts.len());
    for a in &d.attempts {
        let h = ruby.hash_new();
        h.aset(ruby.to_symbol("status"), a.status)?;
        h.aset(ruby.to_symbol("error"), a.error.as_deref())?;
        h.aset(ruby.to_symbol("elapsed"), a.elapsed.as_secs_f64())?;
        attempts.push(h)?;
    }
    let h = ruby.hash_new();
    h.aset(ruby.to_symbol("attempts"), attempts)?;
    h.aset(ruby.to_symbol("status"), d.status)?;
    h.aset(ruby.to_symbol("body"), d.body.as_str())?;
    h.aset(ruby.to_symbol("reply"), d.reply.as_deref())?;
    h.aset(ruby.to_symbol("reply_error"), d.reply_error.as_deref())?;
    h.aset(ruby.to_symbol("message"), d.message.as_str())?;
    h.aset(ruby.to_symbol("ok"), d.ok())?;
    Ok(h)
}

pub fn init(ruby: &Ruby, native: RModule) -> Result<(), Error> {
    let class = native.define_class("Callback", ruby.class_object())?;
    class.define_singleton_method("new", function!(NativeCallback::new, 5))?;
    class.define_singleton_method("rejections", function!(rejections, 0))?;
    class.define_singleton_method("parse_xml", function!(parse_xml, 1))?;
    class.define_singleton_method("build_xml", function!(build_xml, 2))?;
    class.define_method("_verify_url", method!(NativeCallback::verify_url, 5))?;
    class.define_method(
        "_decrypt_message",
        method!(NativeCallback::decrypt_message, 5),
    )?;
    class.define_method("_encrypt_reply", method!(NativeCallback::encrypt_reply, 3))?;
    class.define_method("_decrypt_reply", method!(NativeCallback::decrypt_reply, 1))?;
    class.define_method("_sign", method!(NativeCallback::sign, 3))?;
    class.define_method("_encrypt", method!(NativeCallback::encrypt, 1))?;
    class.define_method("receive_id", method!(NativeCallback::receive_id, 0))?;
    class.define_method(
        "timestamp_window",
        method!(NativeCallback::timestamp_window, 0),
    )?;

    let sender = native.define_class("CallbackSender", ruby.class_object())?;
    sender.define_singleton_method("new", function!(NativeSender::new, 6))?;
    sender.define_method("_verify_url", method!(NativeSender::verify_url, 1))?;
    sender.define_method("_deliver", method!(NativeSender::deliver, 2))?;
    Ok(())
}
