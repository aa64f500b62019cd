//! Python's `concurrent.futures` (the thread side): `ThreadPoolExecutor`,
//! `Future`, `wait`, `as_completed` and their exceptions.
//!
//! | Python | Rust |
//! |---|---|
//! | `ThreadPoolExecutor(max_workers, thread_name_prefix, initializer)` | [`ThreadPoolExecutor::new`], [`ThreadPoolExecutor::builder`] |
//! | `ex.submit(fn, *args)` | [`ThreadPoolExecutor::submit`] (a closure), [`ThreadPoolExecutor::submit_result`] |
//! | `ex.map(fn, *iterables, timeout)` | [`ThreadPoolExecutor::map`] |
//! | `ex.shutdown(wait, cancel_futures)`, `with ex:` | [`ThreadPoolExecutor::shutdown`], `Drop` |
//! | `Future` | [`Future`] |
//! | `wait(fs, timeout, return_when)` | [`wait`] with [`FIRST_COMPLETED`], [`FIRST_EXCEPTION`], [`ALL_COMPLETED`] |
//! | `as_completed(fs, timeout)` | [`as_completed`] |
//! | `CancelledError`, `TimeoutError`, `InvalidStateError`, `BrokenExecutor` | [`CancelledError`], [`TimeoutError`], [`InvalidStateError`], [`BrokenExecutor`] |

use std::borrow::Cow;
use std::fmt;

mod executor;
mod future;
mod wait;

pub use self::executor::{ExecutorBuilder, MapIter, SubmitError, ThreadPoolExecutor};
pub use self::future::{Future, ResultError};
pub use self::wait::{
    ALL_COMPLETED, AsCompleted, DoneAndNotDoneFutures, FIRST_COMPLETED, FIRST_EXCEPTION,
    ReturnWhen, as_completed, wait,
};
pub use crate::python::builtins::TimeoutError;

/// Python's `concurrent.futures.CancelledError`: the future was
/// cancelled. `str()` is empty.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::{CancelledError, Future, ResultError};
/// let f = Future::<u8>::new();
/// f.cancel();
/// assert_eq!(f.exception(None), Err(ResultError::CancelledError(CancelledError)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CancelledError;

impl fmt::Display for CancelledError {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl std::error::Error for CancelledError {}

/// Python's `concurrent.futures.InvalidStateError`: `set_result` or
/// `set_exception` on a future that is already finished or cancelled; the
/// message is `"STATE: <Future ...>"`.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::Future;
/// let f = Future::<i32>::new();
/// f.cancel();
/// assert!(f.set_result(1).unwrap_err().message().starts_with("CANCELLED: <Future at 0x"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidStateError {
    message: Cow<'static, str>,
}

impl InvalidStateError {
    /// An `InvalidStateError(message)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::InvalidStateError;
    /// assert_eq!(InvalidStateError::new("FINISHED: x").to_string(), "FINISHED: x");
    /// ```
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message (`str(e)`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::InvalidStateError;
    /// assert_eq!(InvalidStateError::new("x").message(), "x");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

crate::python::builtins::message_exception!(InvalidStateError);

/// Python's `concurrent.futures.thread.BrokenThreadPool`: an initializer
/// failed, so the pool is not usable any more.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::BrokenThreadPool;
/// let e = BrokenThreadPool::new("A thread initializer failed, the thread pool is not usable anymore");
/// assert!(e.message().starts_with("A thread initializer failed"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenThreadPool {
    message: Cow<'static, str>,
}

impl BrokenThreadPool {
    /// A `BrokenThreadPool(message)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::BrokenThreadPool;
    /// assert_eq!(BrokenThreadPool::new("x").to_string(), "x");
    /// ```
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message (`str(e)`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::BrokenThreadPool;
    /// assert_eq!(BrokenThreadPool::new("x").message(), "x");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

crate::python::builtins::message_exception!(BrokenThreadPool);

/// Python's `concurrent.futures.BrokenExecutor`, the base class of
/// `BrokenThreadPool`; the thread executor raises only that subclass.
pub type BrokenExecutor = BrokenThreadPool;
