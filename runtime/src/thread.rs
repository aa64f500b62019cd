//! Threads: a builder with name and stack size, join with a timeout, detach,
//! and panics returned as errors.

use std::fmt;
use std::num::NonZeroUsize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use crate::backend::{NativeBackend, ThreadOptions, ThreadingBackend};
use crate::channel::oneshot::{OneshotReceiver, oneshot};
use crate::{Error, Result, panic};

type Outcome<T> = std::result::Result<T, String>;

/// Configures and starts a thread.
///
/// # Examples
/// ```
/// use portalis_threading::thread::Builder;
///
/// let h = Builder::new()
///     .name("worker-1")
///     .stack_size(256 * 1024)
///     .spawn(|| std::thread::current().name().map(str::to_owned))
///     .unwrap();
/// assert_eq!(h.join().unwrap().as_deref(), Some("worker-1"));
/// ```
#[derive(Debug, Clone, Default)]
pub struct Builder {
    options: ThreadOptions,
}

impl Builder {
    /// A builder with no name and the default stack size.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names the thread.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.options.name = Some(name.into());
        self
    }

    /// Sets the stack size in bytes.
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.options.stack_size = Some(bytes);
        self
    }

    /// Starts `f` on a native thread.
    ///
    /// # Errors
    /// [`Error::Limit`] if the operating system refuses a thread.
    pub fn spawn<F, T>(self, f: F) -> Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.spawn_on(&NativeBackend, f)
    }

    /// Starts `f` on a thread from `backend`.
    ///
    /// # Errors
    /// The backend's error if it cannot start a thread.
    pub fn spawn_on<B, F, T>(self, backend: &B, f: F) -> Result<JoinHandle<T>>
    where
        B: ThreadingBackend + Clone + 'static,
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = oneshot::<Outcome<T>>();
        let main = Box::new(move || {
            let outcome =
                catch_unwind(AssertUnwindSafe(f)).map_err(|payload| panic::message(&*payload));
            // The joiner may be gone (detached): then nobody wants the result.
            let _ = tx.send(outcome);
        });
        let thread = backend.spawn(&self.options, main)?;
        let backend = backend.clone();
        Ok(JoinHandle {
            result: rx,
            reaper: Some(Box::new(move || backend.join(thread))),
            name: self.options.name,
            joined: false,
        })
    }
}

/// Starts `f` on a new native thread.
///
/// # Panics
/// If the operating system refuses a thread, as `std::thread::spawn` does;
/// use [`Builder::spawn`] to get an error instead.
///
/// # Examples
/// ```
/// let h = portalis_threading::thread::spawn(|| 6 * 7);
/// assert_eq!(h.join(), Ok(42));
/// ```
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    Builder::new()
        .spawn(f)
        .unwrap_or_else(|e| panic!("failed to spawn thread: {e}"))
}

/// How many threads can usefully run at once on this machine (at least 1).
///
/// On `wasm32-wasip1-threads`, where the OS cannot be asked, this reads
/// [`PARALLELISM_ENV`](crate::PARALLELISM_ENV), which the host sets.
pub fn available_parallelism() -> NonZeroUsize {
    NativeBackend.available_parallelism()
}

/// Suspends the calling thread for `duration`.
pub fn sleep(duration: Duration) {
    NativeBackend.sleep(duration);
}

type Reaper = Box<dyn FnOnce() -> Result<()> + Send>;

/// An owned permission to join a thread and take its result.
///
/// Dropping it detaches the thread. A panic in the thread is caught and
/// returned by `join` as [`Error::Panicked`] with the panic's message.
#[must_use = "dropping a JoinHandle detaches the thread; call `join` or `detach`"]
pub struct JoinHandle<T> {
    result: OneshotReceiver<Outcome<T>>,
    reaper: Option<Reaper>,
    name: Option<String>,
    joined: bool,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish and returns its result.
    ///
    /// # Errors
    /// [`Error::Panicked`] if the thread panicked; [`Error::InvalidState`] if
    /// the result was already taken by [`join_timeout`](Self::join_timeout).
    pub fn join(mut self) -> Result<T> {
        self.join_until(None)
    }

    /// Waits at most `timeout` for the thread. On [`Error::Timeout`] the
    /// thread keeps running and the handle can be joined again.
    ///
    /// # Errors
    /// [`Error::Timeout`], or as for [`join`](Self::join).
    pub fn join_timeout(&mut self, timeout: Duration) -> Result<T> {
        self.join_until(crate::deadline::after(timeout))
    }

    /// As [`join_timeout`](Self::join_timeout), with a deadline.
    ///
    /// # Errors
    /// As for [`join_timeout`](Self::join_timeout).
    pub fn join_deadline(&mut self, deadline: Instant) -> Result<T> {
        self.join_until(Some(deadline))
    }

    /// Whether the thread has finished running its closure.
    pub fn is_finished(&self) -> bool {
        self.joined || self.result.is_ready()
    }

    /// The thread's name, if it was given one.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Lets the thread run on its own; its result is discarded.
    pub fn detach(self) {}

    fn join_until(&mut self, deadline: Option<Instant>) -> Result<T> {
        if self.joined {
            return Err(Error::InvalidState("thread already joined".into()));
        }
        let outcome = match deadline {
            None => self.result.recv(),
            Some(d) => self.result.recv_deadline(d),
        };
        let outcome = match outcome {
            Err(Error::Timeout) => return Err(Error::Timeout),
            Err(_) => Err("thread exited without a result".to_owned()),
            Ok(outcome) => outcome,
        };
        self.joined = true;
        if let Some(reap) = self.reaper.take() {
            // The closure has returned, so this wait is short.
            reap()?;
        }
        outcome.map_err(Error::Panicked)
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("name", &self.name)
            .field("finished", &self.is_finished())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;

    #[test]
    fn panic_is_an_error_with_its_message() {
        let h = spawn(|| -> u8 { panic!("boom {}", 1) });
        assert_eq!(h.join(), Err(Error::Panicked("boom 1".into())));
    }

    #[test]
    fn join_timeout_leaves_the_handle_usable() {
        let (tx, rx) = crate::bounded::<()>(0);
        let mut h = spawn(move || rx.recv().is_ok());
        assert_eq!(
            h.join_timeout(Duration::from_millis(10)),
            Err(Error::Timeout)
        );
        assert!(!h.is_finished());
        tx.send(()).unwrap();
        assert_eq!(h.join_timeout(Duration::from_secs(10)), Ok(true));
        assert!(h.is_finished());
        assert!(matches!(
            h.join_timeout(Duration::ZERO),
            Err(Error::InvalidState(_))
        ));
    }

    #[test]
    fn name_and_stack_size_are_applied() {
        let h = Builder::new()
            .name("named")
            .stack_size(64 * 1024)
            .spawn(|| std::thread::current().name().unwrap().to_owned())
            .unwrap();
        assert_eq!(h.name(), Some("named"));
        assert_eq!(h.join().unwrap(), "named");
    }

    #[test]
    fn detached_thread_still_runs() {
        let (tx, rx) = crate::bounded(1);
        spawn(move || tx.send(5).unwrap()).detach();
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(5));
    }

    #[test]
    fn parallelism_is_at_least_one() {
        assert!(available_parallelism().get() >= 1);
    }
}
