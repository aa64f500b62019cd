//! Workers started by `thread.spawn`: a native thread with its own Store and
//! a fresh instance of the component, running one task.

use std::sync::Arc;
use std::time::Instant;

use portalis_threading::{Error, Event, Mutex, Result};

use crate::bindings::WitError;
use crate::launcher::TaskOutcome;
use crate::run::RunShared;

/// A worker's identity and, once it finishes, its result.
#[derive(Debug)]
pub(crate) struct WorkerSlot {
    pub(crate) id: u64,
    pub(crate) name: Option<String>,
    done: Event,
    result: Mutex<Option<std::result::Result<Vec<u8>, WitError>>>,
}

impl WorkerSlot {
    fn finish(&self, result: std::result::Result<Vec<u8>, WitError>) {
        *self.result.lock() = Some(result);
        self.done.set();
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.done.is_set()
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
        done: Event::new(),
        result: Mutex::new(None),
    });
    let thread_name = match &slot.name {
        Some(n) => format!("portalis-worker-{}-{n}", slot.id),
        None => format!("portalis-worker-{}", slot.id),
    };
    let (run2, slot2) = (run.clone(), slot.clone());
    let started = std::thread::Builder::new()
        .name(thread_name)
        .spawn(move || {
            let outcome = match launcher.instance(&run2, slot2.id) {
                Ok(mut instance) => instance.run(&entry, &input),
                Err(e) => TaskOutcome::Trapped(format!(
                    "cannot start an instance: {}",
                    crate::launcher::one_line(&e)
                )),
            };
            slot2.finish(outcome.into_result());
            run2.worker_exited();
        });
    if let Err(e) = started {
        run.worker_exited();
        return Err(Error::Limit(format!("the OS refused a thread: {e}")));
    }
    Ok(slot)
}
