//! The backends. Both offer the same crate-private API; the public types
//! wrap it.
//!
//! - `component` (`wasm32-wasip2`): host objects through the WIT imports.
//! - `native` (native and `wasm32-wasip1-threads`): the runtime crate's
//!   objects, shared memory.

use std::time::Duration;

/// How long a call may block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Wait {
    Forever,
    Immediate,
    Timeout(Duration),
}

#[cfg(portalis_component)]
mod component;
#[cfg(portalis_component)]
pub(crate) use self::component::*;

#[cfg(not(portalis_component))]
mod native;
#[cfg(not(portalis_component))]
pub(crate) use self::native::*;
