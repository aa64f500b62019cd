//! A writer-preferring reader-writer lock parked on std's mutex and
//! condition variable: the raw lock behind `RwLock` on wasm, where
//! parking_lot cannot park. Compiled natively for its tests.

#![cfg_attr(
    portalis_loom,
    allow(
        dead_code,
        unused_imports,
        reason = "lock_api's impls are not modelled"
    )
)]

use std::time::{Duration, Instant};

use crate::deadline;
use crate::loom::sync::{Condvar, Mutex};
use crate::loom::wait_until;

#[derive(Debug, Default)]
struct State {
    readers: usize,
    writer: bool,
    writers_waiting: usize,
}

/// Readers wait while a writer holds or waits for the lock, so writers do
/// not starve.
#[derive(Debug)]
pub(crate) struct WaitRwLock {
    state: Mutex<State>,
    readers: Condvar,
    writers: Condvar,
}

impl WaitRwLock {
    #[cfg(not(portalis_loom))]
    pub(crate) const fn new() -> Self {
        Self {
            state: Mutex::new(State {
                readers: 0,
                writer: false,
                writers_waiting: 0,
            }),
            readers: Condvar::new(),
            writers: Condvar::new(),
        }
    }

    #[cfg(portalis_loom)]
    pub(crate) fn new() -> Self {
        Self {
            state: Mutex::new(State::default()),
            readers: Condvar::new(),
            writers: Condvar::new(),
        }
    }

    /// Takes a read lock by `deadline` (forever if `None`).
    pub(crate) fn read_until(&self, deadline: Option<Instant>) -> bool {
        let mut st = self.state.lock();
        while st.writer || st.writers_waiting > 0 {
            let (guard, expired) = wait_until(&self.readers, st, deadline);
            st = guard;
            if expired {
                return false;
            }
        }
        st.readers += 1;
        true
    }

    /// Takes the write lock by `deadline` (forever if `None`).
    pub(crate) fn write_until(&self, deadline: Option<Instant>) -> bool {
        let mut st = self.state.lock();
        st.writers_waiting += 1;
        while st.writer || st.readers > 0 {
            let (guard, expired) = wait_until(&self.writers, st, deadline);
            st = guard;
            if expired {
                st.writers_waiting -= 1;
                if st.writers_waiting == 0 && !st.writer {
                    // Readers held back by this writer may go now.
                    self.readers.notify_all();
                }
                return false;
            }
        }
        st.writers_waiting -= 1;
        st.writer = true;
        true
    }

    pub(crate) fn try_read(&self) -> bool {
        let mut st = self.state.lock();
        if st.writer || st.writers_waiting > 0 {
            return false;
        }
        st.readers += 1;
        true
    }

    pub(crate) fn try_write(&self) -> bool {
        let mut st = self.state.lock();
        if st.writer || st.readers > 0 {
            return false;
        }
        st.writer = true;
        true
    }

    pub(crate) fn unlock_read(&self) {
        let mut st = self.state.lock();
        debug_assert!(st.readers > 0);
        st.readers -= 1;
        if st.readers == 0 && st.writers_waiting > 0 {
            self.writers.notify_one();
        }
    }

    pub(crate) fn unlock_write(&self) {
        let mut st = self.state.lock();
        debug_assert!(st.writer);
        st.writer = false;
        if st.writers_waiting > 0 {
            self.writers.notify_one();
        } else {
            self.readers.notify_all();
        }
    }

    fn is_locked(&self) -> bool {
        let st = self.state.lock();
        st.writer || st.readers > 0
    }

    fn is_locked_exclusive(&self) -> bool {
        self.state.lock().writer
    }
}

// SAFETY: `write_until`/`try_write` succeed only with no reader and no
// writer, and `read_until`/`try_read` only with no writer, all under the
// state mutex, so the lock grants either one writer or any number of readers.
// Unlocks are only called by lock_api for a lock it holds. There is no owner,
// so guards may move between threads.
#[cfg(not(portalis_loom))]
unsafe impl lock_api::RawRwLock for WaitRwLock {
    #[allow(
        clippy::declare_interior_mutable_const,
        reason = "lock_api's required initialiser"
    )]
    const INIT: Self = Self::new();
    type SharedGuard = lock_api::GuardSend;
    type ExclusiveGuard = lock_api::GuardSend;

    fn lock_shared(&self) -> Self::SharedGuard {
        self.read_until(None);
        lock_api::GuardSend::new()
    }

    fn try_lock_shared(&self) -> Option<Self::SharedGuard> {
        self.try_read().then(lock_api::GuardSend::new)
    }

    unsafe fn unlock_shared(&self, _guard: Self::SharedGuard) {
        self.unlock_read();
    }

    fn lock_exclusive(&self) -> Self::ExclusiveGuard {
        self.write_until(None);
        lock_api::GuardSend::new()
    }

    fn try_lock_exclusive(&self) -> Option<Self::ExclusiveGuard> {
        self.try_write().then(lock_api::GuardSend::new)
    }

    unsafe fn unlock_exclusive(&self, _guard: Self::ExclusiveGuard) {
        self.unlock_write();
    }

    fn is_locked(&self) -> bool {
        WaitRwLock::is_locked(self)
    }

    fn is_locked_exclusive(&self) -> bool {
        WaitRwLock::is_locked_exclusive(self)
    }
}

// SAFETY: the timed forms uphold the same contract as the untimed ones.
#[cfg(not(portalis_loom))]
unsafe impl lock_api::RawRwLockTimed for WaitRwLock {
    type Duration = Duration;
    type Instant = Instant;

    fn try_lock_shared_for(&self, timeout: Duration) -> Option<Self::SharedGuard> {
        self.read_until(deadline::after(timeout))
            .then(lock_api::GuardSend::new)
    }

    fn try_lock_shared_until(&self, deadline: Instant) -> Option<Self::SharedGuard> {
        self.read_until(Some(deadline))
            .then(lock_api::GuardSend::new)
    }

    fn try_lock_exclusive_for(&self, timeout: Duration) -> Option<Self::ExclusiveGuard> {
        self.write_until(deadline::after(timeout))
            .then(lock_api::GuardSend::new)
    }

    fn try_lock_exclusive_until(&self, deadline: Instant) -> Option<Self::ExclusiveGuard> {
        self.write_until(Some(deadline))
            .then(lock_api::GuardSend::new)
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    type RwLock<T> = lock_api::RwLock<WaitRwLock, T>;

    #[test]
    fn readers_share_writers_exclude() {
        let l = RwLock::new(0);
        let a = l.read();
        let b = l.try_read().expect("readers share");
        assert!(l.try_write().is_none());
        drop((a, b));
        let w = l.write();
        assert!(l.try_read().is_none());
        drop(w);
        assert!(l.try_read().is_some());
    }

    #[test]
    fn waiting_writer_holds_back_new_readers_until_it_times_out() {
        let l = Arc::new(RwLock::new(0));
        let r = l.read();
        let l2 = l.clone();
        let w = std::thread::spawn(move || l2.try_write_for(Duration::from_millis(200)).is_some());
        std::thread::sleep(Duration::from_millis(50));
        assert!(l.try_read().is_none(), "a writer is waiting");
        drop(r);
        assert!(w.join().unwrap());
        let l3 = l.clone();
        let w = std::thread::spawn(move || l3.try_write_for(Duration::from_millis(20)).is_some());
        let r = l.read();
        let got = w.join().unwrap();
        drop(r);
        assert!(!got, "the writer timed out behind a reader");
        assert!(l.try_read().is_some(), "readers are free again");
    }

    #[test]
    fn contended_writes_and_reads() {
        let l = Arc::new(RwLock::new(0usize));
        let hs: Vec<_> = (0..4)
            .map(|i| {
                let l = l.clone();
                std::thread::spawn(move || {
                    for _ in 0..2000 {
                        if i % 2 == 0 {
                            *l.write() += 1;
                        } else {
                            let v = *l.read();
                            assert!(v <= 4000);
                        }
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(*l.read(), 4000);
    }
}

#[cfg(all(test, portalis_loom))]
mod loom_wait_rwlock {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::sync::atomic::{AtomicUsize, Ordering};
    use crate::loom::thread;

    #[test]
    fn loom_rwlock_writer_excludes_readers() {
        loom::model(|| {
            let l = Arc::new(WaitRwLock::new());
            let inside = Arc::new(AtomicUsize::new(0));
            let (l2, in2) = (l.clone(), inside.clone());
            let writer = thread::spawn(move || {
                l2.write_until(None);
                assert_eq!(in2.fetch_add(100, Ordering::SeqCst), 0);
                in2.fetch_sub(100, Ordering::SeqCst);
                l2.unlock_write();
            });
            l.read_until(None);
            assert!(inside.fetch_add(1, Ordering::SeqCst) < 100);
            inside.fetch_sub(1, Ordering::SeqCst);
            l.unlock_read();
            writer.join().unwrap();
        });
    }
}
