//! The Python-compatible API (`portalis_threading::python`) beside CPython
//! running the same operations, in the same benchmark run.
//!
//! The CPython side is `benches/python/python_api.py`, started once at the
//! beginning (it times itself with `perf_counter_ns` and prints ns per
//! operation); the Rust side is measured by criterion. A table of both and
//! the ratio is printed at the end. Set `PORTALIS_BENCH_PYTHON` to choose the
//! interpreter (default `python3`); without one, only our side runs.
//!
//! - `queue_put_get`: `Queue.put` on this thread, `Queue.get` on another,
//!   per item;
//! - `lock_acquire_release`: uncontended `Lock.acquire()` + `release()`;
//! - `executor_round_trip`: `ThreadPoolExecutor(2).submit(f).result()`;
//! - `event_handoff`: a round trip between two threads over two `Event`s;
//! - `cpu_bound_{1_worker,2_workers}`: counting primes below 200,000 in 8
//!   chunks over `ThreadPoolExecutor(1)` and `(2)`: the GIL keeps CPython
//!   from speeding up; we should, by about the number of cores.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::Criterion;
use portalis_threading::python::concurrent_futures::ThreadPoolExecutor;
use portalis_threading::python::queue::Queue;
use portalis_threading::python::threading::{Event, Lock, Thread};

const GROUP: &str = "python_api";

fn queue_put_get(c: &mut Criterion) {
    c.benchmark_group(GROUP)
        .bench_function("queue_put_get", |b| {
            b.iter_custom(|iters| {
                let q = Arc::new(Queue::new(0));
                let consumer_q = q.clone();
                let consumer = Thread::new(move || {
                    for _ in 0..iters {
                        black_box(consumer_q.get(true, None).unwrap());
                    }
                });
                consumer.start().unwrap();
                let start = Instant::now();
                for i in 0..iters {
                    q.put(i, true, None).unwrap();
                }
                consumer.join(None).unwrap();
                start.elapsed()
            })
        });
}

fn lock_acquire_release(c: &mut Criterion) {
    let lock = Lock::new();
    c.benchmark_group(GROUP)
        .bench_function("lock_acquire_release", |b| {
            b.iter(|| {
                black_box(lock.acquire(true, -1).unwrap());
                lock.release().unwrap();
            })
        });
}

fn executor_round_trip(c: &mut Criterion) {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    c.benchmark_group(GROUP)
        .bench_function("executor_round_trip", |b| {
            b.iter(|| ex.submit(|| black_box(7u64)).unwrap().result(None).unwrap())
        });
}

fn event_handoff(c: &mut Criterion) {
    c.benchmark_group(GROUP)
        .bench_function("event_handoff", |b| {
            b.iter_custom(|iters| {
                let ping = Arc::new(Event::new());
                let pong = Arc::new(Event::new());
                let (pi, po) = (ping.clone(), pong.clone());
                let other = Thread::new(move || {
                    for _ in 0..iters {
                        pi.wait(None);
                        pi.clear();
                        po.set();
                    }
                });
                other.start().unwrap();
                let start = Instant::now();
                for _ in 0..iters {
                    ping.set();
                    pong.wait(None);
                    pong.clear();
                }
                let elapsed = start.elapsed();
                other.join(None).unwrap();
                elapsed
            })
        });
}

fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    if n.is_multiple_of(2) {
        return n == 2;
    }
    let mut d = 3;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 2;
    }
    true
}

fn count_primes(lo: u64, hi: u64) -> usize {
    (lo..hi).filter(|&n| is_prime(black_box(n))).count()
}

const PRIMES_BELOW: u64 = 200_000;
const CHUNKS: u64 = 8;

fn cpu_bound(c: &mut Criterion) {
    let mut group = c.benchmark_group(GROUP);
    group.sample_size(20);
    for (name, workers) in [("cpu_bound_1_worker", 1), ("cpu_bound_2_workers", 2)] {
        let ex = ThreadPoolExecutor::new(Some(workers)).unwrap();
        group.bench_function(name, |b| {
            b.iter(|| {
                let step = PRIMES_BELOW / CHUNKS;
                let futures: Vec<_> = (0..CHUNKS)
                    .map(|i| {
                        ex.submit(move || count_primes(i * step, (i + 1) * step))
                            .unwrap()
                    })
                    .collect();
                let total: usize = futures.iter().map(|f| f.result(None).unwrap()).sum();
                assert_eq!(total, 17_984);
            })
        });
    }
    group.finish();
}

/// CPython's ns per operation, by benchmark name.
fn run_cpython() -> Option<(String, BTreeMap<String, f64>)> {
    let python = std::env::var("PORTALIS_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("python/python_api.py");
    let output = match Command::new(&python).arg(&script).output() {
        Ok(output) if output.status.success() => output,
        Ok(output) => {
            eprintln!(
                "{python} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            return None;
        }
        Err(e) => {
            eprintln!("{python} not available ({e}); measuring our side only");
            return None;
        }
    };
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let mut version = String::new();
    let mut results = BTreeMap::new();
    for line in text.lines() {
        if let Some(v) = line.strip_prefix("# ") {
            version = v.to_owned();
        } else if let Some((name, ns)) = line.split_once(' ')
            && let Ok(ns) = ns.parse()
        {
            results.insert(name.to_owned(), ns);
        }
    }
    Some((version, results))
}

/// Criterion's estimate for one of our benchmarks, in ns per operation,
/// from the report it just wrote: the slope of its linear sampling (the
/// `time` it prints), else the mean.
fn our_estimate_ns(name: &str) -> Option<f64> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let path = target.join(format!("criterion/{GROUP}/{name}/new/estimates.json"));
    let json = std::fs::read_to_string(path).ok()?;
    ["\"slope\"", "\"mean\""].iter().find_map(|key| {
        let entry = &json[json.find(key)? + key.len()..];
        let entry = entry.trim_start().strip_prefix(':')?.trim_start();
        if entry.starts_with("null") {
            return None;
        }
        let value = &entry[entry.find("\"point_estimate\":")? + "\"point_estimate\":".len()..];
        let end = value.find([',', '}'])?;
        value[..end].trim().parse().ok()
    })
}

fn format_ns(ns: f64) -> String {
    if ns >= 1e6 {
        format!("{:.2} ms", ns / 1e6)
    } else if ns >= 1e3 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{ns:.1} ns")
    }
}

fn main() {
    // CPython first, while the machine is otherwise as quiet as it gets.
    let cpython = run_cpython();

    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    queue_put_get(&mut criterion);
    lock_acquire_release(&mut criterion);
    executor_round_trip(&mut criterion);
    event_handoff(&mut criterion);
    cpu_bound(&mut criterion);
    criterion.final_summary();

    let Some((version, cpython)) = cpython else {
        return;
    };
    println!(
        "\nPython-compatible API beside {version} (per operation; ours: criterion's estimate, CPython: median of 5 runs):\n"
    );
    println!("| benchmark | portalis | CPython | CPython / portalis |");
    println!("|---|---:|---:|---:|");
    let names = [
        "queue_put_get",
        "lock_acquire_release",
        "executor_round_trip",
        "event_handoff",
        "cpu_bound_1_worker",
        "cpu_bound_2_workers",
    ];
    for name in names {
        let ours = our_estimate_ns(name);
        let theirs = cpython.get(name).copied();
        let cell = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), format_ns);
        let ratio = match (ours, theirs) {
            (Some(o), Some(t)) if o > 0.0 => format!("{:.1}x", t / o),
            _ => "-".to_owned(),
        };
        println!("| {name} | {} | {} | {ratio} |", cell(ours), cell(theirs));
    }
    let speedup = |one: Option<f64>, two: Option<f64>| match (one, two) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}x", a / b),
        _ => "-".to_owned(),
    };
    println!(
        "\nSpeed-up from 1 to 2 workers: portalis {}, CPython {}",
        speedup(
            our_estimate_ns("cpu_bound_1_worker"),
            our_estimate_ns("cpu_bound_2_workers")
        ),
        speedup(
            cpython.get("cpu_bound_1_worker").copied(),
            cpython.get("cpu_bound_2_workers").copied()
        ),
    );
}
