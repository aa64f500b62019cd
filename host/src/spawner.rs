//! Workers started by `thread.spawn`: a fresh Store and instance of the
//! component, running one task on a native thread.
//!
//! Starting an OS thread costs more than instantiating from the pooling
//! allocator, so finished workers' threads wait a while for the next spawn
//! instead of exiting: the *instance* is always fresh, the thread is
//! recycled. A spawn claims an idle thread if there is one (one
//! compare-and-swap on the idle count) and hands it the job; otherwise it
//! starts a thread. Idle threads leave after [`IDLE`], or when their run
//! ends; [`Run::finish`](crate::Run::finish) waits for them too.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use portalis_threading::{Error, Event, Mutex, Receiver, Result, Sender};

use crate::bindings::WitError;
use crate::launcher::{Launcher, TaskOutcome};
use crate::run::RunShared;

/// How long a finished worker's thread waits for another spawn.
const IDLE: Duration = Duration::from_secs(2);

/// A worker's identity and, once it finishes, its result.
#[derive(Debug)]
pub(crate) struct WorkerSlot {
    pub(crate) id: u64,
    pub(crate) name: Option<String>,
    /// Set with `done`, readable without a lock, for spinning joiners.
    finished: std::sync::atomic::AtomicBool,
    done: Event,
    result: Mutex<Option<std::result::Result<Vec<u8>, WitError>>>,
}

impl WorkerSlot {
    fn finish(&self, result: std::result::Result<Vec<u8>, WitError>) {
        *self.result.lock() = Some(result);
        self.finished.store(true, Ordering::Release);
        self.done.set();
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.finished.load(Ordering::Acquire)
    }

    /// The result once the worker finished by `deadline` (`None`: wait
    /// forever); `None` if it did not.
    pub(crate) fn wait(
        &self,
        deadline: Option<Instant>,
    ) -> Option<std::result::Result<Vec<u8>, WitError>> {
        let finished = match deadline {
            None => {
                self.done.wait();
                true
            }
            Some(d) => self.done.wait_deadline(d),
        };
        if finished {
            self.result.lock().clone()
        } else {
            None
        }
    }
}

/// One worker to run.
struct Job {
    run: Arc<RunShared>,
    launcher: Arc<dyn Launcher>,
    slot: Arc<WorkerSlot>,
    entry: String,
    input: Vec<u8>,
}

impl Job {
    fn run(self) {
        let outcome = match self.launcher.instance(&self.run, self.slot.id) {
            // The instance (and the locks it held) is gone before the joiner
            // sees the result.
            Ok(mut instance) => instance.run(&self.entry, &self.input),
            Err(e) => TaskOutcome::Trapped(format!(
                "cannot start an instance: {}",
                crate::launcher::one_line(&e)
            )),
        };
        self.slot.finish(outcome.into_result());
        self.run.worker_exited();
    }
}

/// The recycled threads of one run.
#[derive(Debug)]
pub(crate) struct ThreadCache {
    jobs: Mutex<Option<Sender<Job>>>,
    receiver: Receiver<Job>,
    /// Threads waiting for a job and not yet claimed.
    idle: Arc<AtomicUsize>,
    /// Threads alive (busy or idle).
    alive: Arc<Mutex<usize>>,
    all_gone: Arc<Event>,
}

impl Default for ThreadCache {
    fn default() -> Self {
        let (tx, rx) = portalis_threading::unbounded();
        let all_gone = Arc::new(Event::new());
        all_gone.set();
        Self {
            jobs: Mutex::new(Some(tx)),
            receiver: rx,
            idle: Arc::new(AtomicUsize::new(0)),
            alive: Arc::new(Mutex::new(0)),
            all_gone,
        }
    }
}

impl ThreadCache {
    fn start(&self, job: Job) -> Result<()> {
        let Some(jobs) = self.jobs.lock().clone() else {
            return Err(Error::Closed);
        };
        // Claim an idle thread.
        let mut idle = self.idle.load(Ordering::Acquire);
        while idle > 0 {
            match self.idle.compare_exchange_weak(
                idle,
                idle - 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    return jobs.send(job).map_err(|_| Error::Closed);
                }
                Err(now) => idle = now,
            }
        }
        // None idle: a new thread, which runs the job, then waits for more.
        {
            let mut alive = self.alive.lock();
            *alive += 1;
            self.all_gone.clear();
        }
        let (rx, idle, alive, all_gone) = (
            self.receiver.clone(),
            self.idle.clone(),
            self.alive.clone(),
            self.all_gone.clone(),
        );
        // Threads are recycled across workers, so they are not named after one.
        let started = std::thread::Builder::new()
            .name("portalis-worker".into())
            .spawn(move || {
                job.run();
                loop {
                    idle.fetch_add(1, Ordering::AcqRel);
                    match rx.recv_timeout(IDLE) {
                        Ok(job) => job.run(), // whoever sent it claimed our idle place
                        Err(_) => {
                            // Leave, unless a spawn claimed this place meanwhile:
                            // then its job is on the way.
                            let mut n = idle.load(Ordering::Acquire);
                            let left = loop {
                                if n == 0 {
                                    break false;
                                }
                                match idle.compare_exchange_weak(
                                    n,
                                    n - 1,
                                    Ordering::AcqRel,
                                    Ordering::Acquire,
                                ) {
                                    Ok(_) => break true,
                                    Err(now) => n = now,
                                }
                            };
                            if left {
                                break;
                            }
                            match rx.recv() {
                                Ok(job) => job.run(),
                                Err(_) => break,
                            }
                        }
                    }
                }
                let mut alive = alive.lock();
                *alive -= 1;
                if *alive == 0 {
                    all_gone.set();
                }
            });
        started.map(drop).map_err(|e| {
            let mut alive = self.alive.lock();
            *alive -= 1;
            if *alive == 0 {
                self.all_gone.set();
            }
            Error::Limit(format!("the OS refused a thread: {e}"))
        })
    }

    /// Lets idle threads go: no more jobs come.
    pub(crate) fn close(&self) {
        self.jobs.lock().take();
    }

    /// Waits up to `timeout` for every thread to have left.
    pub(crate) fn wait_gone(&self, timeout: Duration) -> bool {
        self.all_gone.wait_timeout(timeout)
    }

    pub(crate) fn alive(&self) -> usize {
        *self.alive.lock()
    }
}

/// Starts `entry(input)` on a new worker of `run`.
pub(crate) fn spawn(
    run: &Arc<RunShared>,
    entry: String,
    input: Vec<u8>,
    name: Option<String>,
) -> Result<Arc<WorkerSlot>> {
    let Some(launcher) = run.launcher.clone() else {
        return Err(Error::UnknownEntry(format!(
            "{entry} (the component exports no `portalis:threading/worker`)"
        )));
    };
    if !run.entries.contains(&entry) {
        return Err(Error::UnknownEntry(entry));
    }
    if input.len() > run.limits.max_payload_bytes {
        return Err(Error::Limit(format!(
            "task input of {} bytes exceeds the payload limit of {}",
            input.len(),
            run.limits.max_payload_bytes
        )));
    }
    run.reserve_workers(1)?;
    let slot = Arc::new(WorkerSlot {
        id: run.next_worker_id(),
        name,
        finished: std::sync::atomic::AtomicBool::new(false),
        done: Event::new(),
        result: Mutex::new(None),
    });
    let job = Job {
        run: run.clone(),
        launcher,
        slot: slot.clone(),
        entry,
        input,
    };
    if let Err(e) = run.threads.start(job) {
        run.worker_exited();
        return Err(e);
    }
    Ok(slot)
}
