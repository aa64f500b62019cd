//! Locks whose holder is named by an id: the shape of a lock held on
//! someone else's behalf.
//!
//! A host holds locks for guests across calls (lock in one call, unlock in
//! another), and a guest SDK holds them for threads without guards. Naming
//! the holder lets the lock refuse an unlock by a non-holder, refuse a
//! re-entrant lock that would deadlock, and release what a holder still has
//! when it ends.

use std::collections::HashMap;
use std::time::Instant;

use crate::loom::sync::atomic::{AtomicU64, Ordering};
use crate::sync::condvar::{Condvar, CondvarLock};
use crate::sync::lock::Lock;
use crate::sync::mutex::Mutex;
use crate::{Error, Result};

const NO_OWNER: u64 = u64::MAX;

/// A mutual-exclusion lock held by an owner id.
///
/// # Examples
/// ```
/// use portalis_threading::OwnedLock;
///
/// let lock = OwnedLock::new();
/// assert!(lock.lock(1, None).unwrap());
/// assert!(lock.lock(1, None).is_err()); // not re-entrant: an error, not a deadlock
/// assert!(lock.unlock(2).is_err()); // 2 does not hold it
/// lock.unlock(1).unwrap();
/// ```
#[derive(Debug, Default)]
pub struct OwnedLock {
    lock: Lock,
    /// Written by the holder only: after acquiring, before releasing.
    owner: AtomicU64,
}

impl OwnedLock {
    /// An unlocked lock.
    pub fn new() -> Self {
        Self {
            lock: Lock::new(),
            owner: AtomicU64::new(NO_OWNER),
        }
    }

    /// Locks for `owner` by `deadline` (`None`: no limit); `Ok(false)` if
    /// the deadline passed first.
    ///
    /// # Errors
    /// [`Error::InvalidState`] if `owner` already holds it.
    ///
    /// # Panics
    /// If `owner` is `u64::MAX`, which stands for "no owner".
    pub fn lock(&self, owner: u64, deadline: Option<Instant>) -> Result<bool> {
        assert_ne!(owner, NO_OWNER, "u64::MAX is not a valid owner id");
        if self.holder() == Some(owner) {
            return Err(Error::InvalidState(
                "the lock is already held by this owner (it is not re-entrant)".into(),
            ));
        }
        let acquired = match deadline {
            None => {
                self.lock.acquire();
                true
            }
            Some(d) => self.lock.acquire_deadline(d),
        };
        if acquired {
            self.owner.store(owner, Ordering::Relaxed);
        }
        Ok(acquired)
    }

    /// Unlocks.
    ///
    /// # Errors
    /// [`Error::InvalidState`] unless `owner` holds the lock.
    pub fn unlock(&self, owner: u64) -> Result<()> {
        if self.holder() != Some(owner) {
            return Err(Error::InvalidState(
                "unlock of a lock this owner does not hold".into(),
            ));
        }
        self.owner.store(NO_OWNER, Ordering::Relaxed);
        self.lock.release()
    }

    /// Whether someone holds the lock.
    pub fn is_locked(&self) -> bool {
        self.lock.is_locked()
    }

    /// Who holds the lock, if anyone.
    pub fn holder(&self) -> Option<u64> {
        match self.owner.load(Ordering::Relaxed) {
            NO_OWNER => None,
            owner => Some(owner),
        }
    }

    /// The lock as `owner` holds it, for waiting on a [`Condvar`].
    pub fn held_by(&self, owner: u64) -> HeldBy<'_> {
        HeldBy { lock: self, owner }
    }
}

/// An [`OwnedLock`] as one owner holds it: what a [`Condvar`] releases
/// while that owner waits, and takes again for it afterwards.
#[derive(Debug)]
pub struct HeldBy<'a> {
    lock: &'a OwnedLock,
    owner: u64,
}

impl CondvarLock for HeldBy<'_> {
    type Saved = ();

    fn release_for_wait(&self) -> Result<()> {
        self.lock.unlock(self.owner).map_err(|_| {
            Error::InvalidState("wait on a condition whose lock this owner does not hold".into())
        })
    }

    fn reacquire_after_wait(&self, (): ()) {
        self.lock.lock.acquire();
        self.lock.owner.store(self.owner, Ordering::Relaxed);
    }
}

#[derive(Debug, Default)]
struct RwState {
    readers: HashMap<u64, usize>,
    writer: Option<u64>,
    writers_waiting: usize,
}

/// A reader-writer lock whose holders are owner ids.
///
/// Writer-preferring: new readers wait while a writer waits, except an
/// owner that already reads (its second read would otherwise deadlock behind
/// the writer it blocks).
#[derive(Debug, Default)]
pub struct OwnedRwLock {
    state: Mutex<RwState>,
    changed: Condvar,
}

impl OwnedRwLock {
    /// An unlocked rwlock.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes a read lock for `owner` by `deadline`; `Ok(false)` on timeout.
    ///
    /// # Errors
    /// [`Error::InvalidState`] if `owner` holds the write lock.
    pub fn read(&self, owner: u64, deadline: Option<Instant>) -> Result<bool> {
        let mut st = self.state.lock();
        if st.writer == Some(owner) {
            return Err(Error::InvalidState(
                "this owner holds the write lock".into(),
            ));
        }
        let reentrant = st.readers.contains_key(&owner);
        while !reentrant && (st.writer.is_some() || st.writers_waiting > 0) {
            if !self.wait(&mut st, deadline) {
                return Ok(false);
            }
        }
        *st.readers.entry(owner).or_insert(0) += 1;
        Ok(true)
    }

    /// Takes the write lock for `owner` by `deadline`; `Ok(false)` on
    /// timeout.
    ///
    /// # Errors
    /// [`Error::InvalidState`] if `owner` already holds it in either mode.
    pub fn write(&self, owner: u64, deadline: Option<Instant>) -> Result<bool> {
        let mut st = self.state.lock();
        if st.writer == Some(owner) || st.readers.contains_key(&owner) {
            return Err(Error::InvalidState(
                "this owner already holds the rwlock".into(),
            ));
        }
        st.writers_waiting += 1;
        while st.writer.is_some() || !st.readers.is_empty() {
            if !self.wait(&mut st, deadline) {
                st.writers_waiting -= 1;
                // Readers held back by this writer may go now.
                self.changed.notify_all();
                return Ok(false);
            }
        }
        st.writers_waiting -= 1;
        st.writer = Some(owner);
        Ok(true)
    }

    /// Releases one read lock of `owner`.
    ///
    /// # Errors
    /// [`Error::InvalidState`] if `owner` holds no read lock.
    pub fn unlock_read(&self, owner: u64) -> Result<()> {
        let mut st = self.state.lock();
        let Some(n) = st.readers.get_mut(&owner) else {
            return Err(Error::InvalidState("this owner holds no read lock".into()));
        };
        *n -= 1;
        if *n == 0 {
            st.readers.remove(&owner);
        }
        if st.readers.is_empty() {
            self.changed.notify_all();
        }
        Ok(())
    }

    /// Releases the write lock of `owner`.
    ///
    /// # Errors
    /// [`Error::InvalidState`] unless `owner` holds the write lock.
    pub fn unlock_write(&self, owner: u64) -> Result<()> {
        let mut st = self.state.lock();
        if st.writer != Some(owner) {
            return Err(Error::InvalidState(
                "this owner does not hold the write lock".into(),
            ));
        }
        st.writer = None;
        self.changed.notify_all();
        Ok(())
    }

    /// Releases everything `owner` holds (it has ended).
    pub fn release_all(&self, owner: u64) {
        let mut st = self.state.lock();
        let was_reader = st.readers.remove(&owner).is_some();
        let was_writer = st.writer == Some(owner);
        if was_writer {
            st.writer = None;
        }
        if was_reader || was_writer {
            self.changed.notify_all();
        }
    }

    fn wait(&self, st: &mut crate::MutexGuard<'_, RwState>, deadline: Option<Instant>) -> bool {
        match deadline {
            None => {
                self.changed.wait(st);
                true
            }
            Some(d) => !self.changed.wait_deadline(st, d).timed_out(),
        }
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::time::Duration;

    #[test]
    fn owner_rules() {
        let l = OwnedLock::new();
        assert!(l.lock(7, None).unwrap());
        assert_eq!(l.holder(), Some(7));
        assert!(matches!(l.lock(7, None), Err(Error::InvalidState(_))));
        assert!(matches!(l.unlock(8), Err(Error::InvalidState(_))));
        assert!(
            !l.lock(8, Some(Instant::now() + Duration::from_millis(5)))
                .unwrap()
        );
        l.unlock(7).unwrap();
        assert_eq!(l.holder(), None);
    }

    #[test]
    fn condvar_wait_releases_and_restores_the_owner() {
        let shared = Arc::new((OwnedLock::new(), Condvar::new()));
        shared.0.lock(1, None).unwrap();
        let s2 = shared.clone();
        let t = std::thread::spawn(move || {
            s2.0.lock(2, None).unwrap();
            s2.1.notify_all();
            s2.0.unlock(2).unwrap();
        });
        assert_eq!(shared.1.wait_on(&shared.0.held_by(1), None), Ok(true));
        assert_eq!(shared.0.holder(), Some(1));
        t.join().unwrap();
        assert!(shared.1.wait_on(&shared.0.held_by(3), None).is_err());
    }

    #[test]
    fn rwlock_rules() {
        let l = Arc::new(OwnedRwLock::new());
        assert!(l.read(1, None).unwrap());
        assert!(l.read(1, None).unwrap(), "re-entrant read");
        assert!(l.read(2, None).unwrap());
        assert!(matches!(l.write(1, None), Err(Error::InvalidState(_))));
        let l2 = l.clone();
        let w =
            std::thread::spawn(move || l2.write(3, Some(Instant::now() + Duration::from_secs(10))));
        std::thread::sleep(Duration::from_millis(20));
        assert!(
            !l.read(4, Some(Instant::now())).unwrap(),
            "a writer is waiting"
        );
        l.unlock_read(1).unwrap();
        l.unlock_read(1).unwrap();
        assert!(l.unlock_read(1).is_err());
        l.release_all(2);
        assert!(w.join().unwrap().unwrap());
        l.unlock_write(3).unwrap();
    }
}
