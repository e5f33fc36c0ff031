//! `WechatWork::Native::Client`: the core client behind `WechatWork::Client`.
//! Positional `_methods` only; the keyword API, defaults and docs live in lib/wechat_work/client.rb.

use std::sync::Arc;
use std::time::Duration;

use magnus::{
    function, method, prelude::*, typed_data::DataTypeFunctions, Error, RArray, RHash, RModule,
    Ruby, TypedData, Value,
};
use wechat_work_core::client::{ApiRequest, Client, ClientConfig, TokenStore, TraceEvent};

use crate::convert::{hash_get, json_to_ruby, parse_json};
use crate::errors::{check, to_ruby};
use crate::gvl::without_gvl;
use crate::token_store::RubyTokenStore;

#[derive(TypedData)]
#[magnus(class = "WechatWork::Native::Client", free_immediately, size, mark)]
pub struct NativeClient {
    core: Client,
    store: Option<magnus::value::Opaque<Value>>,
}

impl DataTypeFunctions for NativeClient {
    fn mark(&self, marker: &magnus::gc::Marker) {
        if let Some(store) = self.store {
            marker.mark(store);
        }
    }
}

fn seconds(value: f64, name: &str, ruby: &Ruby) -> Result<Duration, Error> {
    if value.is_finite() && value > 0.0 && value < 86_400.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(Error::new(
            ruby.exception_arg_error(),
            format!("{name} must be a positive number of seconds, got {value}"),
        ))
    }
}

impl NativeClient {
    /// `options`: corp_id, secret, agent_id, base_url, timeout, open_timeout, max_retries, token_store.
    fn new(ruby: &Ruby, options: RHash) -> Result<Self, Error> {
        let corp_id: String = hash_get(options, "corp_id")?.unwrap_or_default();
        let secret: String = hash_get(options, "secret")?.unwrap_or_default();
        let mut config = ClientConfig::new(corp_id, secret);
        config.agent_id = hash_get(options, "agent_id")?;
        if let Some(url) = hash_get::<String>(options, "base_url")? {
            config.base_url = url;
        }
        if let Some(t) = hash_get::<f64>(options, "timeout")? {
            config.timeout = seconds(t, "timeout", ruby)?;
        }
        if let Some(t) = hash_get::<f64>(options, "open_timeout")? {
            config.open_timeout = seconds(t, "open_timeout", ruby)?;
        }
        if let Some(n) = hash_get::<u32>(options, "max_retries")? {
            config.max_retries = n;
        }
        if let Some(t) = hash_get::<f64>(options, "base_backoff")? {
            config.base_backoff = seconds(t, "base_backoff", ruby)?;
        }
        let store_object: Option<Value> = hash_get(options, "token_store")?;
        let store: Option<Arc<dyn TokenStore>> =
            store_object.map(|object| Arc::new(RubyTokenStore::new(object)) as Arc<dyn TokenStore>);
        let core = check(ruby, Client::new(config, store))?;
        Ok(Self {
            core,
            store: store_object.map(magnus::value::Opaque::from),
        })
    }

    fn access_token(ruby: &Ruby, rb_self: &Self, trace: Value) -> Result<String, Error> {
        let mut events = Vec::new();
        let out = without_gvl(ruby, |cancel| {
            rb_self.core.access_token(cancel, &mut events)
        });
        push_trace(ruby, trace, &events)?;
        check(ruby, out?)
    }

    /// `_call(method, path, query_json, body_json, idempotent, trace)`: one argument per
    /// positional Ruby argument, as magnus binds them.
    #[allow(clippy::too_many_arguments)]
    fn call(
        ruby: &Ruby,
        rb_self: &Self,
        method: String,
        path: String,
        query_json: Option<String>,
        body_json: Option<String>,
        idempotent: bool,
        trace: Value,
    ) -> Result<Value, Error> {
        let query = match query_json {
            Some(text) => query_pairs(ruby, &text)?,
            None => Vec::new(),
        };
        let mut req = match method.as_str() {
            "GET" => ApiRequest::get(path, query),
            "POST" => {
                let body = match body_json {
                    Some(text) => parse_json(ruby, &text, "the body")?,
                    None => serde_json::json!({}),
                };
                let mut req = ApiRequest::post(path, body);
                req.query = query;
                req
            }
            other => {
                return Err(Error::new(
                    ruby.exception_arg_error(),
                    format!("unsupported method {other:?}"),
                ))
            }
        };
        req.idempotent |= idempotent;
        Self::run(ruby, rb_self, req, trace)
    }

    /// `_send_message(body_json, trace)`: checks the body like WeCom would, then posts it.
    fn send_message(
        ruby: &Ruby,
        rb_self: &Self,
        body_json: String,
        trace: Value,
    ) -> Result<Value, Error> {
        let body = parse_json(ruby, &body_json, "the message")?;
        check(ruby, wechat_work_core::message::validate(&body))?;
        Self::run(ruby, rb_self, ApiRequest::post("message/send", body), trace)
    }

    fn validate_message(ruby: &Ruby, body_json: String) -> Result<(), Error> {
        let body = parse_json(ruby, &body_json, "the message")?;
        check(ruby, wechat_work_core::message::validate(&body))
    }

    fn run(ruby: &Ruby, rb_self: &Self, req: ApiRequest, trace: Value) -> Result<Value, Error> {
        let mut events = Vec::new();
        let out = without_gvl(ruby, |cancel| rb_self.core.call(&req, cancel, &mut events));
        push_trace(ruby, trace, &events)?;
        match out? {
            Ok(json) => json_to_ruby(ruby, &json),
            Err(e) => Err(to_ruby(ruby, e)),
        }
    }

    fn invalidate_token(ruby: &Ruby, rb_self: &Self) -> Result<(), Error> {
        // The core may call the Ruby store, which takes the GVL back itself: release it first.
        let core = &rb_self.core;
        without_gvl(ruby, |_| {
            core.invalidate_token();
            Ok(())
        })?
        .map_err(|e| to_ruby(ruby, e))
    }

    fn token_key(&self) -> String {
        self.core.token_key().as_str().to_string()
    }
}

fn query_pairs(ruby: &Ruby, text: &str) -> Result<Vec<(String, String)>, Error> {
    let json = parse_json(ruby, text, "the query")?;
    let Some(map) = json.as_object() else {
        return Err(Error::new(
            ruby.exception_arg_error(),
            "params must be a Hash",
        ));
    };
    Ok(map
        .iter()
        .map(|(k, v)| {
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.clone(), value)
        })
        .collect())
}

/// Appends one Hash per HTTP attempt to `trace` (an Array, or nil when nobody listens).
fn push_trace(ruby: &Ruby, trace: Value, events: &[TraceEvent]) -> Result<(), Error> {
    let Some(array) = RArray::from_value(trace) else {
        return Ok(());
    };
    for e in events {
        let h = ruby.hash_new();
        h.aset(ruby.to_symbol("method"), e.method)?;
        h.aset(ruby.to_symbol("path"), e.path.as_str())?;
        h.aset(ruby.to_symbol("attempt"), e.attempt)?;
        h.aset(ruby.to_symbol("status"), e.status)?;
        h.aset(ruby.to_symbol("errcode"), e.errcode)?;
        h.aset(ruby.to_symbol("duration"), e.duration.as_secs_f64())?;
        h.aset(ruby.to_symbol("outcome"), ruby.to_symbol(e.outcome))?;
        array.push(h)?;
    }
    Ok(())
}

pub fn init(ruby: &Ruby, native: RModule) -> Result<(), Error> {
    let class = native.define_class("Client", ruby.class_object())?;
    class.define_singleton_method("_new", function!(NativeClient::new, 1))?;
    class.define_singleton_method(
        "_validate_message",
        function!(NativeClient::validate_message, 1),
    )?;
    class.define_method("_access_token", method!(NativeClient::access_token, 1))?;
    class.define_method("_call", method!(NativeClient::call, 6))?;
    class.define_method("_send_message", method!(NativeClient::send_message, 2))?;
    class.define_method(
        "_invalidate_token",
        method!(NativeClient::invalidate_token, 0),
    )?;
    class.define_method("_token_key", method!(NativeClient::token_key, 0))?;
    Ok(())
}
