//! Running core work without the GVL, interruptibly.
//!
//! `rb_thread_call_without_gvl2` with an unblocking function: when the Ruby thread gets
//! `Thread#kill`, `Thread#raise`, a `Timeout` or Ctrl-C, Ruby calls `unblock`, which only
//! cancels the core call. The call returns normally (Rust destructors run, no lock stays held),
//! and only then, with the GVL held again, pending interrupts are checked so the Ruby exception
//! propagates. Panics are caught here and become `WechatWork::Error`.

use std::cell::RefCell;
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};

use magnus::{Error, Ruby};
use wechat_work_core::{Canceller, Error as CoreError};

struct Call<F, T> {
    work: Option<F>,
    cancel: Canceller,
    out: Option<wechat_work_core::Result<T>>,
}

unsafe extern "C" fn run<F, T>(data: *mut c_void) -> *mut c_void
where
    F: FnOnce(&Canceller) -> wechat_work_core::Result<T>,
{
    let call = &mut *(data as *mut Call<F, T>);
    if let Some(work) = call.work.take() {
        let cancel = call.cancel.clone();
        call.out = Some(catch_panic(|| work(&cancel)));
    }
    std::ptr::null_mut()
}

unsafe extern "C" fn unblock(data: *mut c_void) {
    // Runs on another thread, without the GVL: flip the token, touch nothing else.
    let cancel = &*(data as *const Canceller);
    cancel.cancel();
}

/// Runs core work, turning a panic into [`CoreError::Internal`] so it never reaches Ruby.
pub fn catch_panic<T>(
    work: impl FnOnce() -> wechat_work_core::Result<T>,
) -> wechat_work_core::Result<T> {
    catch_unwind(AssertUnwindSafe(work))
        .unwrap_or_else(|panic| Err(CoreError::Internal(panic_message(&panic))))
}

pub fn panic_message(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = panic.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic in native code".to_string()
    }
}

thread_local! {
    /// The canceller of the call this thread is running without the GVL.
    static CURRENT: RefCell<Option<Canceller>> = const { RefCell::new(None) };
    /// A non-local exit (Thread#kill, throw) caught while a Ruby callback ran inside a call.
    static DEFERRED: RefCell<Option<Error>> = const { RefCell::new(None) };
}

/// Called with a Ruby error caught inside a callback: a non-local exit must not be lost, so
/// it is kept, the call is cancelled, and [`without_gvl`] resumes it afterwards. Exceptions
/// (the callback's own failures) are left to the caller.
pub fn defer_non_local_exit(err: Error) {
    if matches!(err.error_type(), magnus::error::ErrorType::Jump(_)) {
        DEFERRED.with(|d| *d.borrow_mut() = Some(err));
        CURRENT.with(|c| {
            if let Some(cancel) = c.borrow().as_ref() {
                cancel.cancel();
            }
        });
    }
}

/// Runs `work` with the GVL released. `work` must not touch Ruby objects (hence `Send`).
/// A pending Ruby interrupt wins over the core's result and is raised as the Ruby exception.
pub fn without_gvl<F, T>(ruby: &Ruby, work: F) -> Result<wechat_work_core::Result<T>, Error>
where
    F: FnOnce(&Canceller) -> wechat_work_core::Result<T> + Send,
    T: Send,
{
    let mut call = Call {
        work: Some(work),
        cancel: Canceller::new(),
        out: None,
    };
    let cancel_ptr = &call.cancel as *const Canceller as *mut c_void;
    loop {
        CURRENT.with(|c| *c.borrow_mut() = Some(call.cancel.clone()));
        unsafe {
            rb_sys::rb_thread_call_without_gvl2(
                Some(run::<F, T>),
                &mut call as *mut Call<F, T> as *mut c_void,
                Some(unblock),
                cancel_ptr,
            );
        }
        CURRENT.with(|c| c.borrow_mut().take());
        if call.work.is_none() {
            break;
        }
        // `without_gvl2` returns without running `work` when any interrupt is pending, a
        // thread switch (timer interrupt) included. Handle it; raise if it is an exception,
        // otherwise nothing was done yet: try again.
        check_interrupts(ruby)?;
    }
    let out = call.out.take();
    drop(call);
    if let Some(exit) = DEFERRED.with(|d| d.borrow_mut().take()) {
        return Err(exit);
    }
    // GVL held again and the core's values are dropped: let Ruby raise what is pending.
    check_interrupts(ruby)?;
    Ok(out.unwrap_or(Err(CoreError::Cancelled)))
}

/// Raises a pending Thread#raise / Thread#kill / signal exception, as a Ruby error value.
pub fn check_interrupts(_ruby: &Ruby) -> Result<(), Error> {
    magnus::rb_sys::protect(|| {
        unsafe { rb_sys::rb_thread_check_ints() };
        rb_sys::Qnil as rb_sys::VALUE
    })
    .map(|_| ())
}

struct WithGvl<F, T> {
    work: Option<F>,
    out: Option<Result<T, String>>,
}

unsafe extern "C" fn run_with_gvl<F, T>(data: *mut c_void) -> *mut c_void
where
    F: FnOnce(&Ruby) -> Result<T, String>,
{
    let call = &mut *(data as *mut WithGvl<F, T>);
    if let Some(work) = call.work.take() {
        let ruby = Ruby::get_unchecked();
        call.out = Some(
            catch_unwind(AssertUnwindSafe(|| work(&ruby)))
                .unwrap_or_else(|panic| Err(panic_message(&panic))),
        );
    }
    std::ptr::null_mut()
}

/// From inside [`without_gvl`] work, takes the GVL back briefly to call Ruby (a token store).
/// Ruby exceptions must be caught inside `work` (magnus calls return them as `Err`).
pub fn with_gvl<F, T>(work: F) -> Result<T, String>
where
    F: FnOnce(&Ruby) -> Result<T, String>,
{
    let mut call = WithGvl {
        work: Some(work),
        out: None,
    };
    unsafe {
        rb_sys::rb_thread_call_with_gvl(
            Some(run_with_gvl::<F, T>),
            &mut call as *mut WithGvl<F, T> as *mut c_void,
        );
    }
    call.out
        .unwrap_or_else(|| Err("the Ruby callback did not run".to_string()))
}
