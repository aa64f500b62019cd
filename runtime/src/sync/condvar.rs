//! A condition variable with first-in, first-out wake-ups and `notify(n)`.
//!
//! Each waiter enqueues a slot of its own before it releases the caller's
//! lock, then sleeps on that slot; `notify(n)` pops the `n` oldest slots and
//! signals them. This is CPython's `threading.Condition` design (a lock per
//! waiter), which gives its observable guarantees: waiters wake in arrival
//! order, `notify(n)` wakes at most `n`, and a notification never goes to a
//! thread that started waiting after it.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::loom::sync::{Arc, Condvar as RawCondvar, Mutex as RawMutex};
use crate::sync::lock::Lock;
use crate::sync::mutex::MutexGuard;
use crate::{Error, Result, deadline};

/// A lock a [`Condvar`] can release while it waits and take again after.
///
/// Implemented by [`MutexGuard`]'s mutex internally and by
/// [`Lock`](crate::Lock); hosts implement it for locks held on a guest's
/// behalf. `Saved` carries what the lock needs to be restored exactly (e.g. a
/// re-entrant lock's depth).
pub trait CondvarLock {
    /// What `release_for_wait` hands to `reacquire_after_wait`.
    type Saved;

    /// Releases the lock completely before the wait.
    ///
    /// # Errors
    /// If the caller does not hold the lock; the wait does not happen then.
    fn release_for_wait(&self) -> Result<Self::Saved>;

    /// Takes the lock again after the wait, restoring `saved`.
    fn reacquire_after_wait(&self, saved: Self::Saved);
}

impl CondvarLock for Lock {
    type Saved = ();

    fn release_for_wait(&self) -> Result<()> {
        self.release()
            .map_err(|_| Error::InvalidState("cannot wait on un-acquired lock".into()))
    }

    fn reacquire_after_wait(&self, (): ()) {
        self.acquire();
    }
}

/// What a timed wait returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    /// Whether the wait ended because the time ran out.
    pub fn timed_out(self) -> bool {
        self.0
    }
}

#[derive(Debug, Default)]
struct Waiter {
    signaled: RawMutex<bool>,
    wakeup: RawCondvar,
}

/// A condition variable, used with a [`Mutex`](crate::Mutex) or any
/// [`CondvarLock`].
///
/// Unlike `std`'s, it wakes waiters in the order they arrived and
/// [`notify`](Self::notify) wakes a chosen number of them, as Python's
/// `Condition` does. Spurious wake-ups do not happen, but a predicate loop
/// ([`wait_while`](Self::wait_while)) is still the robust way to wait.
///
/// # Examples
/// ```
/// use portalis_threading::{Condvar, Mutex};
/// use std::sync::Arc;
///
/// let pair = Arc::new((Mutex::new(false), Condvar::new()));
/// let pair2 = pair.clone();
/// std::thread::spawn(move || {
///     let (ready, cv) = &*pair2;
///     *ready.lock() = true;
///     cv.notify_all();
/// });
/// let (ready, cv) = &*pair;
/// let mut guard = ready.lock();
/// cv.wait_while(&mut guard, |ready| !*ready);
/// assert!(*guard);
/// ```
#[derive(Debug, Default)]
#[doc(alias = "Condition")]
pub struct Condvar {
    waiters: RawMutex<VecDeque<Arc<Waiter>>>,
}

impl Condvar {
    /// Creates a condition variable with no waiters.
    pub fn new() -> Self {
        Self {
            waiters: RawMutex::new(VecDeque::new()),
        }
    }

    /// Releases `guard`'s mutex, waits for a notification, and locks it
    /// again.
    pub fn wait<T: ?Sized>(&self, guard: &mut MutexGuard<'_, T>) {
        self.wait_guard(guard, None);
    }

    /// As [`wait`](Self::wait), for at most `timeout`.
    pub fn wait_timeout<T: ?Sized>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        timeout: Duration,
    ) -> WaitTimeoutResult {
        WaitTimeoutResult(!self.wait_guard(guard, deadline::after(timeout)))
    }

    /// As [`wait`](Self::wait), until `deadline` at the latest.
    pub fn wait_deadline<T: ?Sized>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        deadline: Instant,
    ) -> WaitTimeoutResult {
        WaitTimeoutResult(!self.wait_guard(guard, Some(deadline)))
    }

    /// Waits while `condition` holds for the guarded value.
    pub fn wait_while<T: ?Sized, F>(&self, guard: &mut MutexGuard<'_, T>, mut condition: F)
    where
        F: FnMut(&mut T) -> bool,
    {
        while condition(&mut *guard) {
            self.wait(guard);
        }
    }

    /// Waits while `condition` holds, for at most `timeout`. The result
    /// says whether time ran out with the condition still true.
    pub fn wait_while_timeout<T: ?Sized, F>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        timeout: Duration,
        mut condition: F,
    ) -> WaitTimeoutResult
    where
        F: FnMut(&mut T) -> bool,
    {
        let deadline = deadline::after(timeout);
        while condition(&mut *guard) {
            if !self.wait_guard(guard, deadline) {
                return WaitTimeoutResult(condition(&mut *guard));
            }
        }
        WaitTimeoutResult(false)
    }

    /// Releases `lock`, waits for a notification until `deadline` (forever
    /// if `None`), and takes `lock` again, also when time runs out. Returns
    /// whether it was notified.
    ///
    /// # Errors
    /// The lock's error if the caller does not hold it; no wait happens then.
    pub fn wait_on<L: CondvarLock + ?Sized>(
        &self,
        lock: &L,
        deadline: Option<Instant>,
    ) -> Result<bool> {
        let waiter = self.enqueue();
        let saved = match lock.release_for_wait() {
            Ok(saved) => saved,
            Err(e) => {
                self.dequeue(&waiter);
                return Err(e);
            }
        };
        let notified = self.block(&waiter, deadline);
        lock.reacquire_after_wait(saved);
        Ok(notified)
    }

    /// Wakes the oldest waiter; returns whether there was one.
    pub fn notify_one(&self) -> bool {
        self.notify(1) == 1
    }

    /// Wakes up to `n` waiters, oldest first; returns how many it woke.
    pub fn notify(&self, n: usize) -> usize {
        let woken: Vec<Arc<Waiter>> = {
            let mut waiters = self.waiters.lock();
            let n = n.min(waiters.len());
            waiters.drain(..n).collect()
        };
        for w in &woken {
            *w.signaled.lock() = true;
            w.wakeup.notify_one();
        }
        woken.len()
    }

    /// Wakes every waiter; returns how many it woke.
    pub fn notify_all(&self) -> usize {
        self.notify(usize::MAX)
    }

    /// The number of threads waiting now.
    pub fn waiters(&self) -> usize {
        self.waiters.lock().len()
    }

    fn wait_guard<T: ?Sized>(
        &self,
        guard: &mut MutexGuard<'_, T>,
        deadline: Option<Instant>,
    ) -> bool {
        let waiter = self.enqueue();
        lock_api::MutexGuard::unlocked(&mut guard.inner, || self.block(&waiter, deadline))
    }

    fn enqueue(&self) -> Arc<Waiter> {
        let waiter = Arc::new(Waiter::default());
        self.waiters.lock().push_back(waiter.clone());
        waiter
    }

    /// Removes `waiter` if it is still queued; returns whether it was.
    fn dequeue(&self, waiter: &Arc<Waiter>) -> bool {
        let mut waiters = self.waiters.lock();
        match waiters.iter().position(|w| Arc::ptr_eq(w, waiter)) {
            Some(i) => {
                waiters.remove(i);
                true
            }
            None => false,
        }
    }

    /// Sleeps until `waiter` is signalled or `deadline` passes; returns
    /// whether it was signalled.
    fn block(&self, waiter: &Arc<Waiter>, deadline: Option<Instant>) -> bool {
        let mut signaled = waiter.signaled.lock();
        while !*signaled {
            match deadline {
                None => signaled = waiter.wakeup.wait(signaled),
                Some(d) => {
                    let left = deadline::remaining(d);
                    if left.is_zero() {
                        drop(signaled);
                        // Still queued: nobody will signal us, so we timed
                        // out. Already dequeued: a notifier chose us, and the
                        // notification counts.
                        return !self.dequeue(waiter);
                    }
                    signaled = waiter.wakeup.wait_timeout(signaled, left).0;
                }
            }
        }
        true
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;
    use crate::Mutex;
    use std::sync::Arc as StdArc;

    #[test]
    fn notify_n_wakes_exactly_n_in_arrival_order() {
        let shared = StdArc::new((Mutex::new(Vec::new()), Condvar::new()));
        let mut handles = Vec::new();
        for i in 0..4 {
            let s = shared.clone();
            handles.push(std::thread::spawn(move || {
                let (order, cv) = &*s;
                let mut g = order.lock();
                g.push(("waiting", i));
                cv.wait(&mut g);
                g.push(("woke", i));
            }));
            // Let each thread start waiting before the next arrives.
            while shared.1.waiters() != i + 1 {
                std::thread::yield_now();
            }
        }
        assert_eq!(shared.1.notify(2), 2);
        while shared.0.lock().iter().filter(|e| e.0 == "woke").count() < 2 {
            std::thread::yield_now();
        }
        std::thread::sleep(Duration::from_millis(20));
        {
            let g = shared.0.lock();
            let woke: Vec<_> = g.iter().filter(|e| e.0 == "woke").map(|e| e.1).collect();
            assert_eq!(woke.len(), 2, "exactly two woke");
            let mut sorted = woke.clone();
            sorted.sort();
            assert_eq!(sorted, [0, 1], "the two oldest woke");
        }
        assert_eq!(shared.1.notify_all(), 2);
        for h in handles {
            h.join().unwrap();
        }
        assert_eq!(shared.1.notify_all(), 0);
    }

    #[test]
    fn timeout_relocks_and_reports() {
        let m = Mutex::new(());
        let cv = Condvar::new();
        let mut g = m.lock();
        let r = cv.wait_timeout(&mut g, Duration::from_millis(20));
        assert!(r.timed_out());
        assert!(m.is_locked(), "relocked after the timeout");
        assert_eq!(cv.waiters(), 0);
    }

    #[test]
    fn wait_while_timeout_returns_final_condition() {
        let m = Mutex::new(3);
        let cv = Condvar::new();
        let mut g = m.lock();
        assert!(
            cv.wait_while_timeout(&mut g, Duration::from_millis(10), |v| *v > 0)
                .timed_out()
        );
        *g = 0;
        assert!(
            !cv.wait_while_timeout(&mut g, Duration::from_millis(10), |v| *v > 0)
                .timed_out()
        );
    }

    #[test]
    fn wait_on_unheld_lock_is_an_error_and_leaves_no_waiter() {
        let lock = Lock::new();
        let cv = Condvar::new();
        assert!(cv.wait_on(&lock, None).is_err());
        assert_eq!(cv.waiters(), 0);
        lock.acquire();
        assert_eq!(
            cv.wait_on(&lock, deadline::after(Duration::from_millis(5))),
            Ok(false)
        );
        assert!(lock.is_locked());
    }
}

#[cfg(all(test, portalis_loom))]
mod loom_condvar {
    use super::*;
    use crate::loom::sync::atomic::{AtomicBool, Ordering};
    use crate::loom::thread;

    #[test]
    fn loom_condvar_no_lost_wakeup() {
        loom::model(|| {
            let shared = Arc::new((Lock::new(), Condvar::new(), AtomicBool::new(false)));
            let s2 = shared.clone();
            let t = thread::spawn(move || {
                let (lock, cv, flag) = &*s2;
                lock.acquire();
                flag.store(true, Ordering::Relaxed);
                cv.notify_one();
                lock.release().unwrap();
            });
            let (lock, cv, flag) = &*shared;
            lock.acquire();
            while !flag.load(Ordering::Relaxed) {
                cv.wait_on(lock, None).unwrap();
            }
            lock.release().unwrap();
            t.join().unwrap();
        });
    }
}
