//! The host-side types behind the WIT resources: what a guest's handle
//! refers to in its Store's `ResourceTable`.
//!
//! Each is one reference to a shared host object; dropping the handle drops
//! the reference. The types are opaque to embedders.

use std::sync::Arc;

use portalis_threading::{Barrier, Event, OwnedLock, OwnedRwLock, Semaphore};

use crate::objects::Counted;
use crate::objects::channel::{BroadcastEnd, ReceiverEnd, SenderEnd};
use crate::objects::mutex::GuestCondition;
use crate::pool::{GuestPool, GuestTask};
use crate::spawner::WorkerSlot;

macro_rules! resource {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name(pub(crate) $inner);
    };
}

resource!(
    /// A guest's handle to a worker (`portalis:threading/thread.thread`).
    ThreadResource(Arc<WorkerSlot>)
);
resource!(
    /// A guest's handle to a mutex (`portalis:threading/lock.mutex`).
    MutexResource(Arc<Counted<OwnedLock>>)
);
resource!(
    /// A guest's handle to an rwlock (`portalis:threading/lock.rwlock`).
    RwLockResource(Arc<Counted<OwnedRwLock>>)
);
resource!(
    /// A guest's handle to a semaphore (`portalis:threading/lock.semaphore`).
    SemaphoreResource(Arc<Counted<Semaphore>>)
);
resource!(
    /// A guest's handle to a barrier (`portalis:threading/lock.barrier`).
    BarrierResource(Arc<Counted<Barrier>>)
);
resource!(
    /// A guest's handle to a condition (`portalis:threading/lock.condition`).
    ConditionResource(Arc<Counted<GuestCondition>>)
);
resource!(
    /// A guest's handle to an event (`portalis:threading/lock.event`).
    EventResource(Arc<Counted<Event>>)
);
resource!(
    /// A guest's sending end (`portalis:threading/channel.sender`).
    SenderResource(SenderEnd)
);
resource!(
    /// A guest's receiving end (`portalis:threading/channel.receiver`).
    ReceiverResource(ReceiverEnd)
);
resource!(
    /// A guest's broadcaster (`portalis:threading/channel.broadcaster`).
    BroadcasterResource(BroadcastEnd)
);
resource!(
    /// A guest's handle to a pool (`portalis:threading/executor.pool`).
    PoolResource(Arc<GuestPool>)
);
resource!(
    /// A guest's handle to a pool task (`portalis:threading/executor.task`).
    TaskResource(Arc<GuestTask>)
);
