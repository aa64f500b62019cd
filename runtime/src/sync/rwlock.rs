//! `RwLock<T>`: parking_lot's natively, a std-parked lock on wasm.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::time::{Duration, Instant};

#[cfg(not(target_family = "wasm"))]
pub(crate) type RawRwLock = parking_lot::RawRwLock;
#[cfg(target_family = "wasm")]
pub(crate) type RawRwLock = crate::sync::wait_rwlock::WaitRwLock;

/// A reader-writer lock protecting a `T`: many readers or one writer.
///
/// Natively this is `parking_lot`'s rwlock; on `wasm32-wasip1-threads` a
/// writer-preferring lock that parks on std's futex. Either way, taking a
/// read lock while already holding one can deadlock if a writer is waiting.
///
/// # Examples
/// ```
/// use portalis_threading::RwLock;
///
/// let config = RwLock::new(vec![1, 2]);
/// {
///     let a = config.read();
///     let b = config.read(); // readers share
///     assert_eq!(a.len() + b.len(), 4);
/// }
/// config.write().push(3);
/// assert_eq!(*config.read(), [1, 2, 3]);
/// ```
pub struct RwLock<T: ?Sized> {
    inner: lock_api::RwLock<RawRwLock, T>,
}

/// Proof of a shared (read) lock on a [`RwLock`]; unlocks on drop.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    inner: lock_api::RwLockReadGuard<'a, RawRwLock, T>,
}

/// Proof of the exclusive (write) lock on a [`RwLock`]; unlocks on drop.
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    inner: lock_api::RwLockWriteGuard<'a, RawRwLock, T>,
}

impl<T> RwLock<T> {
    /// Creates an unlocked rwlock holding `value`.
    pub const fn new(value: T) -> Self {
        Self {
            inner: lock_api::RwLock::new(value),
        }
    }

    /// Consumes the lock and returns its value.
    pub fn into_inner(self) -> T {
        self.inner.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Takes a shared lock, blocking while a writer holds or waits for it.
    #[inline]
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        RwLockReadGuard {
            inner: self.inner.read(),
        }
    }

    /// Takes a shared lock if that is possible now. Never blocks.
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        self.inner.try_read().map(|inner| RwLockReadGuard { inner })
    }

    /// Takes a shared lock, blocking at most `timeout`.
    pub fn read_timeout(&self, timeout: Duration) -> Option<RwLockReadGuard<'_, T>> {
        self.inner
            .try_read_for(timeout)
            .map(|inner| RwLockReadGuard { inner })
    }

    /// Takes a shared lock, blocking until `deadline` at the latest.
    pub fn read_deadline(&self, deadline: Instant) -> Option<RwLockReadGuard<'_, T>> {
        self.inner
            .try_read_until(deadline)
            .map(|inner| RwLockReadGuard { inner })
    }

    /// Takes the exclusive lock, blocking until it is free.
    #[inline]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        RwLockWriteGuard {
            inner: self.inner.write(),
        }
    }

    /// Takes the exclusive lock if it is free now. Never blocks.
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        self.inner
            .try_write()
            .map(|inner| RwLockWriteGuard { inner })
    }

    /// Takes the exclusive lock, blocking at most `timeout`.
    pub fn write_timeout(&self, timeout: Duration) -> Option<RwLockWriteGuard<'_, T>> {
        self.inner
            .try_write_for(timeout)
            .map(|inner| RwLockWriteGuard { inner })
    }

    /// Takes the exclusive lock, blocking until `deadline` at the latest.
    pub fn write_deadline(&self, deadline: Instant) -> Option<RwLockWriteGuard<'_, T>> {
        self.inner
            .try_write_until(deadline)
            .map(|inner| RwLockWriteGuard { inner })
    }

    /// A mutable reference to the value; no locking is needed.
    pub fn get_mut(&mut self) -> &mut T {
        self.inner.get_mut()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.try_read() {
            Some(guard) => f.debug_struct("RwLock").field("data", &&*guard).finish(),
            None => f.debug_struct("RwLock").field("data", &"<locked>").finish(),
        }
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        &self.inner
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        &mut self.inner
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
