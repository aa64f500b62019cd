//! Blocking on a guest's behalf.
//!
//! A WIT `wait` becomes a deadline, and the host blocks in slices of at most
//! [`SLICE`], checking between slices whether the run was stopped (its main
//! returned, it ran out of time, or the embedder stopped it). So a worker
//! blocked in a host call leaves promptly when its run ends, and the run
//! never leaves a thread behind. Waits that cannot be sliced without changing
//! their meaning (a barrier's, a condition's) are woken by the run instead;
//! see [`crate::run::RunControl::stop`].

use std::time::{Duration, Instant};

use portalis_threading::{Error, Result};

use crate::run::RunControl;

/// The longest a host call blocks before it checks for a stopped run.
pub(crate) const SLICE: Duration = Duration::from_millis(50);

/// How long a call may block: the WIT `wait`, as the host uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    Forever,
    Immediate,
    Until(Instant),
}

impl Wait {
    /// A timeout in nanoseconds from now; one too large to represent is
    /// forever.
    pub(crate) fn timeout_ns(ns: u64) -> Self {
        match Instant::now().checked_add(Duration::from_nanos(ns)) {
            Some(t) => Wait::Until(t),
            None => Wait::Forever,
        }
    }
}

/// The run was stopped while the call waited: the guest must not go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stopped;

/// An instant already past: a deadline that means "try once, do not wait".
/// Using it instead of `Instant::now()` keeps the clock out of the
/// uncontended path.
pub(crate) fn past() -> Instant {
    static PAST: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    *PAST.get_or_init(Instant::now)
}

/// Spins briefly (tens of microseconds, yielding) until `ready`; returns
/// whether it became ready. A handoff between threads that completes this
/// fast then costs no sleep and wake-up.
pub(crate) fn spin_until(ready: impl Fn() -> bool) -> bool {
    let mut backoff = backoff_step();
    for _ in 0..64 {
        if ready() {
            return true;
        }
        backoff();
    }
    ready()
}

/// A spin step: a few pause instructions, then a yield.
fn backoff_step() -> impl FnMut() {
    let mut step = 0u32;
    move || {
        if step < 6 {
            for _ in 0..(1 << step) {
                std::hint::spin_loop();
            }
        } else {
            std::thread::yield_now();
        }
        step += 1;
    }
}

/// Blocks until `attempt` succeeds, the wait runs out, or the run stops.
///
/// `attempt(deadline)` tries until `deadline` and returns `Ok(Some(v))` on
/// success, `Ok(None)` if the deadline passed first, or an error that ends
/// the wait. A wait that runs out is [`Error::Timeout`], or
/// [`Error::WouldBlock`] for [`Wait::Immediate`]. The first attempt does not
/// wait, so an uncontended call reads no clock.
pub(crate) fn block<T>(
    run: &RunControl,
    wait: Wait,
    mut attempt: impl FnMut(Option<Instant>) -> Result<Option<T>>,
) -> Result<Result<T>, Stopped> {
    if run.is_stopped() {
        return Err(Stopped);
    }
    match attempt(Some(past())) {
        Ok(Some(v)) => return Ok(Ok(v)),
        Err(e) => return Ok(Err(e)),
        Ok(None) if wait == Wait::Immediate => return Ok(Err(Error::WouldBlock)),
        Ok(None) => {}
    }
    loop {
        let slice_end = Instant::now() + SLICE;
        let (deadline, last) = match wait {
            Wait::Until(d) if d <= slice_end => (d, true),
            _ => (slice_end, false),
        };
        match attempt(Some(deadline)) {
            Ok(Some(v)) => return Ok(Ok(v)),
            Err(e) => return Ok(Err(e)),
            Ok(None) if last => return Ok(Err(Error::Timeout)),
            Ok(None) => {
                if run.is_stopped() {
                    return Err(Stopped);
                }
            }
        }
    }
}

/// Sleeps for `duration`, waking early if the run stops.
pub(crate) fn sleep(run: &RunControl, duration: Duration) -> Result<(), Stopped> {
    let until = Instant::now().checked_add(duration);
    loop {
        if run.is_stopped() {
            return Err(Stopped);
        }
        let left = match until {
            Some(t) => t.saturating_duration_since(Instant::now()),
            None => SLICE,
        };
        if left.is_zero() {
            return Ok(());
        }
        run.wait_stopped(left.min(SLICE));
    }
}
