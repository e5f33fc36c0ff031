//! The process-wide async runtime, rebuilt after `fork`.
//!
//! A tokio runtime's worker threads do not survive `fork`: in the child, requests on the
//! parent's runtime hang and dropping it panics. So the runtime is tagged with the pid that
//! built it; a different pid means we are in a forked child, where the inherited runtime is
//! leaked (never dropped) and a fresh one is built. No lock is taken on this path: a lock
//! held by another thread at fork time would stay locked forever in the child.

use std::sync::Arc;

use arc_swap::ArcSwapOption;

use crate::error::{Error, Result};

pub struct ProcessRuntime {
    pid: u32,
    rt: tokio::runtime::Runtime,
}

impl ProcessRuntime {
    pub fn block_on<F: std::future::Future>(&self, fut: F) -> F::Output {
        self.rt.block_on(fut)
    }

    pub fn handle(&self) -> &tokio::runtime::Handle {
        self.rt.handle()
    }
}

static RUNTIME: ArcSwapOption<ProcessRuntime> = ArcSwapOption::const_empty();

/// The runtime for this process, built on first use and after a fork.
pub fn current() -> Result<Arc<ProcessRuntime>> {
    let pid = std::process::id();
    let existing = RUNTIME.load_full();
    if let Some(rt) = &existing {
        if rt.pid == pid {
            return Ok(rt.clone());
        }
    }
    let fresh = Arc::new(ProcessRuntime {
        pid,
        rt: tokio::runtime::Builder::new_multi_thread()
            // The calling threads drive their own requests (block_on); the worker only runs
            // connection tasks and timers, so one is enough on small machines.
            .worker_threads(1)
            .thread_name("wechat_work-io")
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the I/O runtime: {e}")))?,
    });
    let previous = RUNTIME.compare_and_swap(&existing, Some(fresh.clone()));
    let won = match (&*previous, &existing) {
        (Some(a), Some(b)) => Arc::ptr_eq(a, b),
        (None, None) => true,
        _ => false,
    };
    if let Some(inherited) = existing {
        if inherited.pid != pid {
            // Keep one reference forever: dropping a runtime whose threads died in fork panics.
            std::mem::forget(inherited);
        }
    }
    if won {
        Ok(fresh)
    } else {
        // Another thread of this process built one first; ours has run nothing, so it drops cleanly.
        match RUNTIME.load_full() {
            Some(rt) if rt.pid == pid => Ok(rt),
            _ => Err(Error::Internal("runtime changed during start-up".into())),
        }
    }
}

/// Whether `pid` is this process: state built under another pid was inherited through fork.
pub fn is_current_process(pid: u32) -> bool {
    pid == std::process::id()
}
