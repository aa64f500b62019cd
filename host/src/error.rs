//! Errors of host calls: an error for the guest, or a trap.

use std::fmt;

use crate::bindings::WitError;
use crate::blocking::Stopped;

/// The error of a host function of `portalis:threading`.
///
/// Either an `error` the guest receives as a value (it misused an object, a
/// wait timed out, a limit was hit), or a trap that ends the calling
/// instance (a broken handle, or a run that was stopped while the guest
/// waited).
#[derive(Debug)]
pub enum HostError {
    /// Returned to the guest as a `portalis:threading/types.error`.
    Guest(WitError),
    /// Traps the calling instance.
    Trap(wasmtime::Error),
}

impl HostError {
    /// A trap with `message`.
    pub fn trap(message: impl fmt::Display) -> Self {
        HostError::Trap(wasmtime::Error::msg(message.to_string()))
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostError::Guest(e) => write!(f, "{}", describe(e)),
            HostError::Trap(e) => write!(f, "trap: {e}"),
        }
    }
}

impl std::error::Error for HostError {}

impl From<WitError> for HostError {
    fn from(e: WitError) -> Self {
        HostError::Guest(e)
    }
}

impl From<portalis_threading::Error> for HostError {
    fn from(e: portalis_threading::Error) -> Self {
        HostError::Guest(to_wit(e))
    }
}

impl From<wasmtime::Error> for HostError {
    fn from(e: wasmtime::Error) -> Self {
        HostError::Trap(e)
    }
}

impl From<wasmtime::component::ResourceTableError> for HostError {
    fn from(e: wasmtime::component::ResourceTableError) -> Self {
        HostError::Trap(e.into())
    }
}

impl From<Stopped> for HostError {
    fn from(_: Stopped) -> Self {
        HostError::trap("the run was stopped")
    }
}

/// The runtime's error as the WIT error.
pub(crate) fn to_wit(e: portalis_threading::Error) -> WitError {
    use portalis_threading::Error as E;
    match e {
        E::Timeout => WitError::Timeout,
        E::WouldBlock => WitError::WouldBlock,
        E::Closed => WitError::Closed,
        E::Panicked(m) => WitError::Panicked(m),
        E::Broken => WitError::Broken,
        E::Cancelled => WitError::Cancelled,
        E::Limit(m) => WitError::Limit(m),
        E::InvalidArgument(m) | E::Codec(m) => WitError::InvalidArgument(m),
        E::InvalidState(m) => WitError::InvalidState(m),
        E::InvalidToken => WitError::InvalidToken,
        E::UnknownEntry(m) => WitError::UnknownEntry(m),
        E::Unsupported(m) => WitError::Unsupported(m),
        other => WitError::InvalidState(other.to_string()),
    }
}

/// A one-line description of a WIT error.
pub fn describe(e: &WitError) -> String {
    match e {
        WitError::Timeout => "timed out".into(),
        WitError::WouldBlock => "would block".into(),
        WitError::Closed => "closed".into(),
        WitError::Panicked(m) => format!("panicked: {m}"),
        WitError::Broken => "barrier is broken".into(),
        WitError::Cancelled => "cancelled".into(),
        WitError::Limit(m) => format!("limit reached: {m}"),
        WitError::InvalidArgument(m) => format!("invalid argument: {m}"),
        WitError::InvalidState(m) => format!("invalid state: {m}"),
        WitError::InvalidToken => "invalid token".into(),
        WitError::UnknownEntry(m) => format!("unknown task entry `{m}`"),
        WitError::Unsupported(m) => format!("unsupported: {m}"),
    }
}

/// Result of a host function: a value, an error for the guest, or a trap.
pub(crate) type HostResult<T> = Result<T, HostError>;
