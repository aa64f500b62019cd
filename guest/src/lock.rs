//! Locks and signals that work across workers.
//!
//! On a component these are host objects shared by every worker of the run
//! (a worker's memory is its own, so a lock guards something outside it: a
//! file, a host resource, a step of a protocol). Where memory is shared they
//! are the runtime's primitives. Every blocking call has a `try_` and a
//! `_timeout` form.

use std::fmt;
use std::time::Duration;

use portalis_threading::Result;

use crate::handle::handle;
use crate::sys::{self, Wait};

/// A mutual-exclusion lock held by one worker at a time.
///
/// It is not re-entrant: locking it again from the worker that holds it is
/// an error, not a deadlock. If a worker ends while holding it, it is
/// released.
///
/// # Examples
/// ```
/// let m = portalis_threading_guest::Mutex::new().unwrap();
/// {
///     let _guard = m.lock().unwrap();
///     assert!(m.is_locked());
///     assert!(m.try_lock().is_err());
/// }
/// assert!(!m.is_locked());
/// ```
pub struct Mutex {
    raw: sys::RawMutex,
}
handle!(Mutex, RawMutex);

/// Proof that the calling worker holds a [`Mutex`]; unlocks on drop.
#[must_use = "the mutex unlocks as soon as the guard is dropped"]
pub struct MutexGuard<'a> {
    mutex: &'a Mutex,
}

impl Mutex {
    /// A new, unlocked mutex.
    ///
    /// # Errors
    /// [`Error::Limit`](portalis_threading::Error::Limit) if the run holds
    /// too many objects.
    pub fn new() -> Result<Self> {
        Ok(Self {
            raw: sys::RawMutex::new()?,
        })
    }

    /// Locks, blocking until the mutex is free.
    ///
    /// # Errors
    /// [`Error::InvalidState`](portalis_threading::Error::InvalidState) if
    /// this worker already holds it.
    pub fn lock(&self) -> Result<MutexGuard<'_>> {
        self.lock_with(Wait::Forever)
    }

    /// Locks if the mutex is free now.
    ///
    /// # Errors
    /// [`Error::WouldBlock`](portalis_threading::Error::WouldBlock) if it is
    /// held; as [`lock`](Self::lock).
    pub fn try_lock(&self) -> Result<MutexGuard<'_>> {
        self.lock_with(Wait::Immediate)
    }

    /// Locks, blocking at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Timeout`](portalis_threading::Error::Timeout); as
    /// [`lock`](Self::lock).
    pub fn lock_timeout(&self, timeout: Duration) -> Result<MutexGuard<'_>> {
        self.lock_with(Wait::Timeout(timeout))
    }

    fn lock_with(&self, wait: Wait) -> Result<MutexGuard<'_>> {
        self.raw.lock(wait)?;
        Ok(MutexGuard { mutex: self })
    }

    /// Whether some worker holds the mutex now.
    pub fn is_locked(&self) -> bool {
        self.raw.is_locked()
    }
}

impl Drop for MutexGuard<'_> {
    fn drop(&mut self) {
        // The guard proves this worker holds the lock, so this succeeds.
        let _ = self.mutex.raw.unlock();
    }
}

/// A reader-writer lock: many readers or one writer.
pub struct RwLock {
    raw: sys::RawRwLock,
}
handle!(RwLock, RawRwLock);

/// Proof of a read lock on a [`RwLock`]; releases it on drop.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a> {
    lock: &'a RwLock,
}

/// Proof of the write lock on a [`RwLock`]; releases it on drop.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a> {
    lock: &'a RwLock,
}

impl RwLock {
    /// A new, unlocked rwlock.
    ///
    /// # Errors
    /// [`Error::Limit`](portalis_threading::Error::Limit) if the run holds
    /// too many objects.
    pub fn new() -> Result<Self> {
        Ok(Self {
            raw: sys::RawRwLock::new()?,
        })
    }

    /// Takes a read lock, blocking while a writer holds or waits for it.
    ///
    /// # Errors
    /// [`Error::InvalidState`](portalis_threading::Error::InvalidState) if
    /// this worker holds the write lock.
    pub fn read(&self) -> Result<RwLockReadGuard<'_>> {
        self.read_with(Wait::Forever)
    }

    /// Takes a read lock if possible now.
    ///
    /// # Errors
    /// [`Error::WouldBlock`](portalis_threading::Error::WouldBlock); as
    /// [`read`](Self::read).
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_>> {
        self.read_with(Wait::Immediate)
    }

    /// Takes a read lock, blocking at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Timeout`](portalis_threading::Error::Timeout); as
    /// [`read`](Self::read).
    pub fn read_timeout(&self, timeout: Duration) -> Result<RwLockReadGuard<'_>> {
        self.read_with(Wait::Timeout(timeout))
    }

    /// Takes the write lock, blocking until it is free.
    ///
    /// # Errors
    /// [`Error::InvalidState`](portalis_threading::Error::InvalidState) if
    /// this worker already holds the rwlock.
    pub fn write(&self) -> Result<RwLockWriteGuard<'_>> {
        self.write_with(Wait::Forever)
    }

    /// Takes the write lock if it is free now.
    ///
    /// # Errors
    /// [`Error::WouldBlock`](portalis_threading::Error::WouldBlock); as
    /// [`write`](Self::write).
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_>> {
        self.write_with(Wait::Immediate)
    }

    /// Takes the write lock, blocking at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Timeout`](portalis_threading::Error::Timeout); as
    /// [`write`](Self::write).
    pub fn write_timeout(&self, timeout: Duration) -> Result<RwLockWriteGuard<'_>> {
        self.write_with(Wait::Timeout(timeout))
    }

    fn read_with(&self, wait: Wait) -> Result<RwLockReadGuard<'_>> {
        self.raw.read(wait)?;
        Ok(RwLockReadGuard { lock: self })
    }

    fn write_with(&self, wait: Wait) -> Result<RwLockWriteGuard<'_>> {
        self.raw.write(wait)?;
        Ok(RwLockWriteGuard { lock: self })
    }
}

impl Drop for RwLockReadGuard<'_> {
    fn drop(&mut self) {
        let _ = self.lock.raw.unlock_read();
    }
}

impl Drop for RwLockWriteGuard<'_> {
    fn drop(&mut self) {
        let _ = self.lock.raw.unlock_write();
    }
}

/// A counting semaphore, optionally bounded; any worker may release.
pub struct Semaphore {
    raw: sys::RawSemaphore,
}
handle!(Semaphore, RawSemaphore);

impl Semaphore {
    /// A semaphore with `permits` free permits.
    ///
    /// # Errors
    /// [`Error::Limit`](portalis_threading::Error::Limit) if the run holds
    /// too many objects.
    pub fn new(permits: u32) -> Result<Self> {
        Ok(Self {
            raw: sys::RawSemaphore::new(permits, None)?,
        })
    }

    /// A semaphore that never holds more than `bound` permits: releasing
    /// past it is an error.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](portalis_threading::Error::InvalidArgument)
    /// if `bound < permits`.
    pub fn bounded(permits: u32, bound: u32) -> Result<Self> {
        Ok(Self {
            raw: sys::RawSemaphore::new(permits, Some(bound))?,
        })
    }

    /// Takes a permit, blocking until one is free.
    ///
    /// # Errors
    /// Only where the thread may not block.
    pub fn acquire(&self) -> Result<()> {
        self.raw.acquire(Wait::Forever)
    }

    /// Takes a permit if one is free now.
    ///
    /// # Errors
    /// [`Error::WouldBlock`](portalis_threading::Error::WouldBlock) if none
    /// is.
    pub fn try_acquire(&self) -> Result<()> {
        self.raw.acquire(Wait::Immediate)
    }

    /// Takes a permit, blocking at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Timeout`](portalis_threading::Error::Timeout).
    pub fn acquire_timeout(&self, timeout: Duration) -> Result<()> {
        self.raw.acquire(Wait::Timeout(timeout))
    }

    /// Returns `n` permits.
    ///
    /// # Errors
    /// [`Error::InvalidState`](portalis_threading::Error::InvalidState) if a
    /// bounded semaphore would exceed its bound (nothing is released).
    pub fn release(&self, n: u32) -> Result<()> {
        self.raw.release(n)
    }

    /// Permits free now.
    pub fn available(&self) -> u32 {
        self.raw.available()
    }
}

/// What [`Barrier::wait`] returns to each party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWait {
    /// The arrival index, `0..parties`.
    pub index: u32,
    /// Whether this party arrived last.
    pub is_leader: bool,
}

/// A reusable barrier for a fixed number of parties.
///
/// A timed-out wait breaks it for everyone until [`reset`](Self::reset).
pub struct Barrier {
    raw: sys::RawBarrier,
}
handle!(Barrier, RawBarrier);

impl Barrier {
    /// A barrier for `parties` workers.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`](portalis_threading::Error::InvalidArgument)
    /// if `parties` is 0.
    pub fn new(parties: u32) -> Result<Self> {
        Ok(Self {
            raw: sys::RawBarrier::new(parties)?,
        })
    }

    /// Waits until every party has arrived.
    ///
    /// # Errors
    /// [`Error::Broken`](portalis_threading::Error::Broken) if the barrier
    /// is or becomes broken.
    pub fn wait(&self) -> Result<BarrierWait> {
        self.wait_with(Wait::Forever)
    }

    /// Waits at most `timeout`; running out breaks the barrier.
    ///
    /// # Errors
    /// [`Error::Timeout`](portalis_threading::Error::Timeout); as
    /// [`wait`](Self::wait).
    pub fn wait_timeout(&self, timeout: Duration) -> Result<BarrierWait> {
        self.wait_with(Wait::Timeout(timeout))
    }

    fn wait_with(&self, wait: Wait) -> Result<BarrierWait> {
        let index = self.raw.wait(wait)?;
        Ok(BarrierWait {
            index,
            is_leader: index + 1 == self.raw.parties(),
        })
    }

    /// Breaks the barrier.
    pub fn abort(&self) {
        self.raw.abort();
    }

    /// Returns the barrier to its initial state.
    pub fn reset(&self) {
        self.raw.reset();
    }

    /// Whether the barrier is broken.
    pub fn is_broken(&self) -> bool {
        self.raw.is_broken()
    }

    /// The number of parties.
    pub fn parties(&self) -> u32 {
        self.raw.parties()
    }

    /// How many parties are waiting now.
    pub fn n_waiting(&self) -> u32 {
        self.raw.n_waiting()
    }
}

/// A condition variable bound to one [`Mutex`]; waiters wake in arrival
/// order.
pub struct Condition {
    raw: sys::RawCondition,
}
handle!(Condition, RawCondition);

impl Condition {
    /// A condition bound to `mutex`.
    ///
    /// # Errors
    /// [`Error::Limit`](portalis_threading::Error::Limit) if the run holds
    /// too many objects.
    pub fn new(mutex: &Mutex) -> Result<Self> {
        Ok(Self {
            raw: sys::RawCondition::new(&mutex.raw)?,
        })
    }

    /// A new handle to the mutex this condition is bound to.
    pub fn mutex(&self) -> Mutex {
        Mutex {
            raw: self.raw.mutex(),
        }
    }

    /// Releases the mutex `guard` holds, waits for a notification, and
    /// locks it again.
    ///
    /// # Errors
    /// [`Error::InvalidState`](portalis_threading::Error::InvalidState) if
    /// `guard` is not of this condition's mutex.
    pub fn wait(&self, guard: &mut MutexGuard<'_>) -> Result<()> {
        let _ = guard;
        self.raw.wait(Wait::Forever)
    }

    /// As [`wait`](Self::wait), for at most `timeout`; returns whether it
    /// was notified (the mutex is locked again either way).
    ///
    /// # Errors
    /// As [`wait`](Self::wait).
    pub fn wait_timeout(&self, guard: &mut MutexGuard<'_>, timeout: Duration) -> Result<bool> {
        let _ = guard;
        match self.raw.wait(Wait::Timeout(timeout)) {
            Ok(()) => Ok(true),
            Err(portalis_threading::Error::Timeout) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Wakes up to `n` waiters; returns how many it woke.
    pub fn notify(&self, n: u32) -> u32 {
        self.raw.notify(n)
    }

    /// Wakes every waiter; returns how many it woke.
    pub fn notify_all(&self) -> u32 {
        self.raw.notify_all()
    }
}

/// A flag workers can wait for.
pub struct Event {
    raw: sys::RawEvent,
}
handle!(Event, RawEvent);

impl Event {
    /// A clear event.
    ///
    /// # Errors
    /// [`Error::Limit`](portalis_threading::Error::Limit) if the run holds
    /// too many objects.
    pub fn new() -> Result<Self> {
        Ok(Self {
            raw: sys::RawEvent::new()?,
        })
    }

    /// Sets the flag, waking every waiter.
    pub fn set(&self) {
        self.raw.set();
    }

    /// Clears the flag.
    pub fn clear(&self) {
        self.raw.clear();
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.raw.is_set()
    }

    /// Waits until the flag is set.
    ///
    /// # Errors
    /// Only where the thread may not block.
    pub fn wait(&self) -> Result<()> {
        self.raw.wait(Wait::Forever)
    }

    /// Waits at most `timeout`; returns whether the flag is set.
    ///
    /// # Errors
    /// Only where the thread may not block.
    pub fn wait_timeout(&self, timeout: Duration) -> Result<bool> {
        match self.raw.wait(Wait::Timeout(timeout)) {
            Ok(()) => Ok(true),
            Err(portalis_threading::Error::Timeout) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

macro_rules! debug {
    ($($ty:ident),*) => {$(
        impl fmt::Debug for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($ty)).finish_non_exhaustive()
            }
        }
    )*};
}
debug!(Mutex, RwLock, Semaphore, Barrier, Condition, Event);

impl fmt::Debug for MutexGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MutexGuard").finish_non_exhaustive()
    }
}

impl fmt::Debug for RwLockReadGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLockReadGuard").finish_non_exhaustive()
    }
}

impl fmt::Debug for RwLockWriteGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RwLockWriteGuard").finish_non_exhaustive()
    }
}
