//! Running a component with threads inside your own wasmtime embedding.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use wasmtime::component::InstancePre;
use wasmtime::{Store, UpdateDeadline};

use crate::Limits;
use crate::bindings::GuestPre;
use crate::ctx::{ThreadingCtx, ThreadingView};
use crate::launcher::{ComponentLauncher, Launcher};
use crate::run::{RunControl, RunShared, StopReason};

/// How long [`Run::finish`] waits for the run's threads to leave.
const FINISH_TIMEOUT: Duration = Duration::from_secs(10);

/// Settings for one run.
#[derive(Debug, Clone, Default)]
pub struct RunConfig {
    /// What the run may consume.
    pub limits: Limits,
    /// The parallelism guests see (`available-parallelism`, pools of size
    /// 0); the host's available parallelism if `None`.
    pub parallelism: Option<u32>,
}

/// One run of a component with portalis-threading: the program's main
/// instance and every worker it starts, sharing host objects.
///
/// Create it from the same `InstancePre` the main instance comes from, with a
/// function that builds the Store data of each worker; give the main Store
/// [`main_ctx`](Self::main_ctx) and pass it to
/// [`configure_store`](Self::configure_store); run the program; then call
/// [`finish`](Self::finish), which stops what is left and waits for it.
///
/// # Examples
/// ```no_run
/// use portalis_threading_host::{Run, RunConfig, StopReason, ThreadingCtx, ThreadingCtxView, ThreadingView};
/// use wasmtime::component::{Component, Linker, ResourceTable};
/// use wasmtime::{Config, Engine, Store};
/// use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
///
/// struct State { wasi: WasiCtx, threading: ThreadingCtx, table: ResourceTable }
/// impl WasiView for State {
///     fn ctx(&mut self) -> WasiCtxView<'_> { WasiCtxView { ctx: &mut self.wasi, table: &mut self.table } }
/// }
/// impl ThreadingView for State {
///     fn threading(&mut self) -> ThreadingCtxView<'_> {
///         ThreadingCtxView { ctx: &mut self.threading, table: &mut self.table }
///     }
/// }
/// fn state(threading: ThreadingCtx) -> State {
///     State { wasi: WasiCtx::builder().inherit_stdio().build(), threading, table: ResourceTable::new() }
/// }
///
/// # fn main() -> wasmtime::Result<()> {
/// let engine = Engine::new(Config::new().epoch_interruption(true))?;
/// let mut linker = Linker::<State>::new(&engine);
/// wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
/// portalis_threading_host::add_to_linker(&mut linker)?;
/// let component = Component::from_file(&engine, "app.wasm")?;
/// let pre = linker.instantiate_pre(&component)?;
///
/// let run = Run::new(&pre, RunConfig::default(), state)?;
/// let mut store = Store::new(&engine, state(run.main_ctx()));
/// run.configure_store(&mut store);
/// let command = wasmtime_wasi::p2::bindings::sync::CommandPre::new(pre.clone())?.instantiate(&mut store)?;
/// let status = command.wasi_cli_run().call_run(&mut store)?;
/// run.finish(StopReason::Exited(if status.is_ok() { 0 } else { 1 }));
/// # Ok(()) }
/// ```
pub struct Run {
    shared: Arc<RunShared>,
    started: Instant,
}

/// What a finished run reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReport {
    /// Why the run ended: the first reason it was stopped for.
    pub reason: StopReason,
    /// How long it ran.
    pub elapsed: Duration,
    /// Threads that had not left when `finish` gave up waiting (0 unless a
    /// host call misbehaved).
    pub stray_threads: usize,
}

impl Run {
    /// Prepares a run of the component behind `pre`.
    ///
    /// If the component exports `portalis:threading/worker`, one instance is
    /// created here to read its task entries; entries defined twice (by two
    /// composed parts) are an error.
    ///
    /// # Errors
    /// If that instance cannot be created, or its entries are not unique.
    pub fn new<T, F>(
        pre: &InstancePre<T>,
        config: RunConfig,
        make_worker_data: F,
    ) -> wasmtime::Result<Self>
    where
        T: ThreadingView + 'static,
        F: Fn(ThreadingCtx) -> T + Send + Sync + 'static,
    {
        let parallelism = config.parallelism.unwrap_or_else(|| {
            u32::try_from(portalis_threading::thread::available_parallelism().get())
                .unwrap_or(u32::MAX)
        });
        let launcher: Option<Arc<dyn Launcher>> = match GuestPre::new(pre.clone()) {
            Ok(guest_pre) => Some(Arc::new(ComponentLauncher::new(
                guest_pre,
                Arc::new(make_worker_data),
            ))),
            // No `worker` export: a program without tasks.
            Err(_) => None,
        };
        let engine = pre.engine().clone();
        let mut entries = HashSet::new();
        if let Some(launcher) = &launcher {
            // A provisional run, to ask one instance for its entries.
            let probe_run = RunShared::new(
                &engine,
                config.limits.clone(),
                parallelism,
                None,
                HashSet::new(),
            );
            let mut probe = launcher.instance(&probe_run, u64::MAX)?;
            for entry in probe.entries()? {
                if !entries.insert(entry.clone()) {
                    wasmtime::bail!(
                        "task entry `{entry}` is defined twice; composed components must not share task names"
                    );
                }
            }
            drop(probe);
            probe_run.control.stop(StopReason::Requested);
        }
        let shared = RunShared::new(
            &engine,
            config.limits.clone(),
            parallelism,
            launcher,
            entries,
        );
        if let Some(limit) = config.limits.run_time {
            let control = shared.control.clone();
            std::thread::Builder::new()
                .name("portalis-run-timer".into())
                .spawn(move || {
                    if !control.wait_stopped(limit) {
                        control.stop(StopReason::TimeLimit(limit));
                    }
                })
                .map_err(|e| wasmtime::format_err!("cannot start the run timer: {e}"))?;
        }
        Ok(Self {
            shared,
            started: Instant::now(),
        })
    }

    /// The threading state for the program's main Store (worker 0).
    pub fn main_ctx(&self) -> ThreadingCtx {
        ThreadingCtx::new(self.shared.clone(), 0)
    }

    /// Prepares a Store of this run: the memory limiter, and the epoch
    /// deadline through which a stopped run interrupts running wasm.
    pub fn configure_store<T: ThreadingView + 'static>(&self, store: &mut Store<T>) {
        Self::configure_store_for(&self.shared.control, store);
    }

    pub(crate) fn configure_store_for<T: ThreadingView + 'static>(
        control: &Arc<RunControl>,
        store: &mut Store<T>,
    ) {
        store.limiter(|data| {
            let view = data.threading();
            view.ctx.store_limits()
        });
        let control = control.clone();
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            if control.is_stopped() {
                Ok(UpdateDeadline::Interrupt)
            } else {
                Ok(UpdateDeadline::Continue(1))
            }
        });
    }

    /// Runs the task `entry` on `input` in a fresh instance of the component,
    /// on the calling thread, as a worker of this run, and returns its output.
    ///
    /// This is how an embedder calls a guest's task directly (from a request
    /// handler, say); the task may use every threading call.
    ///
    /// # Errors
    /// The task's error; `unknown-entry`; `panicked` if it trapped.
    pub fn call(&self, entry: &str, input: &[u8]) -> Result<Vec<u8>, crate::bindings::WitError> {
        use crate::bindings::WitError;
        let Some(launcher) = &self.shared.launcher else {
            return Err(WitError::UnknownEntry(entry.to_owned()));
        };
        if !self.shared.entries.contains(entry) {
            return Err(WitError::UnknownEntry(entry.to_owned()));
        }
        let worker = self.shared.next_worker_id();
        match launcher.instance(&self.shared, worker) {
            Ok(mut instance) => instance.run(entry, input).into_result(),
            Err(e) => Err(WitError::Panicked(format!(
                "cannot start an instance: {}",
                crate::launcher::one_line(&e)
            ))),
        }
    }

    /// Task entries the component defines.
    pub fn entries(&self) -> impl Iterator<Item = &str> {
        self.shared.entries.iter().map(String::as_str)
    }

    /// Stops the run from any thread: running wasm traps, blocked host calls
    /// return. The first reason given is the one reported.
    pub fn stop(&self, reason: StopReason) {
        self.shared.control.stop(reason);
    }

    /// Whether the run was stopped, and why.
    pub fn stopped(&self) -> Option<StopReason> {
        self.shared.control.reason()
    }

    /// Worker threads alive now.
    pub fn live_workers(&self) -> usize {
        self.shared.live_workers()
    }

    /// Host objects alive now, including unredeemed tokens.
    pub fn live_objects(&self) -> usize {
        self.shared.registry.live_objects()
    }

    /// Tokens minted and not yet redeemed.
    pub fn pending_tokens(&self) -> usize {
        self.shared.registry.pending_tokens()
    }

    /// Bytes queued in the run's channels now.
    pub fn queued_bytes(&self) -> usize {
        self.shared.ledger.queued()
    }

    /// Ends the run: stops it with `reason` (unless it was stopped already),
    /// wakes everything, and waits for every worker thread to leave.
    pub fn finish(self, reason: StopReason) -> RunReport {
        let control = &self.shared.control;
        control.stop(reason);
        let give_up = Instant::now() + FINISH_TIMEOUT;
        while !self.shared.wait_workers_exited(crate::blocking::SLICE) && Instant::now() < give_up {
            control.nudge();
        }
        // Recycled worker threads, now idle, leave too.
        self.shared.threads.close();
        let left = give_up
            .saturating_duration_since(Instant::now())
            .max(crate::blocking::SLICE);
        self.shared.threads.wait_gone(left);
        self.shared.registry.clear();
        RunReport {
            reason: control.reason().unwrap_or(StopReason::Requested),
            elapsed: self.started.elapsed(),
            stray_threads: self.shared.live_workers() + self.shared.threads.alive(),
        }
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Run")
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}
