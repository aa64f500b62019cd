//! wasi-threads modules (`wasm32-wasip1-threads`) with real threads.
//!
//! wasmtime 47 removed wasi-threads; its old implementation ended the whole
//! host process when any thread exited or trapped. This one runs a module's
//! threads on native threads over one `SharedMemory`, shares one preview1 fd
//! table between them, and ends the *run*, never the host, when any thread
//! calls `proc_exit` or traps.
//!
//! - `wasi::thread-spawn(arg)` runs `wasi_thread_start(tid, arg)` in a fresh
//!   Store and instance (from one `InstancePre`) on a native thread, recycled
//!   from the run's [`ThreadCache`] as components' workers are. Thread ids
//!   run from 1 to `0x1FFFFFFF`; a spawn that cannot happen returns
//!   `-EAGAIN`, as the spec asks.
//! - Stopping a run (main returned, `proc_exit` or a trap anywhere, the time
//!   limit) bumps the epoch, so running threads trap; threads parked in
//!   `memory.atomic.wait` wake because the module's waits were rewritten into
//!   sliced host waits (see `instrument.rs`); sleeping threads wake because
//!   `poll_oneoff` sleeps in slices. The run waits until every thread has
//!   left before it returns its outcome.

pub(crate) mod instrument;
pub(crate) mod memory;
pub(crate) mod preview1;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use wasmtime::{
    Caller, Engine, InstancePre, Linker, MemoryType, Module, SharedMemory, Store, UpdateDeadline,
};

use self::instrument::{WAIT_MODULE, WaitSite};
use self::memory::GuestMemory;
use self::preview1::Preview1;
use crate::blocking::SLICE;
use crate::launcher::one_line;
use crate::program::{RunOptions, RunOutcome};
use crate::run::{RunControl, StopReason};
use crate::thread_cache::ThreadCache;
use crate::{Limits, RunReport};

const MAX_TID: u32 = 0x1FFF_FFFF;
const EAGAIN: i32 = 6;
const PAGE: u64 = 64 * 1024;

/// A compiled wasi-threads module.
#[derive(Clone)]
pub(crate) struct ModuleProgram {
    module: Module,
    sites: Vec<WaitSite>,
    memory: MemoryType,
    threads: bool,
}

impl ModuleProgram {
    /// Checks the module's imports, rewrites its atomic waits, compiles it.
    pub(crate) fn new(engine: &Engine, bytes: &[u8]) -> Result<Self, String> {
        let instrumented = instrument::instrument(bytes)?;
        let module = Module::new(engine, &instrumented.bytes)
            .map_err(|e| format!("invalid module: {}", one_line(&e)))?;
        let mut memory = None;
        let mut threads = false;
        for import in module.imports() {
            match (import.module(), import.name(), import.ty()) {
                ("env", "memory", wasmtime::ExternType::Memory(ty)) => memory = Some(ty),
                ("wasi", "thread-spawn", wasmtime::ExternType::Func(_)) => threads = true,
                ("wasi_snapshot_preview1", _, _) | (WAIT_MODULE, _, _) => {}
                (m, n, _) => {
                    return Err(format!(
                        "the module imports `{m}::{n}`, which this host does not provide"
                    ));
                }
            }
        }
        let memory = memory.ok_or("the module does not import a shared memory `env.memory` (build for wasm32-wasip1-threads)")?;
        if !memory.is_shared() {
            return Err(
                "the module's `env.memory` is not shared (build for wasm32-wasip1-threads)".into(),
            );
        }
        if module.get_export("_start").is_none() {
            return Err("the module exports no `_start`, so it is not a program".into());
        }
        if threads && module.get_export("wasi_thread_start").is_none() {
            return Err(
                "the module imports `wasi::thread-spawn` but exports no `wasi_thread_start`".into(),
            );
        }
        Ok(Self {
            module,
            sites: instrumented.sites,
            memory,
            threads,
        })
    }
}

/// The Store data of one thread.
pub(crate) struct ThreadState {
    pub(crate) run: Arc<ThreadsRun>,
}

/// What every thread of one run shares.
pub(crate) struct ThreadsRun {
    pub(crate) memory: GuestMemory,
    pub(crate) preview1: Preview1,
    pub(crate) control: Arc<RunControl>,
    engine: Engine,
    pre: OnceLock<InstancePre<ThreadState>>,
    next_tid: AtomicU32,
    threads: ThreadCache,
    live: portalis_threading::Mutex<usize>,
    left: portalis_threading::Condvar,
    max_threads: usize,
}

impl ThreadsRun {
    fn new_store(self: &Arc<Self>) -> Store<ThreadState> {
        let mut store = Store::new(&self.engine, ThreadState { run: self.clone() });
        let control = self.control.clone();
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(move |_| {
            Ok(if control.is_stopped() {
                UpdateDeadline::Interrupt
            } else {
                UpdateDeadline::Continue(1)
            })
        });
        store
    }

    /// `wasi::thread-spawn`: a new thread id, or `-EAGAIN`.
    fn spawn(self: &Arc<Self>, arg: i32) -> i32 {
        if self.control.is_stopped() {
            return -EAGAIN;
        }
        {
            let mut live = self.live.lock();
            if *live >= self.max_threads {
                return -EAGAIN;
            }
            *live += 1;
        }
        let tid = self.next_tid.fetch_add(1, Ordering::Relaxed);
        if tid > MAX_TID {
            self.thread_left();
            return -EAGAIN;
        }
        let run = self.clone();
        let started = self.threads.start(Box::new(move || {
            run.thread_main(tid, arg);
            run.thread_left();
        }));
        match started {
            Ok(()) => tid as i32,
            Err(_) => {
                self.thread_left();
                -EAGAIN
            }
        }
    }

    fn thread_main(self: &Arc<Self>, tid: u32, arg: i32) {
        let mut store = self.new_store();
        let pre = self.pre.get().expect("linked before any thread starts");
        let result = pre.instantiate(&mut store).and_then(|instance| {
            let start =
                instance.get_typed_func::<(i32, i32), ()>(&mut store, "wasi_thread_start")?;
            start.call(&mut store, (tid as i32, arg))
        });
        if let Err(e) = result {
            self.ended_by(&e, &format!("thread {tid}"));
        }
    }

    /// Stops the run for a thread that ended with `e`: its `proc_exit`
    /// status, or a fault. Nothing to do if the run is already stopping.
    fn ended_by(&self, e: &wasmtime::Error, who: &str) {
        if let Some(exit) = e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            self.control.stop(StopReason::Exited(exit.0));
        } else if !self.control.is_stopped() {
            self.control
                .stop(StopReason::Fault(format!("{who} trapped: {}", one_line(e))));
        }
    }

    fn thread_left(&self) {
        let mut live = self.live.lock();
        *live -= 1;
        if *live == 0 {
            self.left.notify_all();
        }
    }

    /// Waits until every spawned thread has left, nudging the run meanwhile,
    /// then until their OS threads are gone; returns the threads still alive
    /// at `give_up`.
    fn finish(&self, give_up: Instant) -> usize {
        loop {
            let live = {
                let mut live = self.live.lock();
                if *live > 0 {
                    self.left.wait_timeout(&mut live, SLICE);
                }
                *live
            };
            if live == 0 || Instant::now() >= give_up {
                break;
            }
            self.control.nudge();
        }
        self.threads.close();
        self.threads
            .wait_gone(give_up.saturating_duration_since(Instant::now()).max(SLICE));
        self.threads.alive()
    }

    /// A host-side `memory.atomic.wait` at `addr + offset`, in slices.
    fn wait(
        &self,
        site: WaitSite,
        addr: i32,
        expected: i64,
        timeout: i64,
    ) -> wasmtime::Result<i32> {
        let at = u64::from(addr as u32) + site.offset;
        let deadline =
            (timeout >= 0).then(|| Instant::now() + Duration::from_nanos(timeout as u64));
        if self.control.is_stopped() {
            return Err(wasmtime::Error::msg("the run was stopped"));
        }
        let slice = match deadline {
            Some(d) => d.saturating_duration_since(Instant::now()).min(SLICE),
            None => SLICE,
        };
        let result = if site.wide {
            self.memory
                .0
                .atomic_wait64(at, expected as u64, Some(slice))
        } else {
            self.memory
                .0
                .atomic_wait32(at, expected as u32, Some(slice))
        }?;
        Ok(match result {
            wasmtime::WaitResult::Ok => 0,
            wasmtime::WaitResult::Mismatch => 1,
            wasmtime::WaitResult::TimedOut if deadline.is_some_and(|d| Instant::now() >= d) => 2,
            // The slice ran out, not the wait: return as woken (a spurious
            // wake-up, which futex users re-check), so the guest re-waits
            // and a stopped run is noticed.
            wasmtime::WaitResult::TimedOut => {
                if self.control.is_stopped() {
                    return Err(wasmtime::Error::msg("the run was stopped"));
                }
                0
            }
        })
    }
}

/// Runs `program` to completion.
pub(crate) fn run(
    engine: &Engine,
    program: &ModuleProgram,
    options: &RunOptions,
    limits: &Limits,
    workers: u32,
) -> wasmtime::Result<RunOutcome> {
    let started = Instant::now();
    let memory_type = capped(&program.memory, limits.max_memory_bytes)?;
    let memory = SharedMemory::new(engine, memory_type)?;
    let mut env = options.env.clone();
    for var in [portalis_threading::PARALLELISM_ENV, "RAYON_NUM_THREADS"] {
        if !env.iter().any(|(k, _)| k == var) {
            env.push((var.to_owned(), workers.to_string()));
        }
    }
    let preview1 = Preview1::new(
        options.args.clone(),
        env,
        &options.dirs,
        &options.stdout,
        &options.stderr,
    )
    .map_err(|e| wasmtime::format_err!("cannot open a preopened directory: {e}"))?;
    let control = RunControl::new(engine);
    let run = Arc::new(ThreadsRun {
        memory: GuestMemory(memory.clone()),
        preview1,
        control: control.clone(),
        engine: engine.clone(),
        pre: OnceLock::new(),
        next_tid: AtomicU32::new(1),
        threads: ThreadCache::new("wasi-thread"),
        live: portalis_threading::Mutex::new(0),
        left: portalis_threading::Condvar::new(),
        max_threads: limits.max_workers,
    });

    let mut main = run.new_store();
    let mut linker = Linker::<ThreadState>::new(engine);
    linker.define(&main, "env", "memory", memory)?;
    preview1::add_to_linker(&mut linker)?;
    preview1::add_missing(&mut linker, &program.module)?;
    if program.threads {
        linker.func_wrap(
            "wasi",
            "thread-spawn",
            |c: Caller<'_, ThreadState>, arg: i32| c.data().run.spawn(arg),
        )?;
    }
    for &site in &program.sites {
        if site.wide {
            linker.func_wrap(
                WAIT_MODULE,
                &site.import_name(),
                move |c: Caller<'_, ThreadState>, addr: i32, expected: i64, timeout: i64| {
                    c.data().run.wait(site, addr, expected, timeout)
                },
            )?;
        } else {
            linker.func_wrap(
                WAIT_MODULE,
                &site.import_name(),
                move |c: Caller<'_, ThreadState>, addr: i32, expected: i32, timeout: i64| {
                    c.data()
                        .run
                        .wait(site, addr, i64::from(expected as u32), timeout)
                },
            )?;
        }
    }
    let pre = linker.instantiate_pre(&program.module)?;
    let _ = run.pre.set(pre.clone());

    if let Some(limit) = limits.run_time {
        let timer = control.clone();
        std::thread::Builder::new()
            .name("portalis-run-timer".into())
            .spawn(move || {
                if !timer.wait_stopped(limit) {
                    timer.stop(StopReason::TimeLimit(limit));
                }
            })
            .map_err(|e| wasmtime::format_err!("cannot start the run timer: {e}"))?;
    }

    let result = pre.instantiate(&mut main).and_then(|instance| {
        let start = instance.get_typed_func::<(), ()>(&mut main, "_start")?;
        start.call(&mut main, ())
    });
    match &result {
        Ok(()) => control.stop(StopReason::Exited(0)),
        Err(e) => run.ended_by(e, "main"),
    }
    drop(main);
    let stray = run.finish(Instant::now() + Duration::from_secs(10));
    let reason = control.reason().unwrap_or(StopReason::Requested);
    let (status, error) = match &reason {
        StopReason::Exited(code) => (*code, None),
        StopReason::TimeLimit(_) => (124, Some(reason.to_string())),
        StopReason::Fault(msg) => (134, Some(msg.clone())),
        StopReason::Requested => (130, Some(reason.to_string())),
    };
    Ok(RunOutcome {
        status,
        error,
        report: RunReport {
            reason,
            elapsed: started.elapsed(),
            stray_threads: stray,
        },
    })
}

/// The module's memory type, its maximum lowered to the memory limit.
fn capped(ty: &MemoryType, max_bytes: usize) -> wasmtime::Result<MemoryType> {
    let limit_pages = (max_bytes as u64 / PAGE).max(1);
    let max = ty.maximum().unwrap_or(65536).min(limit_pages);
    if max < ty.minimum() {
        wasmtime::bail!(
            "the module needs {} MiB of memory, over the {} MiB limit",
            (ty.minimum() * PAGE) >> 20,
            max_bytes >> 20
        );
    }
    Ok(MemoryType::shared(
        u32::try_from(ty.minimum()).unwrap_or(u32::MAX),
        u32::try_from(max).unwrap_or(u32::MAX),
    ))
}
