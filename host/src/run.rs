//! The control block of one run: whether it was stopped and why, and how to
//! wake what it left blocked.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use portalis_threading::{Barrier, Event, Mutex};

use crate::objects::Counted;
use crate::objects::mutex::GuestCondition;

/// Why a run stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// The program's main returned (with this exit status).
    Exited(i32),
    /// The run used up its time limit.
    TimeLimit(Duration),
    /// A fault ended the run: a trap in a wasi-threads thread, say.
    Fault(String),
    /// The embedder asked it to stop.
    Requested,
}

impl fmt::Display for StopReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StopReason::Exited(code) => write!(f, "the program exited with status {code}"),
            StopReason::TimeLimit(t) => write!(f, "the run exceeded its time limit of {t:?}"),
            StopReason::Fault(msg) => write!(f, "the run failed: {msg}"),
            StopReason::Requested => write!(f, "the run was stopped"),
        }
    }
}

/// A blocking wait that slicing cannot interrupt, woken when the run stops.
#[derive(Debug)]
enum Waker {
    /// Aborting breaks the barrier, so its waiters return.
    Barrier(Weak<Counted<Barrier>>),
    /// Notifying wakes the condition's waiters.
    Condition(Weak<Counted<GuestCondition>>),
}

/// Shared by every Store and thread of a run.
#[derive(Debug)]
pub(crate) struct RunControl {
    stopped: AtomicBool,
    reason: Mutex<Option<StopReason>>,
    stopped_event: Event,
    wakers: Mutex<Vec<Waker>>,
    engine: wasmtime::Engine,
}

impl RunControl {
    pub(crate) fn new(engine: &wasmtime::Engine) -> Arc<Self> {
        Arc::new(Self {
            stopped: AtomicBool::new(false),
            reason: Mutex::new(None),
            stopped_event: Event::new(),
            wakers: Mutex::new(Vec::new()),
            engine: engine.clone(),
        })
    }

    pub(crate) fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }

    /// The first reason the run was stopped for.
    pub(crate) fn reason(&self) -> Option<StopReason> {
        self.reason.lock().clone()
    }

    /// Waits up to `timeout` for the run to stop; returns whether it has.
    pub(crate) fn wait_stopped(&self, timeout: Duration) -> bool {
        self.stopped_event.wait_timeout(timeout)
    }

    /// Stops the run: wasm code traps at its next epoch check, host calls
    /// return at their next slice, and barriers and conditions are woken.
    /// Only the first reason is kept.
    pub(crate) fn stop(&self, reason: StopReason) {
        {
            let mut r = self.reason.lock();
            if r.is_none() {
                *r = Some(reason);
            }
        }
        if self.stopped.swap(true, Ordering::AcqRel) {
            return;
        }
        self.stopped_event.set();
        self.nudge();
    }

    /// Makes everything of a stopped run move: bumps the epoch (running wasm
    /// traps) and wakes every barrier and condition. The run's end calls it
    /// again every slice until its last thread has left, which also catches
    /// a wait that began just after `stop`.
    pub(crate) fn nudge(&self) {
        self.engine.increment_epoch();
        let live: Vec<Waker> = {
            let mut wakers = self.wakers.lock();
            wakers.retain(Waker::is_live);
            wakers.iter().map(Waker::weak_clone).collect()
        };
        live.into_iter().for_each(Waker::wake);
    }

    /// Registers a barrier to abort when the run stops.
    pub(crate) fn watch_barrier(&self, b: &Arc<Counted<Barrier>>) {
        self.watch(Waker::Barrier(Arc::downgrade(b)));
    }

    /// Registers a condition to notify when the run stops.
    pub(crate) fn watch_condition(&self, c: &Arc<Counted<GuestCondition>>) {
        self.watch(Waker::Condition(Arc::downgrade(c)));
    }

    fn watch(&self, w: Waker) {
        let mut wakers = self.wakers.lock();
        // Forget freed objects now and then so the list stays small.
        if wakers.len() >= 64 && wakers.len().is_power_of_two() {
            wakers.retain(Waker::is_live);
        }
        wakers.push(w);
    }
}

impl Waker {
    fn wake(self) {
        match self {
            Waker::Barrier(b) => {
                if let Some(b) = b.upgrade() {
                    b.abort();
                }
            }
            Waker::Condition(c) => {
                if let Some(c) = c.upgrade() {
                    c.notify_all();
                }
            }
        }
    }

    fn weak_clone(&self) -> Self {
        match self {
            Waker::Barrier(b) => Waker::Barrier(b.clone()),
            Waker::Condition(c) => Waker::Condition(c.clone()),
        }
    }

    fn is_live(&self) -> bool {
        match self {
            Waker::Barrier(b) => b.strong_count() > 0,
            Waker::Condition(c) => c.strong_count() > 0,
        }
    }
}

/// What every Store of a run shares: its limits, objects, workers and
/// control block.
pub(crate) struct RunShared {
    pub(crate) control: Arc<RunControl>,
    pub(crate) limits: crate::Limits,
    pub(crate) registry: crate::registry::Registry,
    pub(crate) ledger: Arc<crate::objects::channel::Ledger>,
    pub(crate) parallelism: u32,
    /// Starts guest instances for workers; `None` when the component has no
    /// `worker` export (then it has no tasks to run).
    pub(crate) launcher: Option<Arc<dyn crate::launcher::Launcher>>,
    pub(crate) entries: std::collections::HashSet<String>,
    next_worker: std::sync::atomic::AtomicU64,
    /// Worker threads alive (spawned workers and pool threads).
    live_workers: Mutex<usize>,
    workers_changed: portalis_threading::Condvar,
    /// Recycled threads for spawned workers.
    pub(crate) threads: crate::thread_cache::ThreadCache,
    /// Bumped whenever a pool task completes, for `wait-any`.
    pub(crate) completions: Mutex<u64>,
    pub(crate) completed: portalis_threading::Condvar,
}

impl fmt::Debug for RunShared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunShared")
            .field("stopped", &self.control.is_stopped())
            .field("live_workers", &*self.live_workers.lock())
            .field("live_objects", &self.registry.live_objects())
            .finish_non_exhaustive()
    }
}

impl RunShared {
    pub(crate) fn new(
        engine: &wasmtime::Engine,
        limits: crate::Limits,
        parallelism: u32,
        launcher: Option<Arc<dyn crate::launcher::Launcher>>,
        entries: std::collections::HashSet<String>,
    ) -> Arc<Self> {
        Arc::new(Self {
            control: RunControl::new(engine),
            registry: crate::registry::Registry::new(limits.max_objects),
            ledger: crate::objects::channel::Ledger::new(limits.max_queued_bytes),
            limits,
            parallelism,
            launcher,
            entries,
            next_worker: std::sync::atomic::AtomicU64::new(1),
            live_workers: Mutex::new(0),
            workers_changed: portalis_threading::Condvar::new(),
            threads: crate::thread_cache::ThreadCache::new("portalis-worker"),
            completions: Mutex::new(0),
            completed: portalis_threading::Condvar::new(),
        })
    }

    /// A fresh worker id.
    pub(crate) fn next_worker_id(&self) -> u64 {
        self.next_worker.fetch_add(1, Ordering::Relaxed)
    }

    /// Reserves `n` worker threads against the limit.
    pub(crate) fn reserve_workers(&self, n: usize) -> portalis_threading::Result<()> {
        if self.control.is_stopped() {
            return Err(portalis_threading::Error::Closed);
        }
        let mut live = self.live_workers.lock();
        if *live + n > self.limits.max_workers {
            return Err(portalis_threading::Error::Limit(format!(
                "the run already has {} worker threads (limit {})",
                *live, self.limits.max_workers
            )));
        }
        *live += n;
        Ok(())
    }

    /// A reserved worker thread has exited (or never started).
    pub(crate) fn worker_exited(&self) {
        let mut live = self.live_workers.lock();
        *live -= 1;
        if *live == 0 {
            self.workers_changed.notify_all();
        }
    }

    pub(crate) fn live_workers(&self) -> usize {
        *self.live_workers.lock()
    }

    /// Waits up to `timeout` for every worker thread to exit.
    pub(crate) fn wait_workers_exited(&self, timeout: Duration) -> bool {
        let mut live = self.live_workers.lock();
        if *live > 0 {
            self.workers_changed.wait_timeout(&mut live, timeout);
        }
        *live == 0
    }

    /// Records that a pool task completed, waking `wait-any` callers.
    pub(crate) fn task_completed(&self) {
        *self.completions.lock() += 1;
        self.completed.notify_all();
    }
}
