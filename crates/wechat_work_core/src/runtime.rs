//! The process-wide async runtime, rebuilt after `fork`.
//!
//! A tokio runtime's worker threads do not survive `fork`: in the child, requests on the
//! parent's runtime hang and dropping it panics. So the runtime is a [`ForkLocal`]: a forked
//! child leaks the inherited one and builds its own, without taking a lock.
//!
//! Its threads block asynchronous signals ([`block_async_signals`]). Ruby's signal handlers,
//! and profilers' (stackprof, Datadog, Vernier use SIGPROF), expect to run on a Ruby thread;
//! one delivered to a thread Ruby does not know about crashes the process (stackprof in cpu
//! mode segfaulted in rb_profile_frames). With them blocked here, the kernel delivers them to
//! a thread that accepts them: one of Ruby's.

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
            .on_thread_start(block_async_signals)
            .enable_all()
            .build()
            .map_err(|e| Error::Internal(format!("cannot start the I/O runtime: {e}")))
    })
}

/// Blocks every signal but the synchronous faults (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP,
/// which must still reach their handlers) in the calling thread. For threads the gem starts.
pub fn block_async_signals() {
    // SAFETY: sigset_t is plain data, initialised by sigfillset before use; pthread_sigmask
    // only changes the calling thread's mask.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut set);
        for fault in [
            libc::SIGSEGV,
            libc::SIGBUS,
            libc::SIGFPE,
            libc::SIGILL,
            libc::SIGTRAP,
        ] {
            libc::sigdelset(&mut set, fault);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

/// Whether the calling thread blocks `signal`.
pub fn blocks_signal(signal: libc::c_int) -> bool {
    // SAFETY: reading the calling thread's mask into a zeroed set.
    unsafe {
        let mut current: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, std::ptr::null(), &mut current);
        libc::sigismember(&current, signal) == 1
    }
}

/// Whether `pid` is this process: state built under another pid was inherited through fork.
pub fn is_current_process(pid: u32) -> bool {
    pid == std::process::id()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_threads_leave_signals_to_ruby() {
        let rt = current().unwrap();
        let (prof, int, segv) = rt
            .block_on(async {
                tokio::spawn(async {
                    (
                        blocks_signal(libc::SIGPROF),
                        blocks_signal(libc::SIGINT),
                        blocks_signal(libc::SIGSEGV),
                    )
                })
                .await
            })
            .unwrap();
        assert!(
            prof && int,
            "the I/O thread must not take SIGPROF or SIGINT"
        );
        assert!(!segv, "faults must still reach their handlers");
        let blocking = rt
            .block_on(async { tokio::task::spawn_blocking(|| blocks_signal(libc::SIGPROF)).await })
            .unwrap();
        assert!(
            blocking,
            "blocking-pool threads too (DNS lookups run there)"
        );
    }
}
