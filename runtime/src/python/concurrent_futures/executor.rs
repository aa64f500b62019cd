//! `concurrent.futures.ThreadPoolExecutor` on the runtime
//! [`ThreadPool`](crate::ThreadPool).
//!
//! Each submitted call is a runtime pool job that completes a [`Future`]:
//! it first calls `set_running_or_notify_cancel` (so a future cancelled
//! while queued never runs, and becomes CANCELLED_AND_NOTIFIED), then runs
//! the call and sets the result or exception. The pool's threads come from
//! a [`ThreadingBackend`] that registers each as a Python thread named
//! `{prefix}_{i}` and runs the initializer. The executor remembers its
//! queued futures so that `shutdown(cancel_futures=True)` can cancel them
//! at once, as CPython does.
//!
//! Differences from CPython: the workers start with the executor (CPython
//! starts them lazily, one per submit while none is idle); the number is
//! the same, `max_workers`.

use std::collections::VecDeque;
use std::fmt;
use std::num::NonZeroUsize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, LazyLock, Once, Weak};
use std::time::{Duration, Instant};

use super::BrokenThreadPool;
use super::future::{Cancel, Future, ResultError};
use crate::loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use crate::python::builtins::{Exception, RuntimeError, ValueError};
use crate::python::threading::{Registration, register_atexit};
use crate::python::timeout::{Timeout, deadline};
use crate::{
    Condvar, Mutex, NativeBackend, NativeThread, ThreadOptions, ThreadPool, ThreadingBackend,
};

/// What `submit` and `map` raise.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::{SubmitError, ThreadPoolExecutor};
/// let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
/// ex.shutdown(true, false);
/// match ex.submit(|| 1).unwrap_err() {
///     SubmitError::RuntimeError(e) => {
///         assert_eq!(e.message(), "cannot schedule new futures after shutdown")
///     }
///     SubmitError::BrokenThreadPool(_) => unreachable!(),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubmitError {
    /// `"cannot schedule new futures after shutdown"` (or `"... after
    /// interpreter shutdown"`).
    RuntimeError(RuntimeError),
    /// An initializer failed; the pool is unusable.
    BrokenThreadPool(BrokenThreadPool),
}

impl fmt::Display for SubmitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SubmitError::RuntimeError(e) => fmt::Display::fmt(e, f),
            SubmitError::BrokenThreadPool(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl From<SubmitError> for Exception {
    fn from(e: SubmitError) -> Self {
        match e {
            SubmitError::RuntimeError(e) => e.into(),
            SubmitError::BrokenThreadPool(e) => e.into(),
        }
    }
}

const BROKEN: &str = "A thread initializer failed, the thread pool is not usable anymore";

type Initializer = Arc<dyn Fn() -> Result<(), Exception> + Send + Sync>;

/// What the pool's threads share with the executor (no reference to the
/// pool itself, so there is no cycle).
struct WorkerShared {
    broken: AtomicBool,
    initializer: Option<Initializer>,
    /// Workers registered as threads so far (`build` waits for all, as
    /// CPython's `Thread.start` waits for its thread).
    started: Mutex<usize>,
    all_started: Condvar,
}

/// Starts the pool's threads as Python threads, each running the
/// initializer first.
#[derive(Clone)]
struct WorkerBackend {
    shared: Arc<WorkerShared>,
}

impl ThreadingBackend for WorkerBackend {
    type Thread = NativeThread;

    fn spawn(
        &self,
        options: &ThreadOptions,
        main: Box<dyn FnOnce() + Send + 'static>,
    ) -> crate::Result<NativeThread> {
        let shared = self.shared.clone();
        let name = options.name.clone();
        NativeBackend.spawn(
            options,
            Box::new(move || {
                let registration = Registration::pool_worker(name);
                *shared.started.lock() += 1;
                shared.all_started.notify_all();
                if let Some(init) = &shared.initializer {
                    let outcome = catch_unwind(AssertUnwindSafe(|| init()))
                        .unwrap_or_else(|payload| Err(Exception::from_panic(payload)));
                    if let Err(exc) = outcome {
                        eprintln!("Exception in initializer:\n{}: {}", exc.type_name(), exc);
                        shared.broken.store(true, Ordering::Release);
                    }
                }
                main();
                drop(registration);
            }),
        )
    }

    fn join(&self, thread: NativeThread) -> crate::Result<()> {
        NativeBackend.join(thread)
    }

    fn available_parallelism(&self) -> NonZeroUsize {
        NativeBackend.available_parallelism()
    }

    fn sleep(&self, duration: Duration) {
        NativeBackend.sleep(duration);
    }
}

struct Control {
    shutdown: bool,
    /// Futures submitted and maybe not started, for `cancel_futures`.
    queued: Vec<Arc<dyn Cancel>>,
    prune_at: usize,
}

struct ExecInner {
    pool: ThreadPool,
    shared: Arc<WorkerShared>,
    control: Mutex<Control>,
    max_workers: usize,
}

impl ExecInner {
    /// At interpreter exit: finish the queue and join the workers, leaving
    /// the executor's own `shutdown` flag alone (so `submit` reports the
    /// interpreter shutdown, as CPython does).
    fn exit(&self) {
        let _ = self.pool.shutdown(None);
    }

    fn shutdown(&self, wait: bool, cancel_futures: bool) {
        {
            let mut control = self.control.lock();
            control.shutdown = true;
            if cancel_futures {
                for f in control.queued.drain(..) {
                    f.cancel_pending();
                }
            }
        }
        // From one of the pool's own threads the runtime refuses to wait
        // (a thread cannot join itself); the pool still stops.
        let _ = self
            .pool
            .shutdown(if wait { None } else { Some(Duration::ZERO) });
    }
}

/// Set by the exit hook: new work is refused (CPython's
/// `concurrent.futures.thread._shutdown`).
static INTERPRETER_SHUTDOWN: AtomicBool = AtomicBool::new(false);
static LIVE: LazyLock<Mutex<Vec<Weak<ExecInner>>>> = LazyLock::new(|| Mutex::new(Vec::new()));
static REGISTER_EXIT: Once = Once::new();
static EXECUTOR_COUNTER: AtomicU64 = AtomicU64::new(0);

/// CPython's `_python_exit`, run by `threading::shutdown`: refuse new work,
/// then let every executor finish its queue and join its workers.
fn python_exit() {
    INTERPRETER_SHUTDOWN.store(true, Ordering::SeqCst);
    let live: Vec<Arc<ExecInner>> = LIVE.lock().iter().filter_map(Weak::upgrade).collect();
    for inner in live {
        inner.exit();
    }
}

/// Python's `concurrent.futures.ThreadPoolExecutor(max_workers=None,
/// thread_name_prefix='', initializer=None, initargs=())`.
///
/// Dropping it is Python's `with` block ending: `shutdown(wait=True)`.
/// Share it between threads with an `Arc`.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
///
/// // with ThreadPoolExecutor(max_workers=2) as ex:
/// let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
/// let f = ex.submit(|| 2i64.pow(8)).unwrap();
/// assert_eq!(f.result(None).unwrap(), 256);
/// let squares: Vec<i32> = ex.map(|x: i32| x * x, 0..5, None).unwrap().map(Result::unwrap).collect();
/// assert_eq!(squares, [0, 1, 4, 9, 16]);
/// drop(ex); // shutdown(wait=True)
/// ```
pub struct ThreadPoolExecutor {
    inner: Arc<ExecInner>,
}

/// Builds a [`ThreadPoolExecutor`] with Python's keyword arguments.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
/// use portalis_threading::python::threading::current_thread;
///
/// let ex = ThreadPoolExecutor::builder()
///     .max_workers(Some(2))
///     .thread_name_prefix("W")
///     .initializer(|| println!("worker up"))
///     .build()
///     .unwrap();
/// let name = ex.submit(|| current_thread().name()).unwrap().result(None).unwrap();
/// assert!(name == "W_0" || name == "W_1");
/// ```
#[must_use = "a builder does nothing until `build`"]
#[derive(Default)]
pub struct ExecutorBuilder {
    max_workers: Option<i64>,
    prefix: Option<String>,
    initializer: Option<Initializer>,
}

impl ExecutorBuilder {
    /// Python's `max_workers`: `None` is `min(32, cpu_count + 4)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::builder().max_workers(Some(3)).build().unwrap();
    /// assert_eq!(ex.max_workers(), 3);
    /// ```
    pub fn max_workers(mut self, max_workers: Option<i64>) -> Self {
        self.max_workers = max_workers;
        self
    }

    /// Python's `thread_name_prefix`: workers are named `{prefix}_{i}`
    /// (default prefix `ThreadPoolExecutor-N`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    /// use portalis_threading::python::threading::current_thread;
    /// let ex = ThreadPoolExecutor::builder().thread_name_prefix("hasher").max_workers(Some(1)).build().unwrap();
    /// assert_eq!(ex.submit(|| current_thread().name()).unwrap().result(None).unwrap(), "hasher_0");
    /// ```
    pub fn thread_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = Some(prefix.into());
        self
    }

    /// Python's `initializer(*initargs)`: runs in each worker before any
    /// task. If it raises, the pool is broken: queued and later calls fail
    /// with `BrokenThreadPool`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::Exception;
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::builder()
    ///     .max_workers(Some(1))
    ///     .initializer(|| Err::<(), _>(Exception::new("ValueError", "no")))
    ///     .build()
    ///     .unwrap();
    /// // Either submit refuses or the future fails, depending on timing.
    /// if let Ok(f) = ex.submit(|| 1) {
    ///     assert!(f.result(None).is_err());
    /// }
    /// ```
    pub fn initializer<F, R>(mut self, initializer: F) -> Self
    where
        F: Fn() -> R + Send + Sync + 'static,
        R: crate::python::Outcome,
    {
        self.initializer = Some(Arc::new(move || initializer().into_outcome()));
        self
    }

    /// Creates the executor and starts its workers.
    ///
    /// # Errors
    /// `ValueError("max_workers must be greater than 0")`; a `ValueError`
    /// naming the OS error if the threads cannot be started.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    /// let err = ThreadPoolExecutor::builder().max_workers(Some(0)).build().unwrap_err();
    /// assert_eq!(err.message(), "max_workers must be greater than 0");
    /// ```
    pub fn build(self) -> Result<ThreadPoolExecutor, ValueError> {
        let max_workers = match self.max_workers {
            None => (crate::thread::available_parallelism().get() + 4).min(32),
            Some(n) if n <= 0 => {
                return Err(ValueError::new("max_workers must be greater than 0"));
            }
            Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        };
        let counter = EXECUTOR_COUNTER.fetch_add(1, Ordering::Relaxed);
        let prefix = match self.prefix {
            Some(p) if !p.is_empty() => p,
            _ => format!("ThreadPoolExecutor-{counter}"),
        };
        let shared = Arc::new(WorkerShared {
            broken: AtomicBool::new(false),
            initializer: self.initializer,
            started: Mutex::new(0),
            all_started: Condvar::new(),
        });
        let backend = WorkerBackend {
            shared: shared.clone(),
        };
        let pool = ThreadPool::builder()
            .num_threads(max_workers)
            .thread_name_prefix(format!("{prefix}_"))
            .build_on(&backend)
            .map_err(|e| ValueError::new(format!("can't start new thread: {e}")))?;
        {
            let mut started = shared.started.lock();
            while *started < max_workers {
                shared.all_started.wait(&mut started);
            }
        }
        let inner = Arc::new(ExecInner {
            pool,
            shared,
            control: Mutex::new(Control {
                shutdown: false,
                queued: Vec::new(),
                prune_at: 64,
            }),
            max_workers,
        });
        REGISTER_EXIT.call_once(|| {
            let _ = register_atexit(Box::new(python_exit));
        });
        {
            let mut live = LIVE.lock();
            live.retain(|w| w.strong_count() > 0);
            live.push(Arc::downgrade(&inner));
        }
        Ok(ThreadPoolExecutor { inner })
    }
}

impl fmt::Debug for ExecutorBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExecutorBuilder")
            .field("max_workers", &self.max_workers)
            .field("thread_name_prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

impl ThreadPoolExecutor {
    /// `ThreadPoolExecutor(max_workers)`.
    ///
    /// # Errors
    /// `ValueError("max_workers must be greater than 0")`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    /// assert!(ThreadPoolExecutor::new(Some(-1)).is_err());
    /// let default = ThreadPoolExecutor::new(None).unwrap();
    /// assert!(default.max_workers() >= 5);
    /// ```
    pub fn new(max_workers: Option<i64>) -> Result<Self, ValueError> {
        ExecutorBuilder::default().max_workers(max_workers).build()
    }

    /// An [`ExecutorBuilder`].
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::builder().build().unwrap();
    /// ex.shutdown(true, false);
    /// ```
    pub fn builder() -> ExecutorBuilder {
        ExecutorBuilder::default()
    }

    /// The number of worker threads (CPython's `_max_workers`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    /// assert_eq!(ThreadPoolExecutor::new(Some(4)).unwrap().max_workers(), 4);
    /// ```
    pub fn max_workers(&self) -> usize {
        self.inner.max_workers
    }

    /// Python's `submit(fn)`: schedules `f()` and returns its future. A
    /// panic in `f` is the exception the future raises.
    ///
    /// # Errors
    /// [`SubmitError`] after `shutdown`, at interpreter exit, or once an
    /// initializer failed.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let failed = ex.submit(|| -> i32 { panic!("boom") }).unwrap();
    /// assert_eq!(failed.exception(None).unwrap().unwrap().message(), "boom");
    /// // The worker survives.
    /// assert_eq!(ex.submit(|| "ok").unwrap().result(None).unwrap(), "ok");
    /// ```
    pub fn submit<F, T>(&self, f: F) -> Result<Future<T>, SubmitError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.submit_result(move || Ok::<T, Exception>(f()))
    }

    /// `submit` for a call that raises by returning `Err`: the error
    /// becomes the future's exception.
    ///
    /// # Errors
    /// As for [`submit`](Self::submit).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let f = ex.submit_result(|| "x".parse::<i32>()).unwrap();
    /// assert_eq!(f.exception(None).unwrap().unwrap().type_name(), "ParseIntError");
    /// ```
    pub fn submit_result<F, T, E>(&self, f: F) -> Result<Future<T>, SubmitError>
    where
        F: FnOnce() -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Into<Exception>,
    {
        let inner = &self.inner;
        let mut control = inner.control.lock();
        if inner.shared.broken.load(Ordering::Acquire) {
            return Err(SubmitError::BrokenThreadPool(BrokenThreadPool::new(BROKEN)));
        }
        if control.shutdown {
            return Err(SubmitError::RuntimeError(RuntimeError::new(
                "cannot schedule new futures after shutdown",
            )));
        }
        if INTERPRETER_SHUTDOWN.load(Ordering::SeqCst) {
            return Err(SubmitError::RuntimeError(RuntimeError::new(
                "cannot schedule new futures after interpreter shutdown",
            )));
        }
        let future = Future::new();
        let job_future = future.clone();
        let shared = inner.shared.clone();
        let job = move || {
            if !job_future.set_running_or_notify_cancel().unwrap_or(false) {
                return;
            }
            if shared.broken.load(Ordering::Acquire) {
                let _ = job_future.set_exception(BrokenThreadPool::new(BROKEN));
                return;
            }
            let _ = match catch_unwind(AssertUnwindSafe(f)) {
                Ok(Ok(value)) => job_future.set_result(value),
                Ok(Err(e)) => job_future.set_exception(e),
                Err(payload) => job_future.set_exception(Exception::from_panic(payload)),
            };
        };
        if inner.pool.spawn(job).is_err() {
            return Err(SubmitError::RuntimeError(RuntimeError::new(
                "cannot schedule new futures after shutdown",
            )));
        }
        if control.queued.len() >= control.prune_at {
            control.queued.retain(|f| !f.settled());
            control.prune_at = (control.queued.len() * 2).max(64);
        }
        control.queued.push(Arc::new(future.clone()));
        Ok(future)
    }

    /// Python's `map(fn, iterable, timeout=None)`: submits `f(item)` for
    /// every item at once, and returns an iterator over the results in
    /// input order. Several iterables: zip them and take a tuple.
    ///
    /// `timeout` counts from this call. When it runs out, or a call raised,
    /// or was cancelled, the iterator yields that error, cancels the calls
    /// not yet started, and ends. An iterator dropped after its first
    /// `next()` also cancels them (a never-started one does not, as a
    /// Python generator that never ran has no `finally` to run).
    ///
    /// # Errors
    /// [`SubmitError`] as for `submit`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    /// // map(divmod, [1, 1, 1, 1], [2, 3, 0, 5])
    /// let pairs = [(1, 2), (1, 3), (1, 0), (1, 5)];
    /// let mut it = ex.map(|(a, b): (i32, i32)| (a / b, a % b), pairs, None).unwrap();
    /// assert_eq!(it.next().unwrap().unwrap(), (0, 1));
    /// assert_eq!(it.next().unwrap().unwrap(), (0, 1));
    /// assert!(it.next().unwrap().is_err()); // division by zero
    /// assert!(it.next().is_none());
    /// ```
    pub fn map<F, A, R>(
        &self,
        f: F,
        iterable: impl IntoIterator<Item = A>,
        timeout: impl Into<Timeout>,
    ) -> Result<MapIter<R>, SubmitError>
    where
        F: Fn(A) -> R + Send + Sync + 'static,
        A: Send + 'static,
        R: Send + 'static,
    {
        let end = deadline(timeout.into());
        let f = Arc::new(f);
        let mut futures = VecDeque::new();
        for item in iterable {
            let f = f.clone();
            futures.push_back(self.submit(move || f(item))?);
        }
        Ok(MapIter {
            futures,
            deadline: end,
            started: false,
            ended: false,
        })
    }

    /// Python's `shutdown(wait=True, *, cancel_futures=False)`: refuses new
    /// work; with `cancel_futures`, cancels every call not yet started;
    /// with `wait`, returns once the queue has drained and every worker
    /// has exited (without, queued work still runs). Calling it again is
    /// harmless.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    /// let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let f = ex.submit(|| 7).unwrap();
    /// ex.shutdown(false, false);
    /// assert_eq!(f.result(None).unwrap(), 7); // still runs
    /// ```
    pub fn shutdown(&self, wait: bool, cancel_futures: bool) {
        self.inner.shutdown(wait, cancel_futures);
    }
}

impl Drop for ThreadPoolExecutor {
    /// The end of a `with` block: `shutdown(wait=True)`.
    fn drop(&mut self) {
        self.inner.shutdown(true, false);
    }
}

impl fmt::Debug for ThreadPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPoolExecutor")
            .field("max_workers", &self.inner.max_workers)
            .field("shutdown", &self.inner.control.lock().shutdown)
            .finish_non_exhaustive()
    }
}

/// The iterator [`ThreadPoolExecutor::map`] returns: the results in input
/// order.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
/// let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
/// let abs: Vec<i32> = ex.map(i32::abs, -2..3, None).unwrap().map(Result::unwrap).collect();
/// assert_eq!(abs, [2, 1, 0, 1, 2]);
/// ```
pub struct MapIter<R> {
    futures: VecDeque<Future<R>>,
    deadline: Option<Instant>,
    started: bool,
    ended: bool,
}

impl<R> MapIter<R> {
    fn cancel_rest(&mut self) {
        self.ended = true;
        for f in self.futures.drain(..) {
            f.cancel();
        }
    }
}

impl<R> Iterator for MapIter<R> {
    type Item = Result<R, ResultError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.started = true;
        if self.ended {
            return None;
        }
        let Some(future) = self.futures.pop_front() else {
            self.ended = true;
            return None;
        };
        match future.take_result(self.deadline) {
            Ok(value) => Some(Ok(value)),
            Err(e) => {
                // CPython's `_result_or_cancel`: the future it gave up on
                // is cancelled too, with the rest.
                future.cancel();
                self.cancel_rest();
                Some(Err(e))
            }
        }
    }
}

impl<R> Drop for MapIter<R> {
    fn drop(&mut self) {
        if self.started && !self.ended {
            self.cancel_rest();
        }
    }
}

impl<R> fmt::Debug for MapIter<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MapIter")
            .field("remaining", &self.futures.len())
            .finish_non_exhaustive()
    }
}
