//! The process-wide async runtime, rebuilt after `fork`.
//!
//! A tokio runtime's worker threads do not survive `fork`: in the child, requests on the
//! parent's runtime hang and dropping it panics. So the runtime is a [`ForkLocal`]: a forked
//! child leaks the inherited one and builds its own, without taking a lock.

use crate::error::{Error, Result};
use crate::transport::fork::{ArcValue, ForkLocal};

static RUNTIME: ForkLocal<tokio::runtime::Runtime> = ForkLocal::new();

/// The runtime for this process, built on first use and after a fork.
pub fn current() -> Result<ArcValue<tokio::runtime::Runtime>> {
    RUNTIME.get_or_try_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            // The calling threads drive their own requests (block_on); the worker only runs
            // connection tasks and timers, so one is enough on small machines.
            .worker_threads(1)
            .thread_name("wechat_work-io")
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the I/O runtime: {e}")))
    })
}

/// Whether `pid` is this process: state built under another pid was inherited through fork.
pub fn is_current_process(pid: u32) -> bool {
    pid == std::process::id()
}
