//! Core errors as Ruby exceptions. The classes are defined in Ruby (lib/wechat_work/errors.rb);
//! `WechatWork::Error.from_native(kind, message, attributes)` picks the class and builds it.

use magnus::{prelude::*, Error, Exception, RModule, Ruby};
use wechat_work_core::Error as CoreError;

use crate::convert::json_to_ruby;

pub fn to_ruby(ruby: &Ruby, err: CoreError) -> Error {
    match build(ruby, &err) {
        Ok(exception) => Error::from(exception),
        // The Ruby side is missing or broken: still raise something catchable.
        Err(e) => e,
    }
}

fn build(ruby: &Ruby, err: &CoreError) -> Result<Exception, Error> {
    let attrs = ruby.hash_new();
    let kind = match err {
        CoreError::Api {
            errcode,
            errmsg,
            path,
            body,
        } => {
            attrs.aset(ruby.to_symbol("errcode"), *errcode)?;
            attrs.aset(ruby.to_symbol("errmsg"), errmsg.as_str())?;
            attrs.aset(ruby.to_symbol("path"), path.as_str())?;
            attrs.aset(ruby.to_symbol("body"), json_to_ruby(ruby, body)?)?;
            "api"
        }
        CoreError::Network { path, connect, .. } => {
            attrs.aset(ruby.to_symbol("path"), path.as_str())?;
            attrs.aset(ruby.to_symbol("connect"), *connect)?;
            "network"
        }
        CoreError::Timeout { path, timeout_ms } => {
            attrs.aset(ruby.to_symbol("path"), path.as_str())?;
            attrs.aset(ruby.to_symbol("timeout"), *timeout_ms as f64 / 1000.0)?;
            "timeout"
        }
        CoreError::Protocol { path, status, .. } => {
            attrs.aset(ruby.to_symbol("path"), path.as_str())?;
            attrs.aset(ruby.to_symbol("http_status"), *status)?;
            "protocol"
        }
        CoreError::Configuration(_) => "configuration",
        CoreError::Argument(_) => "argument",
        CoreError::Callback { reason, .. } => {
            attrs.aset(ruby.to_symbol("reason"), ruby.to_symbol(reason.name()))?;
            attrs.aset(ruby.to_symbol("http_status"), reason.http_status())?;
            "callback"
        }
        CoreError::Cancelled => "network",
        CoreError::Internal(_) => "internal",
    };
    let root: RModule = ruby.class_object().const_get("WechatWork")?;
    let error_class: magnus::RClass = root.const_get("Error")?;
    error_class.funcall(
        "from_native",
        (ruby.to_symbol(kind), err.to_string(), attrs),
    )
}

/// Turns a core result into a Ruby one.
pub fn check<T>(ruby: &Ruby, result: wechat_work_core::Result<T>) -> Result<T, Error> {
    result.map_err(|e| to_ruby(ruby, e))
}
