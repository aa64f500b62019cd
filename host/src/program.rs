//! Running whole programs: an engine configured for threads, WASI p2, and
//! one call that runs a command component to its exit status.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use wasmtime::component::{Component, InstancePre, Linker, ResourceTable};
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig, Store};
use wasmtime_wasi::p2::bindings::sync::CommandPre;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

use crate::ctx::{ThreadingCtx, ThreadingCtxView, ThreadingView};
use crate::embed::{Run, RunConfig, RunReport};
use crate::launcher::one_line;
use crate::{Limits, StopReason};

/// How a host is set up.
#[derive(Debug, Clone, Default)]
pub struct HostConfig {
    /// The parallelism guests see (and the size of a pool created with 0
    /// workers); the machine's available parallelism if `None`.
    pub workers: Option<u32>,
    /// What each run may consume.
    pub limits: Limits,
}

/// Where a program's standard output or error goes.
#[derive(Debug, Clone, Default)]
pub enum Output {
    /// The host process's own stream.
    #[default]
    Inherit,
    /// A buffer the embedder reads afterwards (shared by every worker).
    Capture(MemoryOutputPipe),
}

/// What a program runs with: its arguments, environment and directories.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// `argv`, including the program name.
    pub args: Vec<String>,
    /// Environment variables.
    pub env: Vec<(String, String)>,
    /// Host directories, each preopened at a guest path, read-write.
    pub dirs: Vec<(PathBuf, String)>,
    /// Standard output.
    pub stdout: Output,
    /// Standard error.
    pub stderr: Output,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOutcome {
    /// The exit status: main's result (0 or 1), the status given to `exit`
    /// by any worker, 134 if main trapped, 124 if the run ran out of time.
    pub status: i32,
    /// A one-line description when the run failed (a trap, a limit).
    pub error: Option<String>,
    /// What the run reported when it finished.
    pub report: RunReport,
}

/// A loaded program: a component or a wasi-threads module.
#[derive(Clone)]
pub struct Program {
    inner: Loaded,
}

#[derive(Clone)]
enum Loaded {
    Component {
        pre: InstancePre<HostState>,
        command: CommandPre<HostState>,
    },
    Module(crate::wasip1::ModuleProgram),
}

/// What kind of WebAssembly a program is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgramKind {
    /// A component (`wasm32-wasip2`): workers are instances.
    Component,
    /// A core module with wasi-threads (`wasm32-wasip1-threads`): threads
    /// share one memory.
    ThreadsModule,
}

impl Program {
    /// The kind of program.
    pub fn kind(&self) -> ProgramKind {
        match self.inner {
            Loaded::Component { .. } => ProgramKind::Component,
            Loaded::Module(_) => ProgramKind::ThreadsModule,
        }
    }

    fn component(&self) -> wasmtime::Result<(&InstancePre<HostState>, &CommandPre<HostState>)> {
        match &self.inner {
            Loaded::Component { pre, command } => Ok((pre, command)),
            Loaded::Module(_) => wasmtime::bail!("a wasi-threads module has no tasks to call"),
        }
    }
}

impl fmt::Debug for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Program")
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

/// The Store data of every instance a [`ThreadingHost`] runs.
pub(crate) struct HostState {
    wasi: WasiCtx,
    table: ResourceTable,
    threading: ThreadingCtx,
}

impl WasiView for HostState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl ThreadingView for HostState {
    fn threading(&mut self) -> ThreadingCtxView<'_> {
        ThreadingCtxView {
            ctx: &mut self.threading,
            table: &mut self.table,
        }
    }
}

/// Runs command components with WASI p2 and portalis-threading.
///
/// One host can run many programs, one after another or at once; each run
/// has its own objects, workers and limits.
///
/// # Examples
/// ```no_run
/// use portalis_threading_host::{HostConfig, RunOptions, ThreadingHost};
///
/// # fn main() -> wasmtime::Result<()> {
/// let host = ThreadingHost::new(HostConfig::default())?;
/// let program = host.load("primes.wasm".as_ref())?;
/// let outcome = host.run(&program, RunOptions { args: vec!["primes".into()], ..Default::default() })?;
/// std::process::exit(outcome.status);
/// # }
/// ```
pub struct ThreadingHost {
    engine: Engine,
    linker: Linker<HostState>,
    config: HostConfig,
}

impl fmt::Debug for ThreadingHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadingHost")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ThreadingHost {
    /// A host with an engine for threads: epoch interruption (to stop runs),
    /// wasm threads and shared memory, the pooling allocator sized by the
    /// limits.
    ///
    /// # Errors
    /// If the engine cannot be created.
    pub fn new(config: HostConfig) -> wasmtime::Result<Self> {
        let instances = u32::try_from(config.limits.max_workers + 16).unwrap_or(u32::MAX);
        let mut pool = PoolingAllocationConfig::new();
        pool.total_component_instances(instances)
            .total_core_instances(instances.saturating_mul(8))
            .total_memories(instances.saturating_mul(2))
            .total_tables(instances.saturating_mul(4))
            .max_memory_size(config.limits.max_memory_bytes)
            // A freed memory's first 2 MiB stay resident and are reset in
            // place for the next worker instead of being returned to the OS
            // and faulted in again. That range holds what a typical guest
            // touches: its stack (1 MiB by default, below the data) and data
            // plus early heap above it. Where Linux has `PAGEMAP_SCAN`
            // (6.7+), only the pages the guest dirtied are reset. Measured
            // on a fresh worker's spawn+join (`benches/README.md`): 64 KiB
            // and no scan 67-78 µs, 2 MiB and the scan 31-53 µs.
            .linear_memory_keep_resident(2 << 20)
            .table_keep_resident(64 << 10)
            .pagemap_scan(wasmtime::Enabled::Auto);
        let mut cfg = Config::new();
        cfg.epoch_interruption(true)
            .wasm_threads(true)
            .shared_memory(true)
            .concurrency_support(false)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&cfg)?;
        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        crate::add_to_linker(&mut linker)?;
        Ok(Self {
            engine,
            linker,
            config,
        })
    }

    /// The engine, for embedders that compile programs themselves.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Loads and compiles a program from a file.
    ///
    /// # Errors
    /// One-line errors for a missing file, a file that is not WebAssembly,
    /// a component that cannot run here (missing imports or no
    /// `wasi:cli/run` export), or a core module that is not a wasi-threads
    /// program.
    pub fn load(&self, path: &Path) -> wasmtime::Result<Program> {
        let bytes = std::fs::read(path)
            .map_err(|e| wasmtime::format_err!("cannot read {}: {e}", path.display()))?;
        self.load_bytes(&bytes)
            .map_err(|e| wasmtime::format_err!("{}: {e}", path.display()))
    }

    /// Loads and compiles a program from bytes.
    ///
    /// # Errors
    /// As [`load`](Self::load).
    pub fn load_bytes(&self, bytes: &[u8]) -> wasmtime::Result<Program> {
        if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
            wasmtime::bail!("not a WebAssembly file (no `\\0asm` header)");
        }
        if bytes[6..8] != [1, 0] {
            let module = crate::wasip1::ModuleProgram::new(&self.engine, bytes)
                .map_err(wasmtime::Error::msg)?;
            return Ok(Program {
                inner: Loaded::Module(module),
            });
        }
        let component = Component::new(&self.engine, bytes)
            .map_err(|e| wasmtime::format_err!("invalid component: {}", one_line(&e)))?;
        let pre = self
            .linker
            .instantiate_pre(&component)
            .map_err(|e| wasmtime::format_err!("cannot link the component: {e:#}"))?;
        let command = CommandPre::new(pre.clone()).map_err(|e| {
            wasmtime::format_err!(
                "the component exports no `wasi:cli/run`, so it is not a program ({})",
                one_line(&e)
            )
        })?;
        Ok(Program {
            inner: Loaded::Component { pre, command },
        })
    }

    /// Runs one task of `program` in a fresh run, without its `main`: the
    /// entry's output, or its error. See [`Run::call`].
    ///
    /// # Errors
    /// Only for host failures; the task's own failure is the inner error.
    pub fn call(
        &self,
        program: &Program,
        options: RunOptions,
        entry: &str,
        input: &[u8],
    ) -> wasmtime::Result<Result<Vec<u8>, crate::bindings::WitError>> {
        let (pre, _) = program.component()?;
        let options = Arc::new(options);
        let run = Run::new(
            pre,
            RunConfig {
                limits: self.config.limits.clone(),
                parallelism: self.config.workers,
            },
            move |threading: ThreadingCtx| state(&options, threading),
        )?;
        let result = run.call(entry, input);
        run.finish(StopReason::Exited(0));
        Ok(result)
    }

    /// Runs `program` to completion: its `wasi:cli/run`, with threads. When
    /// main returns, workers still running are stopped.
    ///
    /// # Errors
    /// Only for host failures (the run could not be set up); everything a
    /// guest does is in the outcome.
    pub fn run(&self, program: &Program, options: RunOptions) -> wasmtime::Result<RunOutcome> {
        let (pre, command) = match &program.inner {
            Loaded::Component { pre, command } => (pre, command),
            Loaded::Module(module) => {
                let workers = self.config.workers.unwrap_or_else(|| {
                    u32::try_from(portalis_threading::thread::available_parallelism().get())
                        .unwrap_or(u32::MAX)
                });
                return crate::wasip1::run(
                    &self.engine,
                    module,
                    &options,
                    &self.config.limits,
                    workers,
                );
            }
        };
        let options = Arc::new(options);
        let worker_options = options.clone();
        let make = move |threading: ThreadingCtx| state(&worker_options, threading);
        let run = Run::new(
            pre,
            RunConfig {
                limits: self.config.limits.clone(),
                parallelism: self.config.workers,
            },
            make,
        )?;
        let mut store = Store::new(&self.engine, state(&options, run.main_ctx()));
        run.configure_store(&mut store);
        let result = command
            .instantiate(&mut store)
            .and_then(|command| command.wasi_cli_run().call_run(&mut store));
        let (status, error) = match result {
            Ok(Ok(())) => (0, None),
            Ok(Err(())) => (1, None),
            Err(e) => match e.downcast_ref::<I32Exit>() {
                Some(exit) => (exit.0, None),
                None => match run.stopped() {
                    // Interrupted because the run was stopped: say why.
                    Some(reason) => stop_status(&reason),
                    None => (
                        134,
                        Some(format!("main trapped: {}", main_error(&mut store, &e))),
                    ),
                },
            },
        };
        drop(store);
        let report = run.finish(StopReason::Exited(status));
        let (status, error) = match (&report.reason, error) {
            (StopReason::Exited(_), error) => {
                (exit_status(&report.reason).unwrap_or(status), error)
            }
            (reason, None) => stop_status(reason),
            (_, error) => (status, error),
        };
        Ok(RunOutcome {
            status,
            error,
            report,
        })
    }
}

/// The panic message main reported, or the trap.
fn main_error(store: &mut Store<HostState>, e: &wasmtime::Error) -> String {
    store
        .data_mut()
        .threading
        .panic_message
        .take()
        .unwrap_or_else(|| one_line(e))
}

fn exit_status(reason: &StopReason) -> Option<i32> {
    match reason {
        StopReason::Exited(code) => Some(*code),
        _ => None,
    }
}

/// The status and message for a run that was stopped.
fn stop_status(reason: &StopReason) -> (i32, Option<String>) {
    match reason {
        StopReason::Exited(code) => (*code, None),
        StopReason::TimeLimit(_) => (124, Some(reason.to_string())),
        StopReason::Fault(_) => (134, Some(reason.to_string())),
        StopReason::Requested => (130, Some(reason.to_string())),
    }
}

/// The Store data for one instance of a run.
fn state(options: &RunOptions, threading: ThreadingCtx) -> HostState {
    let mut wasi = WasiCtxBuilder::new();
    wasi.args(&options.args);
    for (k, v) in &options.env {
        wasi.env(k, v);
    }
    let parallelism = threading.run.parallelism.to_string();
    wasi.env(portalis_threading::PARALLELISM_ENV, &parallelism);
    match &options.stdout {
        Output::Inherit => wasi.inherit_stdout(),
        Output::Capture(pipe) => wasi.stdout(pipe.clone()),
    };
    match &options.stderr {
        Output::Inherit => wasi.inherit_stderr(),
        Output::Capture(pipe) => wasi.stderr(pipe.clone()),
    };
    for (host, guest) in &options.dirs {
        // Checked when the run starts (the CLI opens each first); a failure
        // here leaves the directory out rather than failing a worker.
        let _ = wasi.preopened_dir(host, guest, FsPerms::ReadWrite);
    }
    HostState {
        wasi: wasi.build(),
        table: ResourceTable::new(),
        threading,
    }
}
