//! Python's `timeout` argument: `None` or a float number of seconds.

use std::time::{Duration, Instant};

/// Python's `timeout=None` or `timeout=<seconds>`, negative values included.
///
/// CPython reads a negative or zero timeout differently per API (see
/// API.md §1.1), so a `Timeout` keeps the number as given and each API
/// applies its own rule: `Lock.acquire(timeout=-1)` waits forever, other
/// negatives are a `ValueError`; `Semaphore.acquire` and `Event.wait` treat
/// them as already expired; `Queue.get` rejects them. Values above what a
/// deadline can hold mean "forever", except for lock acquisition, which
/// raises `OverflowError` above
/// [`TIMEOUT_MAX`](crate::python::threading::TIMEOUT_MAX) as CPython does.
///
/// Anything that converts into a `Timeout` is accepted where one is
/// expected: `None`, `Some(0.5)`, `0.5`, `2` (an integer number of seconds),
/// or a [`Duration`].
///
/// # Examples
/// ```
/// use portalis_threading::python::Timeout;
/// use std::time::Duration;
///
/// // timeout=None, timeout=0.25, timeout=-1
/// assert_eq!(Timeout::from(None), Timeout::NONE);
/// assert_eq!(Timeout::from(0.25).as_secs(), Some(0.25));
/// assert_eq!(Timeout::from(-1).as_secs(), Some(-1.0));
/// assert_eq!(Timeout::from(Duration::from_millis(1500)), Timeout::secs(1.5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Timeout(Option<f64>);

impl Timeout {
    /// Python's `timeout=None`: no time limit.
    pub const NONE: Timeout = Timeout(None);

    /// A timeout of `seconds` (negative, zero, NaN or huge, as Python
    /// allows).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::Timeout;
    /// assert!(Timeout::secs(-1.0).as_secs().unwrap() < 0.0);
    /// ```
    pub const fn secs(seconds: f64) -> Self {
        Timeout(Some(seconds))
    }

    /// The number of seconds, or `None` for Python's `None`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::Timeout;
    /// assert_eq!(Timeout::NONE.as_secs(), None);
    /// assert_eq!(Timeout::secs(2.0).as_secs(), Some(2.0));
    /// ```
    pub const fn as_secs(self) -> Option<f64> {
        self.0
    }

    /// Whether this is Python's `None`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::Timeout;
    /// assert!(Timeout::NONE.is_none());
    /// assert!(!Timeout::secs(0.0).is_none());
    /// ```
    pub const fn is_none(self) -> bool {
        self.0.is_none()
    }
}

impl From<f64> for Timeout {
    fn from(seconds: f64) -> Self {
        Timeout(Some(seconds))
    }
}

impl From<i32> for Timeout {
    fn from(seconds: i32) -> Self {
        Timeout(Some(f64::from(seconds)))
    }
}

impl From<Option<f64>> for Timeout {
    fn from(seconds: Option<f64>) -> Self {
        Timeout(seconds)
    }
}

impl From<Duration> for Timeout {
    fn from(d: Duration) -> Self {
        Timeout(Some(d.as_secs_f64()))
    }
}

/// The deadline `seconds` from now: `Some(now)` (already expired) for zero,
/// negative or NaN values; `None` (forever) past what an `Instant` holds.
pub(crate) fn deadline_in(seconds: f64) -> Option<Instant> {
    let now = Instant::now();
    if seconds.is_nan() || seconds <= 0.0 {
        return Some(now);
    }
    Duration::try_from_secs_f64(seconds)
        .ok()
        .and_then(|d| now.checked_add(d))
}

/// The deadline for a timeout that expires at once when not positive:
/// `None` (forever) for Python's `None`.
pub(crate) fn deadline(timeout: Timeout) -> Option<Instant> {
    timeout.0.and_then(deadline_in)
}

/// Time left until `deadline` (`None`: unlimited); zero once passed.
pub(crate) fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}
