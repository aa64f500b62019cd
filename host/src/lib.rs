//! A wasmtime embedding that gives WebAssembly components real, parallel
//! threads: the host side of the `portalis:threading` contract.
//!
//! A component cannot share its linear memory, so a *worker* is a fresh
//! instance of the component on its own native thread, and what workers
//! share (locks, channels, pools) are host objects. A guest starts a worker
//! with `thread.spawn(entry, input)`; the host instantiates the component on
//! a new thread and calls its exported `worker.run(entry, input)`.
//!
//! Two ways to use it:
//!
//! - [`ThreadingHost`] runs a command component (its `wasi:cli/run`) with
//!   WASI p2 and threading, the way the `portalis-threading` CLI does.
//! - In your own embedding, implement [`ThreadingView`] for your Store data,
//!   call [`add_to_linker`] beside `wasmtime_wasi::p2::add_to_linker_sync`,
//!   and manage each run with a [`Run`] (see its example). The per-interface
//!   functions ([`thread::add_to_linker`], [`lock::add_to_linker`], ...) add
//!   one interface at a time.
//!
//! Guest misuse is an error value for the guest (`portalis:threading/types.error`);
//! a trap or panic in a worker is `error::panicked` for whoever joins it;
//! every limit ([`Limits`]) is `error::limit`. The host process never exits
//! or crashes because of a guest.

#![deny(missing_docs)]

mod blocking;
mod ctx;
mod embed;
mod error;
mod host;
mod launcher;
mod limits;
mod objects;
mod pool;
mod program;
mod registry;
mod resources;
mod run;
mod spawner;
mod thread_cache;
mod wasip1;

pub mod bindings;

pub use crate::ctx::{Threading, ThreadingCtx, ThreadingCtxView, ThreadingView};
pub use crate::embed::{Run, RunConfig, RunReport};
pub use crate::error::{HostError, describe};
pub use crate::launcher::one_line;
pub use crate::limits::Limits;
pub use crate::program::{
    HostConfig, Output, Program, ProgramKind, RunOptions, RunOutcome, ThreadingHost,
};
pub use crate::resources::{
    BarrierResource, BroadcasterResource, ConditionResource, EventResource, MutexResource,
    PoolResource, ReceiverResource, RwLockResource, SemaphoreResource, SenderResource,
    TaskResource, ThreadResource,
};
pub use crate::run::StopReason;

use wasmtime::component::Linker;

/// Adds every `portalis:threading` interface to `linker`: `types`,
/// `thread`, `lock`, `channel`, `executor`, and the terminal `worker` stage
/// (the import that ends the composition chain).
///
/// # Errors
/// If one of the interfaces is already defined in `linker`.
pub fn add_to_linker<T: ThreadingView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    bindings::Guest::add_to_linker::<T, Threading>(linker, T::threading)
}

macro_rules! interface {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub mod $name {
            use super::{Threading, ThreadingView};

            /// Adds this interface to `linker`. It uses `types`, which must be
            /// added once as well ([`types::add_to_linker`](crate::types::add_to_linker)).
            ///
            /// # Errors
            /// If the interface is already defined in `linker`.
            pub fn add_to_linker<T: ThreadingView + 'static>(
                linker: &mut wasmtime::component::Linker<T>,
            ) -> wasmtime::Result<()> {
                crate::bindings::$name::add_to_linker::<T, Threading>(linker, T::threading)
            }
        }
    };
}

interface!(
    /// `portalis:threading/types`: the shared types (no functions).
    types
);
interface!(
    /// `portalis:threading/thread`: spawn and join workers.
    thread
);
interface!(
    /// `portalis:threading/lock`: mutex, rwlock, semaphore, barrier,
    /// condition, event.
    lock
);
interface!(
    /// `portalis:threading/channel`: bounded, unbounded, oneshot and
    /// broadcast channels.
    channel
);
interface!(
    /// `portalis:threading/executor`: pools of warm workers.
    executor
);
interface!(
    /// `portalis:threading/worker` as an import: the terminal stage of the
    /// composition chain, which defines no entries.
    worker
);
