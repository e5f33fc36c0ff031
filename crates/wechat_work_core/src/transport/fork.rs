//! State that must be rebuilt, never dropped, after `fork` (Puma cluster, Sidekiq, Unicorn).
//!
//! A tokio runtime's threads, a connection pool's tasks and the locks other threads held do
//! not exist in a forked child: using the inherited value hangs, dropping it panics. So each
//! such value is tagged with the fork generation it was built in; a child sees another
//! generation, leaks the inherited value and builds its own, without taking a lock.
//!
//! The generation is a counter bumped by a `pthread_atfork` child handler: reading it is one
//! atomic load, with no `getpid` syscall per call.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};

use arc_swap::ArcSwapOption;

static GENERATION: AtomicU64 = AtomicU64::new(0);
static REGISTER: Once = Once::new();

extern "C" fn in_child() {
    // Async-signal-safe: one atomic add, nothing else.
    GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// The fork generation of this process: 0 in the process that first used the library, one
/// more in each forked child.
pub fn generation() -> u64 {
    REGISTER.call_once(|| {
        // SAFETY: registers a handler that only performs an atomic add. A failure (ENOMEM)
        // leaves the counter at 0; `ForkLocal` then also compares the pid it was built in.
        unsafe {
            libc::pthread_atfork(None, None, Some(in_child));
        }
    });
    GENERATION.load(Ordering::Acquire)
}

struct Tagged<T> {
    generation: u64,
    pid: u32,
    value: T,
}

/// A lazily built value owned by the current process (fork generation).
pub struct ForkLocal<T> {
    slot: ArcSwapOption<Tagged<T>>,
}

impl<T> Default for ForkLocal<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> ForkLocal<T> {
    pub const fn new() -> Self {
        Self {
            slot: ArcSwapOption::const_empty(),
        }
    }

    /// This process's value, built with `build` on first use and after a fork. Concurrent
    /// first uses may each build one; one wins, the others are dropped unused.
    pub fn get_or_try_init<E>(
        &self,
        build: impl FnOnce() -> Result<T, E>,
    ) -> Result<ArcValue<T>, E> {
        self.get_or_try_init_from(|_| build())
    }

    /// Like [`ForkLocal::get_or_try_init`]; after a fork, `build` sees the parent's value
    /// (to copy what can be read without a lock: its threads are gone).
    pub fn get_or_try_init_from<E>(
        &self,
        build: impl FnOnce(Option<&T>) -> Result<T, E>,
    ) -> Result<ArcValue<T>, E> {
        let generation = generation();
        let current = self.slot.load_full();
        if let Some(tagged) = current.as_ref().filter(|t| t.generation == generation) {
            return Ok(ArcValue(tagged.clone()));
        }
        let fresh = Arc::new(Tagged {
            generation,
            pid: std::process::id(),
            value: build(current.as_deref().map(|t| &t.value))?,
        });
        let previous = self.slot.compare_and_swap(&current, Some(fresh.clone()));
        let won = match (&*previous, &current) {
            (Some(a), Some(b)) => Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        if let Some(inherited) = current {
            if won && inherited.generation != generation {
                // Its threads and locks do not exist here: never run its destructor.
                std::mem::forget(inherited);
            }
        }
        if won {
            return Ok(ArcValue(fresh));
        }
        // Another thread built one first; ours has run nothing and drops cleanly.
        match self.slot.load_full() {
            Some(t) if t.generation == generation => Ok(ArcValue(t)),
            _ => Ok(ArcValue(fresh)),
        }
    }

    /// The value if it was built in this process, without building one.
    pub fn get(&self) -> Option<ArcValue<T>> {
        let generation = generation();
        self.slot
            .load_full()
            .filter(|t| t.generation == generation)
            .map(ArcValue)
    }

    /// Drops this process's value; an inherited one is leaked instead.
    pub fn clear(&self) {
        if let Some(old) = self.slot.swap(None) {
            if !owned_here(&old) {
                std::mem::forget(old);
            }
        }
    }
}

impl<T> Drop for ForkLocal<T> {
    fn drop(&mut self) {
        // Runs in Ruby's GC for per-client values: never block, never drop an inherited value.
        if let Some(old) = self.slot.swap(None) {
            if !owned_here(&old) {
                std::mem::forget(old);
            }
        }
    }
}

fn owned_here<T>(tagged: &Arc<Tagged<T>>) -> bool {
    tagged.generation == generation() && tagged.pid == std::process::id()
}

/// A shared handle to a [`ForkLocal`]'s value.
pub struct ArcValue<T>(Arc<Tagged<T>>);

impl<T> std::ops::Deref for ArcValue<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0.value
    }
}

impl<T> Clone for ArcValue<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_once_per_generation() {
        let local: ForkLocal<u32> = ForkLocal::new();
        assert!(local.get().is_none());
        let mut builds = 0;
        let a = local
            .get_or_try_init(|| -> Result<u32, ()> {
                builds += 1;
                Ok(7)
            })
            .unwrap();
        let b = local
            .get_or_try_init(|| -> Result<u32, ()> {
                builds += 1;
                Ok(8)
            })
            .unwrap();
        assert_eq!((*a, *b, builds), (7, 7, 1));
        assert_eq!(local.get().map(|v| *v), Some(7));
        local.clear();
        assert!(local.get().is_none());
    }

    #[test]
    fn a_forked_child_sees_a_new_generation() {
        let before = generation();
        // SAFETY: the child only reads an atomic and exits; no allocation or lock.
        let pid = unsafe { libc::fork() };
        if pid == 0 {
            let code = if generation() == before + 1 { 0 } else { 1 };
            unsafe { libc::_exit(code) };
        }
        let mut status = 0;
        unsafe { libc::waitpid(pid, &mut status, 0) };
        assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0);
        assert_eq!(generation(), before);
    }
}
