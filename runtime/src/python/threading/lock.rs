//! `threading.Lock`: the runtime [`Lock`](crate::Lock) with Python's
//! `acquire(blocking, timeout)` argument rules.

use std::fmt;
use std::time::Instant;

use super::functions::TIMEOUT_MAX;
use crate::python::builtins::{Exception, OverflowError, RuntimeError, ValueError};
use crate::python::timeout::{Timeout, deadline_in};

/// Why `acquire` refused its arguments: Python's `ValueError` or
/// `OverflowError` (API.md §1.1, first two rows).
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::{AcquireError, Lock};
/// let lock = Lock::new();
/// // lock.acquire(False, 1) -> ValueError
/// match lock.acquire(false, 1).unwrap_err() {
///     AcquireError::ValueError(e) => {
///         assert_eq!(e.message(), "can't specify a timeout for a non-blocking call")
///     }
///     AcquireError::OverflowError(_) => unreachable!(),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcquireError {
    /// A negative timeout other than -1, NaN, or a timeout with
    /// `blocking=false`.
    ValueError(ValueError),
    /// A timeout above [`TIMEOUT_MAX`].
    OverflowError(OverflowError),
}

impl fmt::Display for AcquireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AcquireError::ValueError(e) => fmt::Display::fmt(e, f),
            AcquireError::OverflowError(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl From<AcquireError> for Exception {
    fn from(e: AcquireError) -> Self {
        match e {
            AcquireError::ValueError(e) => e.into(),
            AcquireError::OverflowError(e) => e.into(),
        }
    }
}

/// How a lock acquisition waits, once its arguments are checked.
#[derive(Debug, Clone, Copy)]
pub(crate) enum LockWait {
    Once,
    Forever,
    Until(Instant),
}

/// CPython's `lock_acquire_parse_args`: `timeout=-1` (or `None`) waits
/// forever; other negatives, NaN and a timeout with `blocking=false` are
/// `ValueError`s; above `TIMEOUT_MAX` is an `OverflowError`.
pub(crate) fn lock_wait(blocking: bool, timeout: Timeout) -> Result<LockWait, AcquireError> {
    let secs = timeout.as_secs().unwrap_or(-1.0);
    if secs.is_nan() {
        return Err(AcquireError::ValueError(ValueError::new(
            "Invalid value NaN (not a number)",
        )));
    }
    #[allow(clippy::float_cmp, reason = "CPython compares with -1 exactly")]
    let forever = secs == -1.0;
    if !blocking && !forever {
        return Err(AcquireError::ValueError(ValueError::new(
            "can't specify a timeout for a non-blocking call",
        )));
    }
    if secs < 0.0 && !forever {
        return Err(AcquireError::ValueError(ValueError::new(
            "timeout value must be positive",
        )));
    }
    if !blocking {
        return Ok(LockWait::Once);
    }
    if forever {
        return Ok(LockWait::Forever);
    }
    if secs > TIMEOUT_MAX {
        return Err(AcquireError::OverflowError(OverflowError::new(
            "timeout value is too large",
        )));
    }
    if secs == 0.0 {
        return Ok(LockWait::Once);
    }
    Ok(deadline_in(secs).map_or(LockWait::Forever, LockWait::Until))
}

/// Python's `threading.Lock`: not re-entrant, released by any thread.
///
/// It is the runtime [`Lock`](crate::Lock) (a three-state futex lock) with
/// Python's `acquire(blocking=True, timeout=-1)`. Acquisition order among
/// waiters is unspecified, as in CPython.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Lock;
///
/// let lock = Lock::new();
/// assert!(lock.acquire(true, -1).unwrap()); // lock.acquire()
/// assert!(lock.locked());
/// assert!(!lock.acquire(false, -1).unwrap()); // lock.acquire(False)
/// assert!(!lock.acquire(true, 0.01).unwrap()); // lock.acquire(timeout=0.01)
/// lock.release().unwrap();
/// {
///     let _with = lock.enter(); // with lock:
///     assert!(lock.locked());
/// }
/// assert!(!lock.locked());
/// ```
#[derive(Debug, Default)]
pub struct Lock {
    raw: crate::Lock,
}

impl Lock {
    /// An unlocked lock.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Lock;
    /// assert!(!Lock::new().locked());
    /// ```
    pub const fn new() -> Self {
        Self {
            raw: crate::Lock::new(),
        }
    }

    /// Python's `acquire(blocking=True, timeout=-1)`; returns whether it
    /// acquired. `timeout` is `-1` or `None` for "forever".
    ///
    /// # Errors
    /// [`AcquireError`] for arguments CPython rejects: a negative timeout
    /// other than -1, a timeout with `blocking=false`, a timeout above
    /// [`TIMEOUT_MAX`].
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Lock;
    /// let lock = Lock::new();
    /// assert!(lock.acquire(true, None).unwrap());
    /// assert!(lock.acquire(true, -100).is_err()); // ValueError
    /// ```
    pub fn acquire(
        &self,
        blocking: bool,
        timeout: impl Into<Timeout>,
    ) -> Result<bool, AcquireError> {
        Ok(self.acquire_with(lock_wait(blocking, timeout.into())?))
    }

    pub(crate) fn acquire_with(&self, wait: LockWait) -> bool {
        match wait {
            LockWait::Once => self.raw.try_acquire(),
            LockWait::Forever => {
                self.raw.acquire();
                true
            }
            LockWait::Until(deadline) => self.raw.acquire_deadline(deadline),
        }
    }

    /// Python's `release()`; any thread may release.
    ///
    /// # Errors
    /// `RuntimeError("release unlocked lock")` if it is not held.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Lock;
    /// let lock = Lock::new();
    /// assert_eq!(lock.release().unwrap_err().message(), "release unlocked lock");
    /// ```
    pub fn release(&self) -> Result<(), RuntimeError> {
        self.raw
            .release()
            .map_err(|_| RuntimeError::new("release unlocked lock"))
    }

    /// Python's `locked()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Lock;
    /// let lock = Lock::new();
    /// lock.acquire(true, -1).unwrap();
    /// assert!(lock.locked());
    /// ```
    pub fn locked(&self) -> bool {
        self.raw.is_locked()
    }

    /// Python's `with lock:`: acquires (blocking) and releases when the
    /// guard is dropped, also when the block unwinds.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Lock;
    /// let lock = Lock::new();
    /// let with = lock.enter();
    /// assert!(lock.locked());
    /// drop(with);
    /// assert!(!lock.locked());
    /// ```
    pub fn enter(&self) -> LockGuard<'_> {
        self.raw.acquire();
        LockGuard { lock: self }
    }

    /// The runtime lock underneath.
    pub(crate) fn raw(&self) -> &crate::Lock {
        &self.raw
    }
}

/// The `with lock:` block of a [`Lock`]; dropping it releases the lock
/// (`__exit__`).
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Lock;
/// let lock = Lock::new();
/// let guard = lock.enter();
/// drop(guard);
/// assert!(!lock.locked());
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct LockGuard<'a> {
    lock: &'a Lock,
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        // Released inside the block already: Python's `__exit__` would
        // raise RuntimeError; a destructor cannot, so it is ignored.
        let _ = self.lock.release();
    }
}

impl fmt::Debug for LockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LockGuard").finish_non_exhaustive()
    }
}
