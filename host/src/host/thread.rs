//! `portalis:threading/thread`: spawn and join workers.

use std::time::Duration;

use wasmtime::component::Resource;

use super::block;
use crate::bindings::thread::{self, SpawnOptions};
use crate::bindings::types::Wait;
use crate::ctx::ThreadingCtxView;
use crate::error::HostResult;
use crate::resources::ThreadResource;

impl thread::HostThread for ThreadingCtxView<'_> {
    fn id(&mut self, this: Resource<ThreadResource>) -> wasmtime::Result<u64> {
        Ok(self.table.get(&this)?.0.id)
    }

    fn name(&mut self, this: Resource<ThreadResource>) -> wasmtime::Result<Option<String>> {
        Ok(self.table.get(&this)?.0.name.clone())
    }

    fn join(&mut self, this: Resource<ThreadResource>, wait: Wait) -> HostResult<Vec<u8>> {
        let slot = self.table.get(&this)?.0.clone();
        let result = block(&self.ctx.run.control, wait, |d| Ok(slot.wait(d)))?;
        Ok(result?)
    }

    fn is_finished(&mut self, this: Resource<ThreadResource>) -> wasmtime::Result<bool> {
        Ok(self.table.get(&this)?.0.is_finished())
    }

    fn drop(&mut self, this: Resource<ThreadResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl thread::Host for ThreadingCtxView<'_> {
    fn spawn(
        &mut self,
        entry: String,
        input: Vec<u8>,
        options: SpawnOptions,
    ) -> HostResult<Resource<ThreadResource>> {
        let slot = crate::spawner::spawn(&self.ctx.run, entry, input, options.name)?;
        Ok(self.table.push(ThreadResource(slot))?)
    }

    fn current_id(&mut self) -> wasmtime::Result<u64> {
        Ok(self.ctx.worker)
    }

    fn available_parallelism(&mut self) -> wasmtime::Result<u32> {
        Ok(self.ctx.run.parallelism.max(1))
    }

    fn sleep(&mut self, duration: u64) -> HostResult<()> {
        crate::blocking::sleep(&self.ctx.run.control, Duration::from_nanos(duration))?;
        Ok(())
    }

    fn yield_now(&mut self) -> wasmtime::Result<()> {
        std::thread::yield_now();
        Ok(())
    }

    fn report_panic(&mut self, message: String) -> wasmtime::Result<()> {
        self.ctx.panic_message = Some(message);
        Ok(())
    }
}
