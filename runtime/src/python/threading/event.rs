//! `threading.Event`: the runtime [`Event`](crate::Event) with Python's
//! `wait(timeout)`.

use crate::python::timeout::{Timeout, deadline_in};

/// Python's `threading.Event`: a flag threads wait for.
///
/// `wait(timeout=None)` returns the flag: `true` once set (also for a
/// waiter released by `set()` when `clear()` ran straight after,
/// bpo-13502), `false` on timeout; a timeout of zero or less polls.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Event;
/// use std::sync::Arc;
///
/// let ready = Arc::new(Event::new());
/// let r = ready.clone();
/// let waiter = std::thread::spawn(move || r.wait(None));
/// ready.set();
/// assert!(waiter.join().unwrap());
/// assert!(ready.is_set());
/// ready.clear();
/// assert!(!ready.wait(-1)); // returns the flag at once
/// ```
#[derive(Debug, Default)]
pub struct Event {
    raw: crate::Event,
}

impl Event {
    /// A clear event.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Event;
    /// assert!(!Event::new().is_set());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Python's `is_set()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Event;
    /// let e = Event::new();
    /// e.set();
    /// assert!(e.is_set());
    /// ```
    pub fn is_set(&self) -> bool {
        self.raw.is_set()
    }

    /// Python's `set()`: sets the flag and wakes every waiter.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Event;
    /// let e = Event::new();
    /// e.set();
    /// e.set(); // idempotent
    /// assert!(e.wait(0));
    /// ```
    pub fn set(&self) {
        self.raw.set();
    }

    /// Python's `clear()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Event;
    /// let e = Event::new();
    /// e.set();
    /// e.clear();
    /// assert!(!e.is_set());
    /// ```
    pub fn clear(&self) {
        self.raw.clear();
    }

    /// Python's `wait(timeout=None)`: blocks until the flag is set or the
    /// timeout runs out; returns the flag (see the type's docs).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Event;
    /// let e = Event::new();
    /// assert!(!e.wait(0.01));
    /// e.set();
    /// assert!(e.wait(None));
    /// ```
    pub fn wait(&self, timeout: impl Into<Timeout>) -> bool {
        match timeout.into().as_secs().map(deadline_in) {
            Some(Some(deadline)) => self.raw.wait_deadline(deadline),
            _ => {
                self.raw.wait();
                true
            }
        }
    }
}
