//! Cancellation of a call in progress. The Ruby binding's unblocking function calls
//! [`Canceller::cancel`] from another thread when the caller gets `Thread#kill`,
//! `Thread#raise`, `Timeout.timeout` or Ctrl-C; the call then drops its futures (closing
//! the connection it was using) and returns [`Error::Cancelled`](crate::Error::Cancelled).

use std::future::Future;

use tokio_util::sync::CancellationToken;

use crate::error::{Error, Result};
use crate::runtime;

/// A cheap handle: clone it into the unblocking function, keep the original for the call.
#[derive(Clone, Debug, Default)]
pub struct Canceller(CancellationToken);

impl Canceller {
    pub fn new() -> Self {
        Self(CancellationToken::new())
    }

    /// Safe to call from any thread, any number of times; it only flips state and wakes the waiter.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }

    pub(crate) async fn cancelled(&self) {
        self.0.cancelled().await
    }
}

/// Runs `fut` to completion on the calling thread, driven by this process's runtime,
/// unless `cancel` fires first.
pub fn block_on<T>(cancel: &Canceller, fut: impl Future<Output = Result<T>>) -> Result<T> {
    if cancel.is_cancelled() {
        return Err(Error::Cancelled);
    }
    let rt = runtime::current()?;
    rt.block_on(async {
        tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(Error::Cancelled),
            out = fut => out,
        }
    })
}
