//! A pipeline of workers: producers cut `1..LIMIT` into batches, stage-two
//! workers find the longest Collatz chain in each batch, and main keeps the
//! overall longest. Channels connect the stages; a barrier starts every
//! worker (and main's clock) at once; closing the channels ends the stages.
//!
//! ```text
//! portalis-threading run --workers 2 pipeline.wasm -- [LIMIT]
//! ```

use std::time::Instant;

use portalis_threading_guest::{
    Barrier, Receiver, Sender, available_parallelism, bounded, spawn, task, tasks,
};

const BATCH: u64 = 2_000;

/// A range of numbers to examine.
type Batch = (u64, u64);
/// The number with the longest chain in a batch, and its length.
type Best = (u64, u32);

task! {
    /// Sends `[lo, hi)` in batches, once every party is at the barrier.
    pub fn produce(args: (Barrier, Sender<Batch>, u64, u64)) -> u64 {
        let (start, out, lo, hi) = args;
        start.wait().expect("the barrier");
        let mut batches = 0;
        let mut n = lo;
        while n < hi {
            let end = (n + BATCH).min(hi);
            out.send((n, end)).expect("stage two is listening");
            batches += 1;
            n = end;
        }
        batches
    }

    /// For each batch, the number with the longest chain; returns how many
    /// batches it handled.
    pub fn longest(args: (Barrier, Receiver<Batch>, Sender<Best>)) -> u64 {
        let (start, batches, results) = args;
        start.wait().expect("the barrier");
        let mut handled = 0;
        for (lo, hi) in batches.iter() {
            let best = (lo..hi).map(|n| (n, chain(n))).max_by_key(|&(_, len)| len).unwrap_or((0, 0));
            results.send(best).expect("main is listening");
            handled += 1;
        }
        handled
    }
}

tasks!(produce, longest);

/// The length of the Collatz chain from `n` to 1.
fn chain(mut n: u64) -> u32 {
    let mut steps = 1;
    while n > 1 {
        n = if n.is_multiple_of(2) {
            n / 2
        } else {
            3 * n + 1
        };
        steps += 1;
    }
    steps
}

fn main() {
    let limit: u64 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("LIMIT is a number"));
    let producers = 2u64;
    let stage_two = available_parallelism().max(2) as u64;
    let start = Barrier::new((producers + stage_two + 1) as u32).expect("a barrier");
    let (batch_tx, batch_rx) = bounded::<Batch>(64).expect("a channel");
    let (result_tx, result_rx) = bounded::<Best>(64).expect("a channel");

    let share = limit.div_ceil(producers);
    let makers: Vec<_> = (0..producers)
        .map(|i| {
            let (lo, hi) = ((i * share).max(1), ((i + 1) * share).min(limit));
            spawn(produce, (start.clone(), batch_tx.clone(), lo, hi)).expect("a producer")
        })
        .collect();
    let finders: Vec<_> = (0..stage_two)
        .map(|_| {
            spawn(
                longest,
                (start.clone(), batch_rx.clone(), result_tx.clone()),
            )
            .expect("a worker")
        })
        .collect();
    // Main keeps no ends it does not use, so the stages see them close.
    drop((batch_tx, batch_rx, result_tx));

    start.wait().expect("the barrier");
    let clock = Instant::now();
    let best = result_rx
        .iter()
        .max_by_key(|&(n, len)| (len, std::cmp::Reverse(n)))
        .expect("results");
    let took = clock.elapsed();

    let made: u64 = makers
        .into_iter()
        .map(|h| h.join().expect("a producer"))
        .sum();
    let handled: u64 = finders
        .into_iter()
        .map(|h| h.join().expect("a worker"))
        .sum();
    assert_eq!(made, handled, "every batch went through stage two once");
    println!(
        "longest Collatz chain below {limit}: {} ({} steps); {made} batches through {stage_two} workers in {:.1} ms",
        best.0,
        best.1,
        took.as_secs_f64() * 1e3
    );
}
