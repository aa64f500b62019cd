//! A shared counter on its own cache line.

use crossbeam_utils::CachePadded;

use crate::loom::sync::atomic::{AtomicU64, Ordering};

/// A 64-bit counter that many threads update without a lock.
///
/// It sits on its own cache line, so a hot counter does not slow down the
/// data next to it. Updates are `Relaxed`: a counter orders nothing else;
/// use it for statistics, ids and tallies, not to publish data.
///
/// # Examples
/// ```
/// use portalis_threading::AtomicCounter;
/// use std::sync::Arc;
///
/// let hits = Arc::new(AtomicCounter::new(0));
/// let hs: Vec<_> = (0..4)
///     .map(|_| {
///         let h = hits.clone();
///         std::thread::spawn(move || for _ in 0..100 { h.increment(); })
///     })
///     .collect();
/// hs.into_iter().for_each(|h| h.join().unwrap());
/// assert_eq!(hits.get(), 400);
/// ```
#[derive(Debug, Default)]
pub struct AtomicCounter {
    value: CachePadded<AtomicU64>,
}

impl AtomicCounter {
    /// A counter starting at `initial`.
    pub fn new(initial: u64) -> Self {
        Self {
            value: CachePadded::new(AtomicU64::new(initial)),
        }
    }

    /// Adds one; returns the new value.
    #[inline]
    pub fn increment(&self) -> u64 {
        self.add(1)
    }

    /// Adds `n` (wrapping); returns the new value.
    #[inline]
    pub fn add(&self, n: u64) -> u64 {
        self.value.fetch_add(n, Ordering::Relaxed).wrapping_add(n)
    }

    /// Subtracts one unless the counter is zero; returns the new value.
    pub fn decrement(&self) -> u64 {
        let mut current = self.value.load(Ordering::Relaxed);
        loop {
            if current == 0 {
                return 0;
            }
            match self.value.compare_exchange_weak(
                current,
                current - 1,
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return current - 1,
                Err(actual) => current = actual,
            }
        }
    }

    /// The current value.
    #[inline]
    pub fn get(&self) -> u64 {
        self.value.load(Ordering::Relaxed)
    }

    /// Sets the value; returns the previous one.
    pub fn swap(&self, value: u64) -> u64 {
        self.value.swap(value, Ordering::Relaxed)
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;

    #[test]
    fn decrement_saturates_at_zero() {
        let c = AtomicCounter::new(1);
        assert_eq!(c.decrement(), 0);
        assert_eq!(c.decrement(), 0);
        assert_eq!(c.increment(), 1);
        assert_eq!(c.swap(10), 1);
        assert_eq!(c.add(5), 15);
    }
}

#[cfg(all(test, portalis_loom))]
mod loom_counter {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::thread;

    #[test]
    fn loom_counter_no_lost_updates() {
        loom::model(|| {
            let c = Arc::new(AtomicCounter::new(1));
            let c2 = c.clone();
            let t = thread::spawn(move || {
                c2.increment();
                c2.decrement();
            });
            c.increment();
            c.decrement();
            t.join().unwrap();
            assert_eq!(c.get(), 1);
        });
    }
}
