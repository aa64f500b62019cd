//! Facts about the current thread: whether it may block, which worker it
//! is, and where the program's JavaScript glue lives.

use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};

use wasm_bindgen::prelude::*;

thread_local! {
    static CAN_BLOCK: Cell<Option<bool>> = const { Cell::new(None) };
    static WORKER_INDEX: Cell<Option<usize>> = const { Cell::new(None) };
    static THREAD_ID: Cell<u32> = const { Cell::new(0) };
}

#[wasm_bindgen]
extern "C" {
    /// `import.meta.url`, evaluated in the wasm-bindgen glue module (an
    /// import without `module` is generated there), so it is the glue's URL.
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: String;
}

/// Whether this thread may block (`Atomics.wait`).
///
/// False on the page's main thread (where `Atomics.wait` throws "cannot be
/// called in this context"), true in dedicated workers. Blocking calls of this
/// crate check it and return [`Error::Unsupported`](crate::Error::Unsupported)
/// instead of trapping. Found by trying a non-blocking `Atomics.wait` once
/// per thread.
pub fn can_block() -> bool {
    CAN_BLOCK.with(|c| match c.get() {
        Some(b) => b,
        None => {
            let b = crate::wait::portalis_can_block();
            c.set(Some(b));
            b
        }
    })
}

/// The index of the pool worker this code runs on (`0..size`), or `None`
/// outside pool workers.
pub fn current_worker_index() -> Option<usize> {
    WORKER_INDEX.with(Cell::get)
}

pub(crate) fn set_worker_index(i: usize) {
    WORKER_INDEX.with(|c| c.set(Some(i)));
}

/// A small id of the current thread, unique within the program (never 0).
pub(crate) fn thread_id() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    THREAD_ID.with(|c| {
        if c.get() == 0 {
            c.set(NEXT.fetch_add(1, Ordering::Relaxed));
        }
        c.get()
    })
}

/// The URL of the wasm-bindgen glue (`--target web`), which workers import.
pub(crate) fn glue_url() -> String {
    GLUE_URL.with(String::clone)
}
