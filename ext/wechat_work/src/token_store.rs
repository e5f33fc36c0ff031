//! A Ruby object with `read(key)` / `write(key, value, expires_in:)` (Rails.cache, an
//! ActiveSupport cache, a Redis wrapper) as the core's shared token store.
//!
//! The core calls it from inside a call that released the GVL, so each access takes the GVL
//! back briefly. A Ruby exception from the store counts as a miss. A non-local exit
//! (Thread#kill, throw) is remembered, the call is cancelled, and the exit resumes once the
//! call has unwound (see `gvl::without_gvl`).

use std::time::Duration;

use magnus::{prelude::*, value::Opaque, Error, KwArgs, Ruby, Value};
use wechat_work_core::transport::SharedStore;

use crate::gvl;

pub struct RubyTokenStore {
    /// Kept alive (and pinned) by the owning `WechatWork::Native::Client`'s mark function.
    object: Opaque<Value>,
}

impl RubyTokenStore {
    pub fn new(object: Value) -> Self {
        Self {
            object: Opaque::from(object),
        }
    }

    fn call<T>(&self, f: impl FnOnce(&Ruby, Value) -> Result<T, Error>) -> Result<T, String> {
        let object = self.object;
        gvl::with_gvl(move |ruby| {
            let store = ruby.get_inner(object);
            f(ruby, store).map_err(|e| {
                let text = e.to_string();
                gvl::defer_non_local_exit(e);
                format!("token store failed: {text}")
            })
        })
    }
}

impl SharedStore for RubyTokenStore {
    fn read(&self, key: &str) -> Result<Option<String>, String> {
        self.call(|_, store| {
            let value: Value = store.funcall("read", (key,))?;
            Ok(if value.is_nil() {
                None
            } else {
                Some(String::try_convert(value)?)
            })
        })
    }

    fn write(&self, key: &str, value: Option<&str>, ttl: Duration) -> Result<(), String> {
        self.call(|ruby, store| {
            let options = ruby.hash_new();
            options.aset(ruby.to_symbol("expires_in"), ttl.as_secs())?;
            match value {
                Some(v) => store.funcall::<_, _, Value>("write", (key, v, KwArgs(options)))?,
                None if store.respond_to("delete", false)? => {
                    store.funcall::<_, _, Value>("delete", (key,))?
                }
                None => {
                    store.funcall::<_, _, Value>("write", (key, ruby.qnil(), KwArgs(options)))?
                }
            };
            Ok(())
        })
    }
}
