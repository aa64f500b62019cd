//! Helpers shared by the page and worker test binaries.

#![allow(dead_code, reason = "each test binary uses a subset")]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Every wait in these tests is bounded by this.
pub(crate) const LIMIT: Duration = Duration::from_secs(20);

pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Sleeps without blocking (setTimeout), on the page or in a worker.
pub(crate) async fn sleep_ms(ms: u32) {
    let p = Promise::new(&mut |resolve, _| {
        let set_timeout: Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .unwrap()
            .into();
        set_timeout
            .call2(&JsValue::NULL, &resolve, &JsValue::from(ms))
            .unwrap();
    });
    JsFuture::from(p).await.unwrap();
}

/// Counts arrivals and waits (spinning, bounded) until `n` have arrived:
/// returns whether all `n` met within `limit_ms`. Only tasks that run at the
/// same time can meet.
pub(crate) fn meet(counter: &AtomicU32, n: u32, limit_ms: f64) -> bool {
    counter.fetch_add(1, Ordering::SeqCst);
    let end = now_ms() + limit_ms;
    while counter.load(Ordering::SeqCst) < n {
        if now_ms() > end {
            return false;
        }
        std::hint::spin_loop();
    }
    true
}

/// Spins until `stop` is set or `limit_ms` passes; returns whether stopped.
pub(crate) fn spin_until(stop: &Arc<AtomicBool>, limit_ms: f64) -> bool {
    let end = now_ms() + limit_ms;
    while !stop.load(Ordering::SeqCst) {
        if now_ms() > end {
            return false;
        }
        std::hint::spin_loop();
    }
    true
}
