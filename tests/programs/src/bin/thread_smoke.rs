//! spawn + join, ids, names, parallelism, sleep, yield.

use portalis_test_programs::{eventually, guest, nap, square, worker_id};

guest::tasks!(square, nap, worker_id);

fn main() {
    assert_eq!(guest::current_id(), 0, "main is worker 0");
    assert!(guest::available_parallelism() >= 1);

    let h = guest::spawn(square, 12).unwrap();
    assert_eq!(h.name(), None);
    let id = h.id();
    assert_ne!(id, 0);
    assert_eq!(h.join().unwrap(), 144);

    let h = guest::Builder::new()
        .name("the-worker")
        .spawn(worker_id, ())
        .unwrap();
    let reported = h.id();
    assert_eq!(h.join().unwrap(), reported, "a worker knows its own id");

    let mut slow = guest::spawn(nap, 50).unwrap();
    assert!(!slow.is_finished());
    guest::yield_now();
    eventually("the napping worker finishes", || slow.is_finished());
    assert_eq!(slow.try_join().unwrap(), 50);

    let handles: Vec<_> = (0..8).map(|i| guest::spawn(square, i).unwrap()).collect();
    let ids: std::collections::HashSet<u64> = handles.iter().map(|h| h.id()).collect();
    assert_eq!(ids.len(), 8, "worker ids are unique");
    let sum: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(sum, (0..8).map(|i| i * i).sum());
    println!("thread_smoke ok");
}
