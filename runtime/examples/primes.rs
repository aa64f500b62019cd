//! Counts the primes below a bound on a `ThreadPool` with 1, 2, ... threads
//! and prints the speedup over one thread: the native form of the project's
//! main job.
//!
//! ```text
//! cargo run --release -p portalis-threading --example primes [-- LIMIT [MAX_THREADS]]
//! ```

use std::time::{Duration, Instant};

use portalis_threading::{ThreadPool, thread};

fn is_prime(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    let mut d = 2;
    while d * d <= n {
        if n.is_multiple_of(d) {
            return false;
        }
        d += 1;
    }
    true
}

/// Counts primes below `limit` in chunks spread over `pool`.
fn count_primes(pool: &ThreadPool, limit: u64) -> u64 {
    const CHUNK: u64 = 2_000;
    let chunks = (0..limit.div_ceil(CHUNK)).map(|c| (c * CHUNK, ((c + 1) * CHUNK).min(limit)));
    pool.map(chunks, |(lo, hi)| {
        (lo..hi).filter(|&n| is_prime(n)).count() as u64
    })
    .expect("no task panics")
    .into_iter()
    .sum()
}

fn best_of_3(pool: &ThreadPool, limit: u64) -> (u64, Duration) {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let n = count_primes(pool, limit);
            (n, start.elapsed())
        })
        .min_by_key(|&(_, t)| t)
        .expect("three runs")
}

fn main() {
    let mut args = std::env::args().skip(1);
    let limit: u64 = args
        .next()
        .map_or(2_000_000, |a| a.parse().expect("LIMIT is a number"));
    let max_threads: usize = args
        .next()
        .map_or(thread::available_parallelism().get(), |a| {
            a.parse().expect("MAX_THREADS is a number")
        })
        .max(1);

    println!("primes below {limit} on a portalis-threading pool");
    let mut base = None;
    let mut counts = Vec::new();
    for threads in 1..=max_threads.max(2) {
        let pool = ThreadPool::new(threads).expect("threads start");
        let (count, time) = best_of_3(&pool, limit);
        let base = *base.get_or_insert(time);
        println!(
            "  {threads} thread(s): {count} primes in {:>8.2} ms   speedup {:.2}x",
            time.as_secs_f64() * 1e3,
            base.as_secs_f64() / time.as_secs_f64()
        );
        counts.push(count);
    }
    assert!(counts.windows(2).all(|w| w[0] == w[1]), "every run agrees");
}
