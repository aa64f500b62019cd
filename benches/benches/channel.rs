//! Channel throughput: one producer and one consumer (spsc) and four
//! producers with one consumer (mpsc), bounded(1024) and unbounded, for ours,
//! crossbeam, `std::sync::mpsc` and flume. Each iteration moves 100,000
//! messages.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::thread;

const MESSAGES: u64 = 100_000;

/// The channels under test, through one small interface.
trait Chan: Send + 'static {
    type Tx: Clone + Send + 'static;
    type Rx: Send + 'static;
    fn bounded(cap: usize) -> (Self::Tx, Self::Rx);
    fn unbounded() -> (Self::Tx, Self::Rx);
    fn send(tx: &Self::Tx, v: u64);
    fn recv(rx: &Self::Rx) -> Option<u64>;
}

struct Ours;
impl Chan for Ours {
    type Tx = portalis_threading::Sender<u64>;
    type Rx = portalis_threading::Receiver<u64>;
    fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
        portalis_threading::bounded(cap)
    }
    fn unbounded() -> (Self::Tx, Self::Rx) {
        portalis_threading::unbounded()
    }
    fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).unwrap();
    }
    fn recv(rx: &Self::Rx) -> Option<u64> {
        rx.recv().ok()
    }
}

struct Crossbeam;
impl Chan for Crossbeam {
    type Tx = crossbeam_channel::Sender<u64>;
    type Rx = crossbeam_channel::Receiver<u64>;
    fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
        crossbeam_channel::bounded(cap)
    }
    fn unbounded() -> (Self::Tx, Self::Rx) {
        crossbeam_channel::unbounded()
    }
    fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).unwrap();
    }
    fn recv(rx: &Self::Rx) -> Option<u64> {
        rx.recv().ok()
    }
}

struct StdMpsc;
impl Chan for StdMpsc {
    type Tx = std::sync::mpsc::SyncSender<u64>;
    type Rx = std::sync::mpsc::Receiver<u64>;
    fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
        std::sync::mpsc::sync_channel(cap)
    }
    fn unbounded() -> (Self::Tx, Self::Rx) {
        // `SyncSender` cannot be unbounded; a capacity no run reaches.
        std::sync::mpsc::sync_channel(MESSAGES as usize * 4)
    }
    fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).unwrap();
    }
    fn recv(rx: &Self::Rx) -> Option<u64> {
        rx.recv().ok()
    }
}

struct Flume;
impl Chan for Flume {
    type Tx = flume::Sender<u64>;
    type Rx = flume::Receiver<u64>;
    fn bounded(cap: usize) -> (Self::Tx, Self::Rx) {
        flume::bounded(cap)
    }
    fn unbounded() -> (Self::Tx, Self::Rx) {
        flume::unbounded()
    }
    fn send(tx: &Self::Tx, v: u64) {
        tx.send(v).unwrap();
    }
    fn recv(rx: &Self::Rx) -> Option<u64> {
        rx.recv().ok()
    }
}

fn run<C: Chan>(producers: u64, (tx, rx): (C::Tx, C::Rx)) -> u64 {
    let per = MESSAGES / producers;
    let handles: Vec<_> = (0..producers)
        .map(|_| {
            let tx = tx.clone();
            thread::spawn(move || {
                for i in 0..per {
                    C::send(&tx, black_box(i));
                }
            })
        })
        .collect();
    drop(tx);
    let mut sum = 0;
    while let Some(v) = C::recv(&rx) {
        sum += v;
    }
    for h in handles {
        h.join().unwrap();
    }
    sum
}

fn group<C: Chan>(c: &mut Criterion, name: &str, label: &str, producers: u64, bounded: bool) {
    let mut g = c.benchmark_group(name);
    g.throughput(Throughput::Elements(MESSAGES));
    g.bench_function(label, |b| {
        b.iter(|| {
            let chan = if bounded {
                C::bounded(1024)
            } else {
                C::unbounded()
            };
            run::<C>(producers, chan)
        })
    });
    g.finish();
}

fn channels(c: &mut Criterion) {
    for (name, producers, bounded) in [
        ("spsc_bounded", 1, true),
        ("spsc_unbounded", 1, false),
        ("mpsc_bounded", 4, true),
        ("mpsc_unbounded", 4, false),
    ] {
        group::<Ours>(c, name, "portalis", producers, bounded);
        group::<Crossbeam>(c, name, "crossbeam", producers, bounded);
        group::<StdMpsc>(c, name, "std_mpsc", producers, bounded);
        group::<Flume>(c, name, "flume", producers, bounded);
    }
}

criterion_group!(benches, channels);
criterion_main!(benches);
