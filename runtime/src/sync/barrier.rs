//! A reusable barrier with an action, abort, reset and a broken state.
//!
//! The state machine is CPython's `threading.Barrier`: a barrier is *filling*
//! while parties arrive, *draining* while the released parties leave,
//! *resetting* while parties leave after a `reset`, or *broken*. A party that
//! arrives during draining or resetting waits for the phase to end, so a fast
//! thread cannot slip into the previous cycle.

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use crate::loom::sync::{Condvar, Mutex, MutexGuard};
use crate::loom::wait_until;
use crate::{Error, Result, deadline, panic};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Filling,
    Draining,
    Resetting,
    Broken,
}

#[derive(Debug)]
struct State {
    phase: Phase,
    /// Parties inside `wait` now.
    count: usize,
}

type Action = Box<dyn Fn() + Send + Sync>;

/// What [`Barrier::wait`] returns to each party.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BarrierWaitResult {
    index: usize,
    parties: usize,
}

impl BarrierWaitResult {
    /// The caller's arrival index, `0..parties`; unique within one cycle.
    pub fn index(&self) -> usize {
        self.index
    }

    /// Whether the caller arrived last. The leader runs the barrier's action.
    pub fn is_leader(&self) -> bool {
        self.index + 1 == self.parties
    }
}

/// A barrier that releases its parties together once all have arrived, then
/// resets for the next cycle.
///
/// It can break: a timed-out or aborted wait breaks it, and then every waiter
/// and every later `wait` fails with [`Error::Broken`] until
/// [`reset`](Self::reset).
///
/// # Examples
/// ```
/// use portalis_threading::Barrier;
/// use std::sync::Arc;
///
/// let barrier = Arc::new(Barrier::new(3).unwrap());
/// let handles: Vec<_> = (0..3)
///     .map(|_| {
///         let b = barrier.clone();
///         std::thread::spawn(move || b.wait().unwrap().is_leader())
///     })
///     .collect();
/// let leaders = handles.into_iter().map(|h| h.join().unwrap());
/// assert_eq!(leaders.filter(|&l| l).count(), 1);
/// ```
pub struct Barrier {
    parties: usize,
    action: Option<Action>,
    state: Mutex<State>,
    changed: Condvar,
}

impl Barrier {
    /// Creates a barrier for `parties` threads.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if `parties` is zero.
    pub fn new(parties: usize) -> Result<Self> {
        if parties == 0 {
            return Err(Error::InvalidArgument("parties must be >= 1".into()));
        }
        Ok(Self {
            parties,
            action: None,
            state: Mutex::new(State {
                phase: Phase::Filling,
                count: 0,
            }),
            changed: Condvar::new(),
        })
    }

    /// Creates a barrier whose last arriving party runs `action` before the
    /// others are released. If the action panics, the barrier breaks and
    /// that party's `wait` returns [`Error::Panicked`].
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if `parties` is zero.
    pub fn with_action<F>(parties: usize, action: F) -> Result<Self>
    where
        F: Fn() + Send + Sync + 'static,
    {
        Ok(Self {
            action: Some(Box::new(action)),
            ..Self::new(parties)?
        })
    }

    /// Waits until every party has arrived.
    ///
    /// # Errors
    /// [`Error::Broken`] if the barrier is or becomes broken (or is reset)
    /// while waiting; [`Error::Panicked`] for the leader if the action
    /// panicked.
    pub fn wait(&self) -> Result<BarrierWaitResult> {
        self.wait_until(None)
    }

    /// As [`wait`](Self::wait), for at most `timeout`. Running out of time
    /// breaks the barrier: the caller gets [`Error::Timeout`], the others
    /// [`Error::Broken`].
    pub fn wait_timeout(&self, timeout: Duration) -> Result<BarrierWaitResult> {
        self.wait_until(deadline::after(timeout))
    }

    /// As [`wait_timeout`](Self::wait_timeout), with a deadline.
    pub fn wait_deadline(&self, deadline: Instant) -> Result<BarrierWaitResult> {
        self.wait_until(Some(deadline))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> Result<BarrierWaitResult> {
        let mut st = self.state.lock();
        // Enter: wait out a previous cycle's draining or resetting.
        while matches!(st.phase, Phase::Draining | Phase::Resetting) {
            st = self.changed.wait(st);
        }
        if st.phase == Phase::Broken {
            return Err(Error::Broken);
        }
        let index = st.count;
        st.count += 1;
        let (mut st, result) = if index + 1 == self.parties {
            let result = self.release(&mut st);
            (st, result)
        } else {
            self.wait_for_release(st, deadline)
        };
        // Exit: the last party out ends draining or resetting.
        st.count -= 1;
        if st.count == 0 && matches!(st.phase, Phase::Draining | Phase::Resetting) {
            st.phase = Phase::Filling;
            self.changed.notify_all();
        }
        result.map(|()| BarrierWaitResult {
            index,
            parties: self.parties,
        })
    }

    fn release(&self, st: &mut State) -> Result<()> {
        if let Some(action) = &self.action
            && let Err(payload) = catch_unwind(AssertUnwindSafe(action))
        {
            st.phase = Phase::Broken;
            self.changed.notify_all();
            return Err(Error::Panicked(panic::message(&*payload)));
        }
        st.phase = Phase::Draining;
        self.changed.notify_all();
        Ok(())
    }

    fn wait_for_release<'a>(
        &'a self,
        mut st: MutexGuard<'a, State>,
        deadline: Option<Instant>,
    ) -> (MutexGuard<'a, State>, Result<()>) {
        while st.phase == Phase::Filling {
            let (guard, expired) = wait_until(&self.changed, st, deadline);
            st = guard;
            if expired {
                st.phase = Phase::Broken;
                self.changed.notify_all();
                return (st, Err(Error::Timeout));
            }
        }
        let result = match st.phase {
            Phase::Broken | Phase::Resetting => Err(Error::Broken),
            Phase::Filling | Phase::Draining => Ok(()),
        };
        (st, result)
    }

    /// Breaks the barrier: current and later waiters get [`Error::Broken`]
    /// until [`reset`](Self::reset).
    pub fn abort(&self) {
        let mut st = self.state.lock();
        st.phase = Phase::Broken;
        self.changed.notify_all();
    }

    /// Returns the barrier to its initial state. Parties waiting now get
    /// [`Error::Broken`]; new arrivals wait for them to leave first.
    pub fn reset(&self) {
        let mut st = self.state.lock();
        if st.count > 0 {
            match st.phase {
                Phase::Filling | Phase::Broken => st.phase = Phase::Resetting,
                Phase::Draining | Phase::Resetting => {}
            }
        } else {
            st.phase = Phase::Filling;
        }
        self.changed.notify_all();
    }

    /// The number of parties.
    pub fn parties(&self) -> usize {
        self.parties
    }

    /// How many parties are waiting in the current cycle.
    pub fn n_waiting(&self) -> usize {
        let st = self.state.lock();
        if st.phase == Phase::Filling {
            st.count
        } else {
            0
        }
    }

    /// Whether the barrier is broken.
    pub fn is_broken(&self) -> bool {
        self.state.lock().phase == Phase::Broken
    }
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("parties", &self.parties)
            .field("n_waiting", &self.n_waiting())
            .field("broken", &self.is_broken())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;
    use crate::loom::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn run_parties(b: &Arc<Barrier>, n: usize) -> Vec<Result<BarrierWaitResult>> {
        let hs: Vec<_> = (0..n)
            .map(|_| {
                let b = b.clone();
                std::thread::spawn(move || b.wait())
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    }

    #[test]
    fn indices_are_unique_and_one_leader_per_cycle() {
        let b = Arc::new(Barrier::new(4).unwrap());
        for _ in 0..20 {
            let mut idx: Vec<_> = run_parties(&b, 4)
                .into_iter()
                .map(|r| r.unwrap().index())
                .collect();
            idx.sort();
            assert_eq!(idx, [0, 1, 2, 3]);
        }
    }

    #[test]
    fn action_runs_once_per_cycle() {
        let runs = Arc::new(AtomicUsize::new(0));
        let r2 = runs.clone();
        let b = Arc::new(
            Barrier::with_action(3, move || {
                r2.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap(),
        );
        for cycle in 1..=5 {
            run_parties(&b, 3);
            assert_eq!(runs.load(Ordering::SeqCst), cycle);
        }
    }

    #[test]
    fn timeout_breaks_for_everyone_until_reset() {
        let b = Arc::new(Barrier::new(3).unwrap());
        let b2 = b.clone();
        let other = std::thread::spawn(move || b2.wait());
        while b.n_waiting() != 1 {
            std::thread::yield_now();
        }
        assert_eq!(
            b.wait_timeout(Duration::from_millis(10)),
            Err(Error::Timeout)
        );
        assert_eq!(other.join().unwrap(), Err(Error::Broken));
        assert!(b.is_broken());
        assert_eq!(b.wait(), Err(Error::Broken));
        b.reset();
        assert!(!b.is_broken());
        assert!(run_parties(&b, 3).iter().all(Result::is_ok));
    }

    #[test]
    fn abort_wakes_waiters_with_broken() {
        let b = Arc::new(Barrier::new(2).unwrap());
        let b2 = b.clone();
        let t = std::thread::spawn(move || b2.wait());
        while b.n_waiting() != 1 {
            std::thread::yield_now();
        }
        b.abort();
        assert_eq!(t.join().unwrap(), Err(Error::Broken));
    }

    #[test]
    fn reset_with_waiters_breaks_them_then_works() {
        let b = Arc::new(Barrier::new(2).unwrap());
        let b2 = b.clone();
        let t = std::thread::spawn(move || b2.wait());
        while b.n_waiting() != 1 {
            std::thread::yield_now();
        }
        b.reset();
        assert_eq!(t.join().unwrap(), Err(Error::Broken));
        assert!(!b.is_broken());
        assert!(run_parties(&b, 2).iter().all(Result::is_ok));
    }

    #[test]
    fn panicking_action_breaks_the_barrier() {
        let b = Arc::new(Barrier::with_action(2, || panic!("action failed")).unwrap());
        let mut results = run_parties(&b, 2);
        results.sort_by_key(|r| format!("{r:?}"));
        assert_eq!(results[0], Err(Error::Broken));
        assert_eq!(results[1], Err(Error::Panicked("action failed".into())));
        assert!(b.is_broken());
    }

    #[test]
    fn zero_parties_is_rejected() {
        assert!(matches!(Barrier::new(0), Err(Error::InvalidArgument(_))));
    }
}

#[cfg(all(test, portalis_loom))]
mod loom_barrier {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::thread;

    #[test]
    fn loom_barrier_two_cycles() {
        loom::model(|| {
            let b = Arc::new(Barrier::new(2).unwrap());
            let b2 = b.clone();
            let t = thread::spawn(move || {
                let a = b2.wait().unwrap().index();
                let c = b2.wait().unwrap().index();
                (a, c)
            });
            let a = b.wait().unwrap().index();
            let c = b.wait().unwrap().index();
            let (ta, tc) = t.join().unwrap();
            assert_eq!(a + ta, 1);
            assert_eq!(c + tc, 1);
        });
    }
}
