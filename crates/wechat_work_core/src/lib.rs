//! wechat_work_core: everything the wechat_work gem does that is not Ruby.
//!
//! * [`client`]: access tokens (cached, single-flight, shared through an optional store),
//!   HTTP with keep-alive, retries with backoff, deadlines, redaction.
//! * [`message`]: message/send bodies and WeCom's limits, checked before any request.
//! * [`simulator`]: a local WeCom stand-in for tests and demos.
//! * [`callback`]: callback signature, AES crypto and XML parsing.
//!
//! Every call that may wait takes a [`Canceller`], so a host (the Ruby binding) can interrupt it.

// No unwrap/expect outside tests: a panic on a path Ruby reaches would kill the worker.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod callback;
pub mod cancel;
pub mod client;
pub mod error;
pub mod message;
pub mod runtime;
pub mod simulator;

pub use cancel::Canceller;
pub use error::{Error, Result};
