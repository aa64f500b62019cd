//! A counting semaphore, optionally bounded.

use std::time::{Duration, Instant};

use crate::loom::sync::{Condvar, Mutex};
use crate::loom::wait_until;
use crate::{Error, Result, deadline};

/// A counting semaphore: `acquire` takes a permit, waiting for one if none is
/// free; `release` returns permits.
///
/// Permits are not owned, so any thread may release. A *bounded* semaphore
/// (Python's `BoundedSemaphore`) refuses to hold more permits than its bound:
/// over-release is an error and changes nothing.
///
/// # Examples
/// ```
/// use portalis_threading::Semaphore;
///
/// let slots = Semaphore::bounded(2, 2).unwrap();
/// slots.acquire();
/// assert!(slots.try_acquire());
/// assert!(!slots.try_acquire());
/// slots.release_many(2).unwrap();
/// assert!(slots.release().is_err()); // would exceed the bound
/// ```
#[derive(Debug)]
pub struct Semaphore {
    permits: Mutex<usize>,
    available: Condvar,
    bound: Option<usize>,
}

impl Semaphore {
    /// Creates a semaphore with `permits` free permits and no bound.
    pub fn new(permits: usize) -> Self {
        Self {
            permits: Mutex::new(permits),
            available: Condvar::new(),
            bound: None,
        }
    }

    /// Creates a semaphore with `permits` free permits that never holds more
    /// than `bound`.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if `bound < permits`.
    pub fn bounded(permits: usize, bound: usize) -> Result<Self> {
        if bound < permits {
            return Err(Error::InvalidArgument(format!(
                "semaphore bound {bound} is below its initial permits {permits}"
            )));
        }
        Ok(Self {
            bound: Some(bound),
            ..Self::new(permits)
        })
    }

    /// Takes a permit, blocking until one is free.
    pub fn acquire(&self) {
        self.acquire_until(None);
    }

    /// Takes a permit if one is free now; returns whether it did. Never
    /// blocks.
    pub fn try_acquire(&self) -> bool {
        let mut permits = self.permits.lock();
        if *permits > 0 {
            *permits -= 1;
            true
        } else {
            false
        }
    }

    /// Takes a permit, blocking at most `timeout`; returns whether it did.
    pub fn acquire_timeout(&self, timeout: Duration) -> bool {
        self.acquire_until(deadline::after(timeout))
    }

    /// Takes a permit, blocking until `deadline` at the latest; returns
    /// whether it did.
    pub fn acquire_deadline(&self, deadline: Instant) -> bool {
        self.acquire_until(Some(deadline))
    }

    fn acquire_until(&self, deadline: Option<Instant>) -> bool {
        let mut permits = self.permits.lock();
        while *permits == 0 {
            let (guard, expired) = wait_until(&self.available, permits, deadline);
            permits = guard;
            if expired {
                return false;
            }
        }
        *permits -= 1;
        true
    }

    /// Returns one permit.
    ///
    /// # Errors
    /// [`Error::InvalidState`] if the semaphore is bounded and already full.
    pub fn release(&self) -> Result<()> {
        self.release_many(1)
    }

    /// Returns `n` permits, waking up to `n` waiters.
    ///
    /// # Errors
    /// [`Error::InvalidState`] if the semaphore is bounded and `n` more
    /// permits would exceed the bound; nothing is released then.
    /// [`Error::InvalidArgument`] if `n` is zero.
    pub fn release_many(&self, n: usize) -> Result<()> {
        if n == 0 {
            return Err(Error::InvalidArgument("n must be one or more".into()));
        }
        let mut permits = self.permits.lock();
        let after = permits.checked_add(n);
        match (after, self.bound) {
            (Some(after), Some(bound)) if after <= bound => *permits = after,
            (Some(after), None) => *permits = after,
            _ => {
                return Err(Error::InvalidState(
                    "semaphore released too many times".into(),
                ));
            }
        }
        drop(permits);
        if n == 1 {
            self.available.notify_one();
        } else {
            self.available.notify_all();
        }
        Ok(())
    }

    /// The permits free now.
    pub fn available_permits(&self) -> usize {
        *self.permits.lock()
    }

    /// The bound, for a bounded semaphore.
    pub fn bound(&self) -> Option<usize> {
        self.bound
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn bounded_rejects_bound_below_permits() {
        assert!(matches!(
            Semaphore::bounded(3, 2),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn over_release_changes_nothing() {
        let s = Semaphore::bounded(1, 2).unwrap();
        assert!(s.release_many(2).is_err());
        assert_eq!(s.available_permits(), 1);
        s.release().unwrap();
        assert_eq!(s.available_permits(), 2);
        assert_eq!(
            s.release(),
            Err(Error::InvalidState(
                "semaphore released too many times".into()
            ))
        );
    }

    #[test]
    fn timeout_then_release_wakes_waiter() {
        let s = Arc::new(Semaphore::new(0));
        assert!(!s.acquire_timeout(Duration::from_millis(10)));
        let s2 = s.clone();
        let t = std::thread::spawn(move || s2.acquire_timeout(Duration::from_secs(10)));
        std::thread::sleep(Duration::from_millis(10));
        s.release().unwrap();
        assert!(t.join().unwrap());
        assert_eq!(s.available_permits(), 0);
    }

    #[test]
    fn at_most_n_inside() {
        use crate::loom::sync::atomic::{AtomicUsize, Ordering};
        let s = Arc::new(Semaphore::new(2));
        let inside = Arc::new(AtomicUsize::new(0));
        let max = Arc::new(AtomicUsize::new(0));
        let hs: Vec<_> = (0..6)
            .map(|_| {
                let (s, inside, max) = (s.clone(), inside.clone(), max.clone());
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        s.acquire();
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        max.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                        s.release().unwrap();
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert!(max.load(Ordering::SeqCst) <= 2);
        assert_eq!(s.available_permits(), 2);
    }
}

#[cfg(all(test, portalis_loom))]
mod loom_semaphore {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::thread;

    #[test]
    fn loom_semaphore_release_wakes_acquirer() {
        loom::model(|| {
            let s = Arc::new(Semaphore::bounded(0, 1).unwrap());
            let s2 = s.clone();
            let t = thread::spawn(move || s2.acquire());
            s.release().unwrap();
            t.join().unwrap();
            assert_eq!(s.available_permits(), 0);
        });
    }
}
