//! `portalis:threading/worker` as an import: the end of the composition
//! chain, a stage that defines no entries.

use crate::bindings::{WitError, worker};
use crate::ctx::ThreadingCtxView;
use crate::error::HostResult;

impl worker::Host for ThreadingCtxView<'_> {
    fn run(&mut self, entry: String, _input: Vec<u8>) -> HostResult<Vec<u8>> {
        Err(WitError::UnknownEntry(entry).into())
    }

    fn entries(&mut self) -> wasmtime::Result<Vec<String>> {
        Ok(Vec::new())
    }
}
