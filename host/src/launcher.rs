//! Starting guest instances for workers.
//!
//! A [`Launcher`] turns the run's shared `InstancePre` into a fresh Store and
//! instance for one worker; the instance runs tasks through the guest's
//! exported `worker.run`. It is generic over the embedder's Store data, which
//! the rest of the host never needs to know.

use std::sync::Arc;

use wasmtime::Store;

use crate::bindings::GuestPre;
use crate::bindings::WitError;
use crate::bindings::exports::portalis::threading::worker::Guest as WorkerExport;
use crate::ctx::{ThreadingCtx, ThreadingView};
use crate::run::RunShared;

/// How one task on an instance ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum TaskOutcome {
    /// The entry returned its output or an error of its own.
    Done(Result<Vec<u8>, WitError>),
    /// The instance trapped (a panic, a trap, a stopped run); it cannot be
    /// used again. Carries a one-line message.
    Trapped(String),
}

impl TaskOutcome {
    /// As the result a joiner sees.
    pub(crate) fn into_result(self) -> Result<Vec<u8>, WitError> {
        match self {
            TaskOutcome::Done(r) => r,
            TaskOutcome::Trapped(msg) => Err(WitError::Panicked(msg)),
        }
    }
}

/// A guest instance owned by one worker thread.
pub(crate) trait GuestInstance: Send {
    /// Runs one task on this instance.
    fn run(&mut self, entry: &str, input: &[u8]) -> TaskOutcome;

    /// The component's task entries.
    fn entries(&mut self) -> wasmtime::Result<Vec<String>>;

    /// Whether the instance can run another task (it has not trapped).
    fn is_usable(&self) -> bool;
}

/// Creates guest instances for a run's workers.
pub(crate) trait Launcher: Send + Sync {
    /// A fresh instance in a fresh Store, for worker `worker` of `run`.
    fn instance(
        &self,
        run: &Arc<RunShared>,
        worker: u64,
    ) -> wasmtime::Result<Box<dyn GuestInstance>>;
}

type MakeData<T> = dyn Fn(ThreadingCtx) -> T + Send + Sync;

/// Launches instances of a component from its pre-instantiation.
pub(crate) struct ComponentLauncher<T: 'static> {
    pre: GuestPre<T>,
    make: Arc<MakeData<T>>,
}

impl<T: ThreadingView + 'static> ComponentLauncher<T> {
    pub(crate) fn new(pre: GuestPre<T>, make: Arc<MakeData<T>>) -> Self {
        Self { pre, make }
    }
}

impl<T: ThreadingView + 'static> Launcher for ComponentLauncher<T> {
    fn instance(
        &self,
        run: &Arc<RunShared>,
        worker: u64,
    ) -> wasmtime::Result<Box<dyn GuestInstance>> {
        let ctx = ThreadingCtx::new(run.clone(), worker);
        let mut store = Store::new(self.pre.engine(), (self.make)(ctx));
        crate::Run::configure_store_for(&run.control, &mut store);
        let guest = self.pre.instantiate(&mut store)?;
        Ok(Box::new(ComponentInstance {
            export: guest.portalis_threading_worker().clone(),
            store,
            usable: true,
        }))
    }
}

struct ComponentInstance<T: 'static> {
    store: Store<T>,
    export: WorkerExport,
    usable: bool,
}

impl<T: ThreadingView + 'static> GuestInstance for ComponentInstance<T> {
    fn run(&mut self, entry: &str, input: &[u8]) -> TaskOutcome {
        let input = input.to_vec();
        let outcome = match self.export.call_run(&mut self.store, entry, &input) {
            Ok(Ok(output)) => {
                let max = self
                    .store
                    .data_mut()
                    .threading()
                    .ctx
                    .run
                    .limits
                    .max_payload_bytes;
                if output.len() > max {
                    TaskOutcome::Done(Err(WitError::Limit(format!(
                        "task output of {} bytes exceeds the payload limit of {max}",
                        output.len()
                    ))))
                } else {
                    TaskOutcome::Done(Ok(output))
                }
            }
            Ok(Err(e)) => TaskOutcome::Done(Err(e)),
            Err(trap) => {
                self.usable = false;
                let view = self.store.data_mut().threading();
                if let Some(exit) = trap.downcast_ref::<wasmtime_wasi::I32Exit>() {
                    // `exit` in any worker ends the whole program, as in a
                    // process.
                    view.ctx.run.control.stop(crate::StopReason::Exited(exit.0));
                }
                let message = match view.ctx.panic_message.take() {
                    Some(panic) => panic,
                    None if view.ctx.run.control.is_stopped() => {
                        match view.ctx.run.control.reason() {
                            Some(reason) => format!("stopped: {reason}"),
                            None => "stopped".to_owned(),
                        }
                    }
                    None => one_line(&trap),
                };
                TaskOutcome::Trapped(message)
            }
        };
        // Locks a task still holds are released when it ends, as when a
        // worker exits, so a warm instance starts its next task clean.
        self.store.data_mut().threading().ctx.release_held();
        outcome
    }

    fn entries(&mut self) -> wasmtime::Result<Vec<String>> {
        self.export.call_entries(&mut self.store)
    }

    fn is_usable(&self) -> bool {
        self.usable
    }
}

/// A wasmtime error as one line: the trap, the exit status, or the root
/// cause, without the wasm backtrace.
pub fn one_line(err: &wasmtime::Error) -> String {
    if let Some(trap) = err.downcast_ref::<wasmtime::Trap>() {
        return trap.to_string();
    }
    if let Some(exit) = err.downcast_ref::<wasmtime_wasi::I32Exit>() {
        return format!("exited with status {}", exit.0);
    }
    err.root_cause().to_string()
}
