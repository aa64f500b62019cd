//! Web Worker pools for wasm-bindgen programs: Rust closures run on workers
//! that share the program's memory.
//!
//! This is the wasm-bindgen side of the `portalis-threading` browser shim.
//! A [`WebWorkerPool`] starts Web Workers ahead of time; each instantiates
//! the program's own module over its shared memory, so a closure
//! (`FnOnce() -> T + Send + 'static`) moves to a worker as it would to a
//! native thread, and its result comes back through memory, not messages.
//!
//! ```ignore
//! use portalis_threading_web::WebWorkerPool;
//!
//! # async fn demo() -> portalis_threading_web::Result<()> {
//! // On the page: build (all workers started and ready), then await results.
//! let pool = WebWorkerPool::builder().size(2).build().await?;
//! let h = pool.spawn(|| (1..=10u64).product::<u64>())?;
//! assert_eq!(h.join_async().await?, 3_628_800);
//! // Inside a worker, `h.join()` blocks instead.
//! # Ok(()) }
//! ```
//!
//! # Requirements
//! The program is built with nightly, `-Z build-std=panic_abort,std`, the
//! `+atomics` target feature and the shared-memory link flags (this crate's
//! `.cargo/config.toml`), for wasm-bindgen's `--target web` (ES modules), and
//! served cross-origin isolated (COOP `same-origin`, COEP `require-corp`).
//!
//! # Items
//! - [`WebWorkerPool`], [`PoolBuilder`], [`PoolHandle`] (spawn from any
//!   thread) and [`JoinHandle`] (blocking [`join`](JoinHandle::join) in
//!   workers, [`join_async`](JoinHandle::join_async) anywhere).
//! - [`TypedPort`]: serde values over `postMessage`, for peers that do not
//!   share memory.
//! - [`can_block`] and [`current_worker_index`].
//! - [`Error`] and [`Result`] are the runtime crate's, so errors mean the same
//!   here as natively and on the host.

#![cfg_attr(target_feature = "atomics", feature(stdarch_wasm_atomic_wait))]
#![deny(missing_docs)]

#[cfg(not(all(target_arch = "wasm32", target_feature = "atomics")))]
compile_error!(
    "portalis-threading-web needs wasm32 with +atomics and shared memory: \
     build it with browser-shim/rust/ci.sh (nightly, -Z build-std)"
);

mod env;
mod message;
mod panic;
mod pool;
mod spin;
mod task;
mod wait;

pub use crate::env::{can_block, current_worker_index};
pub use crate::message::TypedPort;
pub use crate::pool::{PoolBuilder, PoolHandle, WebWorkerPool};
pub use crate::task::JoinHandle;
pub use portalis_threading::{Error, Result};

/// Entry points called by the worker script (`src/worker.js`); not part of
/// the API.
#[doc(hidden)]
pub mod internal {
    pub use crate::pool::{worker_exit, worker_ready, worker_run};
}
