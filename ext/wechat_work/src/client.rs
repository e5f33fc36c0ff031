//! `WechatWork::Native::Client`: the core client behind `WechatWork::Client` and
//! `WechatWork::Webhook`. Generic on purpose: a call by endpoint name, an ad hoc call, an
//! upload and a download. Positional `_methods` only; the keyword API, defaults and docs live
//! in lib/wechat_work/client.rb and client/*.rb.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use magnus::{
    function, method, prelude::*, typed_data::DataTypeFunctions, Error, RArray, RHash, RModule,
    Ruby, TypedData, Value,
};
use wechat_work_core::api::{self, Method};
use wechat_work_core::transport::{
    Client, ClientConfig, CredentialKind, Request, SharedStore, TraceEvent, Upload,
};

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

fn arg_error(ruby: &Ruby, message: impl Into<String>) -> Error {
    Error::new(ruby.exception_arg_error(), message.into())
}

fn seconds(value: f64, name: &str, ruby: &Ruby) -> Result<Duration, Error> {
    if value.is_finite() && value > 0.0 && value < 86_400.0 {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(arg_error(
            ruby,
            format!("{name} must be a positive number of seconds, got {value}"),
        ))
    }
}

fn kind(ruby: &Ruby, name: &str) -> Result<CredentialKind, Error> {
    match name {
        "access_token" => Ok(CredentialKind::AccessToken),
        "jsapi_ticket" => Ok(CredentialKind::CorpTicket),
        "agent_ticket" => Ok(CredentialKind::AgentTicket),
        other => Err(arg_error(
            ruby,
            format!("unknown credential {other:?}: access_token, jsapi_ticket or agent_ticket"),
        )),
    }
}

fn endpoint(ruby: &Ruby, name: &str) -> Result<&'static api::Endpoint, Error> {
    api::find(name).ok_or_else(|| {
        arg_error(
            ruby,
            format!(
                "{name:?} is not a registered endpoint (client.get / client.post call any API)"
            ),
        )
    })
}

impl NativeClient {
    /// `options`: corp_id, secret, agent_id, base_url, timeout, open_timeout, max_retries,
    /// base_backoff, token_store, webhook_key.
    fn new(ruby: &Ruby, options: RHash) -> Result<Self, Error> {
        let corp_id: String = hash_get(options, "corp_id")?.unwrap_or_default();
        let secret: String = hash_get(options, "secret")?.unwrap_or_default();
        let mut config = match hash_get::<String>(options, "webhook_key")? {
            Some(key) => ClientConfig::webhook(key),
            None => ClientConfig::new(corp_id, secret),
        };
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
        let store: Option<Arc<dyn SharedStore>> = store_object
            .map(|object| Arc::new(RubyTokenStore::new(object)) as Arc<dyn SharedStore>);
        let core = check(ruby, Client::new(config, store))?;
        Ok(Self {
            core,
            store: store_object.map(magnus::value::Opaque::from),
        })
    }

    /// `_credential(kind, trace)`: a cached credential is answered with the GVL held (no I/O,
    /// no runtime entry); otherwise it is fetched with the GVL released.
    fn credential(
        ruby: &Ruby,
        rb_self: &Self,
        kind_name: String,
        trace: Value,
    ) -> Result<String, Error> {
        let kind = kind(ruby, &kind_name)?;
        if let Some(value) = rb_self.core.cached(kind) {
            return Ok(value);
        }
        let mut events = Vec::new();
        let out = without_gvl(ruby, |cancel| {
            rb_self.core.credential(kind, cancel, &mut events)
        });
        push_trace(ruby, trace, &events)?;
        check(ruby, out?)
    }

    /// `_refresh(kind, ahead_seconds, trace)`: `[fetched, seconds_left]`.
    fn refresh(
        ruby: &Ruby,
        rb_self: &Self,
        kind_name: String,
        ahead: f64,
        trace: Value,
    ) -> Result<(bool, u64), Error> {
        let kind = kind(ruby, &kind_name)?;
        let ahead = seconds(ahead, "ahead", ruby)?;
        let mut events = Vec::new();
        let out = without_gvl(ruby, |cancel| {
            rb_self.core.refresh(kind, ahead, cancel, &mut events)
        });
        push_trace(ruby, trace, &events)?;
        check(ruby, out?)
    }

    fn cached_credential(
        ruby: &Ruby,
        rb_self: &Self,
        kind_name: String,
    ) -> Result<Option<String>, Error> {
        Ok(rb_self.core.cached(kind(ruby, &kind_name)?))
    }

    /// `_credential_fetched_at(kind)`: when the cached credential was fetched (Unix seconds), or nil.
    fn credential_fetched_at(
        ruby: &Ruby,
        rb_self: &Self,
        kind_name: String,
    ) -> Result<Option<u64>, Error> {
        Ok(rb_self.core.fetched_at(kind(ruby, &kind_name)?))
    }

    /// `_invalidate(kind, rejected)`: drops the cached credential (only if it is still
    /// `rejected`, when given), here and in the token store.
    fn invalidate(
        ruby: &Ruby,
        rb_self: &Self,
        kind_name: String,
        rejected: Option<String>,
    ) -> Result<(), Error> {
        let kind = kind(ruby, &kind_name)?;
        // The core may call the Ruby store, which takes the GVL back itself: release it first.
        let core = &rb_self.core;
        without_gvl(ruby, |_| {
            core.invalidate(kind, rejected.as_deref());
            Ok(())
        })?
        .map_err(|e| to_ruby(ruby, e))
    }

    fn credential_key(ruby: &Ruby, rb_self: &Self, kind_name: String) -> Result<String, Error> {
        Ok(rb_self
            .core
            .key(kind(ruby, &kind_name)?)
            .as_str()
            .to_string())
    }

    /// `_call(endpoint, params_json, trace)`: a registered endpoint, its parameters checked
    /// the way WeCom would before any request.
    fn call(
        ruby: &Ruby,
        rb_self: &Self,
        name: String,
        params_json: String,
        trace: Value,
    ) -> Result<Value, Error> {
        let endpoint = endpoint(ruby, &name)?;
        let params = parse_json(ruby, &params_json, "the parameters")?;
        let req = check(ruby, Request::to(endpoint, params))?;
        Self::run(ruby, rb_self, req, None, trace)
    }

    /// `_request(method, path, params_json, idempotent, trace)`: any API (`get` / `post`).
    fn request(
        ruby: &Ruby,
        rb_self: &Self,
        method: String,
        path: String,
        params_json: String,
        idempotent: bool,
        trace: Value,
    ) -> Result<Value, Error> {
        let method = Method::parse(&method)
            .ok_or_else(|| arg_error(ruby, format!("unsupported method {method:?}")))?;
        let params = parse_json(ruby, &params_json, "the parameters")?;
        let req = check(ruby, Request::adhoc(method, &path, params, idempotent))?;
        Self::run(ruby, rb_self, req, None, trace)
    }

    /// `_validate(endpoint, params_json)`: the checks of `_call`, without a request.
    fn validate(ruby: &Ruby, name: String, params_json: String) -> Result<(), Error> {
        let endpoint = endpoint(ruby, &name)?;
        let params = parse_json(ruby, &params_json, "the parameters")?;
        check(ruby, Request::to(endpoint, params)).map(drop)
    }

    /// `_upload(endpoint, params_json, path, filename, content_type, trace)`: the file is
    /// checked (size, format), then streamed from disk on each attempt.
    #[allow(clippy::too_many_arguments)]
    fn upload(
        ruby: &Ruby,
        rb_self: &Self,
        name: String,
        params_json: String,
        path: String,
        filename: String,
        content_type: Option<String>,
        trace: Value,
    ) -> Result<Value, Error> {
        let endpoint = endpoint(ruby, &name)?;
        let params = parse_json(ruby, &params_json, "the parameters")?;
        let size = std::fs::metadata(&path)
            .map_err(|e| arg_error(ruby, format!("cannot read {path}: {e}")))?
            .len();
        let content_type =
            content_type.unwrap_or_else(|| api::media::content_type_for(&filename).to_string());
        let file = Upload {
            path: PathBuf::from(path),
            filename,
            content_type,
            size,
        };
        let req = check(ruby, Request::upload(endpoint, params, file))?;
        Self::run(ruby, rb_self, req, None, trace)
    }

    /// `_download(endpoint, params_json, dest_path, trace)`: the answer's bytes are streamed to
    /// `dest_path`; returns `{"size", "content_type", "filename"}`.
    fn download(
        ruby: &Ruby,
        rb_self: &Self,
        name: String,
        params_json: String,
        dest: String,
        trace: Value,
    ) -> Result<Value, Error> {
        let endpoint = endpoint(ruby, &name)?;
        let params = parse_json(ruby, &params_json, "the parameters")?;
        let req = check(ruby, Request::to(endpoint, params))?;
        Self::run(ruby, rb_self, req, Some(PathBuf::from(dest)), trace)
    }

    fn run(
        ruby: &Ruby,
        rb_self: &Self,
        req: Request,
        sink: Option<PathBuf>,
        trace: Value,
    ) -> Result<Value, Error> {
        let mut events = Vec::new();
        let out = without_gvl(ruby, |cancel| {
            rb_self
                .core
                .call(&req, sink.as_deref(), cancel, &mut events)
        });
        push_trace(ruby, trace, &events)?;
        match out? {
            Ok(json) => json_to_ruby(ruby, &json),
            Err(e) => Err(to_ruby(ruby, e)),
        }
    }
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
    class.define_singleton_method("_validate", function!(NativeClient::validate, 2))?;
    class.define_method("_credential", method!(NativeClient::credential, 2))?;
    class.define_method(
        "_cached_credential",
        method!(NativeClient::cached_credential, 1),
    )?;
    class.define_method("_invalidate", method!(NativeClient::invalidate, 2))?;
    class.define_method("_credential_key", method!(NativeClient::credential_key, 1))?;
    class.define_method(
        "_credential_fetched_at",
        method!(NativeClient::credential_fetched_at, 1),
    )?;
    class.define_method("_refresh", method!(NativeClient::refresh, 3))?;
    class.define_method("_call", method!(NativeClient::call, 3))?;
    class.define_method("_request", method!(NativeClient::request, 5))?;
    class.define_method("_upload", method!(NativeClient::upload, 6))?;
    class.define_method("_download", method!(NativeClient::download, 4))?;
    Ok(())
}
