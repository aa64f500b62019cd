//! Locks and signals.

pub(crate) mod barrier;
pub(crate) mod condvar;
pub(crate) mod event;
pub(crate) mod lock;
pub(crate) mod mutex;
pub(crate) mod owned;
pub(crate) mod rwlock;
pub(crate) mod semaphore;
#[cfg(any(target_family = "wasm", test))]
pub(crate) mod wait_rwlock;
