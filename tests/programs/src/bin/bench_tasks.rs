//! Tasks the host's benchmarks call directly: each runs an operation `iters`
//! times inside the guest and returns the nanoseconds it took. `main` runs
//! each a few times as a check.

use std::time::Instant;

use portalis_test_programs::{count_primes, guest};

guest::task! {
    /// Does nothing: the unit of spawn and round-trip costs.
    pub fn noop(_unit: ()) -> () {}

    /// Guest-to-host lock + unlock of an uncontended mutex.
    pub fn bench_lock(iters: u64) -> u64 {
        let m = guest::Mutex::new().unwrap();
        let start = Instant::now();
        for _ in 0..iters {
            drop(m.lock().unwrap());
        }
        start.elapsed().as_nanos() as u64
    }

    /// A guest-to-host call on a resource that returns a flag: the floor
    /// of a method call.
    pub fn bench_is_locked(iters: u64) -> u64 {
        let m = guest::Mutex::new().unwrap();
        let start = Instant::now();
        for _ in 0..iters {
            std::hint::black_box(m.is_locked());
        }
        start.elapsed().as_nanos() as u64
    }

    /// A guest-to-host call of a plain function: the floor of any call.
    pub fn bench_current_id(iters: u64) -> u64 {
        let start = Instant::now();
        for _ in 0..iters {
            std::hint::black_box(guest::current_id());
        }
        start.elapsed().as_nanos() as u64
    }

    /// A fresh worker: spawn + join.
    pub fn bench_spawn(iters: u64) -> u64 {
        let start = Instant::now();
        for _ in 0..iters {
            guest::spawn(noop, ()).unwrap().join().unwrap();
        }
        start.elapsed().as_nanos() as u64
    }

    /// A pooled task: submit + wait, on a warm pool of one.
    pub fn bench_pool(iters: u64) -> u64 {
        let pool = guest::ThreadPool::new(1).unwrap();
        pool.submit(noop, ()).unwrap().wait().unwrap();
        let start = Instant::now();
        for _ in 0..iters {
            pool.submit(noop, ()).unwrap().wait().unwrap();
        }
        start.elapsed().as_nanos() as u64
    }

    /// One message between two workers: half a ping-pong round trip.
    pub fn bench_message(iters: u64) -> u64 {
        let (ping_tx, ping_rx) = guest::bounded::<u64>(1).unwrap();
        let (pong_tx, pong_rx) = guest::bounded::<u64>(1).unwrap();
        let echoer = guest::spawn(echo, (ping_rx, pong_tx)).unwrap();
        ping_tx.send(0).unwrap();
        pong_rx.recv().unwrap();
        let start = Instant::now();
        for i in 0..iters.div_ceil(2) {
            ping_tx.send(i).unwrap();
            pong_rx.recv().unwrap();
        }
        let took = start.elapsed().as_nanos() as u64;
        drop(ping_tx);
        echoer.join().unwrap();
        took
    }

    /// Sends back every message until the channel closes.
    pub fn echo(ends: (guest::Receiver<u64>, guest::Sender<u64>)) -> () {
        let (rx, tx) = ends;
        while let Ok(v) = rx.recv() {
            tx.send(v).unwrap();
        }
    }

    /// Counts primes below `limit` on a pool of `workers`, in chunks.
    pub fn bench_primes(args: (u64, u64)) -> u64 {
        let (limit, workers) = args;
        let pool = guest::ThreadPool::new(workers as usize).unwrap();
        pool.map(count_primes, vec![(0, 10); workers as usize * 2]).unwrap();
        let chunks: Vec<(u64, u64)> = (0..limit.div_ceil(10_000))
            .map(|i| (i * 10_000, ((i + 1) * 10_000).min(limit)))
            .collect();
        let start = Instant::now();
        let n: u64 = pool.map(count_primes, chunks).unwrap().iter().sum();
        let took = start.elapsed().as_nanos() as u64;
        assert!(n > 0);
        took
    }
}

guest::tasks!(
    noop,
    echo,
    count_primes,
    bench_lock,
    bench_is_locked,
    bench_current_id,
    bench_spawn,
    bench_pool,
    bench_message,
    bench_primes
);

fn main() {
    assert!(bench_lock.call(10) > 0);
    assert!(bench_is_locked.call(10) > 0);
    assert!(bench_current_id.call(10) > 0);
    assert!(bench_spawn.call(2) > 0);
    assert!(bench_pool.call(5) > 0);
    assert!(bench_message.call(10) > 0);
    assert!(bench_primes.call((20_000, 2)) > 0);
    println!("bench_tasks ok");
}
