//! Stress runs, bounded in time: each runs under a watchdog that fails the
//! test rather than letting a deadlock hang the suite. CI also runs them with
//! `--release`.

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use portalis_threading::{
    NativeBackend, ThreadOptions, ThreadPoolBuilder, ThreadingBackend, bounded, oneshot, thread,
    unbounded,
};

/// Runs `body` on its own thread and fails if it takes longer than `limit`.
fn bounded_run<F: FnOnce() + Send + 'static>(limit: Duration, body: F) {
    let (tx, rx) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        body();
        let _ = tx.send(());
    });
    match rx.recv_timeout(limit) {
        Ok(()) => worker.join().unwrap(),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            // The body panicked: report its panic.
            std::panic::resume_unwind(worker.join().unwrap_err())
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("stress run exceeded {limit:?}: deadlock or livelock")
        }
    }
}

#[test]
fn ten_thousand_threads_spawned_and_joined() {
    bounded_run(Duration::from_secs(120), || {
        let total = Arc::new(AtomicUsize::new(0));
        for batch in 0..100 {
            let handles: Vec<_> = (0..100)
                .map(|i| {
                    let total = total.clone();
                    thread::spawn(move || {
                        total.fetch_add(1, Ordering::Relaxed);
                        batch * 100 + i
                    })
                })
                .collect();
            let mut ids: Vec<usize> = handles.into_iter().map(|h| h.join().unwrap()).collect();
            ids.sort_unstable();
            assert_eq!(ids, (batch * 100..batch * 100 + 100).collect::<Vec<_>>());
        }
        assert_eq!(total.load(Ordering::Relaxed), 10_000);
    });
}

fn million_messages(tx: portalis_threading::Sender<u64>, rx: portalis_threading::Receiver<u64>) {
    const PRODUCERS: u64 = 4;
    const PER_PRODUCER: u64 = 250_000;
    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let tx = tx.clone();
            thread::spawn(move || {
                for i in 0..PER_PRODUCER {
                    tx.send(p * PER_PRODUCER + i).unwrap();
                }
            })
        })
        .collect();
    drop(tx);
    let consumers: Vec<_> = (0..4)
        .map(|_| {
            let rx = rx.clone();
            thread::spawn(move || {
                let (mut count, mut sum) = (0u64, 0u64);
                while let Ok(v) = rx.recv() {
                    count += 1;
                    sum += v;
                }
                (count, sum)
            })
        })
        .collect();
    for p in producers {
        p.join().unwrap();
    }
    let (count, sum) = consumers
        .into_iter()
        .map(|c| c.join().unwrap())
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    let n = PRODUCERS * PER_PRODUCER;
    assert_eq!(count, n, "every message arrived exactly once");
    assert_eq!(sum, n * (n - 1) / 2, "and none was altered");
}

#[test]
fn million_messages_through_a_bounded_channel() {
    bounded_run(Duration::from_secs(120), || {
        let (tx, rx) = bounded(1024);
        million_messages(tx, rx);
    });
}

#[test]
fn million_messages_through_an_unbounded_channel() {
    bounded_run(Duration::from_secs(120), || {
        let (tx, rx) = unbounded();
        million_messages(tx, rx);
    });
}

#[test]
fn a_thousand_oneshot_round_trips_from_four_threads() {
    bounded_run(Duration::from_secs(60), || {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                thread::spawn(move || {
                    for i in 0..250u64 {
                        let (tx, rx) = oneshot();
                        let h = thread::spawn(move || tx.send(i * t).unwrap());
                        if i % 2 == 0 {
                            assert_eq!(rx.recv(), Ok(i * t));
                        } else {
                            assert_eq!(rx.recv_timeout(Duration::from_secs(30)), Ok(i * t));
                        }
                        h.join().unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
}

/// A backend that knows how many of its threads are still running.
#[derive(Clone, Default)]
struct Counting {
    running: Arc<AtomicUsize>,
}

impl ThreadingBackend for Counting {
    type Thread = <NativeBackend as ThreadingBackend>::Thread;

    fn spawn(
        &self,
        options: &ThreadOptions,
        main: Box<dyn FnOnce() + Send + 'static>,
    ) -> portalis_threading::Result<Self::Thread> {
        let running = self.running.clone();
        running.fetch_add(1, Ordering::SeqCst);
        NativeBackend.spawn(
            options,
            Box::new(move || {
                main();
                running.fetch_sub(1, Ordering::SeqCst);
            }),
        )
    }

    fn join(&self, thread: Self::Thread) -> portalis_threading::Result<()> {
        NativeBackend.join(thread)
    }

    fn available_parallelism(&self) -> NonZeroUsize {
        NativeBackend.available_parallelism()
    }

    fn sleep(&self, duration: Duration) {
        NativeBackend.sleep(duration);
    }
}

#[test]
fn dropping_a_pool_of_128_threads_joins_them_within_5_seconds() {
    bounded_run(Duration::from_secs(60), || {
        let backend = Counting::default();
        let pool = ThreadPoolBuilder::new()
            .num_threads(128)
            .build_on(&backend)
            .unwrap();
        assert_eq!(backend.running.load(Ordering::SeqCst), 128);
        let tasks: Vec<_> = (0..1000u64)
            .map(|i| pool.submit(move || i * 2).unwrap())
            .collect();
        let sum: u64 = tasks.into_iter().map(|t| t.wait().unwrap()).sum();
        assert_eq!(sum, 999 * 1000);
        let start = Instant::now();
        drop(pool);
        let took = start.elapsed();
        assert_eq!(
            backend.running.load(Ordering::SeqCst),
            0,
            "every worker exited"
        );
        assert!(took < Duration::from_secs(5), "drop took {took:?}");
    });
}

#[test]
fn panicking_tasks_never_take_the_pool_down() {
    bounded_run(Duration::from_secs(60), || {
        let pool = ThreadPoolBuilder::new().num_threads(4).build().unwrap();
        let tasks: Vec<_> = (0..2000u32)
            .map(|i| {
                pool.submit(move || {
                    assert!(i % 3 != 0, "task {i} fails");
                    i
                })
                .unwrap()
            })
            .collect();
        let (ok, failed): (Vec<_>, Vec<_>) =
            tasks.into_iter().map(|t| t.wait()).partition(Result::is_ok);
        assert_eq!(failed.len(), 667);
        assert_eq!(ok.len(), 1333);
        for _ in 0..100 {
            pool.spawn(|| panic!("fire and forget")).unwrap();
        }
        pool.shutdown(Some(Duration::from_secs(30))).unwrap();
        assert_eq!(pool.panicked_tasks(), 100);
    });
}
