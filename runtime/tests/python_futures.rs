//! ORACLE.md cases for `python::concurrent_futures`: Future (F),
//! ThreadPoolExecutor (EX), shutdown (SD), `wait` (W) and `as_completed`
//! (AC). Each test is named after its case id; timing cases use generous
//! margins and run under a watchdog; [X] cases run this binary again as a
//! child process.

#![allow(
    clippy::disallowed_types,
    reason = "tests use std's primitives as neutral helpers"
)]
#![allow(clippy::mutable_key_type, reason = "futures hash by identity")]

mod support;
use support::bounded;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::thread::sleep;
use std::time::{Duration, Instant};

use portalis_threading::python::builtins::Exception;
use portalis_threading::python::concurrent_futures::{
    ALL_COMPLETED, CancelledError, FIRST_COMPLETED, FIRST_EXCEPTION, Future, ResultError,
    SubmitError, ThreadPoolExecutor, as_completed, wait,
};
use portalis_threading::python::threading::{Event, Semaphore, current_thread, enumerate};

// ---------------------------------------------------------------------------
// Helpers

fn assert_timeout(elapsed: Duration, expected: f64) {
    let a = elapsed.as_secs_f64();
    assert!(
        a >= 0.6 * expected && a < 10.0 * expected + 5.0,
        "elapsed {a:.3}s for a timeout of {expected}s"
    );
}

fn run_child(name: &str) -> (bool, String, String) {
    let out = Command::new(std::env::current_exe().unwrap())
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
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn is_child(name: &str) -> bool {
    std::env::var("PORTALIS_PY_CHILD").as_deref() == Ok(name)
}

// The fixture futures of test_concurrent_futures.

fn pending() -> Future<i32> {
    Future::new()
}

fn running() -> Future<i32> {
    let f = Future::new();
    assert!(f.set_running_or_notify_cancel().unwrap());
    f
}

fn cancelled() -> Future<i32> {
    let f = Future::new();
    assert!(f.cancel());
    f
}

fn cancelled_and_notified() -> Future<i32> {
    let f = cancelled();
    assert!(!f.set_running_or_notify_cancel().unwrap());
    f
}

fn exception() -> Future<i32> {
    let f = Future::new();
    f.set_exception(Exception::new("OSError", "")).unwrap();
    f
}

fn successful() -> Future<i32> {
    let f = Future::new();
    f.set_result(42).unwrap();
    f
}

fn set_of(fs: &[&Future<i32>]) -> HashSet<Future<i32>> {
    fs.iter().map(|f| (*f).clone()).collect()
}

// ---------------------------------------------------------------------------
// Future

#[test]
fn f_01() {
    // Added before completion.
    let seen = Arc::new(StdMutex::new(Vec::new()));
    let f = Future::new();
    let s = seen.clone();
    f.add_done_callback(move |f: &Future<i32>| {
        s.lock()
            .unwrap()
            .push(format!("result {}", f.result(0).unwrap()))
    });
    f.set_result(5).unwrap();
    let f = Future::<i32>::new();
    let s = seen.clone();
    f.add_done_callback(move |f: &Future<i32>| {
        s.lock()
            .unwrap()
            .push(format!("args {}", f.exception(0).unwrap().unwrap()))
    });
    f.set_exception(Exception::new("Exception", "test"))
        .unwrap();
    let f = Future::<i32>::new();
    let s = seen.clone();
    f.add_done_callback(move |f: &Future<i32>| {
        s.lock()
            .unwrap()
            .push(format!("cancelled {}", f.cancelled()))
    });
    assert!(f.cancel());
    assert_eq!(
        *seen.lock().unwrap(),
        ["result 5", "args test", "cancelled true"]
    );
    // Added after completion: called at once.
    seen.lock().unwrap().clear();
    for f in [successful(), exception(), cancelled()] {
        let s = seen.clone();
        f.add_done_callback(move |f: &Future<i32>| {
            let what = if f.cancelled() {
                "cancelled".to_owned()
            } else {
                match f.result(0) {
                    Ok(v) => format!("result {v}"),
                    Err(e) => format!("raised {:?}", Exception::from(e).type_name().to_owned()),
                }
            };
            s.lock().unwrap().push(what);
        });
    }
    assert_eq!(
        *seen.lock().unwrap(),
        ["result 42", "raised \"OSError\"", "cancelled"]
    );
}

#[test]
fn f_02() {
    let ran = Arc::new(StdMutex::new(Vec::new()));
    let f = Future::new();
    let r = ran.clone();
    f.add_done_callback(move |_: &Future<i32>| {
        r.lock().unwrap().push(1);
        Err::<(), _>(Exception::new("Exception", "doh!"))
    });
    let r = ran.clone();
    f.add_done_callback(move |_: &Future<i32>| r.lock().unwrap().push(2));
    f.set_result(5).unwrap();
    assert_eq!(*ran.lock().unwrap(), [1, 2]);
    // The log text: run as a child to capture standard error.
    let (ok, _, stderr) = run_child("child_f_02");
    assert!(ok);
    assert!(
        stderr.contains("exception calling callback for <Future at 0x"),
        "{stderr}"
    );
    assert!(stderr.contains("Exception: doh!"), "{stderr}");
}

#[test]
#[ignore = "run as a child process by f_02"]
fn child_f_02() {
    if !is_child("child_f_02") {
        return;
    }
    let f = successful();
    f.add_done_callback(|_: &Future<i32>| -> () { panic!("doh!") });
    f.add_done_callback(|_: &Future<i32>| Err::<(), _>(Exception::new("Exception", "doh!")));
}

#[test]
fn f_03() {
    let f = pending();
    assert!(f.cancel());
    assert!(f.cancelled());
    let f = running();
    assert!(!f.cancel());
    assert!(f.running());
    assert!(cancelled().cancel());
    assert!(cancelled_and_notified().cancel());
    assert!(!exception().cancel());
    assert!(!successful().cancel());
}

#[test]
fn f_04() {
    let states = [
        ("pending", pending()),
        ("running", running()),
        ("cancelled", cancelled()),
        ("cancelled_and_notified", cancelled_and_notified()),
        ("exception", exception()),
        ("successful", successful()),
    ];
    for (name, f) in &states {
        let is_cancelled = name.starts_with("cancelled");
        assert_eq!(f.cancelled(), is_cancelled, "{name}");
        assert_eq!(f.done(), !matches!(*name, "pending" | "running"), "{name}");
        assert_eq!(f.running(), *name == "running", "{name}");
    }
}

#[test]
fn f_05() {
    for f in [pending(), running()] {
        assert!(matches!(f.result(0), Err(ResultError::TimeoutError(_))));
        assert!(matches!(f.exception(0), Err(ResultError::TimeoutError(_))));
    }
    for f in [cancelled(), cancelled_and_notified()] {
        assert_eq!(
            f.result(0),
            Err(ResultError::CancelledError(CancelledError))
        );
        assert_eq!(
            f.exception(0),
            Err(ResultError::CancelledError(CancelledError))
        );
    }
    let f = exception();
    let e = f.exception(0).unwrap().unwrap();
    assert_eq!(e.type_name(), "OSError");
    assert_eq!(f.result(0), Err(ResultError::Exception(e)));
    let f = successful();
    assert_eq!(f.result(0), Ok(42));
    assert_eq!(f.exception(0), Ok(None));
}

#[test]
fn f_06() {
    bounded(|| {
        // Finished with a result.
        let f = pending();
        let g = f.clone();
        let t = std::thread::spawn(move || {
            sleep(Duration::from_millis(300));
            g.set_result(42).unwrap();
        });
        assert_eq!(f.result(5.0), Ok(42));
        t.join().unwrap();
        // Cancelled.
        let f = pending();
        let g = f.clone();
        let t = std::thread::spawn(move || {
            sleep(Duration::from_millis(300));
            assert!(g.cancel());
        });
        assert_eq!(
            f.result(5.0),
            Err(ResultError::CancelledError(CancelledError))
        );
        t.join().unwrap();
        // Finished with an OSError.
        let f = pending();
        let g = f.clone();
        let t = std::thread::spawn(move || {
            sleep(Duration::from_millis(300));
            g.set_exception(Exception::new("OSError", "")).unwrap();
        });
        assert_eq!(f.exception(5.0).unwrap().unwrap().type_name(), "OSError");
        t.join().unwrap();
    });
}

#[test]
fn f_07() {
    let f = Future::new();
    f.set_result(1).unwrap();
    let err = f.set_result(2).unwrap_err();
    assert!(err.message().starts_with("FINISHED: "), "{}", err.message());
    assert!(
        err.message().contains("state=finished returned i32"),
        "{}",
        err.message()
    );
    assert_eq!(f.result(None), Ok(1));
    let f = Future::<i32>::new();
    let e = Exception::new("Exception", "first");
    f.set_exception(e.clone()).unwrap();
    assert!(
        f.set_exception(Exception::new("Exception", "second"))
            .unwrap_err()
            .message()
            .starts_with("FINISHED: ")
    );
    assert_eq!(f.exception(None), Ok(Some(e)));
}

#[test]
fn f_08() {
    let e = Exception::new("ValueError", "same");
    let f = Future::<()>::new();
    f.set_exception(e.clone()).unwrap();
    match f.result(None) {
        Err(ResultError::Exception(raised)) => assert!(raised.is_same(&e)),
        other => panic!("{other:?}"),
    }
    // Through an executor too.
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    let e2 = e.clone();
    let f = ex.submit_result(move || Err::<(), _>(e2)).unwrap();
    assert!(f.exception(None).unwrap().unwrap().is_same(&e));
}

// ---------------------------------------------------------------------------
// Executors

fn pow(x: i64, y: u32) -> i64 {
    x.pow(y)
}

fn mul(x: i64, y: i64) -> i64 {
    x * y
}

#[test]
fn ex_01() {
    // Keyword arguments named `self`/`fn`, and `submit()` with no
    // callable, have no Rust spelling: a closure takes any arguments, and a
    // missing callable does not compile.
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    assert_eq!(ex.submit(|| pow(2, 8)).unwrap().result(None), Ok(256));
    assert_eq!(ex.submit(|| mul(2, 8)).unwrap().result(None), Ok(16));
}

#[test]
fn ex_02() {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let got: Vec<i64> = ex
        .map(|(x, y): (i64, u32)| pow(x, y), (0..10).zip(0..10u32), None)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let want: Vec<i64> = (0..10).zip(0..10u32).map(|(x, y)| pow(x, y)).collect();
    assert_eq!(got, want);
    // Iterables of different lengths: the shortest wins.
    let got: Vec<i64> = ex
        .map(|(x, y): (i64, i64)| mul(x, y), (0..3).zip(0..10), None)
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(got, [0, 1, 4]);
}

#[test]
fn ex_03() {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let divmod = |(a, b): (i32, i32)| (a / b, a % b);
    let mut it = ex
        .map(divmod, [(1, 2), (1, 3), (1, 0), (1, 5)], None)
        .unwrap();
    assert_eq!(it.next().unwrap(), Ok((0, 1)));
    assert_eq!(it.next().unwrap(), Ok((0, 1)));
    match it.next().unwrap() {
        Err(ResultError::Exception(e)) => assert!(e.message().contains("divide by zero")),
        other => panic!("{other:?}"),
    }
}

#[test]
fn ex_04() {
    bounded(|| {
        let ex = ThreadPoolExecutor::new(Some(3)).unwrap();
        let release = Arc::new(Event::new());
        let r = release.clone();
        let start = Instant::now();
        let mut it = ex
            .map(
                move |block: bool| {
                    if block {
                        r.wait(30.0);
                    }
                },
                [false, false, true],
                0.5,
            )
            .unwrap();
        assert_eq!(it.next().unwrap(), Ok(()));
        assert_eq!(it.next().unwrap(), Ok(()));
        assert!(matches!(
            it.next().unwrap(),
            Err(ResultError::TimeoutError(_))
        ));
        assert_timeout(start.elapsed(), 0.5);
        release.set();
    });
}

#[test]
fn ex_05() {
    for n in [0, -1] {
        assert_eq!(
            ThreadPoolExecutor::new(Some(n)).unwrap_err().message(),
            "max_workers must be greater than 0"
        );
    }
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(
        ThreadPoolExecutor::new(None).unwrap().max_workers(),
        (cpus + 4).min(32)
    );
}

#[test]
fn ex_06() {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    let ran = Arc::new(AtomicUsize::new(0));
    let r = ran.clone();
    let results = ex
        .map(
            move |_: i32| {
                r.fetch_add(1, Ordering::SeqCst);
            },
            0..10,
            None,
        )
        .unwrap();
    drop(results); // never iterated
    ex.shutdown(true, false);
    assert_eq!(ran.load(Ordering::SeqCst), 10);
}

#[test]
fn ex_07() {
    // Saturation: 4 workers for 60 blocked submissions. (Idle reuse, the
    // second half, does not apply: our workers start with the executor.)
    bounded(|| {
        let ex = ThreadPoolExecutor::builder()
            .max_workers(Some(4))
            .thread_name_prefix("ex_07")
            .build()
            .unwrap();
        let sem = Arc::new(Semaphore::new(0).unwrap());
        let futures: Vec<_> = (0..60)
            .map(|_| {
                let s = sem.clone();
                ex.submit(move || s.acquire(true, None).unwrap()).unwrap()
            })
            .collect();
        let workers = enumerate()
            .into_iter()
            .filter(|t| t.name().starts_with("ex_07_"))
            .count();
        assert_eq!(workers, 4);
        sem.release(60).unwrap();
        for f in futures {
            assert_eq!(f.result(None), Ok(true));
        }
    });
}

#[test]
fn ex_08() {
    bounded(|| {
        let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
        let log = Arc::new(StdMutex::new(Vec::new()));
        let event = Arc::new(Event::new());
        let log_n_wait = {
            let (log, event) = (log.clone(), event.clone());
            move |ident: &'static str| {
                log.lock().unwrap().push(format!("{ident} started"));
                event.wait(None);
                log.lock().unwrap().push(format!("{ident} stopped"));
            }
        };
        let first_fn = log_n_wait.clone();
        let first = ex.submit(move || first_fn("first")).unwrap();
        while log.lock().unwrap().is_empty() {
            sleep(Duration::from_millis(1));
        }
        let mut it = ex.map(log_n_wait, ["second", "third"], 0).unwrap();
        assert!(matches!(
            it.next().unwrap(),
            Err(ResultError::TimeoutError(_))
        ));
        event.set();
        first.result(None).unwrap();
        ex.shutdown(true, false);
        assert_eq!(*log.lock().unwrap(), ["first started", "first stopped"]);
    });
}

#[test]
fn ex_09() {
    bounded(|| {
        let ex = ThreadPoolExecutor::builder()
            .max_workers(Some(2))
            .initializer(|| INIT.with(|s| *s.borrow_mut() = "initialized"))
            .build()
            .unwrap();
        for _ in 0..10 {
            let seen = ex.submit(|| INIT.with(|s| *s.borrow())).unwrap();
            assert_eq!(seen.result(None), Ok("initialized"));
        }
        // A failing initializer breaks the pool.
        let ex = ThreadPoolExecutor::builder()
            .max_workers(Some(2))
            .initializer(|| Err::<(), _>(Exception::new("ValueError", "error in initializer")))
            .build()
            .unwrap();
        let first = ex.submit(|| 1);
        match first {
            Ok(f) => match f.exception(None).unwrap() {
                Some(e) => assert_eq!(e.type_name(), "BrokenThreadPool"),
                None => {
                    // The task ran before a failing initializer finished on
                    // the other worker; the pool is broken all the same.
                }
            },
            Err(SubmitError::BrokenThreadPool(e)) => {
                assert!(e.message().starts_with("A thread initializer failed"))
            }
            Err(e) => panic!("{e:?}"),
        }
        // Once both initializers have run, submit raises BrokenThreadPool.
        let start = Instant::now();
        loop {
            match ex.submit(|| 1) {
                Err(SubmitError::BrokenThreadPool(e)) => {
                    assert_eq!(
                        e.message(),
                        "A thread initializer failed, the thread pool is not usable anymore"
                    );
                    break;
                }
                Ok(f) => {
                    let _ = f.result(None);
                }
                Err(e) => panic!("{e:?}"),
            }
            assert!(start.elapsed() < Duration::from_secs(20));
            sleep(Duration::from_millis(5));
        }
    });
}

thread_local! {
    static INIT: std::cell::RefCell<&'static str> = const { std::cell::RefCell::new("uninitialized") };
}

#[test]
fn ex_10() {
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    let failed = ex.submit(|| -> &str { panic!("task failed") }).unwrap();
    assert!(failed.exception(None).unwrap().is_some());
    assert_eq!(ex.submit(|| "ok").unwrap().result(None), Ok("ok"));
}

// ---------------------------------------------------------------------------
// Executor shutdown

#[test]
fn sd_01() {
    let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
    ex.shutdown(true, false);
    for err in [
        ex.submit(|| 1).unwrap_err(),
        ex.map(|x: i32| x, [1], None).unwrap_err(),
    ] {
        assert_eq!(
            err,
            SubmitError::RuntimeError(portalis_threading::python::builtins::RuntimeError::new(
                "cannot schedule new futures after shutdown"
            ))
        );
    }
}

#[test]
fn sd_02() {
    for name in ["child_sd_02", "child_sd_02_no_wait"] {
        let (ok, stdout, stderr) = run_child(name);
        assert!(ok, "{stderr}");
        let apple = stdout.find("apple").expect(&stdout);
        let exited = stdout.find("interpreter exited").expect(&stdout);
        assert!(apple < exited, "{stdout}");
        assert!(stderr.is_empty(), "{stderr}");
    }
}

fn sd_02_body(shutdown_first: bool) {
    let ex = ThreadPoolExecutor::new(Some(5)).unwrap();
    ex.submit(|| {
        sleep(Duration::from_millis(300));
        println!("apple");
    })
    .unwrap();
    if shutdown_first {
        ex.shutdown(false, false);
    }
    // The interpreter exits without anyone waiting on the executor.
    portalis_threading::python::threading::shutdown();
    println!("interpreter exited");
    std::mem::forget(ex);
}

#[test]
#[ignore = "run as a child process by sd_02"]
fn child_sd_02() {
    if is_child("child_sd_02") {
        sd_02_body(false);
    }
}

#[test]
#[ignore = "run as a child process by sd_02"]
fn child_sd_02_no_wait() {
    if is_child("child_sd_02_no_wait") {
        sd_02_body(true);
    }
}

#[test]
fn sd_03() {
    let (ok, stdout, stderr) = run_child("child_sd_03");
    assert!(ok, "{stderr}");
    assert!(
        stdout.contains("RuntimeError: cannot schedule new futures after interpreter shutdown"),
        "{stdout}"
    );
}

#[test]
#[ignore = "run as a child process by sd_03"]
fn child_sd_03() {
    if !is_child("child_sd_03") {
        return;
    }
    let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
    portalis_threading::python::threading::shutdown();
    match ex.submit(|| 1) {
        Err(SubmitError::RuntimeError(e)) => println!("RuntimeError: {}", e.message()),
        other => println!("unexpected {other:?}"),
    }
}

#[test]
fn sd_04() {
    bounded(|| {
        let ex = ThreadPoolExecutor::new(Some(5)).unwrap();
        // CPython starts a worker thread inside each early submit(), which
        // gives the first task time to start; ours are already idle, and
        // 50 submits can all happen before any worker wakes on a busy
        // machine. So, as CPython's timing does, let the first one start.
        let first = ex.submit(|| sleep(Duration::from_millis(100))).unwrap();
        while !first.running() && !first.done() {
            std::thread::yield_now();
        }
        let futures: Vec<_> = std::iter::once(first)
            .chain((1..50).map(|_| ex.submit(|| sleep(Duration::from_millis(100))).unwrap()))
            .collect();
        ex.shutdown(true, true);
        let cancelled: Vec<_> = futures.iter().filter(|f| f.cancelled()).collect();
        assert!(cancelled.len() > 20, "{} cancelled", cancelled.len());
        let others: Vec<_> = futures.iter().filter(|f| !f.cancelled()).collect();
        assert!(!others.is_empty());
        for f in others {
            assert!(f.done());
            assert_eq!(f.exception(0), Ok(None));
        }
    });
}

#[test]
fn sd_05() {
    bounded(|| {
        // Scoped use.
        let got: Vec<i32> = {
            let ex = ThreadPoolExecutor::new(Some(5)).unwrap();
            ex.map(i32::abs, -5..5, None)
                .unwrap()
                .map(Result::unwrap)
                .collect()
        };
        assert_eq!(got, [5, 4, 3, 2, 1, 0, 1, 2, 3, 4]);
        // shutdown(wait=false) right after map: the results still come.
        let ex = ThreadPoolExecutor::new(Some(5)).unwrap();
        let it = ex.map(i32::abs, -5..5, None).unwrap();
        ex.shutdown(false, false);
        let got: Vec<i32> = it.map(Result::unwrap).collect();
        assert_eq!(got, [5, 4, 3, 2, 1, 0, 1, 2, 3, 4]);
        // 50 sleeps, then shutdown(): every result is there.
        let ex = ThreadPoolExecutor::new(Some(5)).unwrap();
        let fs: Vec<_> = (0..50)
            .map(|_| ex.submit(|| sleep(Duration::from_millis(1))).unwrap())
            .collect();
        ex.shutdown(true, false);
        assert!(fs.iter().all(|f| f.result(0).is_ok()));
        // submit, cancel, shutdown(wait=true): no hang.
        let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
        let f = ex.submit(|| sleep(Duration::from_millis(10))).unwrap();
        f.cancel();
        ex.shutdown(true, false);
        assert!(f.done());
    });
}

#[test]
fn sd_06() {
    let check = |ex: ThreadPoolExecutor, prefix: &str| {
        let names: HashSet<String> = (0..20)
            .map(|_| ex.submit(|| current_thread().name()).unwrap())
            .collect::<Vec<_>>()
            .into_iter()
            .map(|f| f.result(None).unwrap())
            .collect();
        for name in names {
            let index = name.strip_prefix(prefix).expect(&name);
            assert!(index.len() == 1 && ('0'..='4').contains(&index.chars().next().unwrap()));
        }
    };
    let special = ThreadPoolExecutor::builder()
        .max_workers(Some(5))
        .thread_name_prefix("SpecialPool")
        .build()
        .unwrap();
    check(special, "SpecialPool_");
    let default = ThreadPoolExecutor::new(Some(5)).unwrap();
    let name = default
        .submit(|| current_thread().name())
        .unwrap()
        .result(None)
        .unwrap();
    let counter_and_index = name.strip_prefix("ThreadPoolExecutor-").expect(&name);
    let (counter, _) = counter_and_index.split_once('_').unwrap();
    assert!(counter.parse::<u64>().is_ok());
    check(default, &format!("ThreadPoolExecutor-{counter}_"));
}

// ---------------------------------------------------------------------------
// wait() and as_completed()

/// A task blocked on `event`.
fn blocked(ex: &ThreadPoolExecutor, event: &Arc<Event>) -> Future<i32> {
    let e = event.clone();
    ex.submit(move || {
        e.wait(30.0);
        0
    })
    .unwrap()
}

#[test]
fn w_01() {
    let f = successful();
    let r = wait([&f, &f], None, ALL_COMPLETED);
    assert_eq!(r.done, set_of(&[&f]));
    assert!(r.not_done.is_empty());
}

#[test]
fn w_02() {
    bounded(|| {
        let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
        let event = Arc::new(Event::new());
        let c = cancelled();
        let f1 = ex.submit(|| mul(21, 2) as i32).unwrap();
        let f2 = blocked(&ex, &event);
        let r = wait([&c, &f1, &f2], 5.0, FIRST_COMPLETED);
        assert_eq!(r.done, set_of(&[&f1]));
        assert_eq!(r.not_done, set_of(&[&c, &f2]));
        let (can, ok) = (cancelled_and_notified(), successful());
        let f1 = blocked(&ex, &event);
        let r = wait([&can, &ok, &f1], 5.0, FIRST_COMPLETED);
        assert_eq!(r.done, set_of(&[&can, &ok]));
        assert_eq!(r.not_done, set_of(&[&f1]));
        event.set();
    });
}

#[test]
fn w_03() {
    bounded(|| {
        let ex = ThreadPoolExecutor::new(Some(3)).unwrap();
        let event = Arc::new(Event::new());
        let f1 = ex.submit(|| mul(2, 21) as i32).unwrap();
        let f1c = f1.clone();
        let f2 = ex
            .submit_result(move || {
                f1c.result(None).unwrap();
                Err::<i32, _>(Exception::new("ZeroDivisionError", "division by zero"))
            })
            .unwrap();
        let f3 = blocked(&ex, &event);
        let r = wait([&f1, &f2, &f3], 5.0, FIRST_EXCEPTION);
        assert_eq!(r.done, set_of(&[&f1, &f2]));
        assert_eq!(r.not_done, set_of(&[&f3]));
        let (ok, c, can) = (successful(), cancelled(), cancelled_and_notified());
        let div = ex.submit(|| {
            let zero = std::hint::black_box(0);
            21 / zero
        });
        let div = div.unwrap();
        let b = blocked(&ex, &event);
        let r = wait([&ok, &c, &can, &div, &b], 5.0, FIRST_EXCEPTION);
        assert_eq!(r.done, set_of(&[&ok, &can, &div]));
        assert_eq!(r.not_done, set_of(&[&c, &b]));
        let e = exception();
        let b2 = blocked(&ex, &event);
        let r = wait([&e, &b2], 5.0, FIRST_EXCEPTION);
        assert_eq!(r.done, set_of(&[&e]));
        event.set();
    });
}

#[test]
fn w_04() {
    bounded(|| {
        let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
        let (ok, can, exc) = (successful(), cancelled_and_notified(), exception());
        let div = ex
            .submit(|| {
                let zero = std::hint::black_box(0);
                2 / zero
            })
            .unwrap();
        let m = ex.submit(|| mul(2, 21) as i32).unwrap();
        let r = wait([&ok, &can, &exc, &div, &m], None, ALL_COMPLETED);
        assert_eq!(r.done, set_of(&[&ok, &can, &exc, &div, &m]));
        assert!(r.not_done.is_empty());
        // With a blocked future and timeout 0.05: the partition, no error.
        let event = Arc::new(Event::new());
        let b = blocked(&ex, &event);
        let start = Instant::now();
        let r = wait([&ok, &can, &exc, &b], 0.05, ALL_COMPLETED);
        assert_timeout(start.elapsed(), 0.05);
        assert_eq!(r.done, set_of(&[&ok, &can, &exc]));
        assert_eq!(r.not_done, set_of(&[&b]));
        event.set();
    });
}

#[test]
fn w_05() {
    bounded(|| {
        let ex = ThreadPoolExecutor::new(Some(100)).unwrap();
        let event = Arc::new(Event::new());
        let futures: Vec<_> = (0..100).map(|_| blocked(&ex, &event)).collect();
        event.set();
        let r = wait(&futures, None, ALL_COMPLETED);
        assert_eq!(r.done.len(), 100);
    });
}

#[test]
fn ac_01() {
    bounded(|| {
        let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
        let (can, exc, ok) = (cancelled_and_notified(), exception(), successful());
        let f1 = ex.submit(|| mul(2, 21) as i32).unwrap();
        let f2 = ex.submit(|| mul(7, 6) as i32).unwrap();
        let all = [&can, &exc, &ok, &f1, &f2];
        let yielded: Vec<Future<i32>> = as_completed(all, None).map(Result::unwrap).collect();
        assert_eq!(yielded.len(), 5);
        assert_eq!(yielded.into_iter().collect::<HashSet<_>>(), set_of(&all));
        // One future three times: yielded once.
        let once: Vec<_> = as_completed([&f1, &f1, &f1], None).collect();
        assert_eq!(once.len(), 1);
    });
}

#[test]
fn ac_02() {
    bounded(|| {
        let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
        let (can, exc, ok) = (cancelled_and_notified(), exception(), successful());
        for timeout in [0.0, 0.1] {
            let slow = ex.submit(|| {
                sleep(Duration::from_secs(1));
                0
            });
            let slow = slow.unwrap();
            let mut yielded = HashSet::new();
            let mut timed_out = false;
            for item in as_completed([&can, &exc, &ok, &slow], timeout) {
                match item {
                    Ok(f) => {
                        yielded.insert(f);
                    }
                    Err(e) => {
                        assert_eq!(e.message(), "1 (of 4) futures unfinished");
                        timed_out = true;
                    }
                }
            }
            assert!(timed_out);
            assert_eq!(yielded, set_of(&[&can, &exc, &ok]));
        }
        let (p, r) = (pending(), running());
        let mut it = as_completed([&can, &p, &r, &ok], 0);
        let mut errors = Vec::new();
        for item in &mut it {
            if let Err(e) = item {
                errors.push(e.message().to_owned());
            }
        }
        assert_eq!(errors, ["2 (of 4) futures unfinished"]);
    });
}

#[test]
fn ac_03() {
    bounded(|| {
        let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
        let slow = ex
            .submit(|| {
                sleep(Duration::from_millis(100));
                1
            })
            .unwrap();
        let done = successful();
        let order: Vec<Future<i32>> = as_completed([&slow, &done], None)
            .map(Result::unwrap)
            .collect();
        assert_eq!(order, [done, slow]);
    });
}

#[test]
fn ac_04() {
    bounded(|| {
        // as_completed: the clock starts at the first next().
        let never = pending();
        let mut it = as_completed([&never], 0.2);
        sleep(Duration::from_millis(300));
        let start = Instant::now();
        assert!(it.next().unwrap().is_err());
        assert_timeout(start.elapsed(), 0.2);
        // Executor.map: the clock starts at the call.
        let ex = ThreadPoolExecutor::new(Some(1)).unwrap();
        let start = Instant::now();
        let mut results = ex
            .map(|ms: u64| sleep(Duration::from_millis(ms)), [300], 0.2)
            .unwrap();
        sleep(Duration::from_millis(250));
        assert!(matches!(
            results.next().unwrap(),
            Err(ResultError::TimeoutError(_))
        ));
        let total = start.elapsed();
        assert!(total >= Duration::from_millis(250));
        assert!(total < Duration::from_millis(290) + Duration::from_secs(2));
    });
}
