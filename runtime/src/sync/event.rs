//! A flag threads can wait for.

use std::time::{Duration, Instant};

use crate::deadline;
use crate::loom::sync::{Condvar, Mutex};
use crate::loom::wait_until;

/// A flag that threads can wait for, like Python's `threading.Event`.
///
/// A waiter released by [`set`](Self::set) returns `true` even if
/// [`clear`](Self::clear) runs straight after, before it wakes (Python's
/// bpo-13502): each `set` that raises the flag starts a new generation, and a
/// waiter that sees the generation change was signalled.
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
    state: Mutex<Flag>,
    changed: Condvar,
}

#[derive(Debug, Default)]
struct Flag {
    set: bool,
    /// Bumped by every `set` that raises the flag.
    generation: u64,
}

impl Event {
    /// Creates a clear event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flag and wakes every waiter.
    pub fn set(&self) {
        let mut state = self.state.lock();
        if !state.set {
            state.set = true;
            state.generation = state.generation.wrapping_add(1);
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Clears the flag.
    pub fn clear(&self) {
        self.state.lock().set = false;
    }

    /// Whether the flag is set.
    pub fn is_set(&self) -> bool {
        self.state.lock().set
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
        let mut state = self.state.lock();
        let generation = state.generation;
        while !state.set && state.generation == generation {
            let (guard, expired) = wait_until(&self.changed, state, deadline);
            state = guard;
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

    /// Four threads waiting (up to ten seconds) on `e`.
    fn four_waiters(e: &Arc<Event>) -> Vec<std::thread::JoinHandle<bool>> {
        (0..4)
            .map(|_| {
                let e = e.clone();
                std::thread::spawn(move || e.wait_timeout(Duration::from_secs(10)))
            })
            .collect()
    }

    #[test]
    fn set_then_clear_still_releases_waiters() {
        let e = Arc::new(Event::new());
        let hs = four_waiters(&e);
        std::thread::sleep(Duration::from_millis(20));
        e.set();
        e.clear();
        assert!(hs.into_iter().all(|h| h.join().unwrap()));
    }

    #[test]
    fn set_wakes_all_waiters() {
        let e = Arc::new(Event::new());
        let hs = four_waiters(&e);
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
