//! `threading.Condition`: the runtime's first-in, first-out
//! [`Condvar`](crate::Condvar) over a [`Lock`] or [`RLock`].

use std::fmt;
use std::sync::Arc;

use super::lock::{AcquireError, Lock};
use super::rlock::RLock;
use crate::CondvarLock;
use crate::python::builtins::{RuntimeError, Truthy};
use crate::python::timeout::{Timeout, deadline, deadline_in};

/// A lock a [`Condition`] can use: Python's lock protocol (`acquire`,
/// `release`) plus CPython's `_is_owned`, and the runtime's
/// [`CondvarLock`] to release it fully while waiting (`_release_save` /
/// `_acquire_restore`).
///
/// Implemented by [`Lock`] and [`RLock`]; a user lock type can implement
/// it too, as a Python class can be passed to `Condition(lock)`.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::{ConditionLock, Lock, RLock};
/// fn held_by_me<L: ConditionLock>(lock: &L) -> bool {
///     lock.is_owned()
/// }
/// let r = RLock::new();
/// r.acquire(true, -1).unwrap();
/// assert!(held_by_me(&r));
/// assert!(!held_by_me(&Lock::new()));
/// ```
pub trait ConditionLock: CondvarLock + Send + Sync {
    /// Python's `acquire(blocking, timeout)`.
    ///
    /// # Errors
    /// As for [`Lock::acquire`].
    fn acquire_lock(&self, blocking: bool, timeout: Timeout) -> Result<bool, AcquireError>;

    /// Python's `release()`.
    ///
    /// # Errors
    /// The lock's `RuntimeError` when it is not held.
    fn release_lock(&self) -> Result<(), RuntimeError>;

    /// CPython's `_is_owned()`. For a plain [`Lock`], which has no owner,
    /// CPython answers "is it locked (by anyone)", and so does this.
    fn is_owned(&self) -> bool;
}

impl ConditionLock for Lock {
    fn acquire_lock(&self, blocking: bool, timeout: Timeout) -> Result<bool, AcquireError> {
        self.acquire(blocking, timeout)
    }

    fn release_lock(&self) -> Result<(), RuntimeError> {
        self.release()
    }

    fn is_owned(&self) -> bool {
        self.locked()
    }
}

impl CondvarLock for Lock {
    type Saved = ();

    fn release_for_wait(&self) -> crate::Result<()> {
        self.raw().release_for_wait()
    }

    fn reacquire_after_wait(&self, (): ()) {
        self.raw().reacquire_after_wait(());
    }
}

impl ConditionLock for RLock {
    fn acquire_lock(&self, blocking: bool, timeout: Timeout) -> Result<bool, AcquireError> {
        self.acquire(blocking, timeout)
    }

    fn release_lock(&self) -> Result<(), RuntimeError> {
        self.release()
    }

    fn is_owned(&self) -> bool {
        RLock::is_owned(self)
    }
}

/// Python's `threading.Condition(lock=None)`.
///
/// `Condition::new()` creates its own [`RLock`]; [`with_lock`](Self::with_lock)
/// shares a given lock (an `Arc`, since Python shares the object).
/// Waiters wake in arrival order, `notify(n)` wakes at most `n`, and there
/// are no spurious wake-ups (CPython's implementation, which its tests rely
/// on); the runtime [`Condvar`](crate::Condvar) gives all three.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Condition;
/// use std::sync::{Arc, Mutex};
///
/// let cond = Arc::new(Condition::new());
/// let items = Arc::new(Mutex::new(Vec::new()));
/// let (c, i) = (cond.clone(), items.clone());
/// let consumer = std::thread::spawn(move || {
///     let _with = c.enter(); // with cond:
///     // cond.wait_for(lambda: items)
///     c.wait_for(|| !i.lock().unwrap().is_empty(), None).unwrap();
///     i.lock().unwrap().pop()
/// });
/// {
///     let _with = cond.enter();
///     items.lock().unwrap().push(1);
///     cond.notify(1).unwrap();
/// }
/// assert_eq!(consumer.join().unwrap(), Some(1));
/// ```
pub struct Condition<L: ConditionLock = RLock> {
    lock: Arc<L>,
    waiters: crate::Condvar,
}

impl Condition<RLock> {
    /// `Condition()`: over a new [`RLock`].
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Condition;
    /// let cond = Condition::new();
    /// assert!(cond.acquire(true, -1).unwrap());
    /// assert!(cond.acquire(true, -1).unwrap()); // an RLock: re-entrant
    /// cond.release().unwrap();
    /// cond.release().unwrap();
    /// ```
    pub fn new() -> Self {
        Self::with_lock(Arc::new(RLock::new()))
    }
}

impl Default for Condition<RLock> {
    fn default() -> Self {
        Self::new()
    }
}

impl<L: ConditionLock> Condition<L> {
    /// `Condition(lock)`: over `lock`, shared with the caller.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::{Condition, Lock};
    /// use std::sync::Arc;
    /// let lock = Arc::new(Lock::new());
    /// let cond = Condition::with_lock(lock.clone());
    /// let _with = cond.enter();
    /// assert!(!lock.acquire(false, -1).unwrap()); // the same lock
    /// ```
    pub fn with_lock(lock: Arc<L>) -> Self {
        Self {
            lock,
            waiters: crate::Condvar::new(),
        }
    }

    /// The underlying lock.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Condition;
    /// let cond = Condition::new();
    /// let _with = cond.enter();
    /// assert!(cond.lock().is_owned());
    /// ```
    pub fn lock(&self) -> &Arc<L> {
        &self.lock
    }

    /// Python's `cond.acquire(blocking, timeout)`: acquires the lock.
    ///
    /// # Errors
    /// As for the lock's `acquire`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Condition;
    /// let cond = Condition::new();
    /// assert!(cond.acquire(false, -1).unwrap());
    /// cond.release().unwrap();
    /// ```
    pub fn acquire(
        &self,
        blocking: bool,
        timeout: impl Into<Timeout>,
    ) -> Result<bool, AcquireError> {
        self.lock.acquire_lock(blocking, timeout.into())
    }

    /// Python's `cond.release()`: releases the lock.
    ///
    /// # Errors
    /// The lock's `RuntimeError` when it is not held.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Condition;
    /// assert_eq!(Condition::new().release().unwrap_err().message(), "cannot release un-acquired lock");
    /// ```
    pub fn release(&self) -> Result<(), RuntimeError> {
        self.lock.release_lock()
    }

    /// Python's `with cond:`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Condition;
    /// let cond = Condition::new();
    /// let with = cond.enter();
    /// cond.notify_all().unwrap(); // allowed: the lock is held
    /// drop(with);
    /// assert!(cond.notify_all().is_err());
    /// ```
    pub fn enter(&self) -> ConditionGuard<'_, L> {
        // `timeout=-1` with `blocking=true` is always valid.
        let _ = self.lock.acquire_lock(true, Timeout::secs(-1.0));
        ConditionGuard { cond: self }
    }

    /// Python's `wait(timeout=None)`: releases the lock (every level of an
    /// `RLock`), waits for a notification, takes the lock back; returns
    /// `true` if notified, `false` on timeout. A timeout of zero or less
    /// does not block (it still returns `true` if a notification arrived
    /// in between).
    ///
    /// # Errors
    /// `RuntimeError("cannot wait on un-acquired lock")`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Condition;
    /// let cond = Condition::new();
    /// assert_eq!(cond.wait(None).unwrap_err().message(), "cannot wait on un-acquired lock");
    /// let _with = cond.enter();
    /// assert!(!cond.wait(0.01).unwrap()); // nobody notifies: timed out
    /// ```
    pub fn wait(&self, timeout: impl Into<Timeout>) -> Result<bool, RuntimeError> {
        if !self.lock.is_owned() {
            return Err(RuntimeError::new("cannot wait on un-acquired lock"));
        }
        // `None`, or too far to represent: wait forever.
        self.waiters
            .wait_on(&*self.lock, deadline(timeout.into()))
            .map_err(|_| RuntimeError::new("cannot wait on un-acquired lock"))
    }

    /// Python's `wait_for(predicate, timeout=None)`: evaluates `predicate`,
    /// and while it is falsy ([`Truthy`]) waits and evaluates it again,
    /// until the overall `timeout` runs out. Returns the predicate's last
    /// value, whatever its type (`wait_for(lambda: 7)` is `7`).
    ///
    /// # Errors
    /// `RuntimeError("cannot wait on un-acquired lock")` if it has to wait
    /// without holding the lock.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Condition;
    /// let cond = Condition::new();
    /// let _with = cond.enter();
    /// assert_eq!(cond.wait_for(|| 7, 0.01).unwrap(), 7);
    /// assert_eq!(cond.wait_for(|| "", 0.01).unwrap(), "");
    /// ```
    pub fn wait_for<R, P>(
        &self,
        mut predicate: P,
        timeout: impl Into<Timeout>,
    ) -> Result<R, RuntimeError>
    where
        P: FnMut() -> R,
        R: Truthy,
    {
        let timeout = timeout.into();
        let mut deadline = None;
        let mut result = predicate();
        while !result.is_truthy() {
            let wait = match timeout.as_secs() {
                None => Timeout::NONE,
                Some(secs) => match deadline {
                    None => {
                        deadline = Some(deadline_in(secs));
                        Timeout::secs(secs)
                    }
                    Some(None) => Timeout::NONE,
                    Some(Some(d)) => {
                        let left = d.saturating_duration_since(std::time::Instant::now());
                        if left.is_zero() {
                            break;
                        }
                        Timeout::from(left)
                    }
                },
            };
            self.wait(wait)?;
            result = predicate();
        }
        Ok(result)
    }

    /// Python's `notify(n=1)`: wakes at most `n` waiters, oldest first.
    /// They run once the notifier releases the lock.
    ///
    /// # Errors
    /// `RuntimeError("cannot notify on un-acquired lock")`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Condition;
    /// let cond = Condition::new();
    /// assert!(cond.notify(1).is_err());
    /// let _with = cond.enter();
    /// cond.notify(1).unwrap(); // no waiters: nothing happens
    /// ```
    pub fn notify(&self, n: usize) -> Result<(), RuntimeError> {
        if !self.lock.is_owned() {
            return Err(RuntimeError::new("cannot notify on un-acquired lock"));
        }
        self.waiters.notify(n);
        Ok(())
    }

    /// Python's `notify_all()`.
    ///
    /// # Errors
    /// `RuntimeError("cannot notify on un-acquired lock")`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Condition;
    /// let cond = Condition::new();
    /// assert_eq!(cond.notify_all().unwrap_err().message(), "cannot notify on un-acquired lock");
    /// ```
    pub fn notify_all(&self) -> Result<(), RuntimeError> {
        self.notify(usize::MAX)
    }
}

impl<L: ConditionLock> fmt::Debug for Condition<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Condition")
            .field("waiters", &self.waiters.waiters())
            .finish_non_exhaustive()
    }
}

/// The `with cond:` block of a [`Condition`]; dropping it releases the
/// lock.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Condition;
/// let cond = Condition::new();
/// drop(cond.enter());
/// assert!(!cond.lock().is_owned());
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct ConditionGuard<'a, L: ConditionLock> {
    cond: &'a Condition<L>,
}

impl<L: ConditionLock> Drop for ConditionGuard<'_, L> {
    fn drop(&mut self) {
        let _ = self.cond.lock.release_lock();
    }
}

impl<L: ConditionLock> fmt::Debug for ConditionGuard<'_, L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionGuard").finish_non_exhaustive()
    }
}
