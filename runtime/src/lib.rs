//! Threads, locks, channels and pools with one contract for native Rust and
//! WebAssembly.
//!
//! This is the native library of `portalis-threading`. It runs natively and
//! on `wasm32-wasip1-threads` (where `std::thread` is wasi-threads), and it
//! is what the host uses to implement the `portalis:threading` WIT contract
//! for components.
//!
//! ```
//! use portalis_threading::{ThreadPool, bounded, thread};
//!
//! // A thread whose panic comes back as an error.
//! let h = thread::spawn(|| panic!("lost"));
//! assert!(h.join().is_err());
//!
//! // A pool with task handles.
//! let pool = ThreadPool::new(2).unwrap();
//! let (tx, rx) = bounded(8);
//! for i in 0..4 {
//!     let tx = tx.clone();
//!     pool.spawn(move || tx.send(i * i).unwrap()).unwrap();
//! }
//! drop(tx);
//! assert_eq!(rx.iter().sum::<i32>(), 14);
//! ```
//!
//! # Threads
//! - [`thread::spawn`], [`thread::Builder`] (name, stack size) and
//!   [`JoinHandle`] (join, join with a timeout, detach); a panic is returned
//!   as [`Error::Panicked`] with its message.
//! - [`ThreadingBackend`]: where threads come from; [`NativeBackend`] is
//!   `std::thread`.
//! - [`ThreadPool`] on rayon: [`submit`](ThreadPool::submit) with a
//!   [`TaskHandle`], [`map`](ThreadPool::map), [`install`](ThreadPool::install),
//!   [`scope`](ThreadPool::scope), and [`shutdown`](ThreadPool::shutdown),
//!   which joins every worker.
//!
//! # Locks and signals
//! [`Mutex`] and [`RwLock`] (parking_lot natively, std's futex on wasm),
//! [`Lock`] (a mutex without a guard), [`OwnedLock`] and [`OwnedRwLock`]
//! (held by an owner id across calls), [`Condvar`] (first-in, first-out,
//! with `notify(n)`), [`Semaphore`] (optionally bounded), [`Barrier`]
//! (leader, action, abort, broken state) and [`Event`].
//!
//! # Channels
//! [`bounded`], [`unbounded`] and [`rendezvous`] on crossbeam; [`oneshot`];
//! [`broadcast`]. Every blocking operation has `try_` and `_timeout` /
//! `_deadline` forms.
//!
//! # Lock-free pieces
//! [`AtomicCounter`] and [`SeqLock`].
//!
//! # Messages
//! [`Message`] and [`Codec`], which turns serde values into payloads for
//! workers that share no memory.
//!
//! # Verification
//! The crate's own atomics code is model-checked with loom; the command is
//! in `runtime/README.md`.

#![deny(missing_docs)]
#![doc(test(attr(deny(warnings), allow(dead_code, unused_variables))))]

mod atomic;
mod backend;
mod channel;
mod deadline;
mod error;
mod loom;
mod message;
mod panic;
mod pool;
/// CPython's `threading`, `queue` and `concurrent.futures`, with CPython's
/// observable behaviour, built on this crate's primitives.
#[cfg(not(portalis_loom))]
pub mod python;
mod sync;
pub mod thread;

pub use crate::atomic::counter::AtomicCounter;
pub use crate::atomic::seqlock::SeqLock;
pub use crate::backend::{
    NativeBackend, NativeThread, PARALLELISM_ENV, ThreadOptions, ThreadingBackend,
};
pub use crate::channel::broadcast::{Broadcaster, Subscriber, broadcast};
pub use crate::channel::oneshot::{OneshotReceiver, OneshotSender, oneshot};
pub use crate::channel::{Receiver, Sender, bounded, rendezvous, unbounded};
pub use crate::error::{Error, Result, SendError};
pub use crate::message::{Codec, Message, decode, encode};
pub use crate::pool::task::{TaskHandle, TaskState};
pub use crate::pool::{Scope, ThreadPool, ThreadPoolBuilder};
pub use crate::sync::barrier::{Barrier, BarrierWaitResult};
pub use crate::sync::condvar::{Condvar, CondvarLock, WaitTimeoutResult};
pub use crate::sync::event::Event;
pub use crate::sync::lock::Lock;
pub use crate::sync::mutex::{Mutex, MutexGuard};
pub use crate::sync::owned::{HeldBy, OwnedLock, OwnedRwLock};
pub use crate::sync::rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
pub use crate::sync::semaphore::Semaphore;
pub use crate::thread::JoinHandle;
