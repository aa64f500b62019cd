//! A condition variable bound to one guest mutex.
//!
//! Guest mutexes are the runtime's [`OwnedLock`], owned by worker ids: the
//! host can then refuse an unlock by a worker that does not hold it, refuse a
//! re-entrant lock (which would deadlock), and release what a worker still
//! holds when it ends.

use std::sync::Arc;
use std::time::Instant;

use portalis_threading::{Condvar, OwnedLock, Result};

use super::{Counted, WorkerId};

/// A condition variable bound to one guest mutex.
#[derive(Debug)]
pub(crate) struct GuestCondition {
    condvar: Condvar,
    mutex: Arc<Counted<OwnedLock>>,
}

impl GuestCondition {
    pub(crate) fn new(mutex: Arc<Counted<OwnedLock>>) -> Self {
        Self {
            condvar: Condvar::new(),
            mutex,
        }
    }

    pub(crate) fn mutex(&self) -> &Arc<Counted<OwnedLock>> {
        &self.mutex
    }

    /// Waits for a notification by `deadline`; `Ok(false)` on timeout. The
    /// mutex is held again on return either way.
    pub(crate) fn wait(&self, worker: WorkerId, deadline: Option<Instant>) -> Result<bool> {
        self.condvar.wait_on(&self.mutex.held_by(worker), deadline)
    }

    pub(crate) fn notify(&self, n: usize) -> usize {
        self.condvar.notify(n)
    }

    pub(crate) fn notify_all(&self) -> usize {
        self.condvar.notify_all()
    }
}
