//! The host objects guests share: what each WIT resource refers to.
//!
//! Most are the runtime crate's primitives as they are; a few need guest
//! semantics on top (a mutex owned by a worker, a channel whose bytes count
//! against the run). Each is wrapped in [`Counted`], which holds its place
//! in the run's object limit.

pub(crate) mod channel;
pub(crate) mod mutex;

use std::ops::Deref;
use std::sync::Arc;

use portalis_threading::{Barrier, Event, Semaphore};

use crate::registry::ObjectSlot;

/// The id of a worker within a run; the program's main instance is 0.
pub(crate) type WorkerId = u64;

/// A host object together with its place in the run's object limit.
#[derive(Debug)]
pub(crate) struct Counted<T> {
    inner: T,
    _slot: ObjectSlot,
}

impl<T> Counted<T> {
    pub(crate) fn new(inner: T, slot: ObjectSlot) -> Arc<Self> {
        Arc::new(Self { inner, _slot: slot })
    }
}

impl<T> Deref for Counted<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.inner
    }
}

/// Any shareable host object, as it waits in a token.
#[derive(Debug, Clone)]
pub(crate) enum Object {
    Mutex(Arc<Counted<portalis_threading::OwnedLock>>),
    RwLock(Arc<Counted<portalis_threading::OwnedRwLock>>),
    Semaphore(Arc<Counted<Semaphore>>),
    Barrier(Arc<Counted<Barrier>>),
    Condition(Arc<Counted<mutex::GuestCondition>>),
    Event(Arc<Counted<Event>>),
    Sender(channel::SenderEnd),
    Receiver(channel::ReceiverEnd),
    Broadcaster(channel::BroadcastEnd),
    Pool(Arc<crate::pool::GuestPool>),
}
