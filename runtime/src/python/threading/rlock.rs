//! `threading.RLock`: an owner and a recursion count over the runtime
//! [`Lock`](crate::Lock).
//!
//! Only the owner touches the count, so it needs no lock of its own; the
//! owner word is read by other threads only to learn that they are not the
//! owner, which a stale value cannot get wrong (a thread only ever sees its
//! own ident there if it wrote it itself).

use std::fmt;

use super::lock::{AcquireError, LockWait, lock_wait};
use super::thread::ident;
use crate::loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use crate::python::builtins::RuntimeError;
use crate::python::timeout::Timeout;
use crate::{CondvarLock, Error};

const NO_OWNER: u64 = 0;

/// Python's `threading.RLock`: re-entrant for its owner, released only by
/// its owner, with the same `acquire` arguments as [`Lock`](super::Lock).
///
/// It implements the runtime's [`CondvarLock`] (saving and restoring the
/// owner and depth), so a [`Condition`](super::Condition) over it releases
/// every level while waiting, as CPython's `_release_save` does.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::RLock;
///
/// let rlock = RLock::new();
/// assert!(rlock.acquire(true, -1).unwrap());
/// assert!(rlock.acquire(true, -1).unwrap()); // re-entrant
/// rlock.release().unwrap();
/// rlock.release().unwrap();
/// assert_eq!(rlock.release().unwrap_err().message(), "cannot release un-acquired lock");
/// ```
#[derive(Default)]
pub struct RLock {
    lock: crate::Lock,
    owner: AtomicU64,
    count: AtomicUsize,
}

impl RLock {
    /// An unlocked re-entrant lock.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::RLock;
    /// assert!(!RLock::new().is_owned());
    /// ```
    pub const fn new() -> Self {
        Self {
            lock: crate::Lock::new(),
            owner: AtomicU64::new(NO_OWNER),
            count: AtomicUsize::new(0),
        }
    }

    /// Python's `acquire(blocking=True, timeout=-1)`: the owner acquires
    /// again at once; others wait as for a [`Lock`](super::Lock).
    ///
    /// # Errors
    /// [`AcquireError`] for the arguments a `Lock` rejects (checked first,
    /// also for the owner, as in CPython).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::RLock;
    /// use std::sync::Arc;
    /// let rlock = Arc::new(RLock::new());
    /// rlock.acquire(true, -1).unwrap();
    /// let r = rlock.clone();
    /// let other = std::thread::spawn(move || r.acquire(false, -1).unwrap());
    /// assert!(!other.join().unwrap()); // held by us
    /// rlock.release().unwrap();
    /// ```
    pub fn acquire(
        &self,
        blocking: bool,
        timeout: impl Into<Timeout>,
    ) -> Result<bool, AcquireError> {
        let wait = lock_wait(blocking, timeout.into())?;
        Ok(self.acquire_with(wait))
    }

    pub(crate) fn acquire_with(&self, wait: LockWait) -> bool {
        let me = ident();
        if self.owner.load(Ordering::Relaxed) == me {
            self.count.fetch_add(1, Ordering::Relaxed);
            return true;
        }
        let acquired = match wait {
            LockWait::Once => self.lock.try_acquire(),
            LockWait::Forever => {
                self.lock.acquire();
                true
            }
            LockWait::Until(deadline) => self.lock.acquire_deadline(deadline),
        };
        if acquired {
            self.owner.store(me, Ordering::Relaxed);
            self.count.store(1, Ordering::Relaxed);
        }
        acquired
    }

    /// Python's `release()`: one level; the lock is free when the count
    /// reaches zero.
    ///
    /// # Errors
    /// `RuntimeError("cannot release un-acquired lock")` if the caller does
    /// not own it.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::RLock;
    /// assert!(RLock::new().release().is_err());
    /// ```
    pub fn release(&self) -> Result<(), RuntimeError> {
        if !self.is_owned() {
            return Err(RuntimeError::new("cannot release un-acquired lock"));
        }
        if self.count.fetch_sub(1, Ordering::Relaxed) == 1 {
            self.owner.store(NO_OWNER, Ordering::Relaxed);
            // We hold `lock`, so this cannot fail.
            let _ = self.lock.release();
        }
        Ok(())
    }

    /// Whether the calling thread owns it (CPython's `_is_owned()`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::RLock;
    /// let rlock = RLock::new();
    /// rlock.acquire(true, -1).unwrap();
    /// assert!(rlock.is_owned());
    /// ```
    pub fn is_owned(&self) -> bool {
        self.owner.load(Ordering::Relaxed) == ident() && self.count.load(Ordering::Relaxed) > 0
    }

    /// Python's `with rlock:`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::RLock;
    /// let rlock = RLock::new();
    /// {
    ///     let _outer = rlock.enter();
    ///     let _inner = rlock.enter();
    ///     assert!(rlock.is_owned());
    /// }
    /// assert!(!rlock.is_owned());
    /// ```
    pub fn enter(&self) -> RLockGuard<'_> {
        self.acquire_with(LockWait::Forever);
        RLockGuard { lock: self }
    }
}

impl CondvarLock for RLock {
    /// The owner and the recursion depth (CPython's `_release_save`).
    type Saved = (u64, usize);

    fn release_for_wait(&self) -> crate::Result<(u64, usize)> {
        if !self.is_owned() {
            return Err(Error::InvalidState(
                "cannot release un-acquired lock".into(),
            ));
        }
        let saved = (
            self.owner.swap(NO_OWNER, Ordering::Relaxed),
            self.count.swap(0, Ordering::Relaxed),
        );
        let _ = self.lock.release();
        Ok(saved)
    }

    fn reacquire_after_wait(&self, (owner, count): (u64, usize)) {
        self.lock.acquire();
        self.owner.store(owner, Ordering::Relaxed);
        self.count.store(count, Ordering::Relaxed);
    }
}

impl fmt::Debug for RLock {
    /// CPython's repr: `<unlocked RLock owner=0 count=0>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.count.load(Ordering::Relaxed);
        let state = if count > 0 { "locked" } else { "unlocked" };
        write!(
            f,
            "<{state} RLock owner={} count={count}>",
            self.owner.load(Ordering::Relaxed)
        )
    }
}

/// The `with rlock:` block of an [`RLock`]; dropping it releases one level.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::RLock;
/// let rlock = RLock::new();
/// drop(rlock.enter());
/// assert!(!rlock.is_owned());
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RLockGuard<'a> {
    lock: &'a RLock,
}

impl Drop for RLockGuard<'_> {
    fn drop(&mut self) {
        let _ = self.lock.release();
    }
}

impl fmt::Debug for RLockGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RLockGuard").finish_non_exhaustive()
    }
}
