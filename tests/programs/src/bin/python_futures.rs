//! `python::concurrent_futures` on shared memory: a `ThreadPoolExecutor`
//! runs work in parallel, `map` keeps order, `wait` and `as_completed`
//! report completions, exceptions reach `result`, and `shutdown` cancels
//! pending work. (Shared memory only.)

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use portalis_threading::python::builtins::Exception;
use portalis_threading::python::concurrent_futures::{
    ALL_COMPLETED, FIRST_COMPLETED, ResultError, ThreadPoolExecutor, as_completed, wait,
};
use portalis_threading::python::threading::{Event, current_thread, get_ident};

portalis_test_programs::guest::tasks!();

fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}

fn main() {
    let ex = ThreadPoolExecutor::builder()
        .max_workers(Some(2))
        .thread_name_prefix("pool")
        .build()
        .unwrap();

    // submit + result, on a pool thread with the prefix in its name.
    let me = get_ident();
    let f = ex
        .submit(move || {
            assert_ne!(get_ident(), me);
            current_thread().name()
        })
        .unwrap();
    assert!(f.result(None).unwrap().starts_with("pool"));

    // map keeps input order.
    let counts: Vec<usize> = ex
        .map(
            |chunk: u64| {
                (chunk * 10_000..(chunk + 1) * 10_000)
                    .filter(|&n| is_prime(n))
                    .count()
            },
            0..8u64,
            None,
        )
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    assert_eq!(counts.iter().sum::<usize>(), 7837, "primes below 80,000");
    assert_eq!(counts[0], 1229);

    // An exception reaches result() and exception().
    let failing = ex
        .submit_result(|| Err::<u32, _>(Exception::new("ZeroDivisionError", "division by zero")))
        .unwrap();
    match failing.result(None) {
        Err(ResultError::Exception(e)) => assert_eq!(e.type_name(), "ZeroDivisionError"),
        other => panic!("expected the exception, got {other:?}"),
    }

    // wait(FIRST_COMPLETED) returns while a blocked task is still running;
    // as_completed yields each future once.
    let gate = Arc::new(Event::new());
    let g2 = gate.clone();
    let blocked = ex.submit(move || g2.wait(10.0)).unwrap();
    let quick = ex.submit(|| true).unwrap();
    let first = wait([&blocked, &quick], 5.0, FIRST_COMPLETED);
    assert!(first.done.contains(&quick));
    assert!(first.not_done.contains(&blocked));
    gate.set();
    let all = wait([&blocked, &quick], 5.0, ALL_COMPLETED);
    assert_eq!(all.done.len(), 2);
    let fs: Vec<_> = (0..6u64)
        .map(|i| ex.submit(move || i * i).unwrap())
        .collect();
    let seen: HashSet<u64> = as_completed(&fs, 5.0)
        .map(|f| f.unwrap().result(None).unwrap())
        .collect();
    assert_eq!(seen, (0..6u64).map(|i| i * i).collect());

    // shutdown(cancel_futures=True) cancels what has not started.
    let hold = Arc::new(Event::new());
    let running: Vec<_> = (0..2)
        .map(|_| {
            let h = hold.clone();
            ex.submit(move || h.wait(10.0)).unwrap()
        })
        .collect();
    while !running.iter().all(|f| f.running()) {
        std::thread::sleep(Duration::from_millis(1));
    }
    let pending: Vec<_> = (0..4).map(|_| ex.submit(|| true).unwrap()).collect();
    let h = hold.clone();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        h.set();
    });
    ex.shutdown(true, true);
    releaser.join().unwrap();
    assert!(pending.iter().all(|f| f.cancelled()));
    assert!(running.iter().all(|f| f.result(None).unwrap()));
    assert!(ex.submit(|| 1).is_err(), "submit after shutdown");

    println!("python_futures ok");
}
