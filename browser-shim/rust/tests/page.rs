//! Tests on the page's main thread (headless Chromium): the owner never
//! blocks, so every join is `join_async`.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32};
use std::time::Duration;

use common::{LIMIT, meet, now_ms, sleep_ms, spin_until};
use portalis_threading_web::{Error, TypedPort, WebWorkerPool, can_block, current_worker_index};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn spawn_and_join_async() {
    let pool = WebWorkerPool::new(2).await.unwrap();
    let h = pool.spawn(|| (6 * 7, current_worker_index())).unwrap();
    let (v, worker) = h.join_async_timeout(LIMIT).await.unwrap();
    assert_eq!(v, 42);
    assert!(
        worker.is_some_and(|i| i < 2),
        "ran on a pool worker: {worker:?}"
    );
    assert_eq!(current_worker_index(), None);
}

#[wasm_bindgen_test]
async fn blocking_join_on_the_main_thread_is_an_error_not_a_trap() {
    assert!(!can_block());
    let pool = WebWorkerPool::new(1).await.unwrap();
    let h = pool.spawn(|| 1).unwrap();
    match h.join() {
        Err(Error::Unsupported(m)) => assert!(m.contains("join_async"), "{m}"),
        other => panic!("expected Unsupported, got {other:?}"),
    }
    // The pool is unharmed.
    let h = pool.spawn(|| 2).unwrap();
    assert_eq!(h.join_async_timeout(LIMIT).await.unwrap(), 2);
}

#[wasm_bindgen_test]
async fn pool_size_and_prewarm() {
    let pool = WebWorkerPool::builder().size(3).build().await.unwrap();
    assert_eq!(pool.size(), 3);
    // Pre-warmed: every worker is ready before the first spawn.
    assert_eq!(pool.ready_workers(), 3);
    // Three tasks that can only finish together run on three distinct workers.
    let counter = Arc::new(AtomicU32::new(0));
    let hs: Vec<_> = (0..3)
        .map(|_| {
            let c = counter.clone();
            pool.spawn(move || (meet(&c, 3, 10_000.0), current_worker_index().unwrap()))
                .unwrap()
        })
        .collect();
    let mut workers = BTreeSet::new();
    for h in hs {
        let (met, w) = h.join_async_timeout(LIMIT).await.unwrap();
        assert!(met, "tasks did not run at the same time");
        workers.insert(w);
    }
    assert_eq!(workers, BTreeSet::from([0, 1, 2]));
}

#[wasm_bindgen_test]
async fn bad_sizes_are_rejected() {
    let e = WebWorkerPool::builder().size(0).build().await.unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
    let e = WebWorkerPool::builder()
        .size(1)
        .stack_size(1000)
        .build()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)), "{e:?}");
}

/// Two tasks that meet at a shared-memory barrier: they can only both
/// finish if two workers run them at the same time.
async fn assert_two_run_at_once(pool: &WebWorkerPool) {
    let counter = Arc::new(AtomicU32::new(0));
    let (a, b) = (counter.clone(), counter.clone());
    let ha = pool.spawn(move || meet(&a, 2, 10_000.0)).unwrap();
    let hb = pool.spawn(move || meet(&b, 2, 10_000.0)).unwrap();
    assert!(ha.join_async_timeout(LIMIT).await.unwrap());
    assert!(hb.join_async_timeout(LIMIT).await.unwrap());
}

#[wasm_bindgen_test]
async fn two_tasks_meet_at_a_shared_memory_barrier() {
    let pool = WebWorkerPool::new(2).await.unwrap();
    assert_two_run_at_once(&pool).await;
}

#[wasm_bindgen_test]
async fn many_tasks_over_a_small_pool() {
    let pool = WebWorkerPool::new(2).await.unwrap();
    let hs: Vec<_> = (0..64u64)
        .map(|i| pool.spawn(move || (0..=i).sum::<u64>()).unwrap())
        .collect();
    let mut total = 0;
    for h in hs {
        total += h.join_async_timeout(LIMIT).await.unwrap();
    }
    assert_eq!(total, (0..64u64).map(|i| i * (i + 1) / 2).sum::<u64>());
}

#[wasm_bindgen_test]
async fn a_panic_reaches_the_joiner_and_the_worker_is_replaced() {
    let pool = WebWorkerPool::new(2).await.unwrap();
    let h = pool.spawn(|| -> u32 { panic!("boom {}", 6 * 7) }).unwrap();
    match h.join_async_timeout(LIMIT).await {
        Err(Error::Panicked(m)) => assert_eq!(m, "boom 42"),
        other => panic!("expected Panicked, got {other:?}"),
    }
    // The dead worker is replaced: the pool is full again and still works,
    // on both workers at once.
    pool.ready_timeout(LIMIT).await.unwrap();
    assert_eq!(pool.ready_workers(), 2);
    assert_two_run_at_once(&pool).await;
}

#[wasm_bindgen_test]
async fn terminate_during_work_fails_joiners_without_hanging() {
    let pool = WebWorkerPool::new(1).await.unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let s = stop.clone();
    let running = pool.spawn(move || spin_until(&s, 15_000.0)).unwrap();
    let queued = pool.spawn(|| 1).unwrap();
    let end = now_ms() + 10_000.0;
    while !running.is_running() {
        assert!(now_ms() < end, "the task never started");
        sleep_ms(5).await;
    }
    let t0 = now_ms();
    pool.terminate();
    assert!(pool.is_terminated());
    let r = running.join_async_timeout(Duration::from_secs(5)).await;
    assert!(matches!(r, Err(Error::Closed)), "{r:?}");
    let q = queued.join_async_timeout(Duration::from_secs(5)).await;
    assert!(matches!(q, Err(Error::Cancelled)), "{q:?}");
    assert!(
        now_ms() - t0 < 2_000.0,
        "joiners were not released promptly"
    );
    assert!(matches!(pool.spawn(|| 0), Err(Error::Closed)));
    assert!(matches!(pool.handle().spawn(|| 0), Err(Error::Closed)));
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
}

#[wasm_bindgen_test]
async fn drop_closes_the_pool_but_tasks_finish() {
    let pool = WebWorkerPool::new(1).await.unwrap();
    let handle = pool.handle();
    let h = pool.spawn(|| "done").unwrap();
    drop(pool);
    assert_eq!(h.join_async_timeout(LIMIT).await.unwrap(), "done");
    assert!(matches!(handle.spawn(|| 0), Err(Error::Closed)));
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Msg {
    id: u32,
    name: String,
    values: Vec<i64>,
    nested: Option<(bool, f64)>,
}

/// A plain JS worker (no wasm, no shared memory) that echoes every message.
fn echo_worker() -> web_sys::Worker {
    let src = "onmessage = (e) => postMessage(e.data, [e.data.buffer]);";
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("text/javascript");
    let parts = js_sys::Array::of1(&src.into());
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &opts).unwrap();
    let url = web_sys::Url::create_object_url_with_blob(&blob).unwrap();
    web_sys::Worker::new(&url).unwrap()
}

#[wasm_bindgen_test]
async fn typed_message_round_trip_through_a_worker_without_shared_memory() {
    let port = TypedPort::<Msg>::from_worker(echo_worker());
    let sent = Msg {
        id: 7,
        name: "seven".into(),
        values: vec![-1, 0, i64::MAX],
        nested: Some((true, 2.5)),
    };
    port.send(&sent).unwrap();
    port.send(&Msg {
        id: 8,
        ..sent.clone()
    })
    .unwrap();
    assert_eq!(port.recv_timeout(LIMIT).await.unwrap(), sent);
    assert_eq!(port.recv().await.unwrap().id, 8);
    assert!(port.try_recv().unwrap().is_none());
}

#[wasm_bindgen_test]
async fn typed_message_rejects_garbage() {
    let channel = web_sys::MessageChannel::new().unwrap();
    let port = TypedPort::<Msg>::from_port(channel.port1());
    let raw = channel.port2();
    raw.post_message(&js_sys::Uint8Array::from(&[0xffu8, 0xff, 0xff][..]))
        .unwrap();
    raw.post_message(&"not bytes".into()).unwrap();
    let e = port.recv_timeout(LIMIT).await.unwrap_err();
    assert!(matches!(e, Error::Codec(_)), "{e:?}");
    let e = port.recv_timeout(LIMIT).await.unwrap_err();
    assert!(matches!(e, Error::Codec(_)), "{e:?}");
    let e = port
        .recv_timeout(Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Timeout), "{e:?}");
    let _: &web_sys::MessagePort = raw.unchecked_ref();
}

#[wasm_bindgen_test]
async fn a_worker_that_cannot_start_is_reported() {
    let e = WebWorkerPool::builder()
        .size(1)
        .glue_url("http://127.0.0.1:9/no-such-glue.js")
        .ready_timeout(LIMIT)
        .build()
        .await
        .unwrap_err();
    match e {
        Error::Unsupported(m) => assert!(m.contains("failed to start"), "{m}"),
        other => panic!("expected Unsupported, got {other:?}"),
    }
}
