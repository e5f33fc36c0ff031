//! The Ruby binding: converts values, releases the GVL around waits and maps core errors
//! onto the Ruby `WechatWork::Error` tree. No WeCom logic lives here.

// No unwrap/expect outside tests: a panic on a path Ruby reaches would kill the worker.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod callback;
mod client;
mod convert;
mod errors;
mod gvl;
mod registry;
mod simulator;
mod token_store;

use magnus::{prelude::*, Error, Ruby};

#[magnus::init]
fn init(ruby: &Ruby) -> Result<(), Error> {
    let root = ruby.define_module("WechatWork")?;
    let native = root.define_module("Native")?;
    client::init(ruby, native)?;
    simulator::init(ruby, native)?;
    callback::init(ruby, native)?;
    registry::init(ruby, native)?;
    native.define_module_function(
        "__panic_without_gvl",
        magnus::function!(panic_without_gvl, 0),
    )?;
    Ok(())
}

/// Proves the panic boundary in the test suite: a panic in core work becomes a
/// `WechatWork::Error` instead of an uncatchable `fatal`.
fn panic_without_gvl(ruby: &Ruby) -> Result<(), Error> {
    let out = gvl::without_gvl(ruby, |_| -> wechat_work_core::Result<()> {
        panic!("deliberate panic for the test suite")
    })?;
    errors::check(ruby, out)
}
