//! `portalis:threading/types`: only the error conversion.

use crate::bindings::{WitError, types};
use crate::ctx::ThreadingCtxView;
use crate::error::HostError;

impl types::Host for ThreadingCtxView<'_> {
    fn convert_error(&mut self, err: HostError) -> wasmtime::Result<WitError> {
        match err {
            HostError::Guest(e) => Ok(e),
            HostError::Trap(e) => Err(e),
        }
    }
}
