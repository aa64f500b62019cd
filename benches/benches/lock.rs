//! Lock + unlock, uncontended and with four threads contending, for our
//! `Mutex` and `Lock`, parking_lot and std.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

trait Locked: Send + Sync + 'static {
    fn new() -> Self;
    fn bump(&self);
}

impl Locked for portalis_threading::Mutex<u64> {
    fn new() -> Self {
        portalis_threading::Mutex::new(0)
    }
    fn bump(&self) {
        *self.lock() += 1;
    }
}

/// Our guard-less lock guarding a counter.
struct OurLock(portalis_threading::Lock, std::cell::UnsafeCell<u64>);
// SAFETY: the counter is only touched while the lock is held.
unsafe impl Sync for OurLock {}
impl Locked for OurLock {
    fn new() -> Self {
        OurLock(
            portalis_threading::Lock::new(),
            std::cell::UnsafeCell::new(0),
        )
    }
    fn bump(&self) {
        self.0.acquire();
        // SAFETY: the lock is held.
        unsafe { *self.1.get() += 1 };
        self.0.release().unwrap();
    }
}

impl Locked for parking_lot::Mutex<u64> {
    fn new() -> Self {
        parking_lot::Mutex::new(0)
    }
    fn bump(&self) {
        *self.lock() += 1;
    }
}

impl Locked for std::sync::Mutex<u64> {
    fn new() -> Self {
        std::sync::Mutex::new(0)
    }
    fn bump(&self) {
        *self.lock().unwrap() += 1;
    }
}

fn uncontended<L: Locked>(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
) {
    let lock = L::new();
    c.bench_function(name, |b| b.iter(|| black_box(&lock).bump()));
}

/// Four threads each lock+unlock `iters / 4` times; time per operation.
fn contended<L: Locked>(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
) {
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let lock = Arc::new(L::new());
            let per = iters.div_ceil(4);
            let start = Instant::now();
            let hs: Vec<_> = (0..4)
                .map(|_| {
                    let lock = lock.clone();
                    std::thread::spawn(move || {
                        for _ in 0..per {
                            lock.bump();
                        }
                    })
                })
                .collect();
            for h in hs {
                h.join().unwrap();
            }
            start.elapsed()
        })
    });
}

fn locks(c: &mut Criterion) {
    let mut g = c.benchmark_group("lock_uncontended");
    uncontended::<portalis_threading::Mutex<u64>>(&mut g, "portalis_mutex");
    uncontended::<OurLock>(&mut g, "portalis_lock");
    uncontended::<parking_lot::Mutex<u64>>(&mut g, "parking_lot");
    uncontended::<std::sync::Mutex<u64>>(&mut g, "std");
    g.finish();
    let mut g = c.benchmark_group("lock_contended_4_threads");
    g.measurement_time(Duration::from_secs(3));
    contended::<portalis_threading::Mutex<u64>>(&mut g, "portalis_mutex");
    contended::<OurLock>(&mut g, "portalis_lock");
    contended::<parking_lot::Mutex<u64>>(&mut g, "parking_lot");
    contended::<std::sync::Mutex<u64>>(&mut g, "std");
    g.finish();
}

criterion_group!(benches, locks);
criterion_main!(benches);
