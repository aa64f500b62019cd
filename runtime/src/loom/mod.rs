//! Abstracts over `loom` and `std`, so that the same concurrency code runs for
//! real and is model-checked.
//!
//! Every atomic, lock and condition variable the crate uses internally comes
//! from here. Under `RUSTFLAGS="--cfg portalis_loom"` (tests only) the items
//! are loom's; otherwise they are std's, wrapped to loom's shape (no
//! poisoning, closure-based `UnsafeCell`). The command that runs the models is
//! in `runtime/README.md`.

#![allow(
    unused_imports,
    dead_code,
    reason = "each build uses a different subset"
)]

#[cfg(not(all(test, portalis_loom)))]
mod std;
#[cfg(not(all(test, portalis_loom)))]
pub(crate) use self::std::*;

#[cfg(all(test, portalis_loom))]
mod mocked;
#[cfg(all(test, portalis_loom))]
pub(crate) use self::mocked::*;

/// Waits on `condvar` until notified or until `deadline` (forever if
/// `None`). Returns the guard, and `true` if the deadline had already passed,
/// in which case it did not wait: the caller's loop then gives up.
pub(crate) fn wait_until<'a, T>(
    condvar: &sync::Condvar,
    guard: sync::MutexGuard<'a, T>,
    deadline: Option<::std::time::Instant>,
) -> (sync::MutexGuard<'a, T>, bool) {
    match deadline {
        None => (condvar.wait(guard), false),
        Some(d) => {
            let left = crate::deadline::remaining(d);
            if left.is_zero() {
                (guard, true)
            } else {
                (condvar.wait_timeout(guard, left).0, false)
            }
        }
    }
}
