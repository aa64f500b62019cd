//! Python's built-in exceptions that the concurrency modules raise, the
//! [`Exception`] type for exceptions raised by user code, and Python's
//! truth-value test ([`Truthy`]).
//!
//! Each exception class is its own type, whose `Display` is what Python's
//! `str(e)` prints. All of them (and every `std::error::Error`) convert into
//! [`Exception`], so a function returning `Result<_, Exception>` can use
//! `?` on any of them, as Python code lets any exception propagate.

use std::any::Any;
use std::borrow::Cow;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

use crate::python::short_type_name;

/// An exception raised by user code: a thread target, a task, a callback, a
/// barrier action. It carries its Python class name and its message, and
/// keeps the original error for [`downcast_ref`](Self::downcast_ref).
///
/// Cloning gives the *same* exception: `==` is Python's `is`, so
/// `future.result()` re-raises an object identical to the one the task
/// raised (API.md §1.4).
///
/// Like `anyhow::Error`, `Exception` does not implement
/// `std::error::Error` itself, so that every error converts into it with
/// `?`. The errors of this module tree convert keeping the class of their
/// variant (a [`GetError::Empty`](crate::python::queue::GetError) becomes an
/// `Empty`), and an `Exception` inside one (a task's exception in a
/// [`ResultError`](crate::python::concurrent_futures::ResultError)) comes
/// back as itself.
///
/// A panic becomes an `Exception` of type `"Panic"` with the panic's
/// message; `std::panic::panic_any(exception)` (or
/// [`raise`](Self::raise)) carries an `Exception` through a panic unchanged.
///
/// # Examples
/// ```
/// use portalis_threading::python::builtins::{Exception, ValueError};
///
/// // raise ZeroDivisionError("division by zero")
/// let e = Exception::new("ZeroDivisionError", "division by zero");
/// assert_eq!(e.type_name(), "ZeroDivisionError");
/// assert_eq!(e.to_string(), "division by zero");
/// assert_eq!(e.clone(), e); // the same object
///
/// // except ValueError as v: ...
/// fn parse() -> Result<i32, Exception> {
///     Err(ValueError::new("bad"))?
/// }
/// let raised = parse().unwrap_err();
/// assert!(raised.is::<ValueError>());
/// assert_eq!(raised.downcast_ref::<ValueError>().unwrap().message(), "bad");
/// ```
#[derive(Clone)]
pub struct Exception(Arc<ExceptionInner>);

struct ExceptionInner {
    type_name: Cow<'static, str>,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync>>,
}

impl Exception {
    /// The type name a panic gets.
    pub const PANIC: &'static str = "Panic";

    /// An exception of class `type_name` with `message` (Python's
    /// `TypeName(message)`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::Exception;
    /// let e = Exception::new("KeyError", "'a'");
    /// assert_eq!(format!("{e:?}"), "KeyError(\"'a'\")");
    /// ```
    pub fn new(type_name: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Exception(Arc::new(ExceptionInner {
            type_name: type_name.into(),
            message: message.into(),
            source: None,
        }))
    }

    /// Wraps a Rust error; its class name is the error type's name
    /// (`std::num::ParseIntError` is `ParseIntError`). The same conversion
    /// backs `From`, and therefore `?`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::Exception;
    /// let e = Exception::from_error("x".parse::<i32>().unwrap_err());
    /// assert_eq!(e.type_name(), "ParseIntError");
    /// assert!(e.is::<std::num::ParseIntError>());
    /// ```
    pub fn from_error<E: StdError + Send + Sync + 'static>(error: E) -> Self {
        let type_name = short_type_name(std::any::type_name::<E>());
        Exception(Arc::new(ExceptionInner {
            type_name: type_name.into(),
            message: error.to_string(),
            source: Some(Box::new(error)),
        }))
    }

    /// The exception a caught panic stands for: the `Exception` itself if
    /// the payload is one (see [`raise`](Self::raise)), else an exception of
    /// type [`PANIC`](Self::PANIC) with the panic's message.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::Exception;
    /// let payload = std::panic::catch_unwind(|| panic!("boom")).unwrap_err();
    /// let e = Exception::from_panic(payload);
    /// assert_eq!((e.type_name(), e.message()), ("Panic", "boom"));
    /// ```
    pub fn from_panic(payload: Box<dyn Any + Send>) -> Self {
        match payload.downcast::<Exception>() {
            Ok(e) => *e,
            Err(payload) => Exception::new(Self::PANIC, crate::panic::message(&*payload)),
        }
    }

    /// Raises this exception from code that cannot return a `Result`: it
    /// unwinds (without running the panic hook) to the nearest thread,
    /// task or callback boundary of this module tree, which receives this
    /// very exception.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::Exception;
    /// use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
    ///
    /// let e = Exception::new("KeyError", "k");
    /// let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    /// let raised = e.clone();
    /// let f = ex.submit(move || -> i32 { raised.raise() }).unwrap();
    /// assert_eq!(f.exception(None).unwrap(), Some(e));
    /// ```
    pub fn raise(self) -> ! {
        std::panic::resume_unwind(Box::new(self))
    }

    /// The Python class name (`type(e).__name__`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::{Exception, RuntimeError};
    /// let e: Exception = RuntimeError::new("release unlocked lock").into();
    /// assert_eq!(e.type_name(), "RuntimeError");
    /// ```
    pub fn type_name(&self) -> &str {
        &self.0.type_name
    }

    /// The message, Python's `str(e)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::Exception;
    /// assert_eq!(Exception::new("ValueError", "run failed").message(), "run failed");
    /// ```
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// Whether the exception wraps an `E` (Python's `isinstance` for a
    /// wrapped Rust error).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::{Exception, TimeoutError};
    /// let e = Exception::from(TimeoutError::new(""));
    /// assert!(e.is::<TimeoutError>());
    /// ```
    pub fn is<E: StdError + 'static>(&self) -> bool {
        self.downcast_ref::<E>().is_some()
    }

    /// The wrapped error, if it is an `E`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::{Exception, ValueError};
    /// let e = Exception::from(ValueError::new("n must be one or more"));
    /// assert_eq!(e.downcast_ref::<ValueError>().unwrap().message(), "n must be one or more");
    /// ```
    pub fn downcast_ref<E: StdError + 'static>(&self) -> Option<&E> {
        self.0.source.as_deref()?.downcast_ref::<E>()
    }

    /// Whether `self` and `other` are the same exception object (Python's
    /// `is`; also what `==` compares).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::Exception;
    /// let a = Exception::new("E", "x");
    /// assert!(a.is_same(&a.clone()));
    /// assert!(!a.is_same(&Exception::new("E", "x")));
    /// ```
    pub fn is_same(&self, other: &Exception) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl PartialEq for Exception {
    fn eq(&self, other: &Self) -> bool {
        self.is_same(other)
    }
}

impl Eq for Exception {}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl fmt::Debug for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({:?})", self.0.type_name, self.0.message)
    }
}

impl<E: StdError + Send + Sync + 'static> From<E> for Exception {
    fn from(error: E) -> Self {
        Exception::from_error(error)
    }
}

impl From<Exception> for Box<dyn StdError + Send + Sync> {
    fn from(e: Exception) -> Self {
        match Arc::try_unwrap(e.0) {
            Ok(ExceptionInner {
                source: Some(source),
                ..
            }) => source,
            Ok(inner) => Box::new(Raised(Exception(Arc::new(inner)))),
            Err(shared) => Box::new(Raised(Exception(shared))),
        }
    }
}

/// An [`Exception`] as a `std::error::Error`.
struct Raised(Exception);

impl fmt::Debug for Raised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for Raised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.0.type_name(), self.0.message())
    }
}

impl StdError for Raised {}

/// `Display`, `Error` for an exception struct with a `message` field.
macro_rules! message_exception {
    ($name:ident) => {
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.message)
            }
        }

        impl ::std::error::Error for $name {}
    };
}
pub(crate) use message_exception;

/// Python's `RuntimeError`: misuse of a lock, condition, thread or
/// executor, with CPython's message (`"release unlocked lock"`,
/// `"cannot join current thread"`, ...). `threading.ThreadError` is this
/// class ([`ThreadError`](crate::python::threading::ThreadError)).
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Lock;
/// let err = Lock::new().release().unwrap_err();
/// assert_eq!(err.message(), "release unlocked lock");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeError {
    message: Cow<'static, str>,
}

impl RuntimeError {
    /// A `RuntimeError(message)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::RuntimeError;
    /// assert_eq!(RuntimeError::new("x").to_string(), "x");
    /// ```
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message (`str(e)`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::RuntimeError;
    /// assert_eq!(RuntimeError::new("x").message(), "x");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

message_exception!(RuntimeError);

/// Python's `ValueError`: a bad argument value, with CPython's message
/// (`"semaphore initial value must be >= 0"`, `"'timeout' must be a
/// non-negative number"`, ...).
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Semaphore;
/// let err = Semaphore::new(-1).unwrap_err();
/// assert_eq!(err.message(), "semaphore initial value must be >= 0");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    message: Cow<'static, str>,
}

impl ValueError {
    /// A `ValueError(message)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::ValueError;
    /// assert_eq!(ValueError::new("bad").to_string(), "bad");
    /// ```
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message (`str(e)`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::ValueError;
    /// assert_eq!(ValueError::new("bad").message(), "bad");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

message_exception!(ValueError);

/// Python's `OverflowError`: a lock timeout above
/// [`TIMEOUT_MAX`](crate::python::threading::TIMEOUT_MAX).
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::{AcquireError, Lock};
/// let err = Lock::new().acquire(true, 1e100).unwrap_err();
/// assert!(matches!(err, AcquireError::OverflowError(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OverflowError {
    message: Cow<'static, str>,
}

impl OverflowError {
    /// An `OverflowError(message)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::OverflowError;
    /// assert_eq!(OverflowError::new("too large").to_string(), "too large");
    /// ```
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message (`str(e)`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::OverflowError;
    /// assert_eq!(OverflowError::new("too large").message(), "too large");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

message_exception!(OverflowError);

/// Python's built-in `TimeoutError`, which is also
/// `concurrent.futures.TimeoutError` (3.11+): a future's result, `wait`,
/// `as_completed` or `Executor.map` ran out of time.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::{Future, ResultError};
/// let f = Future::<i32>::new();
/// assert!(matches!(f.result(0.01), Err(ResultError::TimeoutError(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeoutError {
    message: Cow<'static, str>,
}

impl TimeoutError {
    /// A `TimeoutError(message)`; CPython's futures raise it with an empty
    /// message, `as_completed` with `"N (of M) futures unfinished"`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::TimeoutError;
    /// assert_eq!(TimeoutError::new("").to_string(), "");
    /// ```
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message (`str(e)`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::TimeoutError;
    /// assert_eq!(TimeoutError::new("1 (of 2) futures unfinished").message(), "1 (of 2) futures unfinished");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

message_exception!(TimeoutError);

/// Python's `AttributeError`: reading an attribute of a
/// [`threading::Local`](crate::python::threading::Local) that this thread
/// never set.
///
/// # Examples
/// ```
/// use portalis_threading::python::threading::Local;
/// let local: Local<i32> = Local::new();
/// assert_eq!(
///     local.get().unwrap_err().message(),
///     "'_thread._local' object has no attribute"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttributeError {
    message: Cow<'static, str>,
}

impl AttributeError {
    /// An `AttributeError(message)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::AttributeError;
    /// assert_eq!(AttributeError::new("nope").to_string(), "nope");
    /// ```
    pub fn new(message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            message: message.into(),
        }
    }

    /// The message (`str(e)`).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::AttributeError;
    /// assert_eq!(AttributeError::new("nope").message(), "nope");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }
}

message_exception!(AttributeError);

/// Python's `SystemExit`, what `sys.exit(code)` raises. A thread whose
/// target raises it ends silently: the default
/// [`excepthook`](crate::python::threading::excepthook) ignores it.
///
/// # Examples
/// ```
/// use portalis_threading::python::builtins::SystemExit;
/// // sys.exit(1)
/// let e = SystemExit::new(Some(1));
/// assert_eq!((e.code(), e.to_string()), (Some(1), "1".to_owned()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SystemExit {
    code: Option<i64>,
}

impl SystemExit {
    /// `SystemExit(code)`; `None` is `sys.exit()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::SystemExit;
    /// assert_eq!(SystemExit::new(None).to_string(), "");
    /// ```
    pub fn new(code: Option<i64>) -> Self {
        Self { code }
    }

    /// The exit code.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::builtins::SystemExit;
    /// assert_eq!(SystemExit::new(Some(3)).code(), Some(3));
    /// ```
    pub fn code(&self) -> Option<i64> {
        self.code
    }
}

impl fmt::Display for SystemExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(code) => write!(f, "{code}"),
            None => Ok(()),
        }
    }
}

impl StdError for SystemExit {}

/// Python's truth-value test, `bool(x)`: what `Condition.wait_for` uses on
/// its predicate's value (which it returns unchanged).
///
/// Numbers are true unless zero; strings and collections unless empty;
/// `Option` when `Some`, whatever it holds (Python's `None` is false and an
/// object is true); `()` is false.
///
/// # Examples
/// ```
/// use portalis_threading::python::builtins::Truthy;
/// assert!(7.is_truthy());
/// assert!(!"".is_truthy());
/// assert!(!0.0.is_truthy());
/// assert!(Some(0).is_truthy());
/// assert!(!None::<i32>.is_truthy());
/// ```
pub trait Truthy {
    /// `bool(self)`.
    fn is_truthy(&self) -> bool;
}

impl Truthy for bool {
    fn is_truthy(&self) -> bool {
        *self
    }
}

macro_rules! truthy_number {
    ($($t:ty),*) => {$(
        impl Truthy for $t {
            #[allow(clippy::float_cmp, reason = "Python's bool() compares with zero exactly")]
            fn is_truthy(&self) -> bool {
                *self != (0 as $t)
            }
        }
    )*};
}

truthy_number!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64
);

impl Truthy for str {
    fn is_truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl Truthy for String {
    fn is_truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl<T> Truthy for Vec<T> {
    fn is_truthy(&self) -> bool {
        !self.is_empty()
    }
}

impl<T> Truthy for Option<T> {
    fn is_truthy(&self) -> bool {
        self.is_some()
    }
}

impl Truthy for () {
    fn is_truthy(&self) -> bool {
        false
    }
}

impl<T: Truthy + ?Sized> Truthy for &T {
    fn is_truthy(&self) -> bool {
        (**self).is_truthy()
    }
}
