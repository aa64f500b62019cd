//! `threading.Thread`: a thread object with CPython's life cycle, names,
//! idents, daemon flag and registry of live threads.
//!
//! A `Thread` is a handle (an `Arc`): `current_thread()` in the new thread,
//! the registry behind `enumerate()` and the creator all see the same
//! object. Its OS thread comes from the runtime's
//! [`thread::Builder`](crate::thread::Builder); `start` returns once the new
//! thread has registered itself, so `ident` and `native_id` are set, as in
//! CPython. A target's exception (an `Err` or a panic) goes to
//! [`excepthook`](super::excepthook); `join` never re-raises it.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, LazyLock};

use crate::loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use crate::python::builtins::{Exception, RuntimeError};
use crate::python::timeout::{Timeout, deadline_in};
use crate::python::{Call, Outcome, short_type_name};
use crate::{Event, JoinHandle, Mutex};

/// A thread body that a user type provides: Python's overridden
/// `Thread.run`.
///
/// A Python subclass of `Thread` that overrides `run` becomes a type
/// implementing `Run`, handed to [`ThreadBuilder::run`]; `target` and
/// `args` are then unused, as in Python. `run` receives the `Thread`
/// (Python's `self`). Its `Err` (or panic) goes to
/// [`excepthook`](super::excepthook) when the thread runs it, or back to
/// the caller of [`Thread::run`].
///
/// # Examples
/// ```
/// use portalis_threading::python::builtins::Exception;
/// use portalis_threading::python::threading::{Run, Thread};
/// use std::sync::{Arc, Mutex};
///
/// // class Worker(Thread):
/// //     def run(self): self.result = 6 * 7
/// #[derive(Default)]
/// struct Worker {
///     result: Mutex<Option<i32>>,
/// }
/// impl Run for Worker {
///     fn run(&self, _thread: &Thread) -> Result<(), Exception> {
///         *self.result.lock().unwrap() = Some(6 * 7);
///         Ok(())
///     }
/// }
/// let worker = Arc::new(Worker::default());
/// let t = Thread::builder().run(worker.clone()).build();
/// t.start().unwrap();
/// t.join(None).unwrap();
/// assert_eq!(*worker.result.lock().unwrap(), Some(42));
/// ```
pub trait Run: Send + Sync + 'static {
    /// The thread's activity; `thread` is the `Thread` object (`self` in
    /// Python).
    fn run(&self, thread: &Thread) -> Result<(), Exception>;
}

type Target = Box<dyn FnOnce() -> Result<(), Exception> + Send>;

enum Body {
    Target(Target),
    Run(Arc<dyn Run>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Created by `Thread::new`/`ThreadBuilder`, or a pool thread.
    Normal,
    /// The process's main thread.
    Main,
    /// A thread not started by this module (CPython's `_DummyThread`).
    Dummy,
    /// A `ThreadPoolExecutor` worker: joined by its executor at exit.
    Worker,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Life {
    Initial,
    Started,
    Stopped,
}

struct Inner {
    name: Mutex<String>,
    daemon: AtomicBool,
    kind: Kind,
    life: Mutex<Life>,
    /// 0 until started.
    ident: AtomicU64,
    /// 0 until started.
    native_id: AtomicU64,
    started: Event,
    finished: Event,
    body: Mutex<Option<Body>>,
    handle: Mutex<Option<JoinHandle<()>>>,
}

/// Python's `threading.Thread`.
///
/// Create one with [`Thread::new`] (a target) or [`Thread::builder`]
/// (target with args, name, daemon, or a [`Run`] body), then
/// [`start`](Self::start) and [`join`](Self::join) it. Cloning gives the
/// same thread object; `==` is Python's `is`.
///
/// Names default to `Thread-N`, or `Thread-N (target)` when a target is
/// given (the function's name; `<lambda>` for a closure), with `N` from a
/// process-wide counter. `daemon` defaults to the creating thread's flag
/// (the main thread is not a daemon; threads not started by this module,
/// such as test harness threads, are, as in CPython).
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Thread;
///
/// fn work() {}
/// // t = Thread(target=work); t.start(); t.join()
/// let t = Thread::new(work);
/// assert!(t.name().starts_with("Thread-") && t.name().ends_with(" (work)"));
/// assert_eq!(t.ident(), None);
/// t.start().unwrap();
/// t.join(None).unwrap();
/// assert!(!t.is_alive());
/// assert!(t.ident().is_some());
/// ```
#[derive(Clone)]
pub struct Thread {
    inner: Arc<Inner>,
}

/// Builds a [`Thread`]: Python's `Thread(target, name, args, kwargs, *,
/// daemon)` keyword arguments.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Thread;
///
/// fn show(x: i32, s: &'static str) {
///     assert_eq!((x, s), (1, "a"));
/// }
/// // Thread(target=show, args=(1, "a"), name="worker", daemon=True)
/// let t = Thread::builder()
///     .target_args(show, (1, "a"))
///     .name("worker")
///     .daemon(true)
///     .build();
/// assert_eq!(t.name(), "worker");
/// assert!(t.daemon());
/// t.start().unwrap();
/// t.join(None).unwrap();
/// ```
#[must_use = "a builder does nothing until `build`"]
#[derive(Default)]
pub struct ThreadBuilder {
    name: Option<String>,
    daemon: Option<bool>,
    body: Option<Body>,
    target_name: Option<String>,
}

impl ThreadBuilder {
    /// A builder with no target, default name and inherited daemon flag.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::ThreadBuilder;
    /// // Thread()  (its run() does nothing)
    /// let t = ThreadBuilder::new().build();
    /// t.start().unwrap();
    /// t.join(None).unwrap();
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Python's `target=f`: called with no arguments. It returns `()` or a
    /// `Result` whose `Err` is the exception it raised.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Thread;
    /// let t = Thread::builder().target(|| println!("hi")).build();
    /// assert!(t.name().ends_with(" (<lambda>)"));
    /// ```
    pub fn target<F, R>(mut self, target: F) -> Self
    where
        F: FnOnce() -> R + Send + 'static,
        R: Outcome,
    {
        self.target_name = Some(short_type_name(std::any::type_name::<F>()));
        self.body = Some(Body::Target(Box::new(move || target().into_outcome())));
        self
    }

    /// Python's `target=f, args=(a, b, ...)`: `f(*args)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Thread;
    /// fn add(a: i32, b: i32) {
    ///     assert_eq!(a + b, 3);
    /// }
    /// let t = Thread::builder().target_args(add, (1, 2)).build();
    /// assert!(t.name().ends_with(" (add)"));
    /// t.start().unwrap();
    /// t.join(None).unwrap();
    /// ```
    pub fn target_args<F, A>(mut self, target: F, args: A) -> Self
    where
        F: Call<A>,
        F::Output: Outcome,
        A: Send + 'static,
    {
        self.target_name = Some(short_type_name(std::any::type_name::<F>()));
        self.body = Some(Body::Target(Box::new(move || {
            target.call(args).into_outcome()
        })));
        self
    }

    /// A subclass's overridden `run` (see [`Run`]); replaces any target.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::Exception;
    /// use portalis_threading::python::threading::{Run, Thread};
    /// use std::sync::Arc;
    /// struct Quiet;
    /// impl Run for Quiet {
    ///     fn run(&self, _: &Thread) -> Result<(), Exception> { Ok(()) }
    /// }
    /// let t = Thread::builder().run(Arc::new(Quiet)).build();
    /// assert!(!t.name().contains('(')); // no target, no suffix
    /// ```
    pub fn run<R: Run>(mut self, run: Arc<R>) -> Self {
        self.target_name = None;
        self.body = Some(Body::Run(run));
        self
    }

    /// Python's `name=...`; anything with `str()` (`Display`), as CPython
    /// converts a non-string name with `str()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Thread;
    /// assert_eq!(Thread::builder().name(123).build().name(), "123");
    /// ```
    pub fn name(mut self, name: impl fmt::Display) -> Self {
        self.name = Some(name.to_string());
        self
    }

    /// Python's `daemon=...`: `true`, `false`, or `None` to inherit the
    /// creating thread's flag.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Thread;
    /// assert!(!Thread::builder().daemon(false).build().daemon());
    /// ```
    pub fn daemon(mut self, daemon: impl Into<Option<bool>>) -> Self {
        self.daemon = daemon.into();
        self
    }

    /// Creates the (not yet started) thread.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Thread;
    /// let t = Thread::builder().build();
    /// assert!(!t.is_alive());
    /// ```
    pub fn build(self) -> Thread {
        let name = match self.name {
            Some(name) => name,
            None => {
                let mut name = new_name("Thread");
                if let Some(target) = &self.target_name {
                    name.push_str(&format!(" ({target})"));
                }
                name
            }
        };
        let daemon = self
            .daemon
            .unwrap_or_else(|| super::current_thread().daemon());
        Thread::from_parts(name, daemon, Kind::Normal, self.body)
    }
}

impl fmt::Debug for ThreadBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadBuilder")
            .field("name", &self.name)
            .field("daemon", &self.daemon)
            .finish_non_exhaustive()
    }
}

impl Thread {
    /// Python's `Thread(target=target)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Thread;
    /// let t = Thread::new(|| ());
    /// t.start().unwrap();
    /// t.join(None).unwrap();
    /// ```
    pub fn new<F, R>(target: F) -> Thread
    where
        F: FnOnce() -> R + Send + 'static,
        R: Outcome,
    {
        ThreadBuilder::new().target(target).build()
    }

    /// A [`ThreadBuilder`], for Python's keyword arguments.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Thread;
    /// let t = Thread::builder().name("myname1").build();
    /// assert_eq!(t.name(), "myname1");
    /// ```
    pub fn builder() -> ThreadBuilder {
        ThreadBuilder::new()
    }

    fn from_parts(name: String, daemon: bool, kind: Kind, body: Option<Body>) -> Thread {
        Thread {
            inner: Arc::new(Inner {
                name: Mutex::new(name),
                daemon: AtomicBool::new(daemon),
                kind,
                life: Mutex::new(Life::Initial),
                ident: AtomicU64::new(0),
                native_id: AtomicU64::new(0),
                started: Event::new(),
                finished: Event::new(),
                body: Mutex::new(body),
                handle: Mutex::new(None),
            }),
        }
    }

    /// Starts the thread; returns once it is running (so
    /// [`ident`](Self::ident) is set).
    ///
    /// # Errors
    /// `RuntimeError("threads can only be started once")` on a second
    /// call; `RuntimeError("can't start new thread")` if the OS refuses.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Thread;
    /// let t = Thread::new(|| ());
    /// t.start().unwrap();
    /// assert!(t.ident().is_some());
    /// assert_eq!(t.start().unwrap_err().message(), "threads can only be started once");
    /// t.join(None).unwrap();
    /// ```
    pub fn start(&self) -> Result<(), RuntimeError> {
        {
            let mut life = self.inner.life.lock();
            if *life != Life::Initial || self.inner.kind != Kind::Normal {
                return Err(RuntimeError::new("threads can only be started once"));
            }
            *life = Life::Started;
        }
        let mut builder = crate::thread::Builder::new().name(self.name());
        let stack = super::functions::STACK_SIZE.load(Ordering::Relaxed);
        if stack != 0 {
            builder = builder.stack_size(stack);
        }
        let me = self.clone();
        match builder.spawn(move || me.bootstrap()) {
            Ok(handle) => {
                *self.inner.handle.lock() = Some(handle);
                self.inner.started.wait();
                Ok(())
            }
            Err(_) => {
                *self.inner.life.lock() = Life::Initial;
                Err(RuntimeError::new("can't start new thread"))
            }
        }
    }

    /// Runs in the new thread: register, run the body, report an
    /// exception, unregister, then let `join` return.
    fn bootstrap(self) {
        let registration = Registration::adopt(self.clone(), false);
        let outcome = self.run();
        if let Err(exc) = outcome {
            super::functions::invoke_excepthook(exc, Some(self.clone()));
        }
        drop(registration);
    }

    /// Python's `Thread.run()`, called in the *calling* thread: runs the
    /// target once (later calls do nothing, as CPython drops the target),
    /// or the [`Run`] body, and returns its exception instead of handing
    /// it to `excepthook`.
    ///
    /// # Errors
    /// The exception the target or body raised (an `Err` or a panic).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::ValueError;
    /// use portalis_threading::python::threading::Thread;
    /// let t = Thread::new(|| Err::<(), _>(ValueError::new("run failed")));
    /// assert_eq!(t.run().unwrap_err().message(), "run failed");
    /// assert!(t.run().is_ok()); // the target is gone
    /// ```
    pub fn run(&self) -> Result<(), Exception> {
        let body = {
            let mut slot = self.inner.body.lock();
            match slot.as_ref() {
                Some(Body::Run(run)) => Some(Body::Run(run.clone())),
                _ => slot.take(),
            }
        };
        match body {
            None => Ok(()),
            Some(Body::Target(target)) => catch_unwind(AssertUnwindSafe(target))
                .unwrap_or_else(|p| Err(Exception::from_panic(p))),
            Some(Body::Run(run)) => catch_unwind(AssertUnwindSafe(|| run.run(self)))
                .unwrap_or_else(|p| Err(Exception::from_panic(p))),
        }
    }

    /// Waits for the thread to end, at most `timeout` seconds (`None`:
    /// forever; negative: do not wait). Returns nothing, also on timeout:
    /// check [`is_alive`](Self::is_alive), as in Python. May be called
    /// again.
    ///
    /// # Errors
    /// `RuntimeError("cannot join thread before it is started")`,
    /// `RuntimeError("cannot join current thread")`, or
    /// `RuntimeError("cannot join a dummy thread")`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Thread;
    /// use std::time::Duration;
    /// let t = Thread::new(|| std::thread::sleep(Duration::from_millis(200)));
    /// assert!(t.join(None).is_err()); // not started
    /// t.start().unwrap();
    /// t.join(0.01).unwrap();
    /// assert!(t.is_alive());
    /// t.join(None).unwrap();
    /// assert!(!t.is_alive());
    /// ```
    pub fn join(&self, timeout: impl Into<Timeout>) -> Result<(), RuntimeError> {
        if !self.inner.started.is_set() {
            return Err(RuntimeError::new("cannot join thread before it is started"));
        }
        if *self == super::current_thread() {
            return Err(RuntimeError::new("cannot join current thread"));
        }
        if self.inner.kind == Kind::Dummy {
            return Err(RuntimeError::new("cannot join a dummy thread"));
        }
        let finished = match timeout.into().as_secs() {
            None => {
                self.inner.finished.wait();
                true
            }
            Some(secs) => match deadline_in(secs) {
                None => {
                    self.inner.finished.wait();
                    true
                }
                Some(deadline) => self.inner.finished.wait_deadline(deadline),
            },
        };
        if finished && let Some(handle) = self.inner.handle.lock().take() {
            // The thread has left its body; this only reaps the OS thread.
            let _ = handle.join();
        }
        Ok(())
    }

    /// Whether the thread is running: from `start` until its body ends.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::{Thread, main_thread};
    /// assert!(!Thread::new(|| ()).is_alive());
    /// assert!(main_thread().is_alive());
    /// ```
    pub fn is_alive(&self) -> bool {
        self.inner.started.is_set() && *self.inner.life.lock() != Life::Stopped
    }

    /// The thread's name (Python's `name` attribute).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::main_thread;
    /// assert_eq!(main_thread().name(), "MainThread");
    /// ```
    pub fn name(&self) -> String {
        self.inner.name.lock().clone()
    }

    /// Sets the name (`t.name = ...`), converting with `str()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Thread;
    /// let t = Thread::new(|| ());
    /// t.set_name("renamed");
    /// assert_eq!(t.name(), "renamed");
    /// ```
    pub fn set_name(&self, name: impl fmt::Display) {
        *self.inner.name.lock() = name.to_string();
    }

    /// Python's `ident`: `None` before start, then a non-zero number,
    /// distinct among live threads and equal to
    /// [`get_ident`](super::get_ident) in that thread.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::{current_thread, get_ident};
    /// assert_eq!(current_thread().ident(), Some(get_ident()));
    /// ```
    pub fn ident(&self) -> Option<u64> {
        match self.inner.ident.load(Ordering::Acquire) {
            0 => None,
            id => Some(id),
        }
    }

    /// Python's `native_id`: the OS thread id (Linux's TID), `None`
    /// before start.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::{current_thread, get_native_id};
    /// assert_eq!(current_thread().native_id(), Some(get_native_id()));
    /// ```
    pub fn native_id(&self) -> Option<u64> {
        match self.inner.native_id.load(Ordering::Acquire) {
            0 => None,
            id => Some(id),
        }
    }

    /// Python's `daemon` attribute.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::main_thread;
    /// assert!(!main_thread().daemon());
    /// ```
    pub fn daemon(&self) -> bool {
        self.inner.daemon.load(Ordering::Relaxed)
    }

    /// Sets `daemon` (`t.daemon = ...`); only before `start`.
    ///
    /// # Errors
    /// `RuntimeError("cannot set daemon status of active thread")` once
    /// started.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::threading::Thread;
    /// let t = Thread::new(|| ());
    /// t.set_daemon(true).unwrap();
    /// t.start().unwrap();
    /// assert!(t.set_daemon(false).is_err());
    /// t.join(None).unwrap();
    /// ```
    pub fn set_daemon(&self, daemon: bool) -> Result<(), RuntimeError> {
        if self.inner.started.is_set() || *self.inner.life.lock() != Life::Initial {
            return Err(RuntimeError::new(
                "cannot set daemon status of active thread",
            ));
        }
        self.inner.daemon.store(daemon, Ordering::Relaxed);
        Ok(())
    }

    pub(crate) fn is_main(&self) -> bool {
        self.inner.kind == Kind::Main
    }

    pub(crate) fn is_normal(&self) -> bool {
        self.inner.kind == Kind::Normal
    }

    /// Marks the main thread stopped (`threading._shutdown`).
    pub(crate) fn stop_main(&self) -> bool {
        let mut life = self.inner.life.lock();
        if *life == Life::Stopped {
            return false;
        }
        *life = Life::Stopped;
        drop(life);
        self.inner.finished.set();
        true
    }
}

impl PartialEq for Thread {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for Thread {}

impl Hash for Thread {
    fn hash<H: Hasher>(&self, state: &mut H) {
        Arc::as_ptr(&self.inner).hash(state);
    }
}

impl fmt::Debug for Thread {
    /// CPython's repr: `<Thread(name, started daemon 1402...)>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = if !self.inner.started.is_set() {
            "initial".to_owned()
        } else if self.is_alive() {
            format!("started {}", self.ident().unwrap_or(0))
        } else {
            format!("stopped {}", self.ident().unwrap_or(0))
        };
        let class = match self.inner.kind {
            Kind::Main => "_MainThread",
            Kind::Dummy => "_DummyThread",
            Kind::Normal | Kind::Worker => "Thread",
        };
        let daemon = if self.daemon() { " daemon" } else { "" };
        write!(f, "<{class}({}, {status}{daemon})>", self.name())
    }
}

// ---------------------------------------------------------------------------
// Identity and the registry of live threads.

/// The counter behind `Thread-N` and `Dummy-N` (CPython's `_counter`).
static NAME_COUNTER: AtomicU64 = AtomicU64::new(1);
/// Idents for threads other than the main thread, which has 1.
static NEXT_IDENT: AtomicU64 = AtomicU64::new(2);

fn new_name(prefix: &str) -> String {
    format!("{prefix}-{}", NAME_COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// Live thread objects by ident: CPython's `_active` (the main thread is
/// always in it until `shutdown`).
static ACTIVE: LazyLock<Mutex<BTreeMap<u64, Thread>>> = LazyLock::new(|| {
    let main = MAIN.clone();
    Mutex::new(BTreeMap::from([(MAIN_IDENT, main)]))
});

const MAIN_IDENT: u64 = 1;

static MAIN: LazyLock<Thread> = LazyLock::new(|| {
    let main = Thread::from_parts("MainThread".to_owned(), false, Kind::Main, None);
    *main.inner.life.lock() = Life::Started;
    main.inner.ident.store(MAIN_IDENT, Ordering::Release);
    let native = os_tid_of_main().unwrap_or(MAIN_IDENT);
    main.inner.native_id.store(native, Ordering::Release);
    main.inner.started.set();
    main
});

thread_local! {
    static IDENT: Cell<u64> = const { Cell::new(0) };
    /// The OS thread id: 0 until read, `u64::MAX` if the OS does not say.
    static OS_TID: Cell<u64> = const { Cell::new(0) };
    static CURRENT: RefCell<Option<Registration>> = const { RefCell::new(None) };
}

/// The calling thread's OS id, where the OS tells us (read once per
/// thread).
fn os_tid() -> Option<u64> {
    const UNKNOWN: u64 = u64::MAX;
    let cached = OS_TID.with(|tid| {
        if tid.get() == 0 {
            tid.set(read_os_tid().unwrap_or(UNKNOWN));
        }
        tid.get()
    });
    (cached != UNKNOWN).then_some(cached)
}

fn read_os_tid() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        // "/proc/thread-self" links to "PID/task/TID".
        let link = std::fs::read_link("/proc/thread-self").ok()?;
        link.file_name()?.to_str()?.parse().ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// The main thread's OS id: on Linux it equals the process id.
fn os_tid_of_main() -> Option<u64> {
    if cfg!(target_os = "linux") {
        Some(u64::from(std::process::id()))
    } else {
        None
    }
}

fn is_os_main_thread() -> bool {
    match os_tid() {
        Some(tid) => Some(tid) == os_tid_of_main(),
        None => std::thread::current().name() == Some("main"),
    }
}

/// Python's `get_ident()` for the calling thread.
pub(crate) fn ident() -> u64 {
    IDENT.with(|id| {
        if id.get() == 0 {
            let new = if is_os_main_thread() {
                MAIN_IDENT
            } else {
                NEXT_IDENT.fetch_add(1, Ordering::Relaxed)
            };
            id.set(new);
        }
        id.get()
    })
}

/// Python's `get_native_id()` for the calling thread.
pub(crate) fn native_id() -> u64 {
    os_tid().unwrap_or_else(ident)
}

pub(crate) fn main_thread() -> Thread {
    MAIN.clone()
}

/// The calling thread's `Thread`: the one it was started as, the main
/// thread, or a new dummy thread.
pub(crate) fn current_thread() -> Thread {
    let found = CURRENT
        .try_with(|slot| slot.borrow().as_ref().map(|r| r.thread.clone()))
        .ok()
        .flatten();
    if let Some(thread) = found {
        return thread;
    }
    if ident() == MAIN_IDENT {
        let main = main_thread();
        let _ = CURRENT.try_with(|slot| {
            *slot.borrow_mut() = Some(Registration {
                thread: main.clone(),
                owned: false,
            });
        });
        return main;
    }
    let dummy = Thread::from_parts(new_name("Dummy"), true, Kind::Dummy, None);
    // During thread-local teardown there is nowhere to keep it: return an
    // unregistered one.
    match CURRENT.try_with(|_| ()) {
        // Kept in thread-local storage, it ends with the OS thread.
        Ok(()) => drop(Registration::adopt(dummy.clone(), true)),
        Err(_) => {
            *dummy.inner.life.lock() = Life::Started;
            dummy.inner.ident.store(ident(), Ordering::Release);
            dummy.inner.started.set();
        }
    }
    dummy
}

pub(crate) fn active() -> Vec<Thread> {
    ACTIVE.lock().values().cloned().collect()
}

pub(crate) fn active_count() -> usize {
    ACTIVE.lock().len()
}

/// A thread registered as the current thread of its OS thread; dropping it
/// ends the thread (removes it from the registry, marks it stopped and
/// releases `join`).
pub(crate) struct Registration {
    thread: Thread,
    /// Whether this registration ends the thread when dropped (not the
    /// main thread's).
    owned: bool,
}

impl Registration {
    /// Registers `thread` for the calling OS thread. With `in_tls`, the
    /// registration lives in thread-local storage and ends with the OS
    /// thread (dummy threads); otherwise the returned guard ends it, and
    /// thread-local storage keeps only a reference.
    fn adopt(thread: Thread, in_tls: bool) -> Option<Registration> {
        let id = ident();
        thread.inner.ident.store(id, Ordering::Release);
        thread.inner.native_id.store(native_id(), Ordering::Release);
        *thread.inner.life.lock() = Life::Started;
        ACTIVE.lock().insert(id, thread.clone());
        let _ = CURRENT.try_with(|slot| {
            *slot.borrow_mut() = Some(Registration {
                thread: thread.clone(),
                owned: in_tls,
            });
        });
        thread.inner.started.set();
        (!in_tls).then_some(Registration {
            thread,
            owned: true,
        })
    }

    /// Registers the calling OS thread (a pool worker) as a thread named
    /// `name`; it ends when the guard is dropped.
    pub(crate) fn pool_worker(name: Option<String>) -> Option<Registration> {
        let name = name.unwrap_or_else(|| new_name("Thread"));
        let thread = Thread::from_parts(name, false, Kind::Worker, None);
        Registration::adopt(thread, false)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        let id = self.thread.inner.ident.load(Ordering::Acquire);
        {
            let mut active = ACTIVE.lock();
            if active.get(&id) == Some(&self.thread) {
                active.remove(&id);
            }
        }
        *self.thread.inner.life.lock() = Life::Stopped;
        self.thread.inner.finished.set();
    }
}
