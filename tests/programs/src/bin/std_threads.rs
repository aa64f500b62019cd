//! Plain std threads: spawn/join with names, scoped threads, and the
//! parallelism the host announces. (Shared memory only.)

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

portalis_test_programs::guest::tasks!();

fn main() {
    let workers = std::env::var("PORTALIS_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok());
    assert_eq!(
        Some(portalis_threading::thread::available_parallelism().get()),
        workers.or(Some(
            portalis_threading::thread::available_parallelism().get()
        )),
        "available_parallelism follows PORTALIS_THREADS"
    );

    let h = std::thread::Builder::new()
        .name("named".into())
        .spawn(|| std::thread::current().name().map(str::to_owned))
        .unwrap();
    assert_eq!(h.join().unwrap().as_deref(), Some("named"));

    let counter = Arc::new(AtomicUsize::new(0));
    let hs: Vec<_> = (0..8)
        .map(|i| {
            let c = counter.clone();
            std::thread::spawn(move || {
                c.fetch_add(i, Ordering::SeqCst);
                i * 2
            })
        })
        .collect();
    let doubled: usize = hs.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(doubled, 56);
    assert_eq!(counter.load(Ordering::SeqCst), 28);

    let data: Vec<u64> = (1..=10_000).collect();
    let total: u64 = std::thread::scope(|s| {
        let parts: Vec<_> = data
            .chunks(2_500)
            .map(|c| s.spawn(move || c.iter().sum::<u64>()))
            .collect();
        parts.into_iter().map(|p| p.join().unwrap()).sum()
    });
    assert_eq!(total, 10_000 * 10_001 / 2);
    println!("std_threads ok");
}
