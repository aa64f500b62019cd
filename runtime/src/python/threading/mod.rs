//! Python's `threading` module.
//!
//! | Python | Rust |
//! |---|---|
//! | `Thread(target=f, args=a, name=n, daemon=d)` | [`Thread::new`], [`Thread::builder`] |
//! | `Lock()`, `RLock()` | [`Lock`], [`RLock`] |
//! | `Condition(lock=None)` | [`Condition::new`], [`Condition::with_lock`] |
//! | `Semaphore(v)`, `BoundedSemaphore(v)` | [`Semaphore`], [`BoundedSemaphore`] |
//! | `Event()` | [`Event`] |
//! | `Timer(interval, f)` | [`Timer`] |
//! | `Barrier(n, action, timeout)`, `BrokenBarrierError` | [`Barrier`], [`BrokenBarrierError`] |
//! | `local()` | [`Local`] |
//! | `current_thread()`, `main_thread()`, `active_count()`, `enumerate()` | the functions of the same names |
//! | `get_ident()`, `get_native_id()` | [`get_ident`], [`get_native_id`] |
//! | `excepthook`, `__excepthook__`, `ExceptHookArgs` | [`excepthook`], [`set_excepthook`], [`default_excepthook`], [`ExceptHookArgs`] |
//! | `TIMEOUT_MAX`, `stack_size()`, `ThreadError` | [`TIMEOUT_MAX`], [`stack_size`], [`ThreadError`] |
//! | interpreter exit (`threading._shutdown`) | [`shutdown`] |
//!
//! `with x:` is `let _with = x.enter();`: the guard releases on drop, also
//! when the block unwinds.

mod barrier;
mod condition;
mod event;
mod functions;
mod local;
mod lock;
mod rlock;
mod semaphore;
mod thread;
mod timer;

pub use self::barrier::{Barrier, BarrierWaitError, BrokenBarrierError};
pub use self::condition::{Condition, ConditionGuard, ConditionLock};
pub use self::event::Event;
pub use self::functions::{
    ExceptHookArgs, TIMEOUT_MAX, ThreadError, active_count, current_thread, default_excepthook,
    enumerate, excepthook, get_ident, get_native_id, main_thread, set_excepthook, shutdown,
    stack_size,
};
pub use self::local::Local;
pub use self::lock::{AcquireError, Lock, LockGuard};
pub use self::rlock::{RLock, RLockGuard};
pub use self::semaphore::{BoundedSemaphore, Semaphore, SemaphoreGuard};
pub use self::thread::{Run, Thread, ThreadBuilder};
pub use self::timer::Timer;

pub(crate) use self::functions::register_atexit;
pub(crate) use self::thread::Registration;
