//! `python::threading` on shared memory: Lock, RLock, Condition, Semaphore,
//! Event, Barrier, Thread, Timer, local and excepthook behave as CPython's
//! across real threads. (Shared memory only: a component has no std
//! threads.)

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use portalis_threading::python::builtins::Exception;
use portalis_threading::python::threading::{
    Barrier, BoundedSemaphore, Condition, Event, Local, Lock, RLock, Thread, Timer, active_count,
    current_thread, get_ident, main_thread, set_excepthook,
};

portalis_test_programs::guest::tasks!();

fn start_all(threads: &[Thread]) {
    for t in threads {
        t.start().expect("start");
    }
}

fn join_all(threads: &[Thread]) {
    for t in threads {
        t.join(None).expect("join");
        assert!(!t.is_alive());
    }
}

fn main() {
    assert_eq!(current_thread(), main_thread());

    // Lock: a counter under `with lock:` from four threads; a timed acquire
    // of a held lock returns False after about its timeout.
    let lock = Arc::new(Lock::new());
    let counter = Arc::new(AtomicUsize::new(0));
    let threads: Vec<Thread> = (0..4)
        .map(|_| {
            let (lock, counter) = (lock.clone(), counter.clone());
            Thread::new(move || {
                for _ in 0..1000 {
                    let _held = lock.enter();
                    let v = counter.load(Ordering::Relaxed);
                    counter.store(v + 1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    start_all(&threads);
    join_all(&threads);
    assert_eq!(counter.load(Ordering::Relaxed), 4000);
    assert!(lock.acquire(true, None).unwrap());
    let l2 = lock.clone();
    let timed = Thread::new(move || {
        let start = Instant::now();
        assert!(!l2.acquire(true, 0.1).unwrap());
        assert!(start.elapsed() >= Duration::from_millis(60));
    });
    timed.start().unwrap();
    timed.join(None).unwrap();
    lock.release().unwrap();
    assert!(lock.release().is_err(), "releasing an unlocked lock");

    // RLock: reentrant for its owner, refused to another thread, which may
    // not release it either.
    let rlock = Arc::new(RLock::new());
    assert!(rlock.acquire(true, None).unwrap());
    assert!(rlock.acquire(true, None).unwrap());
    let r2 = rlock.clone();
    let other = Thread::new(move || {
        assert!(!r2.acquire(false, -1).unwrap());
        assert!(r2.release().is_err(), "cannot release un-acquired lock");
    });
    other.start().unwrap();
    other.join(None).unwrap();
    rlock.release().unwrap();
    rlock.release().unwrap();
    assert!(!rlock.is_owned());

    // Condition: a consumer waits for a predicate; wait_for returns its
    // last value, and False-ish on a timeout.
    let cond = Arc::new(Condition::<RLock>::new());
    let items = Arc::new(AtomicUsize::new(0));
    let (c2, i2) = (cond.clone(), items.clone());
    let consumer = Thread::new(move || {
        let _held = c2.enter();
        let seen = c2
            .wait_for(|| i2.load(Ordering::SeqCst) >= 3, None)
            .unwrap();
        assert!(seen);
    });
    consumer.start().unwrap();
    for _ in 0..3 {
        let _held = cond.enter();
        items.fetch_add(1, Ordering::SeqCst);
        cond.notify_all().unwrap();
    }
    consumer.join(None).unwrap();
    {
        let _held = cond.enter();
        assert!(!cond.wait_for(|| false, 0.05).unwrap());
    }
    assert!(cond.notify(1).is_err(), "notify on an un-acquired lock");

    // BoundedSemaphore: at most two inside at once; one release too many
    // is a ValueError.
    let sem = Arc::new(BoundedSemaphore::new(2).unwrap());
    let inside = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let threads: Vec<Thread> = (0..6)
        .map(|_| {
            let (sem, inside, peak) = (sem.clone(), inside.clone(), peak.clone());
            Thread::new(move || {
                let _slot = sem.enter();
                let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(Duration::from_millis(5));
                inside.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    start_all(&threads);
    join_all(&threads);
    assert!(peak.load(Ordering::SeqCst) <= 2);
    assert!(sem.release(1).is_err());

    // Event and Barrier: four parties meet; exactly one gets index 0; an
    // aborted barrier is broken for everyone.
    let go = Arc::new(Event::new());
    let barrier = Arc::new(Barrier::new(4, None).unwrap());
    let zeros = Arc::new(AtomicUsize::new(0));
    let threads: Vec<Thread> = (0..4)
        .map(|_| {
            let (go, barrier, zeros) = (go.clone(), barrier.clone(), zeros.clone());
            Thread::new(move || {
                assert!(go.wait(None));
                if barrier.wait(None).unwrap() == 0 {
                    zeros.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    start_all(&threads);
    assert!(!go.wait(0.01), "not set yet");
    go.set();
    join_all(&threads);
    assert_eq!(zeros.load(Ordering::SeqCst), 1);
    barrier.abort();
    assert!(barrier.broken());
    assert!(barrier.wait(None).is_err());

    // Thread identity, names, active_count; local is per thread.
    let local = Arc::new(Local::<u64>::new());
    local.set(1);
    let (l2, me) = (local.clone(), get_ident());
    let t = Thread::builder()
        .name("worker-x")
        .target(move || {
            assert_ne!(get_ident(), me);
            assert_eq!(current_thread().name(), "worker-x");
            assert!(!l2.is_set(), "a new thread starts without the value");
            l2.set(2);
            assert_eq!(l2.get().unwrap(), 2);
        })
        .build();
    t.start().unwrap();
    assert!(t.start().is_err(), "threads can only be started once");
    t.join(None).unwrap();
    assert_eq!(local.get().unwrap(), 1);
    assert!(t.ident().is_some());
    assert_eq!(active_count(), 1);

    // excepthook: an exception raised by a target reaches the hook with
    // its thread.
    let hooked = Arc::new(AtomicUsize::new(0));
    let h2 = hooked.clone();
    set_excepthook(move |args| {
        assert_eq!(args.exc_value.type_name(), "ValueError");
        assert_eq!(
            args.thread.as_ref().map(Thread::name).as_deref(),
            Some("raiser")
        );
        h2.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    let raiser = Thread::builder()
        .name("raiser")
        .target(|| Err::<(), _>(Exception::new("ValueError", "bad")))
        .build();
    raiser.start().unwrap();
    raiser.join(None).unwrap();
    assert_eq!(hooked.load(Ordering::SeqCst), 1);

    // Timer: runs after its interval unless cancelled.
    let fired = Arc::new(AtomicUsize::new(0));
    let f2 = fired.clone();
    let timer = Timer::new(0.02, move || {
        f2.fetch_add(1, Ordering::SeqCst);
    });
    timer.start().unwrap();
    let f3 = fired.clone();
    let cancelled = Timer::new(5.0, move || {
        f3.fetch_add(100, Ordering::SeqCst);
    });
    cancelled.start().unwrap();
    cancelled.cancel();
    timer.join(None).unwrap();
    cancelled.join(None).unwrap();
    assert_eq!(fired.load(Ordering::SeqCst), 1);

    println!("python_threading ok");
}
