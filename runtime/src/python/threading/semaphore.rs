//! `threading.Semaphore` and `BoundedSemaphore`: the runtime
//! [`Semaphore`](crate::Semaphore) with Python's argument rules.

use std::fmt;
use std::ops::Deref;

use crate::python::builtins::ValueError;
use crate::python::timeout::{Timeout, deadline_in};

/// Python's `threading.Semaphore(value=1)`.
///
/// `acquire(blocking=True, timeout=None)`: `None` waits forever; a
/// negative timeout counts as already expired (`false` at once unless a
/// permit is free). `release(n)` adds `n` permits with no upper bound.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Semaphore;
///
/// let sem = Semaphore::new(2).unwrap();
/// assert!(sem.acquire(false, None).unwrap());
/// assert!(sem.acquire(true, None).unwrap());
/// assert!(!sem.acquire(true, 0.01).unwrap()); // acquire(timeout=0.01)
/// sem.release(3).unwrap(); // release(3)
/// assert_eq!(sem.value(), 3);
/// ```
pub struct Semaphore {
    raw: crate::Semaphore,
}

impl Semaphore {
    /// `Semaphore(value)`.
    ///
    /// # Errors
    /// `ValueError("semaphore initial value must be >= 0")`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Semaphore;
    /// assert_eq!(Semaphore::new(1).unwrap().value(), 1);
    /// assert!(Semaphore::new(-1).is_err());
    /// ```
    pub fn new(value: i64) -> Result<Self, ValueError> {
        let permits = initial(value)?;
        Ok(Self {
            raw: crate::Semaphore::new(permits),
        })
    }

    /// Python's `acquire(blocking=True, timeout=None)`; returns whether it
    /// took a permit.
    ///
    /// # Errors
    /// `ValueError("can't specify timeout for non-blocking acquire")` when
    /// `blocking` is false and a timeout is given.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Semaphore;
    /// let sem = Semaphore::new(0).unwrap();
    /// assert!(!sem.acquire(true, -1).unwrap()); // expired at once
    /// assert!(sem.acquire(false, 1.0).is_err());
    /// ```
    pub fn acquire(&self, blocking: bool, timeout: impl Into<Timeout>) -> Result<bool, ValueError> {
        let timeout = timeout.into();
        if !blocking {
            if !timeout.is_none() {
                return Err(ValueError::new(
                    "can't specify timeout for non-blocking acquire",
                ));
            }
            return Ok(self.raw.try_acquire());
        }
        Ok(match timeout.as_secs().map(deadline_in) {
            Some(Some(deadline)) => self.raw.acquire_deadline(deadline),
            // `None`, or beyond what a deadline holds.
            _ => {
                self.raw.acquire();
                true
            }
        })
    }

    /// Python's `release(n=1)`: returns `n` permits and wakes up to `n`
    /// waiters.
    ///
    /// # Errors
    /// `ValueError("n must be one or more")` for `n < 1`;
    /// `ValueError("Semaphore released too many times")` for a
    /// [`BoundedSemaphore`] that would exceed its initial value (nothing is
    /// released then).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Semaphore;
    /// let sem = Semaphore::new(0).unwrap();
    /// assert_eq!(sem.release(0).unwrap_err().message(), "n must be one or more");
    /// sem.release(1).unwrap();
    /// assert_eq!(sem.value(), 1);
    /// ```
    pub fn release(&self, n: i64) -> Result<(), ValueError> {
        let n = usize::try_from(n)
            .ok()
            .filter(|&n| n >= 1)
            .ok_or_else(|| ValueError::new("n must be one or more"))?;
        self.raw
            .release_many(n)
            .map_err(|_| ValueError::new("Semaphore released too many times"))
    }

    /// The free permits now (CPython's `_value`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Semaphore;
    /// assert_eq!(Semaphore::new(4).unwrap().value(), 4);
    /// ```
    pub fn value(&self) -> usize {
        self.raw.available_permits()
    }

    /// Python's `with sem:`: acquires (blocking) and releases on drop.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Semaphore;
    /// let sem = Semaphore::new(1).unwrap();
    /// {
    ///     let _with = sem.enter();
    ///     assert_eq!(sem.value(), 0);
    /// }
    /// assert_eq!(sem.value(), 1);
    /// ```
    pub fn enter(&self) -> SemaphoreGuard<'_> {
        self.raw.acquire();
        SemaphoreGuard { sem: self }
    }
}

impl fmt::Debug for Semaphore {
    /// CPython 3.12's repr: `<threading.Semaphore at 0x...: value=1>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.raw.bound() {
            Some(bound) => write!(
                f,
                "<threading.BoundedSemaphore: value={}/{bound}>",
                self.value()
            ),
            None => write!(f, "<threading.Semaphore: value={}>", self.value()),
        }
    }
}

fn initial(value: i64) -> Result<usize, ValueError> {
    usize::try_from(value).map_err(|_| ValueError::new("semaphore initial value must be >= 0"))
}

/// Python's `threading.BoundedSemaphore(value=1)`: a [`Semaphore`] whose
/// `release` refuses to go above the initial value.
///
/// It dereferences to [`Semaphore`] (it is a subclass in Python), so it
/// has every `Semaphore` method.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::BoundedSemaphore;
/// let sem = BoundedSemaphore::new(1).unwrap();
/// assert_eq!(sem.release(1).unwrap_err().message(), "Semaphore released too many times");
/// assert!(sem.acquire(true, None).unwrap());
/// sem.release(1).unwrap();
/// ```
pub struct BoundedSemaphore {
    sem: Semaphore,
}

impl BoundedSemaphore {
    /// `BoundedSemaphore(value)`.
    ///
    /// # Errors
    /// `ValueError("semaphore initial value must be >= 0")`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::BoundedSemaphore;
    /// assert_eq!(BoundedSemaphore::new(3).unwrap().value(), 3);
    /// ```
    pub fn new(value: i64) -> Result<Self, ValueError> {
        let permits = initial(value)?;
        let raw = crate::Semaphore::bounded(permits, permits)
            .map_err(|_| ValueError::new("semaphore initial value must be >= 0"))?;
        Ok(Self {
            sem: Semaphore { raw },
        })
    }
}

impl Deref for BoundedSemaphore {
    type Target = Semaphore;

    fn deref(&self) -> &Semaphore {
        &self.sem
    }
}

impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.sem, f)
    }
}

/// The `with sem:` block of a [`Semaphore`]; dropping it releases the
/// permit.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Semaphore;
/// let sem = Semaphore::new(1).unwrap();
/// drop(sem.enter());
/// assert_eq!(sem.value(), 1);
/// ```
#[must_use = "the permit is released as soon as the guard is dropped"]
pub struct SemaphoreGuard<'a> {
    sem: &'a Semaphore,
}

impl Drop for SemaphoreGuard<'_> {
    fn drop(&mut self) {
        let _ = self.sem.release(1);
    }
}

impl fmt::Debug for SemaphoreGuard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphoreGuard").finish_non_exhaustive()
    }
}
