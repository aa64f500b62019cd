//! The per-Store state of portalis-threading and the view host functions
//! work through.

use std::sync::Arc;

use wasmtime::StoreLimits;
use wasmtime::component::{HasData, ResourceTable};

use crate::objects::Counted;
use crate::run::RunShared;
use portalis_threading::{OwnedLock, OwnedRwLock};

/// What portalis-threading keeps in each Store: which worker of which run
/// the Store is, its memory limits, and the locks its guest holds.
///
/// Obtain one from [`Run::main_ctx`](crate::Run::main_ctx) for the
/// program's own Store; the host creates those of workers. When it is
/// dropped (the worker ended, trapped or was stopped), the locks its guest
/// still held are released.
#[derive(Debug)]
pub struct ThreadingCtx {
    pub(crate) run: Arc<RunShared>,
    pub(crate) worker: u64,
    pub(crate) limits: StoreLimits,
    pub(crate) held_mutexes: Vec<Arc<Counted<OwnedLock>>>,
    pub(crate) held_rwlocks: Vec<Arc<Counted<OwnedRwLock>>>,
    pub(crate) panic_message: Option<String>,
}

impl ThreadingCtx {
    pub(crate) fn new(run: Arc<RunShared>, worker: u64) -> Self {
        let limits = wasmtime::StoreLimitsBuilder::new()
            .memory_size(run.limits.max_memory_bytes)
            .build();
        Self {
            run,
            worker,
            limits,
            held_mutexes: Vec::new(),
            held_rwlocks: Vec::new(),
            panic_message: None,
        }
    }

    /// This Store's worker id within its run; 0 for the program's main.
    pub fn worker_id(&self) -> u64 {
        self.worker
    }

    /// The Store's resource limiter (memory per instance); install it with
    /// `store.limiter(|data| data.threading().ctx.store_limits())`, which
    /// [`Run::configure_store`](crate::Run::configure_store) does.
    pub fn store_limits(&mut self) -> &mut StoreLimits {
        &mut self.limits
    }

    /// Releases every lock the guest still holds, as when its worker ends.
    pub(crate) fn release_held(&mut self) {
        for m in self.held_mutexes.drain(..) {
            if m.holder() == Some(self.worker) {
                let _ = m.unlock(self.worker);
            }
        }
        for l in self.held_rwlocks.drain(..) {
            l.release_all(self.worker);
        }
    }

    pub(crate) fn note_locked(&mut self, m: &Arc<Counted<OwnedLock>>) {
        self.held_mutexes.push(m.clone());
    }

    pub(crate) fn note_unlocked(&mut self, m: &Arc<Counted<OwnedLock>>) {
        if let Some(i) = self.held_mutexes.iter().position(|h| Arc::ptr_eq(h, m)) {
            self.held_mutexes.swap_remove(i);
        }
    }

    pub(crate) fn note_rwlock(&mut self, l: &Arc<Counted<OwnedRwLock>>) {
        if !self.held_rwlocks.iter().any(|h| Arc::ptr_eq(h, l)) {
            self.held_rwlocks.push(l.clone());
        }
    }
}

impl Drop for ThreadingCtx {
    fn drop(&mut self) {
        self.release_held();
    }
}

/// Store data that contains a [`ThreadingCtx`] and a `ResourceTable`.
///
/// Implement it for your Store's data type to add portalis-threading to
/// your linker with [`add_to_linker`](crate::add_to_linker). The table may
/// be the one wasmtime-wasi uses.
///
/// # Examples
/// ```
/// use portalis_threading_host::{ThreadingCtx, ThreadingCtxView, ThreadingView};
/// use wasmtime::component::ResourceTable;
///
/// struct MyState {
///     threading: ThreadingCtx,
///     table: ResourceTable,
/// }
///
/// impl ThreadingView for MyState {
///     fn threading(&mut self) -> ThreadingCtxView<'_> {
///         ThreadingCtxView { ctx: &mut self.threading, table: &mut self.table }
///     }
/// }
/// ```
pub trait ThreadingView: Send {
    /// The threading state and the resource table of this Store.
    fn threading(&mut self) -> ThreadingCtxView<'_>;
}

/// Borrowed threading state of one Store: what the host functions use.
#[derive(Debug)]
pub struct ThreadingCtxView<'a> {
    /// The Store's threading state.
    pub ctx: &'a mut ThreadingCtx,
    /// The Store's resource table.
    pub table: &'a mut ResourceTable,
}

/// The [`HasData`] marker for portalis-threading's host functions, whose
/// data is a [`ThreadingCtxView`].
#[derive(Debug)]
pub struct Threading;

impl HasData for Threading {
    type Data<'a> = ThreadingCtxView<'a>;
}
