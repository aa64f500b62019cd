//! `threading.Timer`: a thread that waits on an [`Event`] for its interval,
//! then calls its function unless cancelled (CPython's design).

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use super::event::Event;
use super::thread::{Run, Thread};
use crate::Mutex;
use crate::python::builtins::Exception;
use crate::python::timeout::Timeout;
use crate::python::{Call, Outcome};

type Function = Box<dyn FnOnce() -> Result<(), Exception> + Send>;

struct TimerRun {
    interval: Timeout,
    finished: Event,
    function: Mutex<Option<Function>>,
}

impl Run for TimerRun {
    fn run(&self, _thread: &Thread) -> Result<(), Exception> {
        let cancelled = self.finished.wait(self.interval);
        let function = if cancelled {
            None
        } else {
            self.function.lock().take()
        };
        let result = function.map_or(Ok(()), |f| f());
        self.finished.set();
        result
    }
}

/// Python's `threading.Timer(interval, function, args=None, kwargs=None)`:
/// a [`Thread`] that calls `function` after `interval` seconds unless
/// [`cancel`](Self::cancel)led first.
///
/// It dereferences to its [`Thread`] (a subclass in Python): `start`,
/// `join`, `is_alive`, `name` (`Thread-N`, no target suffix) and the rest.
/// An exception from `function` goes to `excepthook`, as for any thread.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Timer;
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicBool, Ordering};
///
/// let fired = Arc::new(AtomicBool::new(false));
/// let f = fired.clone();
/// // Timer(0.01, lambda: ...).start()
/// let timer = Timer::new(0.01, move || f.store(true, Ordering::SeqCst));
/// timer.start().unwrap();
/// timer.join(None).unwrap();
/// assert!(fired.load(Ordering::SeqCst));
///
/// let never = Timer::new(30.0, || -> () { panic!("cancelled timers do not fire") });
/// never.start().unwrap();
/// never.cancel();
/// never.join(None).unwrap(); // promptly
/// ```
pub struct Timer {
    thread: Thread,
    run: Arc<TimerRun>,
}

impl Timer {
    /// `Timer(interval, function)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Timer;
    /// let t = Timer::new(1.5, || ());
    /// assert!(t.name().starts_with("Thread-"));
    /// ```
    pub fn new<F, R>(interval: impl Into<Timeout>, function: F) -> Timer
    where
        F: FnOnce() -> R + Send + 'static,
        R: Outcome,
    {
        Self::from_function(interval.into(), Box::new(move || function().into_outcome()))
    }

    /// `Timer(interval, function, args=(...))`: calls `function(*args)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Timer;
    /// fn greet(who: &'static str, n: u32) {
    ///     assert_eq!((who, n), ("world", 2));
    /// }
    /// let t = Timer::with_args(0.0, greet, ("world", 2));
    /// t.start().unwrap();
    /// t.join(None).unwrap();
    /// ```
    pub fn with_args<F, A>(interval: impl Into<Timeout>, function: F, args: A) -> Timer
    where
        F: Call<A>,
        F::Output: Outcome,
        A: Send + 'static,
    {
        Self::from_function(
            interval.into(),
            Box::new(move || function.call(args).into_outcome()),
        )
    }

    fn from_function(interval: Timeout, function: Function) -> Timer {
        let run = Arc::new(TimerRun {
            interval,
            finished: Event::new(),
            function: Mutex::new(Some(function)),
        });
        let thread = Thread::builder().run(run.clone()).build();
        Timer { thread, run }
    }

    /// Python's `cancel()`: the function will not run if it has not
    /// started yet. Idempotent; allowed before `start` and after firing.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Timer;
    /// let t = Timer::new(0.0, || -> () { panic!("never") });
    /// t.cancel(); // before start: it never fires
    /// t.start().unwrap();
    /// t.join(None).unwrap();
    /// ```
    pub fn cancel(&self) {
        self.run.finished.set();
    }
}

impl Deref for Timer {
    type Target = Thread;

    fn deref(&self) -> &Thread {
        &self.thread
    }
}

impl fmt::Debug for Timer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Timer")
            .field("thread", &self.thread)
            .field("interval", &self.run.interval)
            .finish_non_exhaustive()
    }
}
