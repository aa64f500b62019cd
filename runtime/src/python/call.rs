//! Calling translated Python callables: `target(*args)` and what a target's
//! return value means.

use crate::python::builtins::Exception;

/// A callable applied to a tuple of positional arguments, Python's
/// `f(*args)`.
///
/// Implemented for every `FnOnce` of up to six arguments, with the
/// arguments as a tuple: `Call<(A, B)>` for `FnOnce(A, B) -> R`. It lets
/// `Thread(target=f, args=(1, 2))` keep `f` as a named function (so the
/// thread is named `Thread-N (f)`) instead of a closure.
///
/// # Examples
/// ```
/// use portalis_threading::python::Call;
///
/// fn pow(x: i64, y: u32) -> i64 {
///     x.pow(y)
/// }
/// // pow(*(2, 8))
/// assert_eq!(pow.call((2, 8)), 256);
/// assert_eq!((|| 7).call(()), 7);
/// ```
pub trait Call<Args>: Send + 'static {
    /// What the callable returns.
    type Output;

    /// Calls `self(*args)`.
    fn call(self, args: Args) -> Self::Output;
}

macro_rules! impl_call {
    ($($arg:ident),*) => {
        impl<F, R, $($arg),*> Call<($($arg,)*)> for F
        where
            F: FnOnce($($arg),*) -> R + Send + 'static,
        {
            type Output = R;

            #[allow(non_snake_case, reason = "the type names double as bindings")]
            fn call(self, ($($arg,)*): ($($arg,)*)) -> R {
                self($($arg),*)
            }
        }
    };
}

impl_call!();
impl_call!(A);
impl_call!(A, B);
impl_call!(A, B, C);
impl_call!(A, B, C, D);
impl_call!(A, B, C, D, E);
impl_call!(A, B, C, D, E, G);

/// What a thread target or `run` returned, as Python sees it: nothing, or
/// an exception.
///
/// Python discards a target's return value and hands an escaping exception
/// to [`excepthook`](crate::python::threading::excepthook). A Rust target
/// returns `()` or a `Result` whose error converts into an
/// [`Exception`]; the `Ok` value is discarded.
///
/// # Examples
/// ```
/// use portalis_threading::python::Outcome;
/// use portalis_threading::python::builtins::ValueError;
///
/// assert!(().into_outcome().is_ok());
/// let raised: Result<u8, ValueError> = Err(ValueError::new("bad"));
/// assert_eq!(raised.into_outcome().unwrap_err().type_name(), "ValueError");
/// ```
pub trait Outcome {
    /// `Ok(())` for a normal return, `Err` for an exception.
    fn into_outcome(self) -> Result<(), Exception>;
}

impl Outcome for () {
    fn into_outcome(self) -> Result<(), Exception> {
        Ok(())
    }
}

impl<T, E: Into<Exception>> Outcome for Result<T, E> {
    fn into_outcome(self) -> Result<(), Exception> {
        self.map(drop).map_err(Into::into)
    }
}
