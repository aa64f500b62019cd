//! A task's shared slot and its [`JoinHandle`].
//!
//! A task lives in an `Arc<Slot<T>>` in the shared memory. Its state word is
//! the first field of [`TaskHeader`], so the worker script can mark a task
//! whose worker trapped with plain `Atomics` (it does not call back into a
//! trapped instance). Joiners wait on that word: `memory.atomic.wait32` in
//! workers, `Atomics.waitAsync` on the page.

use std::cell::UnsafeCell;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::pool::Shared;
use crate::spin::SpinLock;
use crate::wait;
use crate::{Error, Result};

pub(crate) const PENDING: u32 = 0;
pub(crate) const RUNNING: u32 = 1;
pub(crate) const DONE: u32 = 2;
pub(crate) const PANICKED: u32 = 3;
/// Set by the worker script when the wasm call trapped (not a Rust panic).
pub(crate) const TRAPPED: u32 = 4;
pub(crate) const CANCELLED: u32 = 5;
pub(crate) const TERMINATED: u32 = 6;

/// The type-independent part of a task: its state and panic message.
#[repr(C)]
pub(crate) struct TaskHeader {
    /// First field: its address is the header's (read by `worker.js`).
    pub(crate) state: AtomicU32,
    pub(crate) message: SpinLock<Option<String>>,
}

impl TaskHeader {
    fn new() -> Self {
        Self {
            state: AtomicU32::new(PENDING),
            message: SpinLock::new(None),
        }
    }

    /// Moves the state from `from` to `to` and wakes every waiter; false if
    /// the state was not `from`.
    pub(crate) fn transition(&self, from: u32, to: u32) -> bool {
        let ok = self
            .state
            .compare_exchange(from, to, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        if ok {
            wait::notify(&self.state, u32::MAX);
        }
        ok
    }

    /// Records a panic message and marks the task panicked.
    pub(crate) fn panicked(&self, message: String) {
        *self.message.lock() = Some(message);
        self.transition(RUNNING, PANICKED);
    }

    /// Marks a task that has not finished as terminated with its pool.
    pub(crate) fn terminate(&self) {
        if !self.transition(PENDING, CANCELLED) {
            self.transition(RUNNING, TERMINATED);
        }
    }
}

/// Anything that carries a [`TaskHeader`]; lets the pool keep tasks alive
/// without knowing their result type.
pub(crate) trait HasHeader: Send + Sync {
    fn header(&self) -> &TaskHeader;
}

/// A task: its header and, once done, its result.
pub(crate) struct Slot<T> {
    header: TaskHeader,
    value: UnsafeCell<Option<T>>,
}

// SAFETY: `value` is written once by the worker before the state becomes
// DONE (release) and read only by the single JoinHandle after it observes
// DONE (acquire); the two never overlap. `T: Send` because the value moves
// from the worker to the joiner's thread.
unsafe impl<T: Send> Sync for Slot<T> {}

impl<T: Send> HasHeader for Slot<T> {
    fn header(&self) -> &TaskHeader {
        &self.header
    }
}

/// A unit of work in a pool's queue.
pub(crate) struct Job {
    pub(crate) task: Arc<dyn HasHeader>,
    pub(crate) run: Box<dyn FnOnce() + Send>,
}

impl Job {
    /// A job running `f` and its join handle.
    pub(crate) fn new<F, T>(f: F, pool: Arc<Shared>) -> (Job, JoinHandle<T>)
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let slot = Arc::new(Slot {
            header: TaskHeader::new(),
            value: UnsafeCell::new(None),
        });
        let writer = slot.clone();
        let run = Box::new(move || {
            let v = f();
            // SAFETY: only this closure writes `value`, once, while the
            // state is RUNNING; the joiner reads it only after DONE.
            unsafe { *writer.value.get() = Some(v) };
        });
        let job = Job {
            task: slot.clone(),
            run,
        };
        let handle = JoinHandle {
            slot: Some(slot),
            pool,
        };
        (job, handle)
    }

    /// Marks a job that will never run as cancelled.
    pub(crate) fn cancel(self) {
        self.task.header().transition(PENDING, CANCELLED);
    }
}

/// A task spawned on a [`WebWorkerPool`](crate::WebWorkerPool): wait for
/// its result.
///
/// Blocking waits ([`join`](Self::join), [`join_timeout`](Self::join_timeout))
/// are for workers; on the page's main thread they return
/// [`Error::Unsupported`] (it cannot `Atomics.wait`), and
/// [`join_async`](Self::join_async) is the way there. The result is taken
/// once.
///
/// # Errors (of every join)
/// - [`Error::Panicked`] with the panic's message if the task panicked, or
///   a description if its worker trapped;
/// - [`Error::Cancelled`] if the pool was terminated before the task started;
/// - [`Error::Closed`] if it was terminated while the task ran;
/// - [`Error::Timeout`] if a timed join ran out of time (the task goes on).
pub struct JoinHandle<T> {
    slot: Option<Arc<Slot<T>>>,
    pool: Arc<Shared>,
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self
            .slot
            .as_ref()
            .map(|s| s.header.state.load(Ordering::Relaxed));
        f.debug_struct("JoinHandle").field("state", &state).finish()
    }
}

impl<T: Send> JoinHandle<T> {
    /// Whether the task has finished (done, panicked, cancelled or
    /// terminated). Never blocks.
    pub fn is_finished(&self) -> bool {
        self.slot
            .as_ref()
            .is_none_or(|s| s.header.state.load(Ordering::Acquire) >= DONE)
    }

    /// Whether a worker is running the task now. Never blocks.
    pub fn is_running(&self) -> bool {
        self.slot
            .as_ref()
            .is_some_and(|s| s.header.state.load(Ordering::Acquire) == RUNNING)
    }

    /// Blocks until the task finishes and returns its result.
    ///
    /// # Errors
    /// See the type's docs; also [`Error::Unsupported`] on a thread that
    /// cannot block (the page's main thread: use
    /// [`join_async`](Self::join_async)), or when this thread owns the pool
    /// and its workers have not started yet (they can only start when this
    /// thread returns to its event loop: await
    /// [`WebWorkerPool::ready`](crate::WebWorkerPool::ready) first).
    pub fn join(mut self) -> Result<T> {
        self.join_deadline(None)
    }

    /// Like [`join`](Self::join), giving up after `timeout` with
    /// [`Error::Timeout`]; the handle can then be joined again.
    ///
    /// # Errors
    /// As [`join`](Self::join); [`Error::InvalidState`] if the result was
    /// already taken.
    pub fn join_timeout(&mut self, timeout: Duration) -> Result<T> {
        self.join_deadline(wait::deadline(Some(timeout)))
    }

    fn join_deadline(&mut self, deadline: Option<f64>) -> Result<T> {
        if !crate::can_block() {
            return Err(Error::Unsupported(
                "blocking join on a thread that cannot block (the page's main thread); \
                 use join_async"
                    .into(),
            ));
        }
        if self.pool.owned_by_current_thread() && !self.pool.warm() && !self.is_finished() {
            return Err(Error::Unsupported(
                "blocking join on the thread that owns the pool before its workers started; \
                 they start only when this thread yields: await WebWorkerPool::ready first"
                    .into(),
            ));
        }
        let slot = self.slot()?;
        loop {
            let s = slot.header.state.load(Ordering::Acquire);
            if s >= DONE {
                return self.take(s);
            }
            if deadline.is_some_and(|d| wait::now_ms() >= d) {
                return Err(Error::Timeout);
            }
            wait::wait_blocking(&slot.header.state, s, deadline);
        }
    }

    /// Waits for the task without blocking the thread, and returns its
    /// result. Works on the page's main thread and in workers.
    ///
    /// # Errors
    /// See the type's docs.
    pub async fn join_async(mut self) -> Result<T> {
        self.join_async_deadline(None).await
    }

    /// Like [`join_async`](Self::join_async), giving up after `timeout` with
    /// [`Error::Timeout`] (the task goes on; its result is dropped).
    ///
    /// # Errors
    /// See the type's docs.
    pub async fn join_async_timeout(mut self, timeout: Duration) -> Result<T> {
        self.join_async_deadline(wait::deadline(Some(timeout)))
            .await
    }

    async fn join_async_deadline(&mut self, deadline: Option<f64>) -> Result<T> {
        let slot = self.slot()?.clone();
        loop {
            let s = slot.header.state.load(Ordering::Acquire);
            if s >= DONE {
                return self.take(s);
            }
            if deadline.is_some_and(|d| wait::now_ms() >= d) {
                return Err(Error::Timeout);
            }
            wait::wait_async(&slot.header.state, s, deadline).await;
        }
    }

    fn slot(&self) -> Result<&Arc<Slot<T>>> {
        self.slot
            .as_ref()
            .ok_or_else(|| Error::InvalidState("the task's result was already taken".into()))
    }

    /// Takes the outcome of a finished task in state `s`.
    fn take(&mut self, s: u32) -> Result<T> {
        let slot = self.slot.take().expect("checked by the caller");
        match s {
            DONE => {
                // SAFETY: the state is DONE (read with acquire), so the
                // worker's single write happened before; this handle is the
                // only reader and takes the value once (the slot is gone).
                let v = unsafe { (*slot.value.get()).take() };
                v.ok_or_else(|| Error::InvalidState("the task's result was already taken".into()))
            }
            PANICKED => Err(Error::Panicked(
                slot.header
                    .message
                    .lock()
                    .clone()
                    .unwrap_or_else(|| "the task panicked".into()),
            )),
            TRAPPED => Err(Error::Panicked(
                "the task's worker trapped (a wasm trap that was not a Rust panic)".into(),
            )),
            CANCELLED => Err(Error::Cancelled),
            _ => Err(Error::Closed),
        }
    }
}
