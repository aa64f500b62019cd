//! `threading.Barrier`: the runtime [`Barrier`](crate::Barrier) (CPython's
//! state machine) with Python's default timeout and exceptions.

use std::cell::RefCell;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use crate::Error;
use crate::python::builtins::{Exception, ValueError};
use crate::python::timeout::{Timeout, deadline_in};

/// Python's `threading.BrokenBarrierError`: the barrier is broken (by a
/// timeout, `abort()`, `reset()` or a failing action). A subclass of
/// `RuntimeError` in Python; `str()` is empty.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::{Barrier, BarrierWaitError};
/// let b = Barrier::new(2, None).unwrap();
/// b.abort();
/// assert!(matches!(b.wait(None), Err(BarrierWaitError::BrokenBarrierError(_))));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BrokenBarrierError;

impl fmt::Display for BrokenBarrierError {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl std::error::Error for BrokenBarrierError {}

/// What [`Barrier::wait`] raises: `BrokenBarrierError`, or, in the thread
/// that ran a failing action, the action's own exception.
///
/// # Examples
/// ```
/// use portalis_threading::python::builtins::Exception;
/// use portalis_threading::python::threading::{Barrier, BarrierWaitError};
/// let b = Barrier::with_action(1, || Err::<(), _>(Exception::new("ZeroDivisionError", "division by zero")), None).unwrap();
/// match b.wait(None).unwrap_err() {
///     BarrierWaitError::Exception(e) => assert_eq!(e.type_name(), "ZeroDivisionError"),
///     BarrierWaitError::BrokenBarrierError(_) => unreachable!(),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BarrierWaitError {
    /// The barrier is or became broken.
    BrokenBarrierError(BrokenBarrierError),
    /// The action raised this (only in the thread that ran it).
    Exception(Exception),
}

impl fmt::Display for BarrierWaitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BarrierWaitError::BrokenBarrierError(e) => fmt::Display::fmt(e, f),
            BarrierWaitError::Exception(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl From<BarrierWaitError> for Exception {
    fn from(e: BarrierWaitError) -> Self {
        match e {
            BarrierWaitError::BrokenBarrierError(e) => e.into(),
            BarrierWaitError::Exception(e) => e,
        }
    }
}

thread_local! {
    /// The exception of an action that failed in this thread, handed from
    /// the action wrapper to `wait` across the runtime barrier's unwind
    /// boundary.
    static ACTION_FAILURE: RefCell<Option<Exception>> = const { RefCell::new(None) };
}

/// The unwind payload that tells `wait` to look in `ACTION_FAILURE`.
struct ActionFailed;

/// Python's `threading.Barrier(parties, action=None, timeout=None)`.
///
/// `wait` returns the caller's arrival index (`0..parties`, the last to
/// arrive gets `parties - 1` and runs the action before anyone leaves). A
/// timeout (the call's, else the barrier's default) breaks the barrier for
/// everyone; so does `abort()`, and `reset()` for the threads waiting at
/// that moment.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Barrier;
/// use std::sync::Arc;
///
/// let barrier = Arc::new(Barrier::new(3, None).unwrap());
/// let handles: Vec<_> = (0..3)
///     .map(|_| {
///         let b = barrier.clone();
///         std::thread::spawn(move || b.wait(None).unwrap())
///     })
///     .collect();
/// let mut indices: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
/// indices.sort();
/// assert_eq!(indices, [0, 1, 2]);
/// assert_eq!(barrier.n_waiting(), 0);
/// ```
pub struct Barrier {
    raw: crate::Barrier,
    timeout: Timeout,
}

impl Barrier {
    /// `Barrier(parties, timeout=timeout)`.
    ///
    /// # Errors
    /// `ValueError("parties must be > 0")` for zero parties (CPython
    /// 3.13's check; 3.11 accepted it and deadlocked).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Barrier;
    /// assert_eq!(Barrier::new(0, None).unwrap_err().message(), "parties must be > 0");
    /// assert_eq!(Barrier::new(4, 2.0).unwrap().parties(), 4);
    /// ```
    pub fn new(parties: usize, timeout: impl Into<Timeout>) -> Result<Self, ValueError> {
        let raw = crate::Barrier::new(parties).map_err(|_| parties_error())?;
        Ok(Self {
            raw,
            timeout: timeout.into(),
        })
    }

    /// `Barrier(parties, action, timeout)`: the last thread to arrive runs
    /// `action` before the others are released. If it raises (or panics),
    /// the barrier breaks: that thread's `wait` raises the action's
    /// exception, the others get `BrokenBarrierError`.
    ///
    /// # Errors
    /// `ValueError("parties must be > 0")`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Barrier;
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// let runs = Arc::new(AtomicUsize::new(0));
    /// let r = runs.clone();
    /// let b = Barrier::with_action(1, move || { r.fetch_add(1, Ordering::SeqCst); }, None).unwrap();
    /// b.wait(None).unwrap();
    /// assert_eq!(runs.load(Ordering::SeqCst), 1);
    /// ```
    pub fn with_action<F, R>(
        parties: usize,
        action: F,
        timeout: impl Into<Timeout>,
    ) -> Result<Self, ValueError>
    where
        F: Fn() -> R + Send + Sync + 'static,
        R: crate::python::Outcome,
    {
        let wrapped = move || {
            let outcome = catch_unwind(AssertUnwindSafe(|| action().into_outcome()))
                .unwrap_or_else(|payload| Err(Exception::from_panic(payload)));
            if let Err(exc) = outcome {
                ACTION_FAILURE.with(|slot| *slot.borrow_mut() = Some(exc));
                // Through the runtime barrier's catch_unwind, which breaks
                // the barrier; no panic hook runs.
                resume_unwind(Box::new(ActionFailed));
            }
        };
        let raw = crate::Barrier::with_action(parties, wrapped).map_err(|_| parties_error())?;
        Ok(Self {
            raw,
            timeout: timeout.into(),
        })
    }

    /// Python's `wait(timeout=None)`: waits for all parties; returns the
    /// arrival index. `None` uses the barrier's default timeout.
    ///
    /// # Errors
    /// [`BarrierWaitError`].
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Barrier;
    /// let b = Barrier::new(2, None).unwrap();
    /// assert!(b.wait(0.01).is_err()); // nobody else came: broken
    /// assert!(b.broken());
    /// ```
    pub fn wait(&self, timeout: impl Into<Timeout>) -> Result<usize, BarrierWaitError> {
        let given = timeout.into();
        let timeout = if given.is_none() { self.timeout } else { given };
        let result = match timeout.as_secs().map(deadline_in) {
            Some(Some(deadline)) => self.raw.wait_deadline(deadline),
            _ => self.raw.wait(),
        };
        match result {
            Ok(r) => Ok(r.index()),
            Err(Error::Panicked(message)) => {
                let exc = ACTION_FAILURE
                    .with(|slot| slot.borrow_mut().take())
                    .unwrap_or_else(|| Exception::new(Exception::PANIC, message));
                Err(BarrierWaitError::Exception(exc))
            }
            Err(_) => Err(BarrierWaitError::BrokenBarrierError(BrokenBarrierError)),
        }
    }

    /// Python's `reset()`: back to the initial state; threads waiting now
    /// get `BrokenBarrierError`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Barrier;
    /// let b = Barrier::new(2, None).unwrap();
    /// b.abort();
    /// b.reset();
    /// assert!(!b.broken());
    /// ```
    pub fn reset(&self) {
        self.raw.reset();
    }

    /// Python's `abort()`: breaks the barrier for current and later
    /// waiters, until `reset()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Barrier;
    /// let b = Barrier::new(3, None).unwrap();
    /// b.abort();
    /// assert!(b.broken());
    /// ```
    pub fn abort(&self) {
        self.raw.abort();
    }

    /// Python's `parties`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Barrier;
    /// assert_eq!(Barrier::new(5, None).unwrap().parties(), 5);
    /// ```
    pub fn parties(&self) -> usize {
        self.raw.parties()
    }

    /// Python's `n_waiting`: threads waiting in the current cycle.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Barrier;
    /// assert_eq!(Barrier::new(2, None).unwrap().n_waiting(), 0);
    /// ```
    pub fn n_waiting(&self) -> usize {
        self.raw.n_waiting()
    }

    /// Python's `broken`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Barrier;
    /// assert!(!Barrier::new(2, None).unwrap().broken());
    /// ```
    pub fn broken(&self) -> bool {
        self.raw.is_broken()
    }
}

fn parties_error() -> ValueError {
    ValueError::new("parties must be > 0")
}

impl fmt::Debug for Barrier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Barrier")
            .field("parties", &self.parties())
            .field("n_waiting", &self.n_waiting())
            .field("broken", &self.broken())
            .finish_non_exhaustive()
    }
}
