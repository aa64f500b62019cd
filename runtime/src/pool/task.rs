//! A task's life (pending, running, done, cancelled) and the handle that
//! waits for its result.
//!
//! The state is one atomic byte. A task starts only by moving it from
//! `PENDING` to `RUNNING`, and is cancelled only by moving it from `PENDING`
//! to `CANCELLED`; both are compare-and-swaps, so exactly one of them wins
//! and a cancelled task never runs.

use std::fmt;
use std::time::{Duration, Instant};

use crate::channel::oneshot::OneshotReceiver;
use crate::loom::sync::Arc;
use crate::loom::sync::atomic::{AtomicU8, Ordering};
use crate::{Error, Result};

const PENDING: u8 = 0;
const RUNNING: u8 = 1;
const DONE: u8 = 2;
const CANCELLED: u8 = 3;

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskState {
    /// Queued; not started. It can still be cancelled.
    Pending,
    /// Running on a pool thread.
    Running,
    /// Finished, with a result or a panic.
    Done,
    /// Cancelled before it started.
    Cancelled,
}

#[derive(Debug)]
pub(crate) struct TaskCell {
    state: AtomicU8,
}

impl TaskCell {
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            state: AtomicU8::new(PENDING),
        })
    }

    /// Claims the task for running; false if it was cancelled.
    pub(crate) fn start(&self) -> bool {
        self.state
            .compare_exchange(PENDING, RUNNING, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    pub(crate) fn finish(&self) {
        self.state.store(DONE, Ordering::Release);
    }

    /// Cancels the task if it has not started; true if it is cancelled now.
    pub(crate) fn cancel(&self) -> bool {
        match self
            .state
            .compare_exchange(PENDING, CANCELLED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => true,
            Err(state) => state == CANCELLED,
        }
    }

    pub(crate) fn state(&self) -> TaskState {
        match self.state.load(Ordering::Acquire) {
            PENDING => TaskState::Pending,
            RUNNING => TaskState::Running,
            DONE => TaskState::Done,
            _ => TaskState::Cancelled,
        }
    }
}

/// A handle to a task submitted to a [`ThreadPool`](crate::ThreadPool).
///
/// Dropping it does not cancel the task; its result is then discarded.
#[must_use = "dropping a TaskHandle discards the task's result"]
pub struct TaskHandle<T> {
    pub(crate) result: OneshotReceiver<Result<T>>,
    pub(crate) cell: Arc<TaskCell>,
    pub(crate) taken: bool,
}

impl<T> TaskHandle<T> {
    /// Waits for the task and returns its result.
    ///
    /// # Errors
    /// [`Error::Panicked`] if the task panicked, [`Error::Cancelled`] if it
    /// was cancelled, [`Error::InvalidState`] if the result was already
    /// taken.
    pub fn wait(mut self) -> Result<T> {
        self.wait_until(None)
    }

    /// Waits at most `timeout`. On [`Error::Timeout`] the task goes on and
    /// the handle can wait again.
    ///
    /// # Errors
    /// [`Error::Timeout`], or as for [`wait`](Self::wait).
    pub fn wait_timeout(&mut self, timeout: Duration) -> Result<T> {
        self.wait_until(crate::deadline::after(timeout))
    }

    /// As [`wait_timeout`](Self::wait_timeout), with a deadline.
    ///
    /// # Errors
    /// As for [`wait_timeout`](Self::wait_timeout).
    pub fn wait_deadline(&mut self, deadline: Instant) -> Result<T> {
        self.wait_until(Some(deadline))
    }

    /// Cancels the task if it has not started; returns whether it is
    /// cancelled now.
    pub fn cancel(&self) -> bool {
        self.cell.cancel()
    }

    /// Where the task is in its life.
    pub fn state(&self) -> TaskState {
        self.cell.state()
    }

    /// Whether the task finished or was cancelled.
    pub fn is_done(&self) -> bool {
        matches!(self.state(), TaskState::Done | TaskState::Cancelled)
    }

    fn wait_until(&mut self, deadline: Option<Instant>) -> Result<T> {
        if self.taken {
            return Err(Error::InvalidState("task result already taken".into()));
        }
        if self.cell.state() == TaskState::Cancelled {
            self.taken = true;
            return Err(Error::Cancelled);
        }
        let result = match deadline {
            None => self.result.recv(),
            Some(d) => self.result.recv_deadline(d),
        };
        match result {
            Err(Error::Timeout) => Err(Error::Timeout),
            // The job was dropped without running: the pool cancelled it.
            Err(_) => {
                self.taken = true;
                Err(Error::Cancelled)
            }
            Ok(result) => {
                self.taken = true;
                result
            }
        }
    }
}

impl<T> fmt::Debug for TaskHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskHandle")
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, portalis_loom))]
mod loom_task {
    use super::*;
    use crate::loom::thread;

    #[test]
    fn loom_task_cancel_and_start_exclude_each_other() {
        loom::model(|| {
            let cell = TaskCell::new();
            let c2 = cell.clone();
            let runner = thread::spawn(move || {
                if c2.start() {
                    c2.finish();
                    true
                } else {
                    false
                }
            });
            let cancelled = cell.cancel();
            let ran = runner.join().unwrap();
            assert!(cancelled ^ ran, "exactly one of cancel and run wins");
            let expected = if ran {
                TaskState::Done
            } else {
                TaskState::Cancelled
            };
            assert_eq!(cell.state(), expected);
        });
    }
}
