//! The host side of each WIT interface, one file per interface, all
//! implemented on [`ThreadingCtxView`](crate::ThreadingCtxView).

mod channel;
mod executor;
mod lock;
mod thread;
mod types;
mod worker;

use crate::bindings::types::Wait as WitWait;
use crate::blocking::{self, Wait};
use crate::error::HostResult;
use crate::run::RunControl;

impl From<WitWait> for Wait {
    fn from(w: WitWait) -> Self {
        match w {
            WitWait::Forever => Wait::Forever,
            WitWait::Immediate => Wait::Immediate,
            WitWait::Timeout(ns) => Wait::timeout_ns(ns),
        }
    }
}

impl Wait {
    /// The deadline for a wait that cannot be sliced.
    pub(crate) fn deadline(self) -> Option<std::time::Instant> {
        match self {
            Wait::Forever => None,
            Wait::Immediate => Some(std::time::Instant::now()),
            Wait::Until(d) => Some(d),
        }
    }
}

/// Blocks on the guest's behalf (see [`blocking::block`]): a stopped run
/// traps the guest; every other outcome is the guest's to handle.
fn block<T>(
    control: &RunControl,
    wait: WitWait,
    attempt: impl FnMut(Option<std::time::Instant>) -> portalis_threading::Result<Option<T>>,
) -> HostResult<T> {
    Ok(blocking::block(control, wait.into(), attempt)??)
}

/// After a wait that cannot be sliced: trap if the run stopped meanwhile.
fn check_running(control: &RunControl) -> HostResult<()> {
    if control.is_stopped() {
        Err(blocking::Stopped.into())
    } else {
        Ok(())
    }
}

/// A timed-out attempt's outcome for a wait given as `wait`.
fn timed_out(wait: Wait) -> portalis_threading::Error {
    if wait == Wait::Immediate {
        portalis_threading::Error::WouldBlock
    } else {
        portalis_threading::Error::Timeout
    }
}
