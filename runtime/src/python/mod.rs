//! CPython's `threading`, `queue` and `concurrent.futures`, with CPython's
//! observable behaviour, for code translated from Python.
//!
//! The modules are named after Python's: [`threading`](crate::python::threading), [`queue`](crate::python::queue),
//! [`concurrent_futures`](crate::python::concurrent_futures), and [`builtins`](crate::python::builtins) for the built-in exceptions they
//! raise. `docs/python-mapping.md` maps every Python member to its Rust item.
//!
//! Everything here is built on the runtime's own primitives: Python's `Lock`
//! is the runtime [`Lock`](crate::Lock), `RLock` is an owner and a count over
//! it, `Condition` is the runtime's first-in, first-out
//! [`Condvar`](crate::Condvar) over either (through
//! [`CondvarLock`](crate::CondvarLock)), `Semaphore`, `Barrier` and `Event`
//! wrap the runtime's, `SimpleQueue` is an [`unbounded`](crate::unbounded)
//! channel, and `ThreadPoolExecutor` runs on a [`ThreadPool`](crate::ThreadPool)
//! whose threads come from a [`ThreadingBackend`](crate::ThreadingBackend)
//! that registers them as Python threads.
//!
//! # Conventions
//! - **Timeouts** are a [`Timeout`](crate::python::Timeout): Python's `None` or a float number of
//!   seconds, negative values included, because CPython treats those
//!   differently per API (a `ValueError` for `Queue.get`, "expired" for
//!   `Semaphore.acquire`, "wait forever" for `Lock.acquire(timeout=-1)`).
//!   Anything that converts into a `Timeout` is accepted: `None`, `0.5`, `2`,
//!   a [`Duration`](std::time::Duration).
//! - **Exceptions** are typed errors named after the Python class
//!   ([`queue::Empty`](crate::python::queue::Empty), [`threading::BrokenBarrierError`](crate::python::threading::BrokenBarrierError),
//!   [`builtins::RuntimeError`](crate::python::builtins::RuntimeError) with CPython's message, ...). An operation
//!   that can raise several classes returns an enum whose variants are named
//!   after them. Every one of them converts into [`builtins::Exception`](crate::python::builtins::Exception),
//!   the type of "an exception raised by user code", so `?` works in thread
//!   targets and tasks.
//! - **Raising in user code**: a target or task returns `Err(exception)`, or
//!   panics. A panic becomes an [`Exception`](crate::python::builtins::Exception) whose type
//!   is `"Panic"` (or the `Exception` itself, for
//!   `std::panic::panic_any(exception)`).
//! - **Objects** that Python shares by reference are shared with `Arc` (or,
//!   for [`threading::Thread`](crate::python::threading::Thread) and [`concurrent_futures::Future`](crate::python::concurrent_futures::Future), which
//!   Python code passes around freely, are cheap handles: cloning one gives
//!   the same object, and `==` is Python's `is`).
//!
//! # Example
//! ```
//! use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
//! use portalis_threading::python::queue::Queue;
//! use portalis_threading::python::threading::Thread;
//! use std::sync::Arc;
//!
//! // q = queue.Queue(); t = Thread(target=lambda: q.put(42)); t.start(); t.join()
//! let q = Arc::new(Queue::new(0));
//! let q2 = q.clone();
//! let t = Thread::new(move || q2.put(42, true, None));
//! t.start().unwrap();
//! t.join(None).unwrap();
//! assert_eq!(q.get(true, None).unwrap(), 42);
//!
//! // with ThreadPoolExecutor(2) as ex: ex.submit(pow, 2, 8).result()
//! let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
//! assert_eq!(ex.submit(|| 2i64.pow(8)).unwrap().result(None).unwrap(), 256);
//! ```

mod call;
mod timeout;

pub mod builtins;
pub mod concurrent_futures;
pub mod queue;
pub mod threading;

pub use self::call::{Call, Outcome};
pub use self::timeout::Timeout;

/// The last path segment of a type name, without generic arguments:
/// `a::b::Foo<c::D>` is `Foo`; a closure is `<lambda>`, as in Python.
pub(crate) fn short_type_name(full: &str) -> String {
    let mut s = full;
    // Drop trailing generic arguments, balanced from the end.
    if s.ends_with('>') {
        let mut depth = 0usize;
        for (i, c) in s.char_indices().rev() {
            match c {
                '>' => depth += 1,
                '<' => {
                    depth -= 1;
                    if depth == 0 {
                        s = &s[..i];
                        break;
                    }
                }
                _ => {}
            }
        }
    }
    let last = s.rsplit("::").next().unwrap_or(s);
    if last == "{{closure}}" {
        "<lambda>".to_owned()
    } else {
        last.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::short_type_name;

    #[test]
    fn short_names() {
        assert_eq!(short_type_name("a::b::Foo"), "Foo");
        assert_eq!(short_type_name("a::b::Foo<c::D<e::F>>"), "Foo");
        assert_eq!(short_type_name("a::f::{{closure}}"), "<lambda>");
        assert_eq!(short_type_name("i32"), "i32");
    }
}
