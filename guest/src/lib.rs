//! The guest SDK of portalis-threading: one threading API for
//! WebAssembly components (`wasm32-wasip2`), wasi-threads modules
//! (`wasm32-wasip1-threads`) and native Rust.
//!
//! ```
//! use portalis_threading_guest::{ThreadPool, spawn, task, tasks};
//!
//! task! {
//!     /// Counts the primes in `lo..hi`.
//!     pub fn count_primes(range: (u64, u64)) -> u64 {
//!         let (lo, hi) = range;
//!         (lo..hi).filter(|&n| n > 1 && (2..n).take_while(|d| d * d <= n).all(|d| !n.is_multiple_of(d))).count() as u64
//!     }
//! }
//!
//! // Every task a worker may run, listed once per program.
//! tasks!(count_primes);
//!
//! # fn main() -> portalis_threading::Result<()> {
//! let one = spawn(count_primes, (0, 1000))?;
//! let pool = ThreadPool::new(2)?;
//! let halves = pool.map(count_primes, vec![(0, 500), (500, 1000)])?;
//! assert_eq!(one.join()?, halves.iter().sum::<u64>());
//! # Ok(()) }
//! ```
//!
//! # Model
//!
//! A *task* is a function of one serde value to another, declared with
//! [`task!`]. A worker runs one task: [`spawn`] starts one, a
//! [`ThreadPool`] runs many on warm workers. On a component a worker is a
//! fresh instance of the same component on another host thread, so nothing
//! in memory is shared: inputs and outputs are copied (encoded with the
//! runtime's codec), and what workers share are host objects: [`Mutex`],
//! [`RwLock`], [`Semaphore`], [`Barrier`], [`Condition`], [`Event`],
//! channels ([`bounded`], [`unbounded`], [`rendezvous`], [`oneshot`],
//! [`broadcast`]) and pools. These are handles: clone them, or pass them to
//! a worker inside a task's input or a message, where they travel as tokens.
//! Natively and on `wasm32-wasip1-threads`, workers are threads of one
//! process and the same calls use the runtime crate's primitives; the
//! program does not change.
//!
//! Every blocking call has a `try_` form (never blocks) and a `_timeout`
//! form.
//!
//! # Building a component
//!
//! A program is a plain `bin` crate built with
//! `cargo build --target wasm32-wasip2`; run it with
//! `portalis-threading run app.wasm`. It must invoke [`tasks!`] once, at the
//! crate root, listing every task it spawns or submits (so that a fresh
//! instance can find them by name). A `cargo component` project works the
//! same way: depend on this crate and call [`tasks!`]; the component it
//! builds imports `portalis:threading/*` and exports
//! `portalis:threading/worker`.
//!
//! # Composition
//!
//! A library component that uses this SDK can be plugged into an app that
//! also uses it (`wac plug app.wasm --plug lib.wasm`). Each part's
//! [`tasks!`] export answers its own entries and forwards the others to the
//! `portalis:threading/worker` it imports; plugging connects the library's
//! export to the app's import, so a library task spawned anywhere in the
//! composite reaches the library. Entries are `crate::module::function`, so
//! two crates cannot clash; a host refuses a composite in which two parts
//! define the same entry.

#![deny(missing_docs)]

mod channel;
mod handle;
mod lock;
mod pool;
mod sys;
mod task;
mod thread;

/// The generated bindings of the `portalis:threading/guest` world (used by
/// [`tasks!`]).
#[cfg(portalis_component)]
#[doc(hidden)]
#[allow(missing_docs, unreachable_pub, clippy::all, reason = "generated code")]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "portalis:threading/guest",
        pub_export_macro: true,
        export_macro_name: "export_worker",
        default_bindings_module: "portalis_threading_guest::bindings",
        generate_all,
    });
}

pub use crate::channel::{
    Broadcaster, Payload, Receiver, Sender, bounded, broadcast, oneshot, rendezvous, unbounded,
};
pub use crate::lock::{
    Barrier, BarrierWait, Condition, Event, Mutex, MutexGuard, RwLock, RwLockReadGuard,
    RwLockWriteGuard, Semaphore,
};
pub use crate::pool::{TaskHandle, ThreadPool, wait_any};
pub use crate::task::{Task, internal};
pub use crate::thread::{
    Builder, JoinHandle, available_parallelism, current_id, sleep, spawn, yield_now,
};
pub use portalis_threading::{Error, Result, SendError, TaskState};
