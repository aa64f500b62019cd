//! The module-level functions of `threading`: introspection,
//! `excepthook`, `stack_size`, `TIMEOUT_MAX`, and the interpreter-exit
//! join of non-daemon threads.

use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, LazyLock};

use super::thread::{self, Thread};
use crate::loom::sync::atomic::{AtomicUsize, Ordering};
use crate::python::builtins::{Exception, ValueError};
use crate::{Mutex, RwLock};

/// Python's `threading.TIMEOUT_MAX`: the largest timeout, in seconds, that
/// lock acquisition accepts (`9223372036.0`, as observed on Linux x86-64);
/// a larger one is an `OverflowError`.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::{Lock, TIMEOUT_MAX};
/// let lock = Lock::new();
/// assert!(lock.acquire(true, TIMEOUT_MAX).unwrap());
/// assert!(lock.acquire(true, TIMEOUT_MAX + 1.0).is_err());
/// ```
pub const TIMEOUT_MAX: f64 = 9_223_372_036.0;

/// Python's `threading.current_thread()`: the calling thread's [`Thread`].
///
/// For a thread not started by this module (and not the main thread) it is
/// a *dummy* thread named `Dummy-N`: alive, daemon, not joinable, as in
/// CPython; it leaves [`enumerate`] when its OS thread ends.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::{Thread, current_thread};
/// let t = Thread::new(|| assert!(current_thread().name().starts_with("Thread-")));
/// t.start().unwrap();
/// t.join(None).unwrap();
/// assert_eq!(current_thread(), current_thread()); // the same object
/// ```
pub fn current_thread() -> Thread {
    thread::current_thread()
}

/// Python's `threading.main_thread()`: the process's main thread, named
/// `MainThread`.
///
/// # Examples
/// A doc test runs on the main thread:
/// ```
/// use portalis_threading::python::threading::{current_thread, get_ident, main_thread};
/// let main = main_thread();
/// assert_eq!(main.name(), "MainThread");
/// assert_eq!(main, current_thread());
/// assert_eq!(main.ident(), Some(get_ident()));
/// assert!(!main.daemon());
/// ```
pub fn main_thread() -> Thread {
    thread::main_thread()
}

/// Python's `threading.active_count()`: how many threads are alive (the
/// main thread, started threads that have not finished, dummy threads);
/// equal to `enumerate().len()`.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::{active_count, enumerate};
/// assert!(active_count() >= 1);
/// assert!(enumerate().len() >= 1);
/// ```
pub fn active_count() -> usize {
    thread::active_count()
}

/// Python's `threading.enumerate()`: the live threads. A thread leaves it
/// before its `join` returns.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::{Thread, enumerate, main_thread};
/// assert!(enumerate().contains(&main_thread()));
/// let t = Thread::new(|| ());
/// t.start().unwrap();
/// t.join(None).unwrap();
/// assert!(!enumerate().contains(&t));
/// ```
pub fn enumerate() -> Vec<Thread> {
    thread::active()
}

/// Python's `threading.get_ident()`: a non-zero number identifying the
/// calling thread, unique among live threads (1 for the main thread).
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::{current_thread, get_ident};
/// assert_ne!(get_ident(), 0);
/// assert_eq!(Some(get_ident()), current_thread().ident());
/// ```
pub fn get_ident() -> u64 {
    thread::ident()
}

/// Python's `threading.get_native_id()`: the OS thread id (the TID on
/// Linux; where the OS does not tell, the [`get_ident`] value).
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::get_native_id;
/// let here = get_native_id();
/// let there = std::thread::spawn(get_native_id).join().unwrap();
/// assert_ne!(here, there);
/// ```
pub fn get_native_id() -> u64 {
    thread::native_id()
}

/// Python's `threading.ThreadError`, which is `RuntimeError`.
pub type ThreadError = crate::python::builtins::RuntimeError;

/// What [`excepthook`] receives: Python's `threading.ExceptHookArgs`.
///
/// # Examples
/// ```
/// use portalis_threading::python::builtins::Exception;
/// use portalis_threading::python::threading::ExceptHookArgs;
/// let args = ExceptHookArgs::new(Exception::new("ValueError", "run failed"), None);
/// assert_eq!(args.exc_type, "ValueError");
/// assert_eq!(args.exc_value.message(), "run failed");
/// ```
#[derive(Debug, Clone)]
pub struct ExceptHookArgs {
    /// The exception's class name (`exc_type.__name__`).
    pub exc_type: String,
    /// The exception.
    pub exc_value: Exception,
    /// The traceback: always `None`, since translated code has no Python
    /// frames (CPython's is the exception's `__traceback__`).
    pub exc_traceback: Option<String>,
    /// The thread that raised it, or `None`.
    pub thread: Option<Thread>,
}

impl ExceptHookArgs {
    /// The arguments for `exc_value` raised in `thread`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::Exception;
    /// use portalis_threading::python::threading::{ExceptHookArgs, current_thread};
    /// let args = ExceptHookArgs::new(Exception::new("E", ""), Some(current_thread()));
    /// assert_eq!(args.thread, Some(current_thread()));
    /// ```
    pub fn new(exc_value: Exception, thread: Option<Thread>) -> Self {
        Self {
            exc_type: exc_value.type_name().to_owned(),
            exc_value,
            exc_traceback: None,
            thread,
        }
    }
}

type Hook = Arc<dyn Fn(&ExceptHookArgs) -> Result<(), Exception> + Send + Sync>;

static HOOK: LazyLock<RwLock<Hook>> = LazyLock::new(|| RwLock::new(Arc::new(default_excepthook)));

/// Python's `threading.excepthook(args)`: calls the installed hook, which
/// [`set_excepthook`] replaces. A thread whose target raises calls it in
/// that thread.
///
/// # Errors
/// Whatever the installed hook raises.
///
/// # Examples
/// ```
/// use portalis_threading::python::builtins::SystemExit;
/// use portalis_threading::python::threading::{ExceptHookArgs, excepthook};
/// // The default hook ignores SystemExit (and prints anything else).
/// let args = ExceptHookArgs::new(SystemExit::new(Some(1)).into(), None);
/// excepthook(&args).unwrap();
/// ```
pub fn excepthook(args: &ExceptHookArgs) -> Result<(), Exception> {
    let hook = HOOK.read().clone();
    hook(args)
}

/// Installs `hook` as `threading.excepthook` (Python's assignment
/// `threading.excepthook = hook`); `set_excepthook(default_excepthook)`
/// restores the original, Python's `threading.__excepthook__`.
///
/// # Examples
/// ```
/// use portalis_threading::python::builtins::ValueError;
/// use portalis_threading::python::threading::{
///     ExceptHookArgs, Thread, default_excepthook, set_excepthook,
/// };
/// use std::sync::{Arc, Mutex};
///
/// let seen = Arc::new(Mutex::new(Vec::new()));
/// let s = seen.clone();
/// set_excepthook(move |args: &ExceptHookArgs| {
///     s.lock().unwrap().push(args.exc_value.message().to_owned());
///     Ok(())
/// });
/// let t = Thread::new(|| Err::<(), _>(ValueError::new("run failed")));
/// t.start().unwrap();
/// t.join(None).unwrap();
/// set_excepthook(default_excepthook);
/// assert_eq!(*seen.lock().unwrap(), ["run failed"]);
/// ```
pub fn set_excepthook<F>(hook: F)
where
    F: Fn(&ExceptHookArgs) -> Result<(), Exception> + Send + Sync + 'static,
{
    *HOOK.write() = Arc::new(hook);
}

/// Python's `threading.__excepthook__`, the default hook: ignores
/// `SystemExit`, and otherwise prints `Exception in thread NAME:`, a
/// traceback header and `Type: message` to standard error.
///
/// # Errors
/// Never; the `Result` matches the hook signature.
///
/// # Examples
/// ```
/// use portalis_threading::python::builtins::Exception;
/// use portalis_threading::python::threading::{ExceptHookArgs, default_excepthook};
/// // prints "Exception in thread ...:" and "ValueError: bad" to stderr
/// default_excepthook(&ExceptHookArgs::new(Exception::new("ValueError", "bad"), None)).unwrap();
/// ```
pub fn default_excepthook(args: &ExceptHookArgs) -> Result<(), Exception> {
    if args.exc_type == "SystemExit" {
        return Ok(());
    }
    let name = match &args.thread {
        Some(thread) => thread.name(),
        None => get_ident().to_string(),
    };
    let mut out = format!("Exception in thread {name}:\nTraceback (most recent call last):\n");
    match &args.exc_traceback {
        Some(tb) => out.push_str(tb),
        None => out.push_str("  (no Python frames: translated code)\n"),
    }
    out.push_str(&format_exception_only(
        &args.exc_type,
        args.exc_value.message(),
    ));
    eprint!("{out}");
    Ok(())
}

/// `traceback.format_exception_only`: `Type: message`, or `Type` alone.
fn format_exception_only(exc_type: &str, message: &str) -> String {
    let mut line = exc_type.to_owned();
    if !message.is_empty() {
        let _ = write!(line, ": {message}");
    }
    line.push('\n');
    line
}

/// Runs the hook for an exception that escaped a thread's `run`; a failing
/// hook is reported as CPython does.
pub(crate) fn invoke_excepthook(exc: Exception, thread: Option<Thread>) {
    let args = ExceptHookArgs::new(exc, thread);
    let result = catch_unwind(AssertUnwindSafe(|| excepthook(&args)))
        .unwrap_or_else(|payload| Err(Exception::from_panic(payload)));
    if let Err(failure) = result {
        eprint!(
            "Exception in threading.excepthook:\n{}",
            format_exception_only(failure.type_name(), failure.message())
        );
    }
}

pub(crate) static STACK_SIZE: AtomicUsize = AtomicUsize::new(0);

/// Python's `threading.stack_size([size])`: returns the stack size used
/// for new threads (0: the platform default) and, with `Some(size)`,
/// sets it for threads started afterwards.
///
/// # Errors
/// `ValueError("size not valid: N bytes")` for a size below 32 KiB other
/// than 0; nothing changes then.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::stack_size;
/// assert_eq!(stack_size(None).unwrap(), 0);
/// assert_eq!(stack_size(Some(1000)).unwrap_err().message(), "size not valid: 1000 bytes");
/// ```
pub fn stack_size(size: Option<usize>) -> Result<usize, ValueError> {
    let old = STACK_SIZE.load(Ordering::Relaxed);
    if let Some(size) = size {
        if size != 0 && size < 32 * 1024 {
            return Err(ValueError::new(format!("size not valid: {size} bytes")));
        }
        STACK_SIZE.store(size, Ordering::Relaxed);
    }
    Ok(old)
}

type AtExit = Box<dyn FnOnce() + Send>;

/// Callbacks run by [`shutdown`] before it joins threads (CPython's
/// `threading._register_atexit`); `None` once shutdown has begun.
static AT_EXIT: Mutex<Option<Vec<AtExit>>> = Mutex::new(Some(Vec::new()));

/// Registers `f` to run at [`shutdown`], before non-daemon threads are
/// joined; returns false (and drops `f`) if shutdown has already begun.
pub(crate) fn register_atexit(f: AtExit) -> bool {
    match &mut *AT_EXIT.lock() {
        Some(calls) => {
            calls.push(f);
            true
        }
        None => false,
    }
}

/// What CPython does when the main thread finishes (`threading._shutdown`):
/// marks the main thread stopped (so threads joining it return), runs the
/// registered exit callbacks (every `ThreadPoolExecutor` finishes its
/// queued work and joins its workers, and refuses new work), then joins
/// every non-daemon thread, including ones started meanwhile. Daemon
/// threads are left running; they end with the process.
///
/// A Rust program ends when `main` returns, whatever other threads are
/// doing, so a translated program calls this at the end of `main` to get
/// Python's exit behaviour. Calling it again does nothing.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::{Thread, shutdown};
/// use std::sync::atomic::{AtomicBool, Ordering};
/// use std::sync::Arc;
///
/// let done = Arc::new(AtomicBool::new(false));
/// let d = done.clone();
/// let t = Thread::builder()
///     .target(move || {
///         std::thread::sleep(std::time::Duration::from_millis(50));
///         d.store(true, Ordering::SeqCst);
///     })
///     .daemon(false)
///     .build();
/// t.start().unwrap();
/// shutdown(); // joins t, as the interpreter would at exit
/// assert!(done.load(Ordering::SeqCst));
/// ```
pub fn shutdown() {
    if !main_thread().stop_main() {
        return;
    }
    let calls = AT_EXIT.lock().take().unwrap_or_default();
    for call in calls.into_iter().rev() {
        let _ = catch_unwind(AssertUnwindSafe(call));
    }
    let me = current_thread();
    loop {
        let pending: Vec<Thread> = enumerate()
            .into_iter()
            .filter(|t| t.is_normal() && !t.daemon() && *t != me && !t.is_main())
            .collect();
        if pending.is_empty() {
            break;
        }
        for t in pending {
            let _ = t.join(None);
        }
    }
}
