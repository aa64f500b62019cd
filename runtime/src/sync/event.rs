//! A flag threads can wait for.

use std::time::{Duration, Instant};

use crate::deadline;
use crate::loom::sync::{Condvar, Mutex};
use crate::loom::wait_until;

/// A flag that threads can wait for, like Python's `threading.Event`.
///
/// # Examples
/// ```
/// use portalis_threading::Event;
/// use std::sync::Arc;
///
/// let ready = Arc::new(Event::new());
/// let r = ready.clone();
/// let t = std::thread::spawn(move || r.wait());
/// ready.set();
/// t.join().unwrap();
/// assert!(ready.is_set());
/// ```
#[derive(Debug, Default)]
pub struct Event {
    flag: Mutex<bool>,
    changed: Condvar,
}

impl Event {
    /// Creates a clear event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flag and wakes every waiter.
    pub fn set(&self) {
        *self.flag.lock() = true;
        self.changed.notify_all();
    }

    /// Clears the flag.
    pub fn clear(&self) {
        *self.flag.lock() = false;
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        *self.flag.lock()
    }

    /// Waits until the flag is set.
    pub fn wait(&self) {
        self.wait_until(None);
    }

    /// Waits at most `timeout` for the flag; returns whether it is set.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        self.wait_until(deadline::after(timeout))
    }

    /// Waits until `deadline` at the latest; returns whether the flag is set.
    pub fn wait_deadline(&self, deadline: Instant) -> bool {
        self.wait_until(Some(deadline))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> bool {
        let mut flag = self.flag.lock();
        while !*flag {
            let (guard, expired) = wait_until(&self.changed, flag, deadline);
            flag = guard;
            if expired {
                return false;
            }
        }
        true
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn wait_timeout_reports_flag() {
        let e = Event::new();
        assert!(!e.wait_timeout(Duration::from_millis(5)));
        e.set();
        assert!(e.wait_timeout(Duration::ZERO));
        e.clear();
        assert!(!e.is_set());
    }

    #[test]
    fn set_wakes_all_waiters() {
        let e = Arc::new(Event::new());
        let hs: Vec<_> = (0..4)
            .map(|_| {
                let e = e.clone();
                std::thread::spawn(move || e.wait_timeout(Duration::from_secs(10)))
            })
            .collect();
        std::thread::sleep(Duration::from_millis(10));
        e.set();
        assert!(hs.into_iter().all(|h| h.join().unwrap()));
    }
}

#[cfg(all(test, portalis_loom))]
mod loom_event {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::thread;

    #[test]
    fn loom_event_set_wakes_waiter() {
        loom::model(|| {
            let e = Arc::new(Event::new());
            let e2 = e.clone();
            let t = thread::spawn(move || e2.wait());
            e.set();
            t.join().unwrap();
        });
    }
}
