//! Waiting on a word of shared memory: blocking (workers) and as a Future
//! (anywhere, the page's main thread included).

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(inline_js = r#"
export function portalis_wait_async(memory, addr, value, timeout_ms) {
    const i32 = new Int32Array(memory.buffer);
    if (typeof Atomics.waitAsync === 'function') {
        const r = Atomics.waitAsync(i32, addr >>> 2, value | 0, timeout_ms);
        return r.async ? r.value.then(() => undefined) : Promise.resolve();
    }
    // No waitAsync (older Firefox): poll.
    return new Promise((resolve) => setTimeout(resolve, Math.min(timeout_ms, 4)));
}
export function portalis_can_block() {
    try {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
        return true;
    } catch (e) {
        return false;
    }
}
export function portalis_now_ms() {
    return (typeof performance !== 'undefined' ? performance.now() : Date.now());
}
"#)]
extern "C" {
    fn portalis_wait_async(
        memory: &JsValue,
        addr: u32,
        value: u32,
        timeout_ms: f64,
    ) -> js_sys::Promise;
    pub(crate) fn portalis_can_block() -> bool;
    fn portalis_now_ms() -> f64;
}

/// Milliseconds from a monotonic clock (`std::time::Instant` is not
/// implemented on `wasm32-unknown-unknown`).
pub(crate) fn now_ms() -> f64 {
    portalis_now_ms()
}

/// A point in time `timeout` from now, or `None` for "forever".
pub(crate) fn deadline(timeout: Option<Duration>) -> Option<f64> {
    timeout.map(|t| now_ms() + t.as_secs_f64() * 1000.0)
}

/// Milliseconds left until `deadline` (0 when past), `None` for forever.
fn left_ms(deadline: Option<f64>) -> Option<f64> {
    deadline.map(|d| (d - now_ms()).max(0.0))
}

/// Blocks while `word` holds `seen`, until notified or `deadline` passes.
///
/// Only for threads that may block (workers); the caller checks
/// [`crate::can_block`] first.
pub(crate) fn wait_blocking(word: &AtomicU32, seen: u32, deadline: Option<f64>) {
    let timeout_ns = match left_ms(deadline) {
        None => -1,
        Some(ms) => (ms * 1e6) as i64,
    };
    // SAFETY: `word` is a live, aligned 4-byte atomic in the shared linear
    // memory; `memory.atomic.wait32` only reads it. Callers run on a thread
    // that may block (checked with `can_block`), so it does not trap.
    unsafe {
        core::arch::wasm32::memory_atomic_wait32(
            word.as_ptr().cast::<i32>(),
            seen as i32,
            timeout_ns,
        );
    }
}

/// Waits (as a Future) while `word` holds `seen`, until notified, the
/// deadline passes, or a slice of 1 s ends (the caller re-checks).
pub(crate) async fn wait_async(word: &AtomicU32, seen: u32, deadline: Option<f64>) {
    let ms = left_ms(deadline).unwrap_or(1000.0).min(1000.0);
    if word.load(Ordering::SeqCst) != seen {
        return;
    }
    let addr = word.as_ptr() as usize as u32;
    let p = portalis_wait_async(&wasm_bindgen::memory(), addr, seen, ms);
    // The promise never rejects; its value is irrelevant.
    let _ = JsFuture::from(p).await;
}

/// Wakes up to `count` threads (or futures) waiting on `word`.
pub(crate) fn notify(word: &AtomicU32, count: u32) {
    // SAFETY: `word` is a live, aligned atomic in the shared memory;
    // `memory.atomic.notify` never blocks (allowed on the main thread).
    unsafe {
        core::arch::wasm32::memory_atomic_notify(word.as_ptr().cast::<i32>(), count);
    }
}
