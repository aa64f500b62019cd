//! One task through a two-thread pool and its result back: our
//! `ThreadPool::submit` + `TaskHandle::wait` beside rayon's `spawn` with the
//! result sent on a crossbeam `bounded(1)` channel.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn round_trip(c: &mut Criterion) {
    let mut group = c.benchmark_group("pool_round_trip");
    let ours = portalis_threading::ThreadPool::new(2).unwrap();
    group.bench_function("portalis", |b| {
        b.iter(|| ours.submit(|| black_box(7u64)).unwrap().wait().unwrap())
    });
    let rayon = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    group.bench_function("rayon", |b| {
        b.iter(|| {
            let (tx, rx) = crossbeam_channel::bounded(1);
            rayon.spawn(move || tx.send(black_box(7u64)).unwrap());
            rx.recv().unwrap()
        })
    });
    group.bench_function("portalis_map_64", |b| {
        b.iter(|| ours.map(0..64u64, |x| black_box(x * 2)).unwrap())
    });
    group.bench_function("rayon_map_64", |b| {
        use rayon::prelude::*;
        b.iter(|| {
            rayon.install(|| {
                (0..64u64)
                    .into_par_iter()
                    .map(|x| black_box(x * 2))
                    .collect::<Vec<_>>()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, round_trip);
criterion_main!(benches);
