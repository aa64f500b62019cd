//! Workers: start a task on a new thread and join it.

use std::fmt;
use std::time::Duration;

use portalis_threading::Result;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Task;
use crate::sys::{self, Wait};

/// Starts `task` with `input` on a new worker and returns its handle.
///
/// On a component the worker is a fresh instance on its own host thread and
/// `input` is copied to it; where memory is shared it is a thread and
/// `input` moves. A panic in the task is [`Error::Panicked`] at
/// [`join`](JoinHandle::join).
///
/// # Errors
/// [`Error::UnknownEntry`] if the task is not listed in the program's
/// [`tasks!`](crate::tasks) (components); [`Error::Limit`] if the run may not
/// start another worker.
///
/// [`Error::Panicked`]: portalis_threading::Error::Panicked
/// [`Error::UnknownEntry`]: portalis_threading::Error::UnknownEntry
/// [`Error::Limit`]: portalis_threading::Error::Limit
///
/// # Examples
/// ```
/// portalis_threading_guest::task! {
///     fn square(x: u64) -> u64 { x * x }
/// }
/// let h = portalis_threading_guest::spawn(square, 12).unwrap();
/// assert_eq!(h.join().unwrap(), 144);
/// ```
pub fn spawn<T: Task>(task: T, input: T::Input) -> Result<JoinHandle<T::Output>> {
    Builder::new().spawn(task, input)
}

/// Configures a worker before starting it.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    name: Option<String>,
}

impl Builder {
    /// A builder for an unnamed worker.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names the worker (shown in errors and by the host).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Starts `task` with `input`; see [`spawn`].
    ///
    /// # Errors
    /// As [`spawn`].
    pub fn spawn<T: Task>(self, _task: T, input: T::Input) -> Result<JoinHandle<T::Output>> {
        Ok(JoinHandle {
            raw: sys::RawThread::spawn::<T>(input, self.name)?,
            joined: false,
        })
    }
}

/// A running worker; join it for the task's output, once. Dropping the
/// handle detaches the worker.
#[must_use = "dropping a JoinHandle detaches the worker"]
pub struct JoinHandle<R> {
    raw: sys::RawThread<R>,
    joined: bool,
}

impl<R: Serialize + DeserializeOwned + Send + 'static> JoinHandle<R> {
    /// Waits for the task and returns its output.
    ///
    /// # Errors
    /// [`Error::Panicked`](portalis_threading::Error::Panicked) with the
    /// message if the task panicked or trapped.
    pub fn join(mut self) -> Result<R> {
        self.join_with(Wait::Forever)
    }

    /// Waits at most `timeout`; on
    /// [`Error::Timeout`](portalis_threading::Error::Timeout) the worker goes
    /// on and the handle can wait again.
    ///
    /// # Errors
    /// `Timeout`, or as [`join`](Self::join);
    /// [`Error::InvalidState`](portalis_threading::Error::InvalidState) once
    /// the output was taken.
    pub fn join_timeout(&mut self, timeout: Duration) -> Result<R> {
        self.join_with(Wait::Timeout(timeout))
    }

    /// The output if the task has finished.
    ///
    /// # Errors
    /// [`Error::WouldBlock`](portalis_threading::Error::WouldBlock) if it
    /// has not, or as [`join_timeout`](Self::join_timeout).
    pub fn try_join(&mut self) -> Result<R> {
        self.join_with(Wait::Immediate)
    }

    fn join_with(&mut self, wait: Wait) -> Result<R> {
        if self.joined {
            return Err(portalis_threading::Error::InvalidState(
                "the worker was already joined".into(),
            ));
        }
        let result = self.raw.join(wait);
        if !matches!(
            result,
            Err(portalis_threading::Error::Timeout | portalis_threading::Error::WouldBlock)
        ) {
            self.joined = true;
        }
        result
    }

    /// Whether the task has finished.
    pub fn is_finished(&self) -> bool {
        self.raw.is_finished()
    }

    /// The worker's id, unique within the run.
    pub fn id(&self) -> u64 {
        self.raw.id()
    }

    /// The name given with [`Builder::name`], if any.
    pub fn name(&self) -> Option<String> {
        self.raw.name()
    }
}

impl<R> fmt::Debug for JoinHandle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").finish_non_exhaustive()
    }
}

/// The calling worker's id: 0 for the program's main, unique within a run.
pub fn current_id() -> u64 {
    sys::current_id()
}

/// How many workers can run in parallel (at least 1).
pub fn available_parallelism() -> usize {
    sys::available_parallelism()
}

/// Suspends the calling worker for `duration`.
///
/// # Errors
/// [`Error::Unsupported`](portalis_threading::Error::Unsupported) where the
/// calling thread must not block (a browser's main thread).
pub fn sleep(duration: Duration) -> Result<()> {
    sys::sleep(duration)
}

/// Lets other threads run first.
pub fn yield_now() {
    sys::yield_now();
}
