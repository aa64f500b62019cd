//! Workers started by `thread.spawn`: a fresh Store and instance of the
//! component, running one task on a native thread recycled from the run's
//! [`ThreadCache`](crate::thread_cache::ThreadCache).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use portalis_threading::{Error, Event, Mutex, Result};

use crate::bindings::WitError;
use crate::launcher::{Launcher, TaskOutcome};
use crate::run::RunShared;

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
    if let Err(e) = run.threads.start(Box::new(move || job.run())) {
        run.worker_exited();
        return Err(e);
    }
    Ok(slot)
}
