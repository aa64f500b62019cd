//! rayon's parallel iterators, with as many threads as the host announces.
//! (Shared memory only.)

use rayon::prelude::*;

portalis_test_programs::guest::tasks!();

fn main() {
    let expected = std::env::var("RAYON_NUM_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    if let Some(n) = expected {
        assert_eq!(
            rayon::current_num_threads(),
            n,
            "rayon uses the host's worker count"
        );
    }
    let squares: u64 = (0..100_000u64).into_par_iter().map(|x| x * x % 7).sum();
    assert_eq!(squares, (0..100_000u64).map(|x| x * x % 7).sum());
    let primes = (0..50_000u64)
        .into_par_iter()
        .filter(|&n| portalis_test_programs::is_prime(n))
        .count();
    assert_eq!(primes, 5133);
    let mut v: Vec<u32> = (0..20_000).rev().collect();
    v.par_sort();
    assert!(v.windows(2).all(|w| w[0] <= w[1]));
    println!("std_rayon ok");
}
