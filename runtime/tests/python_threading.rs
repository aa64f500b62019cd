//! ORACLE.md cases for `python::threading`: Lock (L), RLock (R),
//! Condition (C), Semaphore (S), Event (E), Barrier (BA), Thread (T),
//! excepthook (X), Timer (TM) and local (LO). Each test is named after its
//! case id.
//!
//! Timing cases use CPython's tolerance for a timeout `e` (an elapsed time
//! of at least `0.6 * e`), a generous upper bound, and a "short pause" of
//! 50 ms; every test runs under a watchdog. Cases marked [X] in ORACLE.md
//! (process exit, stderr) run this test binary again as a child process
//! (`child_*` tests, ignored unless the parent starts them).

#![allow(
    clippy::disallowed_types,
    reason = "tests use std's primitives as neutral helpers"
)]

mod support;
use support::bounded;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::thread::sleep;
use std::time::{Duration, Instant};

use portalis_threading::python::builtins::{Exception, SystemExit, ValueError};
use portalis_threading::python::threading::{
    AcquireError, Barrier, BarrierWaitError, BoundedSemaphore, Condition, Event, ExceptHookArgs,
    Local, Lock, RLock, Run, Semaphore, TIMEOUT_MAX, Thread, Timer, active_count, current_thread,
    default_excepthook, enumerate, get_ident, get_native_id, main_thread, set_excepthook,
    stack_size,
};

// ---------------------------------------------------------------------------
// Helpers

/// CPython's `assertTimeout`: at least 0.6 of the timeout, and not absurdly
/// late (a hang, not a slow machine).
fn assert_timeout(elapsed: Duration, expected: f64) {
    let a = elapsed.as_secs_f64();
    assert!(
        a >= 0.6 * expected && a < 10.0 * expected + 5.0,
        "elapsed {a:.3}s for a timeout of {expected}s"
    );
}

/// The "short pause" of lock_tests, raised for a loaded 2-core machine.
fn pause() {
    sleep(Duration::from_millis(50));
}

fn wait_until(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "waited too long for {what}"
        );
        sleep(Duration::from_millis(1));
    }
}

/// lock_tests' `Bunch`: `n` threads running `f`, counting starts and ends.
struct Bunch {
    started: Arc<AtomicUsize>,
    finished: Arc<AtomicUsize>,
    handles: Vec<std::thread::JoinHandle<()>>,
}

impl Bunch {
    fn new(n: usize, f: impl Fn(usize) + Send + Sync + 'static) -> Bunch {
        let f = Arc::new(f);
        let started = Arc::new(AtomicUsize::new(0));
        let finished = Arc::new(AtomicUsize::new(0));
        let handles = (0..n)
            .map(|i| {
                let (f, s, d) = (f.clone(), started.clone(), finished.clone());
                std::thread::spawn(move || {
                    s.fetch_add(1, Ordering::SeqCst);
                    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(i)));
                    d.fetch_add(1, Ordering::SeqCst);
                    if let Err(p) = r {
                        std::panic::resume_unwind(p);
                    }
                })
            })
            .collect();
        Bunch {
            started,
            finished,
            handles,
        }
    }

    fn wait_for_started(&self, n: usize) {
        wait_until("threads to start", || {
            self.started.load(Ordering::SeqCst) >= n
        });
    }

    fn finished(&self) -> usize {
        self.finished.load(Ordering::SeqCst)
    }

    fn wait_for_finished(&self, n: usize) {
        wait_until("threads to finish", || self.finished() >= n);
    }

    fn join(self) {
        for h in self.handles {
            h.join().unwrap();
        }
    }
}

/// Serialises the tests that replace the process-wide excepthook.
static HOOK_TESTS: StdMutex<()> = StdMutex::new(());

/// Runs the `child_*` test `name` in a child process; returns (status,
/// stdout, stderr).
fn run_child(name: &str, timeout: Duration) -> Option<(bool, String, String)> {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            name,
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("PORTALIS_PY_CHILD", name)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            return Some((
                out.status.success(),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ));
        }
        if start.elapsed() > timeout {
            child.kill().unwrap();
            let _ = child.wait();
            return None;
        }
        sleep(Duration::from_millis(10));
    }
}

/// Whether this process is the child started for `name`.
fn is_child(name: &str) -> bool {
    std::env::var("PORTALIS_PY_CHILD").as_deref() == Ok(name)
}

// ---------------------------------------------------------------------------
// Lock

#[test]
fn l_01() {
    let lock = Lock::new();
    assert!(lock.acquire(false, -1).unwrap());
    lock.release().unwrap();
}

#[test]
fn l_02() {
    let lock = Arc::new(Lock::new());
    lock.acquire(true, -1).unwrap();
    let l = lock.clone();
    let got = std::thread::spawn(move || l.acquire(false, -1).unwrap())
        .join()
        .unwrap();
    assert!(!got);
    lock.release().unwrap();
}

#[test]
fn l_03() {
    bounded(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire(true, -1).unwrap();
        let l = lock.clone();
        let b = Bunch::new(5, move |_| {
            l.acquire(true, -1).unwrap();
            l.release().unwrap();
        });
        b.wait_for_started(5);
        pause();
        assert_eq!(b.finished(), 0);
        lock.release().unwrap();
        b.wait_for_finished(5);
        b.join();
    });
}

#[test]
fn l_04() {
    let lock = Arc::new(Lock::new());
    let other_can_take = |lock: &Arc<Lock>| {
        let l = lock.clone();
        std::thread::spawn(move || {
            let ok = l.acquire(false, -1).unwrap();
            if ok {
                l.release().unwrap();
            }
            ok
        })
        .join()
        .unwrap()
    };
    {
        let _with = lock.enter();
    }
    assert!(other_can_take(&lock));
    // A block that raises TypeError: the error propagates unchanged and
    // the lock is released.
    fn guarded_block(lock: &Lock) -> Result<(), Exception> {
        let _with = lock.enter();
        Err(Exception::new("TypeError", "in block"))
    }
    let raised = guarded_block(&lock);
    assert_eq!(raised.unwrap_err().type_name(), "TypeError");
    assert!(other_can_take(&lock));
    // The same when the block unwinds.
    let l = lock.clone();
    let unwound = std::panic::catch_unwind(move || {
        let _with = l.enter();
        Exception::new("TypeError", "x").raise();
    });
    assert!(unwound.is_err());
    assert!(other_can_take(&lock));
}

#[test]
fn l_05() {
    let lock = Lock::new();
    match lock.acquire(false, 1).unwrap_err() {
        AcquireError::ValueError(e) => {
            assert_eq!(
                e.message(),
                "can't specify a timeout for a non-blocking call"
            )
        }
        e => panic!("{e:?}"),
    }
    assert!(matches!(
        lock.acquire(true, -100),
        Err(AcquireError::ValueError(_))
    ));
    assert!(matches!(
        lock.acquire(true, 1e100),
        Err(AcquireError::OverflowError(_))
    ));
    assert!(matches!(
        lock.acquire(true, TIMEOUT_MAX + 1.0),
        Err(AcquireError::OverflowError(_))
    ));
    assert!(lock.acquire(true, TIMEOUT_MAX).unwrap());
    lock.release().unwrap();
    assert!(lock.acquire(true, -1).unwrap());
    lock.release().unwrap();
}

#[test]
fn l_06() {
    bounded(|| {
        let lock = Arc::new(Lock::new());
        lock.acquire(true, -1).unwrap();
        let l = lock.clone();
        let (got, elapsed) = std::thread::spawn(move || {
            let start = Instant::now();
            (l.acquire(true, 0.5).unwrap(), start.elapsed())
        })
        .join()
        .unwrap();
        assert!(!got);
        assert_timeout(elapsed, 0.5);
        lock.release().unwrap();
        let start = Instant::now();
        assert!(lock.acquire(true, 5).unwrap());
        assert!(start.elapsed() < Duration::from_secs(4));
        lock.release().unwrap();
    });
}

#[test]
fn l_07() {
    bounded(|| {
        let lock = Arc::new(Lock::new());
        let phase = Arc::new(AtomicUsize::new(0));
        let (l, p) = (lock.clone(), phase.clone());
        let t = std::thread::spawn(move || {
            l.acquire(true, -1).unwrap();
            p.fetch_add(1, Ordering::SeqCst);
            l.acquire(true, -1).unwrap(); // not re-entrant: blocks
            p.fetch_add(1, Ordering::SeqCst);
        });
        wait_until("phase 1", || phase.load(Ordering::SeqCst) == 1);
        pause();
        assert_eq!(phase.load(Ordering::SeqCst), 1);
        lock.release().unwrap();
        wait_until("phase 2", || phase.load(Ordering::SeqCst) == 2);
        t.join().unwrap();
        lock.release().unwrap();
    });
}

#[test]
fn l_08() {
    let lock = Arc::new(Lock::new());
    lock.acquire(true, -1).unwrap();
    let l = lock.clone();
    std::thread::spawn(move || l.release().unwrap())
        .join()
        .unwrap();
    assert!(lock.acquire(true, -1).unwrap());
    lock.release().unwrap();
}

#[test]
fn l_09() {
    let lock = Lock::new();
    lock.acquire(true, -1).unwrap();
    assert!(!lock.acquire(true, 0.01).unwrap());
    lock.release().unwrap();
    assert!(!lock.locked());
    assert!(lock.acquire(false, -1).unwrap());
}

#[test]
fn l_10() {
    let lock = Lock::new();
    assert_eq!(
        lock.release().unwrap_err().message(),
        "release unlocked lock"
    );
    assert!(lock.acquire(true, -1).unwrap());
    assert!(lock.locked());
    let released: () = lock.release().unwrap();
    assert_eq!(released, ());
    assert!(!lock.locked());
}

// ---------------------------------------------------------------------------
// RLock (and the default lock of a Condition, R-05)

/// The RLock operations shared by R-01..R-03 and R-05.
trait Reentrant: Send + Sync + 'static {
    fn acq(&self) -> bool;
    fn rel(&self) -> Result<(), String>;
}

impl Reentrant for RLock {
    fn acq(&self) -> bool {
        self.acquire(true, -1).unwrap()
    }
    fn rel(&self) -> Result<(), String> {
        self.release().map_err(|e| e.message().to_owned())
    }
}

impl Reentrant for Condition {
    fn acq(&self) -> bool {
        self.acquire(true, -1).unwrap()
    }
    fn rel(&self) -> Result<(), String> {
        self.release().map_err(|e| e.message().to_owned())
    }
}

fn check_r01<L: Reentrant>(lock: &L) {
    assert!(lock.acq());
    assert!(lock.acq());
    lock.rel().unwrap();
    assert!(lock.acq());
    lock.rel().unwrap();
    lock.rel().unwrap();
}

fn check_r02<L: Reentrant>(lock: &L) {
    assert_eq!(lock.rel().unwrap_err(), "cannot release un-acquired lock");
    assert!(lock.acq());
    lock.rel().unwrap();
    assert_eq!(lock.rel().unwrap_err(), "cannot release un-acquired lock");
}

fn check_r03<L: Reentrant>(lock: Arc<L>) {
    let holding = Arc::new(Event::new());
    let done = Arc::new(Event::new());
    let (l, h, d) = (lock.clone(), holding.clone(), done.clone());
    let t = std::thread::spawn(move || {
        assert!(l.acq());
        h.set();
        d.wait(None);
        l.rel().unwrap();
    });
    holding.wait(None);
    assert_eq!(lock.rel().unwrap_err(), "cannot release un-acquired lock");
    done.set();
    t.join().unwrap();
}

#[test]
fn r_01() {
    check_r01(&RLock::new());
}

#[test]
fn r_02() {
    check_r02(&RLock::new());
}

#[test]
fn r_03() {
    bounded(|| check_r03(Arc::new(RLock::new())));
}

#[test]
fn r_04() {
    let lock = Arc::new(RLock::new());
    let other_try = |lock: &Arc<RLock>| {
        let l = lock.clone();
        std::thread::spawn(move || {
            let got = l.acquire(false, -1).unwrap();
            if got {
                l.release().unwrap();
            }
            got
        })
        .join()
        .unwrap()
    };
    lock.acquire(true, -1).unwrap();
    lock.acquire(true, -1).unwrap();
    assert!(lock.is_owned());
    assert!(!other_try(&lock));
    lock.release().unwrap();
    assert!(!other_try(&lock));
    lock.release().unwrap();
    assert!(other_try(&lock));
}

#[test]
fn r_05() {
    bounded(|| {
        check_r01(&Condition::new());
        check_r02(&Condition::new());
        check_r03(Arc::new(Condition::new()));
    });
}

// ---------------------------------------------------------------------------
// Condition

#[test]
fn c_01() {
    // (a) the default lock is re-entrant.
    let cond = Condition::new();
    cond.acquire(true, -1).unwrap();
    cond.acquire(true, -1).unwrap();
    cond.release().unwrap();
    cond.release().unwrap();
    // (b) over an explicit Lock, both are the same lock.
    let lock = Arc::new(Lock::new());
    let cond = Condition::with_lock(lock.clone());
    cond.acquire(true, -1).unwrap();
    assert!(!lock.acquire(false, -1).unwrap());
    cond.release().unwrap();
    assert!(lock.acquire(false, -1).unwrap());
    assert!(!cond.acquire(false, -1).unwrap());
    lock.release().unwrap();
    {
        let _with = cond.enter();
        assert!(!lock.acquire(false, -1).unwrap());
    }
    assert!(lock.acquire(false, -1).unwrap());
    lock.release().unwrap();
}

#[test]
fn c_02() {
    let cond = Condition::new();
    assert_eq!(
        cond.wait(None).unwrap_err().message(),
        "cannot wait on un-acquired lock"
    );
    assert_eq!(
        cond.notify(1).unwrap_err().message(),
        "cannot notify on un-acquired lock"
    );
    assert_eq!(
        cond.notify_all().unwrap_err().message(),
        "cannot notify on un-acquired lock"
    );
    let over_lock = Condition::with_lock(Arc::new(Lock::new()));
    assert_eq!(
        over_lock.wait(0).unwrap_err().message(),
        "cannot wait on un-acquired lock"
    );
    assert!(over_lock.notify(1).is_err());
}

#[test]
fn c_03() {
    bounded(|| {
        let cond = Arc::new(Condition::new());
        let phase = Arc::new(AtomicUsize::new(0));
        let results1 = Arc::new(StdMutex::new(Vec::new()));
        let results2 = Arc::new(StdMutex::new(Vec::new()));
        let n_waiting = Arc::new(AtomicUsize::new(0));
        for _round in 0..2 {
            phase.store(0, Ordering::SeqCst);
            results1.lock().unwrap().clear();
            results2.lock().unwrap().clear();
            n_waiting.store(0, Ordering::SeqCst);
            let (c, p, r1, r2, w) = (
                cond.clone(),
                phase.clone(),
                results1.clone(),
                results2.clone(),
                n_waiting.clone(),
            );
            let b = Bunch::new(5, move |_| {
                c.acquire(true, -1).unwrap();
                w.fetch_add(1, Ordering::SeqCst);
                let r = c.wait(None).unwrap();
                w.fetch_sub(1, Ordering::SeqCst);
                c.release().unwrap();
                r1.lock().unwrap().push((r, p.load(Ordering::SeqCst)));
                c.acquire(true, -1).unwrap();
                w.fetch_add(1, Ordering::SeqCst);
                let r = c.wait(None).unwrap();
                w.fetch_sub(1, Ordering::SeqCst);
                c.release().unwrap();
                r2.lock().unwrap().push((r, p.load(Ordering::SeqCst)));
            });
            b.wait_for_started(5);
            wait_until("5 waiters", || n_waiting.load(Ordering::SeqCst) == 5);
            assert!(results1.lock().unwrap().is_empty());
            // Phase 1: notify(3).
            cond.acquire(true, -1).unwrap();
            cond.notify(3).unwrap();
            phase.store(1, Ordering::SeqCst);
            cond.release().unwrap();
            wait_until("3 first results", || results1.lock().unwrap().len() >= 3);
            // The 3 woken threads now wait a second time; the other 2 still
            // wait the first time.
            wait_until("5 waiters again", || n_waiting.load(Ordering::SeqCst) == 5);
            pause();
            assert_eq!(*results1.lock().unwrap(), vec![(true, 1); 3]);
            assert!(results2.lock().unwrap().is_empty());
            // Phase 2: notify(5) wakes the 2 first-waiters and 3 second-waiters.
            cond.acquire(true, -1).unwrap();
            cond.notify(5).unwrap();
            phase.store(2, Ordering::SeqCst);
            cond.release().unwrap();
            wait_until("5 first results", || results1.lock().unwrap().len() >= 5);
            wait_until("3 second results", || results2.lock().unwrap().len() >= 3);
            wait_until("2 waiters", || n_waiting.load(Ordering::SeqCst) == 2);
            pause();
            // Phase 3: notify_all.
            cond.acquire(true, -1).unwrap();
            cond.notify_all().unwrap();
            phase.store(3, Ordering::SeqCst);
            cond.release().unwrap();
            b.wait_for_finished(5);
            b.join();
            let r1 = results1.lock().unwrap().clone();
            let r2 = results2.lock().unwrap().clone();
            assert_eq!(r1, [vec![(true, 1); 3], vec![(true, 2); 2]].concat());
            assert_eq!(r2, [vec![(true, 2); 3], vec![(true, 3); 2]].concat());
        }
    });
}

#[test]
fn c_04() {
    bounded(|| {
        let cond = Arc::new(Condition::new());
        let results = Arc::new(StdMutex::new(Vec::new()));
        let (c, r) = (cond.clone(), results.clone());
        let b = Bunch::new(5, move |_| {
            c.acquire(true, -1).unwrap();
            let start = Instant::now();
            let got = c.wait(0.5).unwrap();
            let elapsed = start.elapsed();
            c.release().unwrap();
            r.lock().unwrap().push((got, elapsed));
        });
        b.wait_for_finished(5);
        b.join();
        let results = results.lock().unwrap();
        assert_eq!(results.len(), 5);
        for (got, elapsed) in results.iter() {
            assert!(!got);
            assert_timeout(*elapsed, 0.5);
        }
    });
}

#[test]
fn c_05() {
    bounded(|| {
        let cond = Arc::new(Condition::new());
        let state = Arc::new(AtomicUsize::new(0));
        let (c, s) = (cond.clone(), state.clone());
        let waiter = std::thread::spawn(move || {
            let _with = c.enter();
            let r = c.wait_for(|| s.load(Ordering::SeqCst) == 4, None).unwrap();
            (r, s.load(Ordering::SeqCst))
        });
        for _ in 0..4 {
            sleep(Duration::from_millis(10));
            let _with = cond.enter();
            state.fetch_add(1, Ordering::SeqCst);
            cond.notify(1).unwrap();
        }
        assert_eq!(waiter.join().unwrap(), (true, 4));
    });
}

#[test]
fn c_06() {
    bounded(|| {
        let cond = Arc::new(Condition::new());
        let state = Arc::new(AtomicUsize::new(0));
        let (c, s) = (cond.clone(), state.clone());
        let waiter = std::thread::spawn(move || {
            let _with = c.enter();
            let start = Instant::now();
            let r = c.wait_for(|| s.load(Ordering::SeqCst) == 4, 0.1).unwrap();
            (r, start.elapsed())
        });
        for _ in 0..3 {
            sleep(Duration::from_millis(10));
            let _with = cond.enter();
            state.fetch_add(1, Ordering::SeqCst);
            cond.notify(1).unwrap();
        }
        let (r, elapsed) = waiter.join().unwrap();
        assert!(!r);
        assert_timeout(elapsed, 0.1);
    });
}

#[test]
fn c_07() {
    let cond = Condition::new();
    let _with = cond.enter();
    assert_eq!(cond.wait_for(|| 7, 0.01).unwrap(), 7);
    assert_eq!(cond.wait_for(|| "", 0.05).unwrap(), "");
    assert_eq!(cond.wait_for(|| 0, 0.05).unwrap(), 0);
}

#[test]
fn c_08() {
    bounded(|| {
        let cond = Arc::new(Condition::new());
        let waiting = Arc::new(Event::new());
        let c = cond.clone();
        let w = waiting.clone();
        let waiter = std::thread::spawn(move || {
            c.acquire(true, -1).unwrap();
            c.acquire(true, -1).unwrap();
            // Set under the lock: the notifier can only get in once wait()
            // has released both levels.
            w.set();
            let notified = c.wait(2.0).unwrap();
            let depth_two = c.release().is_ok() && c.release().is_ok();
            let then_free = c.release().is_err();
            (notified, depth_two, then_free)
        });
        waiting.wait(None);
        assert!(
            cond.acquire(true, 5.0).unwrap(),
            "wait() released both levels"
        );
        cond.notify(1).unwrap();
        cond.release().unwrap();
        assert_eq!(waiter.join().unwrap(), (true, true, true));
    });
}

// ---------------------------------------------------------------------------
// Semaphore / BoundedSemaphore

#[test]
fn s_01() {
    for value in [-1, i64::MIN] {
        assert_eq!(
            Semaphore::new(value).unwrap_err().message(),
            "semaphore initial value must be >= 0"
        );
        assert!(BoundedSemaphore::new(value).is_err());
    }
}

#[test]
fn s_02() {
    let sem = Semaphore::new(2).unwrap();
    assert!(sem.acquire(false, None).unwrap());
    assert!(sem.acquire(false, None).unwrap());
    assert!(!sem.acquire(false, None).unwrap());
    sem.release(1).unwrap();
    assert!(sem.acquire(false, None).unwrap());
}

#[test]
fn s_03() {
    bounded(|| {
        let sem = Arc::new(Semaphore::new(4).unwrap());
        sem.acquire(true, None).unwrap();
        let results = Arc::new(StdMutex::new(Vec::new()));
        let (s, r) = (sem.clone(), results.clone());
        let b = Bunch::new(5, move |_| {
            let a = s.acquire(false, None).unwrap();
            let c = s.acquire(false, None).unwrap();
            r.lock().unwrap().extend([a, c]);
        });
        b.wait_for_finished(5);
        b.join();
        let results = results.lock().unwrap();
        assert_eq!(results.iter().filter(|&&x| x).count(), 3);
        assert_eq!(results.iter().filter(|&&x| !x).count(), 7);
    });
}

fn s_04_run(multi: bool) {
    let sem = Arc::new(Semaphore::new(7).unwrap());
    sem.acquire(true, None).unwrap();
    let phase = Arc::new(AtomicUsize::new(0));
    let results = Arc::new(StdMutex::new(Vec::new()));
    let (s, p, r) = (sem.clone(), phase.clone(), results.clone());
    let b = Bunch::new(10, move |_| {
        s.acquire(true, None).unwrap();
        r.lock().unwrap().push(p.load(Ordering::SeqCst));
        s.acquire(true, None).unwrap();
        r.lock().unwrap().push(p.load(Ordering::SeqCst));
    });
    let count = || results.lock().unwrap().len();
    wait_until("6 records", || count() >= 6);
    pause();
    assert_eq!(*results.lock().unwrap(), vec![0; 6]);
    phase.store(1, Ordering::SeqCst);
    if multi {
        sem.release(7).unwrap();
    } else {
        for _ in 0..7 {
            sem.release(1).unwrap();
        }
    }
    wait_until("13 records", || count() >= 13);
    pause();
    let mut sorted = results.lock().unwrap().clone();
    sorted.sort();
    assert_eq!(sorted, [vec![0; 6], vec![1; 7]].concat());
    phase.store(2, Ordering::SeqCst);
    if multi {
        sem.release(6).unwrap();
    } else {
        for _ in 0..6 {
            sem.release(1).unwrap();
        }
    }
    wait_until("19 records", || count() >= 19);
    pause();
    let mut sorted = results.lock().unwrap().clone();
    sorted.sort();
    assert_eq!(sorted, [vec![0; 6], vec![1; 7], vec![2; 6]].concat());
    assert!(!sem.acquire(false, None).unwrap());
    sem.release(1).unwrap();
    b.wait_for_finished(10);
    b.join();
}

#[test]
fn s_04() {
    bounded(|| {
        s_04_run(false);
        s_04_run(true);
    });
}

#[test]
fn s_05() {
    bounded(|| {
        let sem = Semaphore::new(2).unwrap();
        assert!(sem.acquire(false, 1.0).is_err());
        assert!(sem.acquire(true, 0.005).unwrap());
        assert!(sem.acquire(true, 0.005).unwrap());
        assert!(!sem.acquire(true, 0.005).unwrap());
        sem.release(1).unwrap();
        assert!(sem.acquire(true, 0.005).unwrap());
        let start = Instant::now();
        assert!(!sem.acquire(true, 0.5).unwrap());
        assert_timeout(start.elapsed(), 0.5);
    });
}

#[test]
fn s_06() {
    bounded(|| {
        let sem = Arc::new(Semaphore::new(1).unwrap());
        sem.acquire(true, None).unwrap();
        let s = sem.clone();
        let b = Bunch::new(1, move |_| {
            s.acquire(true, None).unwrap();
            s.release(1).unwrap();
        });
        b.wait_for_started(1);
        pause();
        assert_eq!(b.finished(), 0);
        sem.release(1).unwrap();
        b.wait_for_finished(1);
        b.join();
    });
}

#[test]
fn s_07() {
    let sem = Semaphore::new(2).unwrap();
    fn nested_blocks(sem: &Semaphore) -> Result<(), Exception> {
        let _with = sem.enter();
        assert!(sem.acquire(false, None).unwrap());
        sem.release(1).unwrap();
        {
            let _with2 = sem.enter();
            assert!(!sem.acquire(false, None).unwrap());
            Err(Exception::new("TypeError", "inside"))?;
        }
        Ok(())
    }
    let raised = nested_blocks(&sem);
    assert_eq!(raised.unwrap_err().type_name(), "TypeError");
    assert!(sem.acquire(false, None).unwrap());
}

#[test]
fn s_08() {
    let sem = Semaphore::new(1).unwrap();
    sem.release(1).unwrap();
    assert_eq!(sem.value(), 2);
    assert!(sem.acquire(true, None).unwrap());
    assert!(sem.acquire(true, None).unwrap());
    assert_eq!(
        sem.release(0).unwrap_err().message(),
        "n must be one or more"
    );
    let sem = Semaphore::new(2).unwrap();
    sem.release(3).unwrap();
    assert_eq!(sem.value(), 5);
}

#[test]
fn s_09() {
    let sem = BoundedSemaphore::new(1).unwrap();
    assert_eq!(
        sem.release(1).unwrap_err().message(),
        "Semaphore released too many times"
    );
    sem.acquire(true, None).unwrap();
    sem.release(1).unwrap();
    assert!(sem.release(1).is_err());
}

#[test]
fn s_10() {
    bounded(|| {
        for limit in 1..10 {
            let sem = Arc::new(BoundedSemaphore::new(limit).unwrap());
            let acquirers: Vec<_> = (0..limit)
                .map(|_| {
                    let s = sem.clone();
                    std::thread::spawn(move || assert!(s.acquire(true, None).unwrap()))
                })
                .collect();
            acquirers.into_iter().for_each(|h| h.join().unwrap());
            let releasers: Vec<_> = (0..limit)
                .map(|_| {
                    let s = sem.clone();
                    std::thread::spawn(move || s.release(1).unwrap())
                })
                .collect();
            releasers.into_iter().for_each(|h| h.join().unwrap());
            assert!(sem.release(1).is_err());
        }
    });
}

#[test]
fn s_11() {
    let sem = BoundedSemaphore::new(2).unwrap();
    sem.acquire(true, None).unwrap();
    assert!(sem.release(2).is_err());
    assert_eq!(sem.value(), 1);
}

#[test]
fn s_12() {
    let sem = Semaphore::new(0).unwrap();
    let start = Instant::now();
    assert!(!sem.acquire(true, -1).unwrap());
    assert!(start.elapsed() < Duration::from_secs(1));
    let sem = Semaphore::new(1).unwrap();
    assert!(sem.acquire(true, -1).unwrap());
}

#[test]
fn s_13() {
    bounded(|| {
        let sem = Arc::new(BoundedSemaphore::new(3).unwrap());
        let mutex = Arc::new(RLock::new());
        let running = Arc::new(AtomicUsize::new(0));
        let threads: Vec<Thread> = (0..10)
            .map(|i| {
                let (s, m, r) = (sem.clone(), mutex.clone(), running.clone());
                Thread::builder()
                    .name(format!("<thread {i}>"))
                    .target(move || {
                        let _with = s.enter();
                        {
                            let _m = m.enter();
                            assert!(r.fetch_add(1, Ordering::SeqCst) < 3);
                        }
                        sleep(Duration::from_micros(50));
                        let _m = m.enter();
                        r.fetch_sub(1, Ordering::SeqCst);
                    })
                    .build()
            })
            .collect();
        for t in &threads {
            t.start().unwrap();
        }
        for t in &threads {
            t.join(None).unwrap();
        }
        assert_eq!(running.load(Ordering::SeqCst), 0);
    });
}

// ---------------------------------------------------------------------------
// Event

#[test]
fn e_01() {
    let e = Event::new();
    assert!(!e.is_set());
    e.set();
    assert!(e.is_set());
    e.set();
    assert!(e.is_set());
    e.clear();
    assert!(!e.is_set());
    e.clear();
    assert!(!e.is_set());
}

#[test]
fn e_02() {
    bounded(|| {
        let evt = Arc::new(Event::new());
        for _ in 0..2 {
            let results1 = Arc::new(StdMutex::new(Vec::new()));
            let results2 = Arc::new(StdMutex::new(Vec::new()));
            let (e, r1, r2) = (evt.clone(), results1.clone(), results2.clone());
            let b = Bunch::new(5, move |_| {
                let first = e.wait(None);
                r1.lock().unwrap().push(first);
                let second = e.wait(None);
                r2.lock().unwrap().push(second);
            });
            b.wait_for_started(5);
            pause();
            assert!(results1.lock().unwrap().is_empty());
            evt.set();
            b.wait_for_finished(5);
            b.join();
            assert_eq!(*results1.lock().unwrap(), [true; 5]);
            assert_eq!(*results2.lock().unwrap(), [true; 5]);
            evt.clear();
        }
    });
}

#[test]
fn e_03() {
    bounded(|| {
        let evt = Arc::new(Event::new());
        let results = Arc::new(StdMutex::new(Vec::new()));
        let (e, r) = (evt.clone(), results.clone());
        let b = Bunch::new(5, move |_| {
            let first = e.wait(0);
            let start = Instant::now();
            let second = e.wait(0.5);
            r.lock().unwrap().push((first, second, start.elapsed()));
        });
        b.wait_for_finished(5);
        b.join();
        for (first, second, elapsed) in results.lock().unwrap().iter() {
            assert!(!first && !second);
            assert_timeout(*elapsed, 0.5);
        }
        evt.set();
        let start = Instant::now();
        assert!(evt.wait(0));
        assert!(evt.wait(0.5));
        assert!(start.elapsed() < Duration::from_millis(400));
    });
}

#[test]
fn e_04() {
    bounded(|| {
        let evt = Arc::new(Event::new());
        let results = Arc::new(StdMutex::new(Vec::new()));
        let (e, r) = (evt.clone(), results.clone());
        let b = Bunch::new(5, move |_| {
            let got = e.wait(1.0);
            r.lock().unwrap().push(got);
        });
        b.wait_for_started(5);
        sleep(Duration::from_millis(500));
        evt.set();
        evt.clear();
        b.wait_for_finished(5);
        b.join();
        assert_eq!(*results.lock().unwrap(), [true; 5]);
    });
}

#[test]
fn e_05() {
    let e = Event::new();
    let start = Instant::now();
    assert!(!e.wait(-1));
    let set: () = e.set();
    assert_eq!(set, ());
    assert!(e.wait(-1));
    let cleared: () = e.clear();
    assert_eq!(cleared, ());
    assert!(start.elapsed() < Duration::from_secs(1));
}

// ---------------------------------------------------------------------------
// Barrier (N = 5)

const N: usize = 5;

/// Runs `f(i)` on N - 1 helper threads and on the calling thread (the
/// "main thread is one of them"), then joins the helpers.
fn run_parties(f: impl Fn(usize) + Send + Sync + 'static) {
    let f = Arc::new(f);
    let helpers: Vec<_> = (1..N)
        .map(|i| {
            let f = f.clone();
            std::thread::spawn(move || f(i))
        })
        .collect();
    f(0);
    for h in helpers {
        h.join().unwrap();
    }
}

fn ba_01_run(passes: usize) {
    let barrier = Arc::new(Barrier::new(N, 2.0).unwrap());
    let a = Arc::new(AtomicUsize::new(0));
    let b = Arc::new(AtomicUsize::new(0));
    let (br, a2, b2) = (barrier.clone(), a.clone(), b.clone());
    run_parties(move |_| {
        for i in 0..passes {
            a2.fetch_add(1, Ordering::SeqCst);
            assert_eq!(b2.load(Ordering::SeqCst), i * N);
            br.wait(None).unwrap();
            b2.fetch_add(1, Ordering::SeqCst);
            assert_eq!(a2.load(Ordering::SeqCst), (i + 1) * N);
            br.wait(None).unwrap();
        }
    });
    assert_eq!(barrier.n_waiting(), 0);
    assert!(!barrier.broken());
}

#[test]
fn ba_01() {
    bounded(|| {
        ba_01_run(1);
        ba_01_run(10);
    });
}

#[test]
fn ba_02() {
    bounded(|| {
        let barrier = Arc::new(Barrier::new(N, 2.0).unwrap());
        let indices = Arc::new(StdMutex::new(Vec::new()));
        let (b, r) = (barrier.clone(), indices.clone());
        run_parties(move |_| {
            let index = b.wait(None).unwrap();
            r.lock().unwrap().push(index);
        });
        let mut indices = indices.lock().unwrap().clone();
        indices.sort();
        assert_eq!(indices, (0..N).collect::<Vec<_>>());
    });
}

#[test]
fn ba_03() {
    bounded(|| {
        let results = Arc::new(StdMutex::new(Vec::new()));
        let r = results.clone();
        let barrier =
            Arc::new(Barrier::with_action(N, move || r.lock().unwrap().push(true), 2.0).unwrap());
        let (b, r) = (barrier.clone(), results.clone());
        run_parties(move |_| {
            b.wait(None).unwrap();
            assert_eq!(r.lock().unwrap().len(), 1);
        });
    });
}

#[test]
fn ba_04() {
    bounded(|| {
        let barrier = Arc::new(Barrier::new(N, 2.0).unwrap());
        let passed = Arc::new(AtomicUsize::new(0));
        let broken = Arc::new(AtomicUsize::new(0));
        let (b, p, k) = (barrier.clone(), passed.clone(), broken.clone());
        run_parties(move |_| {
            // As in CPython's test, a BrokenBarrierError from either wait
            // counts: the abort can reach a party that was released from
            // the first wait but has not left it yet.
            let body = || -> Result<(), BarrierWaitError> {
                let i = b.wait(None)?;
                if i == N / 2 {
                    // raise RuntimeError internally, then abort()
                    b.abort();
                    return Ok(());
                }
                b.wait(None)?;
                p.fetch_add(1, Ordering::SeqCst);
                Ok(())
            };
            match body() {
                Ok(()) => {}
                Err(BarrierWaitError::BrokenBarrierError(_)) => {
                    k.fetch_add(1, Ordering::SeqCst);
                }
                Err(e) => panic!("{e:?}"),
            }
        });
        assert_eq!(passed.load(Ordering::SeqCst), 0);
        assert_eq!(broken.load(Ordering::SeqCst), N - 1);
        assert!(barrier.broken());
    });
}

#[test]
fn ba_05() {
    bounded(|| {
        let barrier = Arc::new(Barrier::new(N, 2.0).unwrap());
        let passed = Arc::new(AtomicUsize::new(0));
        let broken = Arc::new(AtomicUsize::new(0));
        let final_pass = Arc::new(AtomicUsize::new(0));
        let (b, p, k, f) = (
            barrier.clone(),
            passed.clone(),
            broken.clone(),
            final_pass.clone(),
        );
        run_parties(move |_| {
            let i = b.wait(None).unwrap();
            if i == N / 2 {
                while b.n_waiting() < N - 1 {
                    sleep(Duration::from_millis(1));
                }
                b.reset();
            } else {
                match b.wait(None) {
                    Ok(_) => p.fetch_add(1, Ordering::SeqCst),
                    Err(BarrierWaitError::BrokenBarrierError(_)) => {
                        k.fetch_add(1, Ordering::SeqCst)
                    }
                    Err(e) => panic!("{e:?}"),
                };
            }
            b.wait(None).unwrap();
            f.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(passed.load(Ordering::SeqCst), 0);
        assert_eq!(broken.load(Ordering::SeqCst), N - 1);
        assert_eq!(final_pass.load(Ordering::SeqCst), N);
    });
}

#[test]
fn ba_06() {
    bounded(|| {
        let barrier = Arc::new(Barrier::new(N, 2.0).unwrap());
        let barrier2 = Arc::new(Barrier::new(N, 2.0).unwrap());
        let broken = Arc::new(AtomicUsize::new(0));
        let final_pass = Arc::new(AtomicUsize::new(0));
        let (b, b2, k, f) = (
            barrier.clone(),
            barrier2.clone(),
            broken.clone(),
            final_pass.clone(),
        );
        run_parties(move |_| {
            let body = || -> Result<(), BarrierWaitError> {
                if b.wait(None)? == N / 2 {
                    b.abort();
                    return Ok(());
                }
                b.wait(None)?;
                Ok(())
            };
            if let Err(BarrierWaitError::BrokenBarrierError(_)) = body() {
                k.fetch_add(1, Ordering::SeqCst);
            }
            if b2.wait(None).unwrap() == N / 2 {
                b.reset();
            }
            b2.wait(None).unwrap();
            b.wait(None).unwrap();
            f.fetch_add(1, Ordering::SeqCst);
        });
        assert_eq!(broken.load(Ordering::SeqCst), N - 1);
        assert_eq!(final_pass.load(Ordering::SeqCst), N);
    });
}

#[test]
fn ba_07() {
    bounded(|| {
        let barrier = Arc::new(Barrier::new(N, 2.0).unwrap());
        let broken = Arc::new(AtomicUsize::new(0));
        let (b, k) = (barrier.clone(), broken.clone());
        run_parties(move |_| {
            let i = b.wait(None).unwrap();
            if i == N / 2 {
                sleep(Duration::from_secs(1));
            }
            if let Err(BarrierWaitError::BrokenBarrierError(_)) = b.wait(0.5) {
                k.fetch_add(1, Ordering::SeqCst);
            }
        });
        assert_eq!(broken.load(Ordering::SeqCst), N);
    });
}

#[test]
fn ba_08() {
    bounded(|| {
        let barrier = Arc::new(Barrier::new(N, 0.3).unwrap());
        let broken = Arc::new(AtomicUsize::new(0));
        let (b, k) = (barrier.clone(), broken.clone());
        run_parties(move |_| {
            let i = b.wait(None).unwrap();
            if i == N / 2 {
                sleep(Duration::from_secs(1));
            }
            if let Err(BarrierWaitError::BrokenBarrierError(_)) = b.wait(None) {
                k.fetch_add(1, Ordering::SeqCst);
            }
        });
        assert_eq!(broken.load(Ordering::SeqCst), N);
    });
}

#[test]
fn ba_09() {
    let b = Barrier::new(1, None).unwrap();
    assert_eq!(b.wait(None).unwrap(), 0);
    assert_eq!(b.wait(None).unwrap(), 0);
}

#[test]
fn ba_10() {
    bounded(|| {
        let barrier = Arc::new(
            Barrier::with_action(
                2,
                || Err::<(), _>(Exception::new("ZeroDivisionError", "division by zero")),
                2.0,
            )
            .unwrap(),
        );
        let outcomes: Vec<_> = (0..2)
            .map(|_| {
                let b = barrier.clone();
                std::thread::spawn(move || b.wait(None))
            })
            .collect::<Vec<_>>()
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect();
        let mut kinds: Vec<String> = outcomes
            .iter()
            .map(|o| match o {
                Err(BarrierWaitError::Exception(e)) => e.type_name().to_owned(),
                Err(BarrierWaitError::BrokenBarrierError(_)) => "BrokenBarrierError".to_owned(),
                Ok(i) => format!("passed {i}"),
            })
            .collect();
        kinds.sort();
        assert_eq!(kinds, ["BrokenBarrierError", "ZeroDivisionError"]);
        assert!(barrier.broken());
    });
}

#[test]
fn ba_11() {
    bounded(|| {
        let action_thread = Arc::new(StdMutex::new(String::new()));
        let a = action_thread.clone();
        let barrier = Arc::new(
            Barrier::with_action(2, move || *a.lock().unwrap() = current_thread().name(), 5.0)
                .unwrap(),
        );
        let spawn = |name: &str, delay: u64| {
            let b = barrier.clone();
            let index = Arc::new(AtomicUsize::new(usize::MAX));
            let i = index.clone();
            let t = Thread::builder()
                .name(name)
                .target(move || {
                    sleep(Duration::from_millis(delay));
                    i.store(b.wait(None).unwrap(), Ordering::SeqCst);
                })
                .build();
            t.start().unwrap();
            (t, index)
        };
        let (early, early_index) = spawn("early", 0);
        let (late, late_index) = spawn("late", 100);
        early.join(None).unwrap();
        late.join(None).unwrap();
        assert_eq!(early_index.load(Ordering::SeqCst), 0);
        assert_eq!(late_index.load(Ordering::SeqCst), 1);
        assert_eq!(*action_thread.lock().unwrap(), "late");
    });
}

#[test]
fn ba_12() {
    // Barrier(-1) cannot be written: `parties` is a usize.
    assert_eq!(
        Barrier::new(0, None).unwrap_err().message(),
        "parties must be > 0"
    );
    assert!(Barrier::with_action(0, || (), None).is_err());
}

// ---------------------------------------------------------------------------
// Thread

fn func() {}

#[test]
fn t_01() {
    assert_eq!(Thread::builder().name("myname1").build().name(), "myname1");
    assert_eq!(Thread::builder().name(123).build().name(), "123");
    let named = Thread::builder().target(func).name("explicit").build();
    assert_eq!(named.name(), "explicit");
    let plain = Thread::builder().build().name();
    let k: u64 = plain.strip_prefix("Thread-").unwrap().parse().unwrap();
    let with_target = Thread::new(func).name();
    let rest = with_target.strip_prefix("Thread-").unwrap();
    let (k2, suffix) = rest.split_once(' ').unwrap();
    assert!(k2.parse::<u64>().unwrap() > k);
    assert_eq!(suffix, "(func)");
}

#[test]
fn t_02() {
    fn check<A: PartialEq + std::fmt::Debug + Clone + Send + 'static>(arg: A) {
        let got = Arc::new(StdMutex::new(None));
        let g = got.clone();
        let expected = arg.clone();
        let t = Thread::builder()
            .target_args(move |a: A| *g.lock().unwrap() = Some(a), (arg,))
            .build();
        t.start().unwrap();
        t.join(None).unwrap();
        assert_eq!(got.lock().unwrap().clone(), Some(expected));
    }
    check(1);
    check("str");
    check(vec![1]);
    check((1,));
}

#[test]
fn t_03() {
    bounded(|| {
        let native_ids = Arc::new(StdMutex::new(HashSet::from([main_thread()
            .native_id()
            .unwrap()])));
        // All ten stay alive until each has recorded its id, so the ids
        // belong to live threads at once.
        let all_in = Arc::new(std::sync::Barrier::new(10));
        let threads: Vec<Thread> = (0..10)
            .map(|_| {
                let (ids, all) = (native_ids.clone(), all_in.clone());
                Thread::new(move || {
                    ids.lock().unwrap().insert(get_native_id());
                    all.wait();
                })
            })
            .collect();
        for t in &threads {
            assert_eq!(t.ident(), None);
            assert_eq!(t.native_id(), None);
        }
        for t in &threads {
            t.start().unwrap();
        }
        for t in &threads {
            t.join(None).unwrap();
            assert!(!t.is_alive());
            assert!(t.ident().is_some_and(|id| id != 0));
        }
        assert_eq!(native_ids.lock().unwrap().len(), 11);
    });
}

#[test]
fn t_04() {
    let t = Thread::new(|| ());
    assert_eq!(
        t.join(None).unwrap_err().message(),
        "cannot join thread before it is started"
    );
    t.start().unwrap();
    assert_eq!(
        t.start().unwrap_err().message(),
        "threads can only be started once"
    );
    t.join(None).unwrap();
    assert_eq!(
        t.set_daemon(true).unwrap_err().message(),
        "cannot set daemon status of active thread"
    );
    assert_eq!(
        current_thread().join(None).unwrap_err().message(),
        "cannot join current thread"
    );
    let err = Arc::new(StdMutex::new(None));
    let e = err.clone();
    let joiner = Thread::new(move || {
        *e.lock().unwrap() = Some(
            current_thread()
                .join(None)
                .unwrap_err()
                .message()
                .to_owned(),
        );
    });
    joiner.start().unwrap();
    joiner.join(None).unwrap();
    assert_eq!(
        err.lock().unwrap().as_deref(),
        Some("cannot join current thread")
    );
}

#[test]
fn t_05() {
    // Threads not started by this module (the test harness's) are dummy
    // threads, which are daemons in CPython; the main-thread default is
    // shown by the `main_thread` doc test. Here: explicit values, and
    // inheritance from a non-daemon and a daemon creator.
    assert!(!Thread::builder().daemon(false).build().daemon());
    assert!(Thread::builder().daemon(true).build().daemon());
    assert!(current_thread().daemon());
    let inherited = Arc::new(StdMutex::new(Vec::new()));
    for creator_daemon in [false, true] {
        let i = inherited.clone();
        let creator = Thread::builder()
            .daemon(creator_daemon)
            .target(move || i.lock().unwrap().push(Thread::new(|| ()).daemon()))
            .build();
        creator.start().unwrap();
        creator.join(None).unwrap();
    }
    assert_eq!(*inherited.lock().unwrap(), [false, true]);
}

#[test]
fn t_06() {
    bounded(|| {
        for _ in 0..100 {
            let t = Thread::new(|| ());
            t.start().unwrap();
            t.join(None).unwrap();
            assert!(!enumerate().contains(&t));
        }
        assert_eq!(active_count(), enumerate().len());
    });
}

#[test]
fn t_07() {
    // In the main thread itself (see the `main_thread` doc test, which
    // runs there): main_thread() == current_thread(), ident == get_ident().
    let main = main_thread();
    assert_eq!(main.name(), "MainThread");
    assert_eq!(main, main_thread());
    assert!(main.ident().is_some());
    assert_ne!(main.ident(), current_thread().ident());
    assert_eq!(current_thread().ident(), Some(get_ident()));
    let inside = Arc::new(StdMutex::new(None));
    let i = inside.clone();
    let t = Thread::new(move || {
        *i.lock().unwrap() = Some((main_thread().ident(), current_thread().ident(), get_ident()));
    });
    t.start().unwrap();
    t.join(None).unwrap();
    let (main_ident, current, ident) = inside.lock().unwrap().unwrap();
    assert_ne!(main_ident, current);
    assert_eq!(current, Some(ident));
    assert_eq!(current, t.ident());
    #[cfg(target_os = "linux")]
    assert_eq!(main.native_id(), Some(u64::from(std::process::id())));
}

#[test]
fn t_08() {
    bounded(|| {
        let t = Thread::new(|| sleep(Duration::from_millis(300)));
        t.start().unwrap();
        let joined: () = t.join(0.05).unwrap();
        assert_eq!(joined, ());
        assert!(t.is_alive());
        let start = Instant::now();
        t.join(-1).unwrap();
        assert!(start.elapsed() < Duration::from_millis(200));
        assert!(t.is_alive());
        t.join(None).unwrap();
        assert!(!t.is_alive());
    });
}

#[test]
fn t_09() {
    struct Subclass {
        result: StdMutex<Option<i32>>,
    }
    impl Run for Subclass {
        fn run(&self, _thread: &Thread) -> Result<(), Exception> {
            *self.result.lock().unwrap() = Some(99);
            Ok(())
        }
    }
    let body = Arc::new(Subclass {
        result: StdMutex::new(None),
    });
    let t = Thread::builder().run(body.clone()).build();
    t.start().unwrap();
    let joined: () = t.join(None).unwrap();
    assert_eq!(joined, ());
    assert_eq!(*body.result.lock().unwrap(), Some(99));
}

#[test]
fn t_10() {
    let (ok, stdout, stderr) = run_child("child_t_10", Duration::from_secs(30)).unwrap();
    assert!(ok, "{stderr}");
    assert!(stdout.contains("printed by the thread"), "{stdout}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
#[ignore = "run as a child process by t_10"]
fn child_t_10() {
    if !is_child("child_t_10") {
        return;
    }
    let t = Thread::builder()
        .daemon(false)
        .target(|| {
            sleep(Duration::from_millis(300));
            println!("printed by the thread");
        })
        .build();
    t.start().unwrap();
    // The main body ends (SystemExit): the interpreter joins non-daemon
    // threads.
    portalis_threading::python::threading::shutdown();
}

#[test]
fn t_11() {
    let (ok, stdout, stderr) = run_child("child_t_11", Duration::from_secs(30)).unwrap();
    assert!(ok, "{stderr}");
    let main_at = stdout.find("end of main\n").expect(&stdout);
    let thread_at = stdout.find("end of thread\n").expect(&stdout);
    assert!(main_at < thread_at, "{stdout}");
}

#[test]
#[ignore = "run as a child process by t_11"]
fn child_t_11() {
    if !is_child("child_t_11") {
        return;
    }
    let t = Thread::builder()
        .daemon(false)
        .target(|| {
            main_thread().join(None).unwrap();
            println!("end of thread");
        })
        .build();
    t.start().unwrap();
    sleep(Duration::from_millis(100));
    println!("end of main");
    portalis_threading::python::threading::shutdown();
}

#[test]
fn t_12() {
    let start = Instant::now();
    let (ok, stdout, _) = run_child("child_t_12_daemon", Duration::from_secs(30)).unwrap();
    assert!(ok);
    assert!(stdout.contains("main done"));
    assert!(start.elapsed() < Duration::from_secs(20));
    // The counter-case: a non-daemon thread blocked forever keeps the
    // process from exiting.
    assert!(run_child("child_t_12_non_daemon", Duration::from_secs(2)).is_none());
}

fn block_forever(daemon: bool) {
    let forever = Arc::new(Event::new());
    let t = Thread::builder()
        .daemon(daemon)
        .target(move || {
            forever.wait(None);
        })
        .build();
    t.start().unwrap();
    println!("main done");
    portalis_threading::python::threading::shutdown();
}

#[test]
#[ignore = "run as a child process by t_12"]
fn child_t_12_daemon() {
    if is_child("child_t_12_daemon") {
        block_forever(true);
    }
}

#[test]
#[ignore = "run as a child process by t_12"]
fn child_t_12_non_daemon() {
    if is_child("child_t_12_non_daemon") {
        block_forever(false);
    }
}

#[test]
fn t_13() {
    let (ok, stdout, stderr) = run_child("child_t_13", Duration::from_secs(30)).unwrap();
    assert!(ok);
    assert!(!stdout.contains("Exception"), "{stdout}");
    assert!(stderr.contains("Exception in thread"), "{stderr}");
    assert!(
        stderr.contains("Traceback (most recent call last):"),
        "{stderr}"
    );
    assert!(stderr.contains("ZeroDivisionError"), "{stderr}");
}

#[test]
#[ignore = "run as a child process by t_13"]
fn child_t_13() {
    if !is_child("child_t_13") {
        return;
    }
    let t = Thread::new(|| Err::<(), _>(Exception::new("ZeroDivisionError", "division by zero")));
    t.start().unwrap();
    t.join(None).unwrap(); // join does not raise
}

#[test]
fn t_14() {
    // A callable that is "false" in a boolean context is still called: a
    // zero-sized callable object.
    #[derive(Clone, Copy)]
    struct Falsy;
    static CALLED: AtomicBool = AtomicBool::new(false);
    impl Falsy {
        fn call(self) {
            CALLED.store(true, Ordering::SeqCst);
        }
    }
    let f = Falsy;
    let t = Thread::new(move || f.call());
    t.start().unwrap();
    t.join(None).unwrap();
    assert!(CALLED.load(Ordering::SeqCst));
}

// ---------------------------------------------------------------------------
// excepthook

#[test]
fn x_01() {
    let (ok, _, stderr) = run_child("child_x_01", Duration::from_secs(30)).unwrap();
    assert!(ok);
    assert!(
        stderr.contains("Exception in thread excepthook thread:\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("Traceback (most recent call last):\n"),
        "{stderr}"
    );
    assert!(stderr.contains("ValueError: run failed"), "{stderr}");
}

#[test]
#[ignore = "run as a child process by x_01"]
fn child_x_01() {
    if !is_child("child_x_01") {
        return;
    }
    let t = Thread::builder()
        .name("excepthook thread")
        .target(|| Err::<(), _>(ValueError::new("run failed")))
        .build();
    t.start().unwrap();
    t.join(None).unwrap();
}

#[test]
fn x_02() {
    let (ok, _, stderr) = run_child("child_x_02", Duration::from_secs(30)).unwrap();
    assert!(ok);
    assert_eq!(stderr, "");
}

#[test]
#[ignore = "run as a child process by x_02"]
fn child_x_02() {
    if !is_child("child_x_02") {
        return;
    }
    let t = Thread::new(|| Err::<(), _>(SystemExit::new(Some(1))));
    t.start().unwrap();
    t.join(None).unwrap();
}

#[test]
fn x_03() {
    let _serial = HOOK_TESTS.lock().unwrap_or_else(|e| e.into_inner());
    let captured = Arc::new(StdMutex::new(None));
    let c = captured.clone();
    let panicked = Arc::new(StdMutex::new(None));
    let p = panicked.clone();
    set_excepthook(move |args: &ExceptHookArgs| {
        match args.thread.as_ref().map(Thread::name).as_deref() {
            Some("x_03") => *c.lock().unwrap() = Some(args.clone()),
            Some("x_03 panic") => *p.lock().unwrap() = Some(args.clone()),
            _ => return default_excepthook(args),
        }
        Ok(())
    });
    // A panicking target reaches the hook too.
    let t = Thread::builder()
        .name("x_03 panic")
        .target(|| -> () { panic!("boom") })
        .build();
    t.start().unwrap();
    t.join(None).unwrap();
    let t = Thread::builder()
        .name("x_03")
        .target(|| Err::<(), _>(ValueError::new("run failed")))
        .build();
    t.start().unwrap();
    t.join(None).unwrap();
    set_excepthook(default_excepthook);
    let args = captured.lock().unwrap().take().expect("the hook ran");
    assert_eq!(args.exc_type, "ValueError");
    assert!(args.exc_value.is::<ValueError>());
    assert_eq!(args.exc_value.to_string(), "run failed");
    assert_eq!(args.exc_traceback, None); // no Python frames
    assert_eq!(args.thread, Some(t));
    let args = panicked
        .lock()
        .unwrap()
        .take()
        .expect("the hook ran for the panic");
    assert_eq!(
        (args.exc_type.as_str(), args.exc_value.message()),
        ("Panic", "boom")
    );
}

#[test]
fn x_04() {
    let (ok, _, stderr) = run_child("child_x_04", Duration::from_secs(30)).unwrap();
    assert!(ok);
    assert!(
        stderr.starts_with("Exception in threading.excepthook:\n"),
        "{stderr}"
    );
    assert!(stderr.contains("threading_hook failed"), "{stderr}");
}

#[test]
#[ignore = "run as a child process by x_04"]
fn child_x_04() {
    if !is_child("child_x_04") {
        return;
    }
    set_excepthook(|_: &ExceptHookArgs| Err(ValueError::new("threading_hook failed").into()));
    let t = Thread::new(|| Err::<(), _>(ValueError::new("run failed")));
    t.start().unwrap();
    t.join(None).unwrap();
}

#[test]
fn x_05() {
    let (ok, _, stderr) = run_child("child_x_05", Duration::from_secs(30)).unwrap();
    assert!(ok);
    let parts: Vec<&str> = stderr.split("--marker--\n").collect();
    assert_eq!(parts.len(), 3, "{stderr}");
    assert!(parts[0].contains("Exception in thread t:"));
    assert_eq!(parts[0], parts[2], "re-installed default == default");
    assert_ne!(parts[0], parts[1], "a custom hook prints something else");
}

#[test]
#[ignore = "run as a child process by x_05"]
fn child_x_05() {
    if !is_child("child_x_05") {
        return;
    }
    let raise = || {
        let t = Thread::builder()
            .name("t")
            .target(|| Err::<(), _>(ValueError::new("boom")))
            .build();
        t.start().unwrap();
        t.join(None).unwrap();
    };
    raise();
    eprintln!("--marker--");
    set_excepthook(|args: &ExceptHookArgs| {
        eprintln!("custom: {}", args.exc_value);
        Ok(())
    });
    raise();
    eprintln!("--marker--");
    set_excepthook(default_excepthook);
    raise();
}

// ---------------------------------------------------------------------------
// Timer

#[test]
fn tm_01() {
    bounded(|| {
        let calls = Arc::new(StdMutex::new(Vec::new()));
        let c = calls.clone();
        let timer1 = Timer::new(0.01, move || c.lock().unwrap().push(()));
        timer1.start().unwrap();
        timer1.join(None).unwrap();
        let c = calls.clone();
        let timer2 = Timer::new(0.01, move || c.lock().unwrap().push(()));
        timer2.start().unwrap();
        timer2.join(None).unwrap();
        assert_eq!(*calls.lock().unwrap(), [(), ()]);
    });
}

#[test]
fn tm_02() {
    bounded(|| {
        let fired = Arc::new(AtomicUsize::new(0));
        let f = fired.clone();
        let timer = Timer::new(30.0, move || {
            f.fetch_add(1, Ordering::SeqCst);
        });
        timer.start().unwrap();
        let start = Instant::now();
        timer.cancel();
        timer.join(None).unwrap();
        assert!(start.elapsed() < Duration::from_secs(10));
        assert!(!timer.is_alive());
        assert_eq!(fired.load(Ordering::SeqCst), 0);
        // Cancel after firing: no effect.
        let f = fired.clone();
        let quick = Timer::new(0.0, move || {
            f.fetch_add(1, Ordering::SeqCst);
        });
        quick.start().unwrap();
        quick.join(None).unwrap();
        quick.cancel();
        assert_eq!(fired.load(Ordering::SeqCst), 1);
        // Cancel before start: it never fires.
        let f = fired.clone();
        let never = Timer::new(0.0, move || {
            f.fetch_add(1, Ordering::SeqCst);
        });
        never.cancel();
        never.start().unwrap();
        never.join(None).unwrap();
        assert_eq!(fired.load(Ordering::SeqCst), 1);
    });
}

// ---------------------------------------------------------------------------
// local

#[test]
fn lo_01() {
    bounded(|| {
        #[derive(Clone, Default)]
        struct Attrs {
            x: Option<i32>,
            y: Option<i32>,
        }
        // Base `local`, and a "subclass" (an initialiser) that sets nothing.
        for obj in [
            Arc::new(Local::<Attrs>::new()),
            Arc::new(Local::with_init(Attrs::default)),
        ] {
            let signal = Arc::new(Event::new());
            let finish = Arc::new(Event::new());
            let (o, s, f) = (obj.clone(), signal.clone(), finish.clone());
            let t1 = std::thread::spawn(move || {
                o.set(Attrs {
                    x: Some(1),
                    y: Some(2),
                });
                o.with(|a| a.y = None).unwrap(); // del obj.y
                s.set();
                f.wait(None);
            });
            signal.wait(None);
            let o = obj.clone();
            let seen_x = std::thread::spawn(move || o.get().ok().and_then(|a| a.x))
                .join()
                .unwrap();
            assert_eq!(seen_x, None, "T2 cannot see T1's x");
            finish.set();
            t1.join().unwrap();
        }
        // The plain local raises AttributeError in a thread that never set it.
        let plain = Arc::new(Local::<i32>::new());
        let p = plain.clone();
        assert!(std::thread::spawn(move || p.get().is_err()).join().unwrap());
    });
}

#[test]
fn lo_02() {
    bounded(|| {
        let obj = Arc::new(Local::with_init(|| {
            sleep(Duration::from_millis(10));
            0usize
        }));
        let handles: Vec<_> = (0..10)
            .map(|i| {
                let o = obj.clone();
                std::thread::spawn(move || {
                    o.set(i);
                    sleep(Duration::from_millis(1));
                    o.get().unwrap()
                })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.join().unwrap(), i);
        }
    });
}

#[test]
fn lo_03() {
    bounded(|| {
        // A subclass whose __init__ takes arguments: they are captured and
        // re-used in every thread. Base local() with arguments is a
        // TypeError in Python; `Local::new` takes none.
        let inits = Arc::new(StdMutex::new(Vec::new()));
        let i = inits.clone();
        let v = 5;
        let obj = Arc::new(Local::with_init(move || {
            i.lock().unwrap().push(current_thread().name());
            v
        }));
        let o = obj.clone();
        let t = Thread::builder()
            .name("L2")
            .target(move || assert_eq!(o.get().unwrap(), 5))
            .build();
        t.start().unwrap();
        t.join(None).unwrap();
        let inits = inits.lock().unwrap();
        assert_eq!(inits.len(), 2);
        assert_eq!(inits[0], current_thread().name());
        assert_eq!(inits[1], "L2");
    });
}

// ---------------------------------------------------------------------------
// Extras of API.md: stack_size

#[test]
fn extra_stack_size() {
    assert_eq!(
        stack_size(Some(1000)).unwrap_err().message(),
        "size not valid: 1000 bytes"
    );
    let old = stack_size(None).unwrap();
    assert_eq!(stack_size(Some(512 * 1024)).unwrap(), old);
    let t = Thread::new(|| ());
    t.start().unwrap();
    t.join(None).unwrap();
    assert_eq!(stack_size(Some(old)).unwrap(), 512 * 1024);
}
