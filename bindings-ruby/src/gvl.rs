//! Running blocking work without the Ruby VM lock (the GVL), the way wasmtime-rb does.
//!
//! A coordinator wait can last minutes. [`without_gvl`] runs it through `rb_nogvl`
//! (`rb_thread_call_without_gvl2` with flags) so other Ruby threads run meanwhile. The
//! wait's interrupt check (polled every 50 ms by the core client on a local channel,
//! never on the coordinator) reads a flag set by the unblocking function Ruby calls on
//! `Thread#raise` or a signal, and the thread's pending-interrupt bits. Once the work has returned and the lock is held
//! again, pending interrupts run through magnus' protected `thread_check_ints`, so an
//! `Interrupt` reaches Ruby as an ordinary error instead of a longjmp across Rust
//! frames; an interrupt that raises nothing (a trap handler) resumes the work.
//!
//! [`with_gvl`] takes the lock back for a moment inside such work, to call a Ruby
//! progress block.
//!
//! This is the crate's only unsafe code; magnus 0.8 has no wrapper for these calls.

#![allow(unsafe_code)]

use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

use magnus::{Error, Ruby};

/// `RB_NOGVL_INTR_FAIL`: return without running the work when an interrupt is pending,
/// and do not run interrupts afterwards (we do, protected). `RB_NOGVL_UBF_ASYNC_SAFE`:
/// [`unblock`] only stores to an atomic, so Ruby may call it straight from its signal
/// handler in a single-threaded process.
const NOGVL_FLAGS: std::ffi::c_int =
    (rb_sys::RB_NOGVL_INTR_FAIL | rb_sys::RB_NOGVL_UBF_ASYNC_SAFE) as std::ffi::c_int;

/// Whether a wait running without the lock should stop: Ruby called the unblocking
/// function (Thread#raise, Thread#kill, a signal in a single-threaded process), or an
/// interrupt is pending on the waiting thread (a signal while other Ruby threads live:
/// Ruby then marks the main thread without calling its unblocking function).
pub(crate) struct Interrupt {
    unblocked: AtomicBool,
    thread: rb_sys::VALUE,
}

impl Interrupt {
    /// True once the wait should stop and let Ruby run its interrupts.
    pub(crate) fn is_set(&self) -> bool {
        // Reading the thread's interrupt bits without the lock is what Ruby's own
        // signal handling does; a stale answer is corrected by the next check (50 ms).
        self.unblocked.load(Ordering::SeqCst)
            || unsafe { rb_sys::rb_thread_interrupted(self.thread) } != 0
    }
}

/// The work and its result, handed to the C callback through a pointer.
struct Call<'a, R> {
    work: &'a mut dyn FnMut(&Interrupt) -> R,
    interrupt: &'a Interrupt,
    result: Option<std::thread::Result<R>>,
}

unsafe extern "C" fn run_call<R>(data: *mut c_void) -> *mut c_void {
    // SAFETY: `data` is the `Call<R>` that `without_gvl` keeps alive across the call.
    let call = unsafe { &mut *data.cast::<Call<'_, R>>() };
    let work = &mut *call.work;
    let interrupt = call.interrupt;
    call.result = Some(catch_unwind(AssertUnwindSafe(|| work(interrupt))));
    std::ptr::null_mut()
}

unsafe extern "C" fn unblock(data: *mut c_void) {
    // SAFETY: `data` is the `Interrupt` that `without_gvl` keeps alive across the call;
    // Ruby may call this from another thread or a signal handler: one atomic store.
    let interrupt = unsafe { &*data.cast::<Interrupt>() };
    interrupt.unblocked.store(true, Ordering::SeqCst);
}

/// Runs `work` with the VM lock released. `work` gets the [`Interrupt`] to poll;
/// `interrupted(&result)` tells whether the result means "stopped by it", in which case
/// pending interrupts run (raising `Interrupt` or the like as an `Err`) and, if none
/// raised, the work runs again. `work` must not touch Ruby objects except through
/// [`with_gvl`].
pub(crate) fn without_gvl<R>(
    ruby: &Ruby,
    mut work: impl FnMut(&Interrupt) -> R,
    interrupted: impl Fn(&R) -> bool,
) -> Result<R, Error> {
    // SAFETY: called with the lock held (we are in a method Ruby called).
    let thread = unsafe { rb_sys::rb_thread_current() };
    loop {
        let interrupt = Interrupt { unblocked: AtomicBool::new(false), thread };
        let mut call = Call { work: &mut work, interrupt: &interrupt, result: None };
        // SAFETY: both pointers outlive the call, which returns only once `run_call` has
        // returned (or was never started because an interrupt was already pending).
        unsafe {
            rb_sys::rb_nogvl(
                Some(run_call::<R>),
                (&mut call as *mut Call<'_, R>).cast(),
                Some(unblock),
                (&interrupt as *const Interrupt).cast_mut().cast(),
                NOGVL_FLAGS,
            );
        }
        match call.result.take() {
            Some(Ok(result)) if !(interrupt.is_set() && interrupted(&result)) => return Ok(result),
            Some(Err(panic)) => {
                return Err(crate::errors::internal(ruby, &crate::errors::panic_message(&*panic)))
            }
            // Interrupted, or never started: let Ruby run its interrupts, then resume.
            _ => ruby.thread_check_ints()?,
        }
    }
}

/// Runs `f` with the VM lock held, from inside [`without_gvl`]'s work.
pub(crate) fn with_gvl(f: &mut dyn FnMut(&Ruby)) {
    unsafe extern "C" fn run(data: *mut c_void) -> *mut c_void {
        // SAFETY: `data` is the `&mut dyn FnMut` below, alive across the call.
        let f = unsafe { &mut *data.cast::<&mut dyn FnMut(&Ruby)>() };
        // The lock is held here, so the handle is valid; a panic must not unwind into C.
        if let Ok(ruby) = Ruby::get() {
            let _ = catch_unwind(AssertUnwindSafe(|| f(&ruby)));
        }
        std::ptr::null_mut()
    }
    let mut f = f;
    // SAFETY: called only on a Ruby thread that released the lock through `rb_nogvl`,
    // as Ruby requires; `f` outlives the call.
    unsafe {
        rb_sys::rb_thread_call_with_gvl(Some(run), (&mut f as *mut &mut dyn FnMut(&Ruby)).cast());
    }
}
