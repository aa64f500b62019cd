//! A lock without a guard: acquire and release are separate calls, possibly
//! on different threads.
//!
//! The fast path is one compare-and-swap, as in Drepper's "Futexes are
//! tricky" (mutex 2): the state is unlocked, locked, or locked with waiters.
//! Waiters park on a std mutex and condition variable, which are futex-based
//! natively and `memory.atomic.wait32`-based on `wasm32-wasip1-threads`.
//!
//! ## Memory ordering
//! Acquiring reads the state with `Acquire` and releasing writes it with
//! `Release`, so everything done while holding the lock happens-before the
//! next holder's critical section. A waiter re-reads the state under the
//! parking mutex, and a releaser that saw waiters takes the parking mutex
//! before notifying, so a wake-up is never lost: either the waiter sees the
//! released state, or it is already waiting when the notification comes.

use std::time::{Duration, Instant};

use crate::loom::sync::atomic::{AtomicU8, Ordering};
use crate::loom::sync::{Condvar, Mutex};
use crate::loom::wait_until;
use crate::{Error, Result, deadline};

const UNLOCKED: u8 = 0;
const LOCKED: u8 = 1;
const CONTENDED: u8 = 2;

/// A mutual-exclusion lock without a guard, like Python's `threading.Lock`.
///
/// Any thread may release it, and releasing an unlocked `Lock` is an error,
/// not undefined behaviour. Use [`Mutex`](crate::Mutex) to protect data; use
/// `Lock` where acquire and release are separate events (a lock held across
/// calls, by a host on behalf of a guest, or by translated Python code).
///
/// # Examples
/// ```
/// use portalis_threading::Lock;
/// use std::time::Duration;
///
/// let lock = Lock::new();
/// lock.acquire();
/// assert!(!lock.try_acquire());
/// assert!(!lock.acquire_timeout(Duration::from_millis(1)));
/// lock.release().unwrap();
/// assert!(lock.release().is_err()); // not held any more
/// ```
#[derive(Debug)]
pub struct Lock {
    state: AtomicU8,
    park: Mutex<()>,
    wakeup: Condvar,
}

impl Lock {
    /// Creates an unlocked lock.
    #[cfg(not(portalis_loom))]
    pub const fn new() -> Self {
        Self {
            state: AtomicU8::new(UNLOCKED),
            park: Mutex::new(()),
            wakeup: Condvar::new(),
        }
    }

    /// Creates an unlocked lock.
    #[cfg(portalis_loom)]
    pub fn new() -> Self {
        Self {
            state: AtomicU8::new(UNLOCKED),
            park: Mutex::new(()),
            wakeup: Condvar::new(),
        }
    }

    /// Acquires the lock, blocking until it is free.
    #[inline]
    pub fn acquire(&self) {
        if !self.try_acquire() {
            self.acquire_slow(None);
        }
    }

    /// Acquires the lock if it is free now; returns whether it did. Never
    /// blocks.
    #[inline]
    pub fn try_acquire(&self) -> bool {
        self.state
            .compare_exchange(UNLOCKED, LOCKED, Ordering::Acquire, Ordering::Relaxed)
            .is_ok()
    }

    /// Acquires the lock, blocking at most `timeout`; returns whether it did.
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.try_acquire() || self.acquire_slow(deadline::after(timeout))
    }

    /// Acquires the lock, blocking until `deadline` at the latest; returns
    /// whether it did.
    pub fn acquire_deadline(&self, deadline: Instant) -> bool {
        self.try_acquire() || self.acquire_slow(Some(deadline))
    }

    /// Releases the lock and wakes one waiter.
    ///
    /// # Errors
    /// [`Error::InvalidState`] if the lock is not held; nothing changes then.
    #[inline]
    pub fn release(&self) -> Result<()> {
        match self.state.swap(UNLOCKED, Ordering::Release) {
            LOCKED => Ok(()),
            UNLOCKED => Err(Error::InvalidState("release unlocked lock".into())),
            _ => {
                self.wake_one();
                Ok(())
            }
        }
    }

    /// Whether some thread holds the lock now.
    #[inline]
    pub fn is_locked(&self) -> bool {
        self.state.load(Ordering::Relaxed) != UNLOCKED
    }

    #[cold]
    fn wake_one(&self) {
        let _park = self.park.lock();
        self.wakeup.notify_one();
    }

    #[cold]
    fn acquire_slow(&self, deadline: Option<Instant>) -> bool {
        for _ in 0..crate::loom::SPIN_LIMIT {
            crate::loom::hint::spin_loop();
            if self.state.load(Ordering::Relaxed) == UNLOCKED && self.try_acquire() {
                return true;
            }
        }
        loop {
            // Claim the lock, or mark it contended so its holder wakes us.
            if self.state.swap(CONTENDED, Ordering::Acquire) == UNLOCKED {
                return true;
            }
            let park = self.park.lock();
            if self.state.load(Ordering::Relaxed) != CONTENDED {
                continue;
            }
            if wait_until(&self.wakeup, park, deadline).1 {
                // A spurious `CONTENDED` only costs the holder one wake-up.
                return false;
            }
        }
    }
}

impl Default for Lock {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: `Lock` is a correct mutual-exclusion lock: `try_acquire` and the
// slow path only succeed by moving the state from UNLOCKED, with `Acquire`;
// `release` moves it back with `Release`. It has no owner, so the guard may be
// sent to and released on another thread (`GuardSend`).
#[cfg(not(portalis_loom))]
unsafe impl lock_api::RawMutex for Lock {
    #[allow(
        clippy::declare_interior_mutable_const,
        reason = "lock_api's required initialiser"
    )]
    const INIT: Self = Self::new();
    type Guard = lock_api::GuardSend;

    fn lock(&self) -> Self::Guard {
        self.acquire();
        lock_api::GuardSend::new()
    }

    fn try_lock(&self) -> Option<Self::Guard> {
        self.try_acquire().then(lock_api::GuardSend::new)
    }

    unsafe fn unlock(&self, _guard: Self::Guard) {
        // lock_api only unlocks a lock it holds, so this cannot fail.
        let released = self.release();
        debug_assert!(released.is_ok());
    }

    fn is_locked(&self) -> bool {
        Lock::is_locked(self)
    }
}

// SAFETY: the timed forms uphold the same contract as `lock`.
#[cfg(not(portalis_loom))]
unsafe impl lock_api::RawMutexTimed for Lock {
    type Duration = Duration;
    type Instant = Instant;

    fn try_lock_for(&self, timeout: Duration) -> Option<Self::Guard> {
        self.acquire_timeout(timeout).then(lock_api::GuardSend::new)
    }

    fn try_lock_until(&self, deadline: Instant) -> Option<Self::Guard> {
        self.acquire_deadline(deadline)
            .then(lock_api::GuardSend::new)
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn smoke() {
        let lock = Lock::new();
        assert!(!lock.is_locked());
        lock.acquire();
        assert!(lock.is_locked());
        lock.release().unwrap();
        assert!(!lock.is_locked());
    }

    #[test]
    fn release_unlocked_is_an_error() {
        let lock = Lock::new();
        assert_eq!(
            lock.release(),
            Err(Error::InvalidState("release unlocked lock".into()))
        );
        assert!(!lock.is_locked());
    }

    #[test]
    fn release_from_another_thread() {
        let lock = Arc::new(Lock::new());
        lock.acquire();
        let l2 = lock.clone();
        std::thread::spawn(move || l2.release().unwrap())
            .join()
            .unwrap();
        assert!(lock.try_acquire());
    }

    #[test]
    fn timeout_expires_and_then_succeeds() {
        let lock = Arc::new(Lock::new());
        lock.acquire();
        let start = Instant::now();
        assert!(!lock.acquire_timeout(Duration::from_millis(30)));
        assert!(start.elapsed() >= Duration::from_millis(30));
        let l2 = lock.clone();
        let t = std::thread::spawn(move || l2.acquire_timeout(Duration::from_secs(10)));
        std::thread::sleep(Duration::from_millis(20));
        lock.release().unwrap();
        assert!(t.join().unwrap());
    }

    #[test]
    fn contended_counter() {
        const THREADS: usize = 4;
        const ITERS: usize = if cfg!(miri) { 50 } else { 20_000 };
        struct Shared {
            lock: Lock,
            value: std::cell::UnsafeCell<usize>,
        }
        // SAFETY: `value` is only touched while `lock` is held.
        unsafe impl Sync for Shared {}
        let shared = Arc::new(Shared {
            lock: Lock::new(),
            value: std::cell::UnsafeCell::new(0),
        });
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let s = shared.clone();
                std::thread::spawn(move || {
                    for _ in 0..ITERS {
                        s.lock.acquire();
                        // SAFETY: the lock is held.
                        unsafe { *s.value.get() += 1 };
                        s.lock.release().unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        // SAFETY: every other thread has been joined.
        assert_eq!(unsafe { *shared.value.get() }, THREADS * ITERS);
    }
}

#[cfg(all(test, portalis_loom))]
mod loom_lock {
    use super::*;
    use crate::loom::cell::UnsafeCell;
    use crate::loom::sync::Arc;
    use crate::loom::thread;

    struct Shared {
        lock: Lock,
        value: UnsafeCell<usize>,
    }
    // SAFETY: `value` is only touched while `lock` is held.
    unsafe impl Sync for Shared {}

    fn increment(s: &Shared) {
        s.lock.acquire();
        // SAFETY: the lock is held.
        s.value.with_mut(|v| unsafe { *v += 1 });
        s.lock.release().unwrap();
    }

    #[test]
    fn loom_lock_mutual_exclusion() {
        loom::model(|| {
            let s = Arc::new(Shared {
                lock: Lock::new(),
                value: UnsafeCell::new(0),
            });
            let ts: Vec<_> = (0..2)
                .map(|_| {
                    let s = s.clone();
                    thread::spawn(move || increment(&s))
                })
                .collect();
            increment(&s);
            for t in ts {
                t.join().unwrap();
            }
            // SAFETY: all other threads are joined.
            s.value.with(|v| assert_eq!(unsafe { *v }, 3));
        });
    }

    #[test]
    fn loom_lock_release_on_other_thread() {
        loom::model(|| {
            let lock = Arc::new(Lock::new());
            lock.acquire();
            let l2 = lock.clone();
            let waiter = thread::spawn(move || {
                l2.acquire();
                l2.release().unwrap();
            });
            lock.release().unwrap();
            waiter.join().unwrap();
            assert!(!lock.is_locked());
        });
    }

    #[test]
    fn loom_lock_double_release_is_detected() {
        loom::model(|| {
            let lock = Arc::new(Lock::new());
            lock.acquire();
            let l2 = lock.clone();
            let t = thread::spawn(move || l2.release().is_ok());
            let here = lock.release().is_ok();
            let there = t.join().unwrap();
            assert!(here ^ there, "exactly one release succeeds");
        });
    }
}
