//! Generated bindings for the `portalis:threading/guest` world: the host
//! traits for the four imported interfaces and the `worker` stage, and the
//! guest's exported `worker` entry point.

#![allow(missing_docs, reason = "generated code; the WIT documents it")]

wasmtime::component::bindgen!({
    path: "../wit",
    world: "portalis:threading/guest",
    imports: { default: trappable },
    trappable_error_type: {
        "portalis:threading/types.error" => crate::HostError,
    },
    with: {
        "portalis:threading/thread.thread": crate::resources::ThreadResource,
        "portalis:threading/lock.mutex": crate::resources::MutexResource,
        "portalis:threading/lock.rwlock": crate::resources::RwLockResource,
        "portalis:threading/lock.semaphore": crate::resources::SemaphoreResource,
        "portalis:threading/lock.barrier": crate::resources::BarrierResource,
        "portalis:threading/lock.condition": crate::resources::ConditionResource,
        "portalis:threading/lock.event": crate::resources::EventResource,
        "portalis:threading/channel.sender": crate::resources::SenderResource,
        "portalis:threading/channel.receiver": crate::resources::ReceiverResource,
        "portalis:threading/channel.broadcaster": crate::resources::BroadcasterResource,
        "portalis:threading/executor.pool": crate::resources::PoolResource,
        "portalis:threading/executor.task": crate::resources::TaskResource,
    },
    require_store_data_send: true,
    additional_derives: [PartialEq, Eq],
});

pub use self::portalis::threading::types::Error as WitError;
pub use self::portalis::threading::*;
