//! Reporting a task's panic to its joiner.
//!
//! On wasm a panic aborts (no unwinding), and the trap ends the worker. So a
//! panic hook, installed once for the program and chained to the previous
//! hook, records the message in the running task's slot and wakes its
//! joiners before the abort; the worker script then reports the dead worker
//! to the pool's owner, which replaces it.

use std::cell::Cell;
use std::sync::Once;

use crate::task::TaskHeader;

thread_local! {
    /// The task this thread is running, if any.
    static CURRENT: Cell<*const TaskHeader> = const { Cell::new(std::ptr::null()) };
}

/// Runs `f` as the current task of this thread.
pub(crate) fn with_current<R>(header: &TaskHeader, f: impl FnOnce() -> R) -> R {
    CURRENT.with(|c| c.set(header));
    let r = f();
    CURRENT.with(|c| c.set(std::ptr::null()));
    r
}

/// Installs the hook (once per program).
pub(crate) fn install_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let current = CURRENT.with(Cell::get);
            if !current.is_null() {
                let message = info
                    .payload_as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| "the task panicked (a non-string payload)".into());
                // SAFETY: CURRENT is set only by `with_current` around the
                // task's closure, while the worker keeps the task alive (its
                // Job owns an Arc of the slot); this panic is inside it.
                unsafe { &*current }.panicked(message);
            }
            previous(info);
        }));
    });
}
