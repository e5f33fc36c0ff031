//! The Ruby binding: converts values, releases the GVL around waits and maps core errors
//! onto the Ruby `WechatWork::Error` tree. No WeCom logic lives here.

mod callback;
mod client;
mod convert;
mod errors;
mod gvl;
mod token_store;

use magnus::{prelude::*, Error, Ruby};

#[magnus::init]
fn init(ruby: &Ruby) -> Result<(), Error> {
    let root = ruby.define_module("WechatWork")?;
    let native = root.define_module("Native")?;
    client::init(ruby, native)?;
    callback::init(ruby, native)?;
    Ok(())
}
