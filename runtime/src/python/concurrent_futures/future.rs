//! `concurrent.futures.Future`: CPython's state machine (PENDING, RUNNING,
//! CANCELLED, CANCELLED_AND_NOTIFIED, FINISHED), done callbacks, and the
//! waiters that `wait` and `as_completed` install.
//!
//! The state sits in a runtime [`Mutex`] with a runtime [`Condvar`] for
//! threads blocked in `result`/`exception`; an atomic "done" flag lets a
//! waiter spin briefly before it parks, since a task's result often arrives
//! within microseconds (the runtime's task handles do the same).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::Instant;

use super::{CancelledError, InvalidStateError};
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::python::builtins::{Exception, RuntimeError, TimeoutError};
use crate::python::timeout::{Timeout, deadline, remaining};
use crate::python::{Outcome, short_type_name};
use crate::{Condvar, Mutex, MutexGuard};

/// What `result()` and `exception()` raise: the future was cancelled, the
/// timeout ran out, or (for `result()` only) the call raised.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::{Future, ResultError};
/// let f = Future::<i32>::new();
/// f.cancel();
/// assert!(matches!(f.result(None), Err(ResultError::CancelledError(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResultError {
    /// Python's `CancelledError`.
    CancelledError(CancelledError),
    /// Python's `TimeoutError` (the future is not done yet).
    TimeoutError(TimeoutError),
    /// The exception the call raised (the same object).
    Exception(Exception),
}

impl fmt::Display for ResultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResultError::CancelledError(e) => fmt::Display::fmt(e, f),
            ResultError::TimeoutError(e) => fmt::Display::fmt(e, f),
            ResultError::Exception(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl From<ResultError> for Exception {
    fn from(e: ResultError) -> Self {
        match e {
            ResultError::CancelledError(e) => e.into(),
            ResultError::TimeoutError(e) => e.into(),
            ResultError::Exception(e) => e,
        }
    }
}

pub(crate) enum State<T> {
    Pending,
    Running,
    Cancelled,
    CancelledAndNotified,
    Finished(Result<T, Exception>),
    /// Finished, with the value moved out by `Executor.map`.
    Taken,
}

impl<T> State<T> {
    fn name(&self) -> &'static str {
        match self {
            State::Pending => "PENDING",
            State::Running => "RUNNING",
            State::Cancelled => "CANCELLED",
            State::CancelledAndNotified => "CANCELLED_AND_NOTIFIED",
            State::Finished(_) | State::Taken => "FINISHED",
        }
    }

    fn is_cancelled(&self) -> bool {
        matches!(self, State::Cancelled | State::CancelledAndNotified)
    }

    /// Finished or cancelled: what `done()` and `result()` wait for.
    fn is_done(&self) -> bool {
        !matches!(self, State::Pending | State::Running)
    }

    /// What `wait` and `as_completed` count as completed.
    pub(crate) fn is_completed(&self) -> bool {
        matches!(
            self,
            State::CancelledAndNotified | State::Finished(_) | State::Taken
        )
    }

    pub(crate) fn has_exception(&self) -> bool {
        matches!(self, State::Finished(Err(_)))
    }
}

type Callback<T> = Box<dyn FnOnce(&Future<T>) -> Result<(), Exception> + Send>;

pub(crate) struct Cell<T> {
    pub(crate) state: State<T>,
    callbacks: Vec<Callback<T>>,
    waiters: Vec<Arc<Waiter<T>>>,
}

struct Inner<T> {
    cell: Mutex<Cell<T>>,
    changed: Condvar,
    /// Finished or cancelled, for the spinning fast path.
    done: AtomicBool,
}

/// Python's `concurrent.futures.Future`: the result of a call that runs
/// elsewhere.
///
/// A `Future` is a handle: clones are the same future, `==` and `Hash` are
/// identity (so futures go in sets, as in Python). `result()` can be called
/// any number of times; it clones the value (`T: Clone`; wrap a large value
/// in an `Arc`).
///
/// Executors create futures; [`Future::new`] with the executor-side
/// methods ([`set_running_or_notify_cancel`](Self::set_running_or_notify_cancel),
/// [`set_result`](Self::set_result), [`set_exception`](Self::set_exception))
/// is for code that completes futures itself, and for tests.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::Future;
///
/// let f = Future::new();
/// let g = f.clone();
/// std::thread::spawn(move || {
///     assert!(g.set_running_or_notify_cancel().unwrap());
///     g.set_result(42).unwrap();
/// });
/// assert_eq!(f.result(5.0).unwrap(), 42);
/// assert!(f.done() && !f.cancelled());
/// ```
pub struct Future<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Clone for Future<T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T> PartialEq for Future<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl<T> Eq for Future<T> {}

impl<T> Hash for Future<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.inner).hash(state);
    }
}

impl<T> Default for Future<T> {
    fn default() -> Self {
        Self::new()
    }
}

const SPINS: u32 = 200;
const YIELDS: u32 = 20;

impl<T> Future<T> {
    /// Python's `Future()`: a pending future.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::Future;
    /// let f = Future::<()>::new();
    /// assert!(!f.done() && !f.running() && !f.cancelled());
    /// ```
    pub fn new() -> Self {
        Self {
            inner: Arc::new(Inner {
                cell: Mutex::new(Cell {
                    state: State::Pending,
                    callbacks: Vec::new(),
                    waiters: Vec::new(),
                }),
                changed: Condvar::new(),
                done: AtomicBool::new(false),
            }),
        }
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, Cell<T>> {
        self.inner.cell.lock()
    }

    /// Python's `cancel()`: a pending future becomes cancelled (its
    /// callbacks run) and `true` is returned; `true` again if already
    /// cancelled; `false` if running or finished.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::Future;
    /// let f = Future::<i32>::new();
    /// assert!(f.cancel());
    /// assert!(f.cancel());
    /// let g = Future::new();
    /// g.set_result(1).unwrap();
    /// assert!(!g.cancel());
    /// ```
    pub fn cancel(&self) -> bool {
        let callbacks = {
            let mut cell = self.lock();
            match cell.state {
                State::Running | State::Finished(_) | State::Taken => return false,
                State::Cancelled | State::CancelledAndNotified => return true,
                State::Pending => {}
            }
            cell.state = State::Cancelled;
            self.inner.done.store(true, Ordering::Release);
            self.inner.changed.notify_all();
            std::mem::take(&mut cell.callbacks)
        };
        self.invoke(callbacks);
        true
    }

    /// Python's `cancelled()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::Future;
    /// let f = Future::<i32>::new();
    /// f.cancel();
    /// assert!(f.cancelled());
    /// ```
    pub fn cancelled(&self) -> bool {
        self.lock().state.is_cancelled()
    }

    /// Python's `running()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::Future;
    /// let f = Future::<i32>::new();
    /// f.set_running_or_notify_cancel().unwrap();
    /// assert!(f.running());
    /// ```
    pub fn running(&self) -> bool {
        matches!(self.lock().state, State::Running)
    }

    /// Python's `done()`: finished or cancelled.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::Future;
    /// let f = Future::new();
    /// f.set_result("x").unwrap();
    /// assert!(f.done());
    /// ```
    pub fn done(&self) -> bool {
        self.lock().state.is_done()
    }

    /// Python's `result(timeout=None)`: waits until the future is done,
    /// at most `timeout` seconds (zero or less: do not wait), and returns
    /// its value.
    ///
    /// # Errors
    /// [`ResultError::Exception`] with the very exception the call raised;
    /// [`ResultError::CancelledError`]; [`ResultError::TimeoutError`].
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::Exception;
    /// use portalis_threading::python::concurrent_futures::{Future, ResultError};
    /// let f = Future::<i32>::new();
    /// assert!(matches!(f.result(0), Err(ResultError::TimeoutError(_))));
    /// let e = Exception::new("OSError", "");
    /// f.set_exception(e.clone()).unwrap();
    /// assert_eq!(f.result(None), Err(ResultError::Exception(e)));
    /// ```
    pub fn result(&self, timeout: impl Into<Timeout>) -> Result<T, ResultError>
    where
        T: Clone,
    {
        let cell = self.wait_done(deadline(timeout.into()));
        match &cell.state {
            State::Finished(Ok(value)) => Ok(value.clone()),
            State::Finished(Err(exc)) => Err(ResultError::Exception(exc.clone())),
            State::Cancelled | State::CancelledAndNotified => {
                Err(ResultError::CancelledError(CancelledError))
            }
            State::Taken => Err(ResultError::Exception(
                RuntimeError::new("the result was taken by Executor.map").into(),
            )),
            State::Pending | State::Running => {
                Err(ResultError::TimeoutError(TimeoutError::new("")))
            }
        }
    }

    /// Python's `exception(timeout=None)`: as [`result`](Self::result), but
    /// returns the exception the call raised (or `None` if it returned).
    ///
    /// # Errors
    /// [`ResultError::CancelledError`] or [`ResultError::TimeoutError`] (never
    /// [`ResultError::Exception`]).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::Future;
    /// let f = Future::new();
    /// f.set_result(42).unwrap();
    /// assert_eq!(f.exception(0).unwrap(), None);
    /// ```
    pub fn exception(&self, timeout: impl Into<Timeout>) -> Result<Option<Exception>, ResultError> {
        let cell = self.wait_done(deadline(timeout.into()));
        match &cell.state {
            State::Finished(Ok(_)) | State::Taken => Ok(None),
            State::Finished(Err(exc)) => Ok(Some(exc.clone())),
            State::Cancelled | State::CancelledAndNotified => {
                Err(ResultError::CancelledError(CancelledError))
            }
            State::Pending | State::Running => {
                Err(ResultError::TimeoutError(TimeoutError::new("")))
            }
        }
    }

    /// Waits for the value as `result` does and moves it out (for
    /// `Executor.map`, which owns its futures).
    pub(crate) fn take_result(&self, deadline: Option<Instant>) -> Result<T, ResultError> {
        let mut cell = self.wait_done(deadline);
        match std::mem::replace(&mut cell.state, State::Taken) {
            State::Finished(Ok(value)) => Ok(value),
            State::Finished(Err(exc)) => {
                cell.state = State::Finished(Err(exc.clone()));
                Err(ResultError::Exception(exc))
            }
            other => {
                let cancelled = other.is_cancelled();
                cell.state = other;
                Err(if cancelled {
                    ResultError::CancelledError(CancelledError)
                } else {
                    ResultError::TimeoutError(TimeoutError::new(""))
                })
            }
        }
    }

    /// Blocks until done or `deadline`; returns the locked cell.
    fn wait_done(&self, deadline: Option<Instant>) -> MutexGuard<'_, Cell<T>> {
        let worth_spinning = deadline.is_none_or(|d| !remaining(d).is_zero());
        if worth_spinning && !self.inner.done.load(Ordering::Acquire) {
            for i in 0..SPINS + YIELDS {
                if self.inner.done.load(Ordering::Acquire) {
                    break;
                }
                if i < SPINS {
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
        }
        let mut cell = self.lock();
        while !cell.state.is_done() {
            match deadline {
                None => self.inner.changed.wait(&mut cell),
                Some(d) => {
                    if remaining(d).is_zero() {
                        break;
                    }
                    self.inner.changed.wait_deadline(&mut cell, d);
                }
            }
        }
        cell
    }

    /// Python's `add_done_callback(fn)`: `callback(future)` runs once the
    /// future finishes or is cancelled, in the thread that completes it,
    /// in registration order; at once, in this thread, if it is already
    /// done. A callback that raises (returns `Err` or panics) is logged to
    /// standard error (`exception calling callback for <Future ...>`) and
    /// the others still run.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::Future;
    /// use std::sync::{Arc, Mutex};
    /// let seen = Arc::new(Mutex::new(None));
    /// let f = Future::new();
    /// let s = seen.clone();
    /// f.add_done_callback(move |fut: &Future<i32>| {
    ///     *s.lock().unwrap() = Some(fut.result(0).unwrap());
    /// });
    /// f.set_result(5).unwrap();
    /// assert_eq!(*seen.lock().unwrap(), Some(5));
    /// ```
    pub fn add_done_callback<F, R>(&self, callback: F)
    where
        F: FnOnce(&Future<T>) -> R + Send + 'static,
        R: Outcome,
    {
        let callback: Callback<T> = Box::new(move |f| callback(f).into_outcome());
        {
            let mut cell = self.lock();
            if !cell.state.is_done() {
                cell.callbacks.push(callback);
                return;
            }
        }
        self.invoke(vec![callback]);
    }

    /// Python's `set_running_or_notify_cancel()`, called by an executor
    /// before it runs the call: `false` if the future was cancelled (it
    /// becomes CANCELLED_AND_NOTIFIED, which `wait` and `as_completed`
    /// count as completed), else it becomes RUNNING and `true`.
    ///
    /// # Errors
    /// `RuntimeError("Future in unexpected state")` if it is already
    /// running or finished.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::Future;
    /// let f = Future::<i32>::new();
    /// f.cancel();
    /// assert_eq!(f.set_running_or_notify_cancel(), Ok(false));
    /// ```
    pub fn set_running_or_notify_cancel(&self) -> Result<bool, RuntimeError> {
        let mut cell = self.lock();
        match cell.state {
            State::Cancelled => {
                cell.state = State::CancelledAndNotified;
                for waiter in &cell.waiters {
                    waiter.add(self, false);
                }
                Ok(false)
            }
            State::Pending => {
                cell.state = State::Running;
                Ok(true)
            }
            _ => Err(RuntimeError::new("Future in unexpected state")),
        }
    }

    /// Python's `set_result(result)`: finishes the future with a value,
    /// wakes its waiters and runs its callbacks.
    ///
    /// # Errors
    /// `InvalidStateError("FINISHED: <Future ...>")` (or `CANCELLED: ...`)
    /// if it is already finished or cancelled; the value is unchanged.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::Future;
    /// let f = Future::new();
    /// f.set_result(1).unwrap();
    /// assert!(f.set_result(2).unwrap_err().message().starts_with("FINISHED: "));
    /// assert_eq!(f.result(None).unwrap(), 1);
    /// ```
    pub fn set_result(&self, result: T) -> Result<(), InvalidStateError> {
        self.finish(Ok(result))
    }

    /// Python's `set_exception(exception)`: finishes the future with an
    /// exception.
    ///
    /// # Errors
    /// As for [`set_result`](Self::set_result).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::Exception;
    /// use portalis_threading::python::concurrent_futures::Future;
    /// let f = Future::<i32>::new();
    /// f.set_exception(Exception::new("Exception", "test")).unwrap();
    /// assert_eq!(f.exception(None).unwrap().unwrap().message(), "test");
    /// ```
    pub fn set_exception(&self, exception: impl Into<Exception>) -> Result<(), InvalidStateError> {
        self.finish(Err(exception.into()))
    }

    fn finish(&self, outcome: Result<T, Exception>) -> Result<(), InvalidStateError> {
        let callbacks = {
            let mut cell = self.lock();
            if cell.state.is_done() {
                let message = format!("{}: {}", cell.state.name(), self.repr(&cell.state));
                return Err(InvalidStateError::new(message));
            }
            let failed = outcome.is_err();
            cell.state = State::Finished(outcome);
            for waiter in &cell.waiters {
                waiter.add(self, failed);
            }
            self.inner.done.store(true, Ordering::Release);
            self.inner.changed.notify_all();
            std::mem::take(&mut cell.callbacks)
        };
        self.invoke(callbacks);
        Ok(())
    }

    fn invoke(&self, callbacks: Vec<Callback<T>>) {
        for callback in callbacks {
            let outcome = catch_unwind(AssertUnwindSafe(|| callback(self)))
                .unwrap_or_else(|payload| Err(Exception::from_panic(payload)));
            if let Err(exc) = outcome {
                // CPython logs this on the `concurrent.futures` logger.
                let line = match exc.message() {
                    "" => exc.type_name().to_owned(),
                    m => format!("{}: {m}", exc.type_name()),
                };
                eprintln!("exception calling callback for {self:?}\n{line}");
            }
        }
    }

    /// Installs `waiter` unless the future is already completed (for
    /// `wait`/`as_completed`); returns whether it was completed.
    pub(crate) fn install(&self, waiter: &Arc<Waiter<T>>) -> (bool, bool) {
        let mut cell = self.lock();
        let completed = cell.state.is_completed();
        let failed = cell.state.has_exception();
        if !completed {
            waiter.expect_one();
            cell.waiters.push(waiter.clone());
        }
        (completed, failed)
    }

    pub(crate) fn uninstall(&self, waiter: &Arc<Waiter<T>>) {
        self.lock().waiters.retain(|w| !Arc::ptr_eq(w, waiter));
    }

    fn repr(&self, state: &State<T>) -> String {
        let at = Arc::as_ptr(&self.inner) as usize;
        let detail = match state {
            State::Pending => "pending".to_owned(),
            State::Running => "running".to_owned(),
            State::Cancelled | State::CancelledAndNotified => "cancelled".to_owned(),
            State::Finished(Ok(_)) | State::Taken => format!(
                "finished returned {}",
                short_type_name(std::any::type_name::<T>())
            ),
            State::Finished(Err(e)) => format!("finished raised {}", e.type_name()),
        };
        format!("<Future at {at:#x} state={detail}>")
    }
}

impl<T> fmt::Debug for Future<T> {
    /// CPython's repr: `<Future at 0x... state=finished returned int>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cell = self.lock();
        f.write_str(&self.repr(&cell.state))
    }
}

/// Something an executor can cancel at shutdown without knowing `T`.
pub(crate) trait Cancel: Send + Sync {
    fn cancel_pending(&self);
    fn settled(&self) -> bool;
}

impl<T: Send + 'static> Cancel for Future<T> {
    fn cancel_pending(&self) {
        self.cancel();
    }

    fn settled(&self) -> bool {
        !matches!(self.lock().state, State::Pending | State::Cancelled)
    }
}

/// How a [`Waiter`] decides it is done (CPython's `_Waiter` subclasses).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WaiterKind {
    /// `as_completed`: every completion sets it.
    Each,
    /// `FIRST_COMPLETED`: the first completion sets it.
    First,
    /// `ALL_COMPLETED`, and `FIRST_EXCEPTION` with `stop_on_exception`.
    All { stop_on_exception: bool },
}

struct WaiterState<T> {
    finished: Vec<Future<T>>,
    set: bool,
    /// Futures still expected, plus one while installing.
    pending: usize,
}

/// What `wait` and `as_completed` install on each future: completions are
/// collected here, and the waiting thread blocks on it.
pub(crate) struct Waiter<T> {
    kind: WaiterKind,
    state: Mutex<WaiterState<T>>,
    event: Condvar,
}

impl<T> Waiter<T> {
    pub(crate) fn new(kind: WaiterKind) -> Arc<Self> {
        Arc::new(Self {
            kind,
            state: Mutex::new(WaiterState {
                finished: Vec::new(),
                set: false,
                pending: 1,
            }),
            event: Condvar::new(),
        })
    }

    fn expect_one(&self) {
        self.state.lock().pending += 1;
    }

    /// Installation is over: drop the extra pending count.
    pub(crate) fn installed(&self) {
        let mut st = self.state.lock();
        st.pending -= 1;
        if st.pending == 0 && matches!(self.kind, WaiterKind::All { .. }) {
            st.set = true;
            self.event.notify_all();
        }
    }

    /// A future completed: with an exception (`failed`), a result, or a
    /// notified cancellation.
    fn add(&self, future: &Future<T>, failed: bool) {
        let mut st = self.state.lock();
        st.finished.push(future.clone());
        let set = match self.kind {
            WaiterKind::Each | WaiterKind::First => true,
            WaiterKind::All { stop_on_exception } => {
                st.pending -= 1;
                (failed && stop_on_exception) || st.pending == 0
            }
        };
        if set {
            st.set = true;
            self.event.notify_all();
        }
    }

    /// Waits until set or `deadline`; takes the futures completed so far
    /// and clears the event (as `as_completed` does).
    pub(crate) fn wait_and_take(&self, deadline: Option<Instant>) -> Vec<Future<T>> {
        let mut st = self.state.lock();
        while !st.set {
            match deadline {
                None => self.event.wait(&mut st),
                Some(d) => {
                    if remaining(d).is_zero() {
                        break;
                    }
                    self.event.wait_deadline(&mut st, d);
                }
            }
        }
        st.set = false;
        std::mem::take(&mut st.finished)
    }
}
