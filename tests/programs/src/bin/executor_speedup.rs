//! A CPU-bound job over a pool: the same answer with 1 and 2 workers.
//! (Speedup is measured by the benchmarks and the main job, not here.)

use portalis_test_programs::{count_primes, guest};

guest::tasks!(count_primes);

fn main() {
    let chunks: Vec<(u64, u64)> = (0..8).map(|i| (i * 5_000, (i + 1) * 5_000)).collect();
    let mut answers = Vec::new();
    for workers in [1, 2] {
        let pool = guest::ThreadPool::new(workers).unwrap();
        answers.push(
            pool.map(count_primes, chunks.clone())
                .unwrap()
                .iter()
                .sum::<u64>(),
        );
    }
    assert_eq!(answers, [4203, 4203]);
    println!("executor_speedup ok");
}
