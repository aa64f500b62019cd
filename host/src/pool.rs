//! Pools of workers that keep a warm instance each.
//!
//! A pool thread creates its instance once and runs task after task on it,
//! so a pooled task costs a call, not an instantiation. An instance that
//! traps is dropped and the next task gets a fresh one. Tasks wait in one
//! queue shared by the pool's threads.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use portalis_threading::{Error, Event, Mutex, Receiver, Result, Sender};

use crate::bindings::WitError;
use crate::bindings::executor::TaskState;
use crate::launcher::{GuestInstance, TaskOutcome};
use crate::registry::ObjectSlot;
use crate::run::RunShared;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Pending,
    Running,
    Done,
    Cancelled,
}

/// A task queued on a pool, and its result once done.
#[derive(Debug)]
pub(crate) struct GuestTask {
    phase: Mutex<Phase>,
    /// Set with `done`, readable without a lock, for spinning waiters.
    finished: AtomicBool,
    done: Event,
    result: Mutex<Option<std::result::Result<Vec<u8>, WitError>>>,
    run: std::sync::Weak<RunShared>,
}

impl GuestTask {
    fn new(run: &Arc<RunShared>) -> Arc<Self> {
        Arc::new(Self {
            phase: Mutex::new(Phase::Pending),
            finished: AtomicBool::new(false),
            done: Event::new(),
            result: Mutex::new(None),
            run: Arc::downgrade(run),
        })
    }

    /// Claims the task for running; false if it was cancelled.
    fn start(&self) -> bool {
        let mut phase = self.phase.lock();
        if *phase == Phase::Pending {
            *phase = Phase::Running;
            true
        } else {
            false
        }
    }

    fn complete(&self, phase: Phase, result: std::result::Result<Vec<u8>, WitError>) {
        *self.result.lock() = Some(result);
        *self.phase.lock() = phase;
        self.finished.store(true, Ordering::Release);
        self.done.set();
        if let Some(run) = self.run.upgrade() {
            run.task_completed();
        }
    }

    /// Cancels the task if it has not started; whether it is cancelled now.
    pub(crate) fn cancel(&self) -> bool {
        let mut phase = self.phase.lock();
        match *phase {
            Phase::Pending => {
                *phase = Phase::Cancelled;
                drop(phase);
                self.complete(Phase::Cancelled, Err(WitError::Cancelled));
                true
            }
            Phase::Cancelled => true,
            Phase::Running | Phase::Done => false,
        }
    }

    pub(crate) fn state(&self) -> TaskState {
        match *self.phase.lock() {
            Phase::Pending => TaskState::Pending,
            Phase::Running => TaskState::Running,
            Phase::Done => TaskState::Done,
            Phase::Cancelled => TaskState::Cancelled,
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// The result once done by `deadline` (`None`: forever). A short task
    /// finishes within microseconds, so spin a little before sleeping.
    pub(crate) fn wait(
        &self,
        deadline: Option<Instant>,
    ) -> Option<std::result::Result<Vec<u8>, WitError>> {
        if deadline != Some(crate::blocking::past()) {
            crate::blocking::spin_until(|| self.is_done());
        }
        let done = match deadline {
            None => {
                self.done.wait();
                true
            }
            Some(d) => self.done.wait_deadline(d),
        };
        if done {
            self.result.lock().clone()
        } else {
            None
        }
    }
}

struct Job {
    entry: String,
    input: Vec<u8>,
    task: Arc<GuestTask>,
}

/// A guest's pool: its queue and its threads.
pub(crate) struct GuestPool {
    workers: u32,
    queue: Mutex<Option<Sender<Job>>>,
    cancel_pending: Arc<AtomicBool>,
    live_threads: Arc<AtomicUsize>,
    all_exited: Arc<Event>,
    run: std::sync::Weak<RunShared>,
    _slot: ObjectSlot,
}

impl std::fmt::Debug for GuestPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuestPool")
            .field("workers", &self.workers)
            .field("shutdown", &self.is_shutdown())
            .finish_non_exhaustive()
    }
}

impl GuestPool {
    /// Starts a pool of `workers` threads (0: the run's parallelism), each
    /// of which creates its instance before it takes its first task.
    pub(crate) fn start(run: &Arc<RunShared>, workers: u32, slot: ObjectSlot) -> Result<Arc<Self>> {
        let Some(launcher) = run.launcher.clone() else {
            return Err(Error::Unsupported(
                "the component exports no `portalis:threading/worker`, so it has no tasks to pool"
                    .into(),
            ));
        };
        let workers = if workers == 0 {
            run.parallelism
        } else {
            workers
        };
        run.reserve_workers(workers as usize)?;
        let (tx, rx) = portalis_threading::unbounded::<Job>();
        let pool = Arc::new(Self {
            workers,
            queue: Mutex::new(Some(tx)),
            cancel_pending: Arc::new(AtomicBool::new(false)),
            live_threads: Arc::new(AtomicUsize::new(workers as usize)),
            all_exited: Arc::new(Event::new()),
            run: Arc::downgrade(run),
            _slot: slot,
        });
        for i in 0..workers {
            let thread = PoolThread {
                run: run.clone(),
                launcher: launcher.clone(),
                jobs: rx.clone(),
                cancel_pending: pool.cancel_pending.clone(),
                live_threads: pool.live_threads.clone(),
                all_exited: pool.all_exited.clone(),
            };
            let started = std::thread::Builder::new()
                .name(format!("portalis-pool-{i}"))
                .spawn(move || thread.run());
            if let Err(e) = started {
                // The threads not started give back their reservation.
                for _ in i..workers {
                    run.worker_exited();
                    if pool.live_threads.fetch_sub(1, Ordering::AcqRel) == 1 {
                        pool.all_exited.set();
                    }
                }
                pool.close();
                return Err(Error::Limit(format!("the OS refused a thread: {e}")));
            }
        }
        Ok(pool)
    }

    pub(crate) fn workers(&self) -> u32 {
        self.workers
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.queue.lock().is_none()
    }

    /// Queues one task per input, all or none.
    pub(crate) fn submit(&self, entry: &str, inputs: Vec<Vec<u8>>) -> Result<Vec<Arc<GuestTask>>> {
        let run = self.run.upgrade().ok_or(Error::Closed)?;
        if !run.entries.contains(entry) {
            return Err(Error::UnknownEntry(entry.to_owned()));
        }
        if let Some(big) = inputs
            .iter()
            .find(|i| i.len() > run.limits.max_payload_bytes)
        {
            return Err(Error::Limit(format!(
                "task input of {} bytes exceeds the payload limit of {}",
                big.len(),
                run.limits.max_payload_bytes
            )));
        }
        let queue = self.queue.lock();
        let Some(tx) = queue.as_ref() else {
            return Err(Error::Closed);
        };
        let mut tasks = Vec::with_capacity(inputs.len());
        for input in inputs {
            let task = GuestTask::new(&run);
            tasks.push(task.clone());
            tx.send(Job {
                entry: entry.to_owned(),
                input,
                task,
            })
            .map_err(|_| Error::Closed)?;
        }
        Ok(tasks)
    }

    /// Stops taking tasks; optionally cancels those not started.
    pub(crate) fn shutdown(&self, cancel_pending: bool) {
        if cancel_pending {
            self.cancel_pending.store(true, Ordering::Release);
        }
        self.close();
    }

    /// Whether every pool thread has exited by `deadline`.
    pub(crate) fn wait_exited(&self, deadline: Option<Instant>) -> bool {
        match deadline {
            None => {
                self.all_exited.wait();
                true
            }
            Some(d) => self.all_exited.wait_deadline(d),
        }
    }

    fn close(&self) {
        // Dropping the sender lets the threads drain the queue and exit.
        self.queue.lock().take();
    }
}

impl Drop for GuestPool {
    /// The last handle is gone: no task can be submitted any more, so the
    /// threads finish the queue and exit on their own.
    fn drop(&mut self) {
        self.close();
    }
}

struct PoolThread {
    run: Arc<RunShared>,
    launcher: Arc<dyn crate::launcher::Launcher>,
    jobs: Receiver<Job>,
    cancel_pending: Arc<AtomicBool>,
    live_threads: Arc<AtomicUsize>,
    all_exited: Arc<Event>,
}

impl PoolThread {
    fn run(self) {
        let worker = self.run.next_worker_id();
        let mut instance: Option<Box<dyn GuestInstance>> =
            self.launcher.instance(&self.run, worker).ok();
        loop {
            let job = match self.jobs.recv_timeout(crate::blocking::SLICE) {
                Ok(job) => job,
                Err(Error::Timeout) if !self.run.control.is_stopped() => continue,
                Err(_) => break, // closed and drained, or the run stopped
            };
            if self.run.control.is_stopped() {
                job.task.complete(
                    Phase::Done,
                    Err(WitError::Panicked("the run was stopped".into())),
                );
                continue;
            }
            if self.cancel_pending.load(Ordering::Acquire) {
                job.task.cancel();
            }
            if !job.task.start() {
                continue;
            }
            let usable = instance.as_ref().is_some_and(|i| i.is_usable());
            if !usable {
                instance = match self.launcher.instance(&self.run, worker) {
                    Ok(i) => Some(i),
                    Err(e) => {
                        job.task.complete(
                            Phase::Done,
                            Err(WitError::Panicked(format!(
                                "cannot start an instance: {}",
                                crate::launcher::one_line(&e)
                            ))),
                        );
                        continue;
                    }
                };
            }
            let Some(inst) = instance.as_mut() else {
                continue;
            };
            let outcome = inst.run(&job.entry, &job.input);
            let result = match outcome {
                TaskOutcome::Done(r) => r,
                TaskOutcome::Trapped(msg) => Err(WitError::Panicked(msg)),
            };
            job.task.complete(Phase::Done, result);
        }
        // Tasks still queued when the run stopped never run.
        while let Ok(job) = self.jobs.try_recv() {
            job.task
                .complete(Phase::Cancelled, Err(WitError::Cancelled));
        }
        drop(instance);
        self.run.worker_exited();
        if self.live_threads.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.all_exited.set();
        }
    }
}
