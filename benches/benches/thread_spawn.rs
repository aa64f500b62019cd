//! Spawn + join of one thread that returns a value: ours, `std::thread`, and
//! `rayon::spawn` (which reuses pool threads, so it is the lower bound).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn spawn_join(c: &mut Criterion) {
    let mut group = c.benchmark_group("spawn_join");
    group.bench_function("portalis", |b| {
        b.iter(|| {
            portalis_threading::thread::spawn(|| black_box(1u64))
                .join()
                .unwrap()
        })
    });
    group.bench_function("std", |b| {
        b.iter(|| std::thread::spawn(|| black_box(1u64)).join().unwrap())
    });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    group.bench_function("rayon_spawn", |b| {
        b.iter(|| {
            let (tx, rx) = crossbeam_channel::bounded(1);
            pool.spawn(move || tx.send(black_box(1u64)).unwrap());
            rx.recv().unwrap()
        })
    });
    group.finish();
}

criterion_group!(benches, spawn_join);
criterion_main!(benches);
