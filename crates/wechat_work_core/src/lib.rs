//! wechat_work_core: everything the wechat_work gem does that is not Ruby.
//!
//! * [`wecom`]: WeCom's facts, once: errcodes, limits, flags, id rules.
//! * [`api`]: the endpoint registry, one record per API, with its parameter checks.
//! * [`transport`]: the one pipeline every call goes through (credentials, deadline, retries,
//!   classification, trace), the credential cache, fork-safe plumbing.
//! * [`callback`]: callback signature, AES crypto and XML parsing.
//! * [`jssdk`]: JS-SDK signatures.
//!
//! Every call that may wait takes a [`Canceller`], so a host (the Ruby binding) can interrupt it.

// No unwrap/expect outside tests: a panic on a path Ruby reaches would kill the worker.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod api;
pub mod callback;
pub mod cancel;
pub mod error;
pub mod jssdk;
pub mod runtime;
pub mod transport;
pub mod wecom;

pub use cancel::Canceller;
pub use error::{Error, Result};
