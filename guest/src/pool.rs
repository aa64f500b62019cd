//! Pools of workers that run tasks.

use std::fmt;
use std::time::Duration;

use portalis_threading::{Result, TaskState};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Task;
use crate::handle::handle;
use crate::sys::{self, Wait};

/// A pool of workers; on a component each keeps a warm instance, so a task
/// costs a call, not an instantiation.
///
/// # Examples
/// ```
/// portalis_threading_guest::task! {
///     fn triple(x: u32) -> u32 { x * 3 }
/// }
/// let pool = portalis_threading_guest::ThreadPool::new(2).unwrap();
/// assert_eq!(pool.map(triple, vec![1, 2, 3]).unwrap(), [3, 6, 9]);
/// let task = pool.submit(triple, 5).unwrap();
/// assert_eq!(task.wait().unwrap(), 15);
/// pool.shutdown().unwrap();
/// ```
pub struct ThreadPool {
    raw: sys::RawPool,
}
handle!(ThreadPool, RawPool);

impl ThreadPool {
    /// A pool of `workers` workers; 0 for one per available core.
    ///
    /// # Errors
    /// [`Error::Limit`](portalis_threading::Error::Limit) past the run's
    /// worker limit.
    pub fn new(workers: usize) -> Result<Self> {
        Ok(Self {
            raw: sys::RawPool::new(workers)?,
        })
    }

    /// The number of workers.
    pub fn workers(&self) -> usize {
        self.raw.workers()
    }

    /// Queues `task` with `input`.
    ///
    /// # Errors
    /// [`Error::Closed`](portalis_threading::Error::Closed) after shutdown;
    /// [`Error::UnknownEntry`](portalis_threading::Error::UnknownEntry) for
    /// a task not in the program's [`tasks!`](crate::tasks).
    pub fn submit<T: Task>(&self, _task: T, input: T::Input) -> Result<TaskHandle<T::Output>> {
        Ok(TaskHandle {
            raw: self.raw.submit::<T>(input)?,
            taken: false,
        })
    }

    /// Runs `task` on every input, in parallel, and returns the outputs in
    /// input order.
    ///
    /// # Errors
    /// The first failing task's error (in input order), after all have run;
    /// as [`submit`](Self::submit).
    pub fn map<T: Task>(&self, _task: T, inputs: Vec<T::Input>) -> Result<Vec<T::Output>> {
        let tasks = self.raw.map::<T>(inputs)?;
        let mut outputs = Vec::with_capacity(tasks.len());
        let mut first_error = None;
        for mut task in tasks {
            match task.wait(Wait::Forever) {
                Ok(v) => outputs.push(v),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match first_error {
            Some(e) => Err(e),
            None => Ok(outputs),
        }
    }

    /// Stops taking tasks, lets queued ones finish, and waits for the
    /// workers to exit.
    ///
    /// # Errors
    /// Only where the thread may not block.
    pub fn shutdown(&self) -> Result<()> {
        self.raw.shutdown(false, Wait::Forever)
    }

    /// Stops taking tasks and cancels those not started; then waits at most
    /// `timeout` (`None`: no limit) for the workers.
    ///
    /// # Errors
    /// [`Error::Timeout`](portalis_threading::Error::Timeout).
    pub fn shutdown_now(&self, timeout: Option<Duration>) -> Result<()> {
        self.raw
            .shutdown(true, timeout.map_or(Wait::Forever, Wait::Timeout))
    }

    /// Whether the pool was shut down.
    pub fn is_shutdown(&self) -> bool {
        self.raw.is_shutdown()
    }
}

/// A task queued on a [`ThreadPool`]; its output can be taken once.
#[must_use = "dropping a TaskHandle discards the task's result"]
pub struct TaskHandle<R> {
    raw: sys::RawTask<R>,
    taken: bool,
}

impl<R: Serialize + DeserializeOwned + Send + 'static> TaskHandle<R> {
    /// Waits for the task's output.
    ///
    /// # Errors
    /// [`Error::Panicked`](portalis_threading::Error::Panicked) if it
    /// panicked; [`Error::Cancelled`](portalis_threading::Error::Cancelled)
    /// if it was cancelled.
    pub fn wait(mut self) -> Result<R> {
        self.wait_with(Wait::Forever)
    }

    /// Waits at most `timeout`; on a timeout the task goes on.
    ///
    /// # Errors
    /// [`Error::Timeout`](portalis_threading::Error::Timeout); as
    /// [`wait`](Self::wait);
    /// [`Error::InvalidState`](portalis_threading::Error::InvalidState) once
    /// the output was taken.
    pub fn wait_timeout(&mut self, timeout: Duration) -> Result<R> {
        self.wait_with(Wait::Timeout(timeout))
    }

    fn wait_with(&mut self, wait: Wait) -> Result<R> {
        if self.taken {
            return Err(portalis_threading::Error::InvalidState(
                "the task's output was already taken".into(),
            ));
        }
        let result = self.raw.wait(wait);
        if !matches!(
            result,
            Err(portalis_threading::Error::Timeout | portalis_threading::Error::WouldBlock)
        ) {
            self.taken = true;
        }
        result
    }

    /// Cancels the task if it has not started; returns whether it is
    /// cancelled now.
    pub fn cancel(&self) -> bool {
        self.raw.cancel()
    }

    /// Where the task is in its life.
    pub fn state(&self) -> TaskState {
        self.raw.state()
    }
}

/// Waits until one of `tasks` is done (or cancelled) and returns its index;
/// at most `timeout` if given.
///
/// # Errors
/// [`Error::Timeout`](portalis_threading::Error::Timeout);
/// [`Error::InvalidArgument`](portalis_threading::Error::InvalidArgument)
/// for an empty list.
pub fn wait_any<R>(tasks: &[&TaskHandle<R>], timeout: Option<Duration>) -> Result<usize> {
    let raws: Vec<&sys::RawTask<R>> = tasks.iter().map(|t| &t.raw).collect();
    sys::wait_any(&raws, timeout.map_or(Wait::Forever, Wait::Timeout))
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool").finish_non_exhaustive()
    }
}

impl<R> fmt::Debug for TaskHandle<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandle").finish_non_exhaustive()
    }
}
