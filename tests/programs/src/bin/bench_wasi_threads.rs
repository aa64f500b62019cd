//! A self-timing benchmark for shared-memory threads, run the same way
//! natively, as a wasi-threads module on this host, and on upstream wasmtime
//! 46 (`benches/wasmtime46`): spawn+join, a contended lock, and a CPU-bound
//! rayon job on 1 and 2 threads. Prints one `name value unit` line each.
//! (Shared memory only; a component has no std threads.)

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

portalis_test_programs::guest::tasks!();

fn best<F: FnMut() -> Duration>(runs: usize, mut f: F) -> Duration {
    (0..runs).map(|_| f()).min().expect("runs")
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let scale = if quick { 10 } else { 1 };

    let spawns = 2_000 / scale;
    let spawn = best(5, || {
        let start = Instant::now();
        for _ in 0..spawns {
            std::thread::spawn(|| std::hint::black_box(1u64))
                .join()
                .unwrap();
        }
        start.elapsed() / spawns as u32
    });
    println!("spawn_join {:.2} us", spawn.as_secs_f64() * 1e6);

    let rounds = 200_000 / scale;
    let lock = best(5, || {
        let counter = Arc::new(Mutex::new(0u64));
        let start = Instant::now();
        let hs: Vec<_> = (0..2)
            .map(|_| {
                let c = counter.clone();
                std::thread::spawn(move || {
                    for _ in 0..rounds {
                        *c.lock().unwrap() += 1;
                    }
                })
            })
            .collect();
        for h in hs {
            h.join().unwrap();
        }
        assert_eq!(*counter.lock().unwrap(), 2 * rounds as u64);
        start.elapsed() / (2 * rounds) as u32
    });
    println!("contended_lock {:.1} ns", lock.as_secs_f64() * 1e9);

    let limit = 2_000_000 / scale as u32;
    let mut times = Vec::new();
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let t = best(3, || {
            let start = Instant::now();
            let n = pool.install(|| {
                (0..limit)
                    .into_par_iter()
                    .with_min_len(1000)
                    .filter(|&n| portalis_test_programs::is_prime(u64::from(n)))
                    .count()
            });
            assert!(n > 0);
            start.elapsed()
        });
        println!(
            "rayon_primes_{threads}_threads {:.1} ms",
            t.as_secs_f64() * 1e3
        );
        times.push(t);
    }
    println!(
        "rayon_speedup_2_threads {:.2} x",
        times[0].as_secs_f64() / times[1].as_secs_f64()
    );
    println!("bench_wasi_threads ok");
}
