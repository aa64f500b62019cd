//! Components on the host: a guest's threading calls timed inside the guest
//! (the `bench_tasks` test program), beside the same operation natively and
//! beside plain wasmtime.
//!
//! - `component_lock_unlock`: guest-to-host lock + unlock, uncontended;
//! - `component_spawn_join`: a fresh worker (thread + Store + instance);
//! - `component_pool_round_trip`: a task through a warm pool and back;
//! - `component_message`: one message from one worker to another;
//! - `component_primes`: a CPU-bound job on 1 and 2 workers.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use portalis_test_artifacts::BENCH_TASKS_COMPONENT;
use portalis_threading::{decode, encode};
use portalis_threading_host::{
    HostConfig, Program, Run, RunConfig, RunOptions, StopReason, ThreadingCtx, ThreadingCtxView,
    ThreadingHost, ThreadingView,
};
use wasmtime::Store;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};

const ENTRY: &str = "bench_tasks::";

/// The `bench_tasks` component: the one this build made, or the file
/// `PORTALIS_BENCH_TASKS` names (to run a prebuilt bench binary elsewhere).
fn bench_tasks() -> String {
    std::env::var("PORTALIS_BENCH_TASKS").unwrap_or_else(|_| BENCH_TASKS_COMPONENT.to_owned())
}

fn setup() -> (ThreadingHost, Program) {
    let host = ThreadingHost::new(HostConfig {
        workers: Some(2),
        ..HostConfig::default()
    })
    .expect("engine");
    let program = host.load(bench_tasks().as_ref()).expect("bench guest");
    (host, program)
}

/// Runs `task(input)` in the guest; it returns the nanoseconds it measured.
fn guest_time<I: serde::Serialize>(
    host: &ThreadingHost,
    program: &Program,
    task: &str,
    input: &I,
) -> Duration {
    let out = host
        .call(
            program,
            RunOptions::default(),
            &format!("{ENTRY}{task}"),
            &encode(input).unwrap(),
        )
        .expect("host")
        .expect("task");
    Duration::from_nanos(decode(&out).unwrap())
}

fn lock_unlock(c: &mut Criterion, host: &ThreadingHost, program: &Program) {
    let mut g = c.benchmark_group("component_lock_unlock");
    g.bench_function("portalis_component", |b| {
        b.iter_custom(|iters| guest_time(host, program, "bench_lock", &iters))
    });
    g.bench_function("portalis_component_is_locked_call", |b| {
        b.iter_custom(|iters| guest_time(host, program, "bench_is_locked", &iters))
    });
    g.bench_function("portalis_component_plain_call", |b| {
        b.iter_custom(|iters| guest_time(host, program, "bench_current_id", &iters))
    });
    let owned = portalis_threading::OwnedLock::new();
    g.bench_function("native_owned_lock", |b| {
        b.iter(|| {
            owned.lock(1, None).unwrap();
            owned.unlock(1).unwrap();
        })
    });
    let pl = parking_lot::Mutex::new(());
    g.bench_function("parking_lot", |b| b.iter(|| drop(pl.lock())));
    g.finish();
}

/// Store data for the plain-wasmtime peer.
struct State {
    wasi: WasiCtx,
    threading: ThreadingCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl ThreadingView for State {
    fn threading(&mut self) -> ThreadingCtxView<'_> {
        ThreadingCtxView {
            ctx: &mut self.threading,
            table: &mut self.table,
        }
    }
}

fn state(threading: ThreadingCtx) -> State {
    State {
        wasi: WasiCtx::builder().build(),
        threading,
        table: ResourceTable::new(),
    }
}

fn spawn_join(c: &mut Criterion, host: &ThreadingHost, program: &Program) {
    let mut g = c.benchmark_group("component_spawn_join");
    g.bench_function("portalis_component", |b| {
        b.iter_custom(|iters| guest_time(host, program, "bench_spawn", &iters))
    });
    // The peer: what plain wasmtime does for a worker (a thread, a Store, an
    // instance, one call, a join), with no threading layer around it.
    let engine = host.engine().clone();
    let mut linker = Linker::<State>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker).unwrap();
    portalis_threading_host::add_to_linker(&mut linker).unwrap();
    let component = Component::from_file(&engine, bench_tasks()).unwrap();
    let pre = linker.instantiate_pre(&component).unwrap();
    let guest_pre = portalis_threading_host::bindings::GuestPre::new(pre.clone()).unwrap();
    let run = Run::new(&pre, RunConfig::default(), state).unwrap();
    let noop = encode(&()).unwrap();
    g.bench_function("plain_wasmtime", |b| {
        b.iter(|| {
            std::thread::scope(|s| {
                s.spawn(|| {
                    let mut store = Store::new(&engine, state(run.main_ctx()));
                    run.configure_store(&mut store);
                    let guest = guest_pre.instantiate(&mut store).unwrap();
                    guest
                        .portalis_threading_worker()
                        .call_run(&mut store, &format!("{ENTRY}noop"), &noop)
                        .unwrap()
                        .unwrap()
                })
                .join()
                .unwrap()
            })
        })
    });
    g.bench_function("std_thread_native", |b| {
        b.iter(|| std::thread::spawn(|| ()).join().unwrap())
    });
    g.finish();
    run.finish(StopReason::Requested);
}

fn pool_round_trip(c: &mut Criterion, host: &ThreadingHost, program: &Program) {
    let mut g = c.benchmark_group("component_pool_round_trip");
    g.bench_function("portalis_component", |b| {
        b.iter_custom(|iters| guest_time(host, program, "bench_pool", &iters))
    });
    let pool = portalis_threading::ThreadPool::new(1).unwrap();
    g.bench_function("portalis_native", |b| {
        b.iter(|| pool.submit(|| ()).unwrap().wait().unwrap())
    });
    g.finish();
}

fn message(c: &mut Criterion, host: &ThreadingHost, program: &Program) {
    let mut g = c.benchmark_group("component_message");
    g.bench_function("portalis_component", |b| {
        b.iter_custom(|iters| guest_time(host, program, "bench_message", &iters))
    });
    g.bench_function("crossbeam_native", |b| {
        b.iter_custom(|iters| {
            let (ping_tx, ping_rx) = crossbeam_channel::bounded::<u64>(1);
            let (pong_tx, pong_rx) = crossbeam_channel::bounded::<u64>(1);
            let echo = std::thread::spawn(move || {
                while let Ok(v) = ping_rx.recv() {
                    pong_tx.send(v).unwrap();
                }
            });
            let start = Instant::now();
            for i in 0..iters.div_ceil(2) {
                ping_tx.send(i).unwrap();
                pong_rx.recv().unwrap();
            }
            let took = start.elapsed();
            drop(ping_tx);
            echo.join().unwrap();
            took
        })
    });
    g.finish();
}

fn count_primes(lo: u64, hi: u64) -> u64 {
    (lo..hi)
        .filter(|&n| {
            n >= 2
                && (2..)
                    .take_while(|d| d * d <= n)
                    .all(|d| !n.is_multiple_of(d))
        })
        .count() as u64
}

fn primes(c: &mut Criterion, host: &ThreadingHost, program: &Program) {
    const LIMIT: u64 = 1_000_000;
    let mut g = c.benchmark_group("component_primes_1m");
    g.sample_size(10);
    for workers in [1u64, 2] {
        g.bench_function(format!("portalis_component_{workers}_workers"), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| guest_time(host, program, "bench_primes", &(LIMIT, workers)))
                    .sum()
            })
        });
        let pool = portalis_threading::ThreadPool::new(workers as usize).unwrap();
        let chunks: Vec<(u64, u64)> = (0..LIMIT.div_ceil(10_000))
            .map(|i| (i * 10_000, ((i + 1) * 10_000).min(LIMIT)))
            .collect();
        g.bench_function(format!("native_{workers}_workers"), |b| {
            b.iter(|| {
                pool.map(chunks.clone(), |(lo, hi)| count_primes(lo, hi))
                    .unwrap()
                    .iter()
                    .sum::<u64>()
            })
        });
    }
    g.finish();
}

fn all(c: &mut Criterion) {
    let (host, program) = setup();
    lock_unlock(c, &host, &program);
    spawn_join(c, &host, &program);
    pool_round_trip(c, &host, &program);
    message(c, &host, &program);
    primes(c, &host, &program);
}

criterion_group!(benches, all);
criterion_main!(benches);
