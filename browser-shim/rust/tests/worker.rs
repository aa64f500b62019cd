//! Tests inside a dedicated worker (headless Chromium): blocking joins work
//! here, including from tasks that spawn tasks.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use common::{LIMIT, meet, now_ms, sleep_ms, spin_until};
use portalis_threading_web::{Error, WebWorkerPool, can_block, current_worker_index};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
async fn blocking_join_in_a_worker() {
    assert!(can_block());
    let pool = WebWorkerPool::new(2).await.unwrap();
    let h = pool.spawn(|| (6 * 7, current_worker_index())).unwrap();
    let (v, w) = h.join().unwrap();
    assert_eq!(v, 42);
    assert!(w.is_some());
    // join_async works here too.
    let h = pool.spawn(|| 5).unwrap();
    assert_eq!(h.join_async_timeout(LIMIT).await.unwrap(), 5);
}

#[wasm_bindgen_test]
async fn join_timeout_then_join() {
    let pool = WebWorkerPool::new(1).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let mut h = pool.spawn(move || spin_until(&s, 15_000.0)).unwrap();
    let t0 = now_ms();
    assert!(matches!(
        h.join_timeout(Duration::from_millis(50)),
        Err(Error::Timeout)
    ));
    assert!(now_ms() - t0 < 5_000.0);
    stop.store(true, Ordering::SeqCst);
    assert!(h.join_timeout(LIMIT).unwrap());
    assert!(matches!(h.join_timeout(LIMIT), Err(Error::InvalidState(_))));
}

#[wasm_bindgen_test]
async fn tasks_spawn_and_block_on_subtasks() {
    let pool = WebWorkerPool::new(2).await.unwrap();
    let handle = pool.handle();
    let h = pool
        .spawn(move || {
            // Inside a worker: spawn on the same pool and block on it.
            let subs: Vec<_> = (1..=4u32)
                .map(|i| handle.spawn(move || i * i).unwrap())
                .collect();
            subs.into_iter().map(|s| s.join().unwrap()).sum::<u32>()
        })
        .unwrap();
    assert_eq!(h.join().unwrap(), 30);
}

#[wasm_bindgen_test]
async fn blocking_before_the_workers_started_is_an_error_not_a_deadlock() {
    // Workers created by this (worker) thread start only when it yields.
    let pool = WebWorkerPool::builder().size(2).build_cold().unwrap();
    let h = pool.spawn(|| 3).unwrap();
    match h.join() {
        Err(Error::Unsupported(m)) => assert!(m.contains("ready"), "{m}"),
        other => panic!("expected Unsupported, got {other:?}"),
    }
    pool.ready_timeout(LIMIT).await.unwrap();
    assert_eq!(pool.ready_workers(), 2);
    assert_eq!(pool.spawn(|| 4).unwrap().join().unwrap(), 4);
}

#[wasm_bindgen_test]
async fn parallel_tasks_meet_with_blocking_joins() {
    let pool = WebWorkerPool::new(2).await.unwrap();
    let counter = Arc::new(AtomicU32::new(0));
    let (a, b) = (counter.clone(), counter.clone());
    let ha = pool.spawn(move || meet(&a, 2, 10_000.0)).unwrap();
    let hb = pool.spawn(move || meet(&b, 2, 10_000.0)).unwrap();
    assert!(ha.join().unwrap());
    assert!(hb.join().unwrap());
    let hs: Vec<_> = (0..32u32).map(|i| pool.spawn(move || i).unwrap()).collect();
    assert_eq!(hs.into_iter().map(|h| h.join().unwrap()).sum::<u32>(), 496);
}

#[wasm_bindgen_test]
async fn a_panic_reaches_a_blocking_joiner() {
    let pool = WebWorkerPool::new(2).await.unwrap();
    let h = pool.spawn(|| -> u8 { panic!("worker boom") }).unwrap();
    match h.join() {
        Err(Error::Panicked(m)) => assert_eq!(m, "worker boom"),
        other => panic!("expected Panicked, got {other:?}"),
    }
    // The owner (this worker) replaces the dead worker once it yields.
    pool.ready_timeout(LIMIT).await.unwrap();
    assert_eq!(pool.spawn(|| 9).unwrap().join().unwrap(), 9);
}

#[wasm_bindgen_test]
async fn terminate_releases_blocking_joiners() {
    let pool = WebWorkerPool::new(2).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let running = pool.spawn(move || spin_until(&s, 15_000.0)).unwrap();
    let end = now_ms() + 10_000.0;
    while !running.is_running() {
        assert!(now_ms() < end, "the task never started");
        sleep_ms(5).await;
    }
    pool.terminate();
    let t0 = now_ms();
    assert!(matches!(running.join(), Err(Error::Closed)));
    assert!(now_ms() - t0 < 2_000.0);
    stop.store(true, Ordering::SeqCst);
}
