//! `portalis:threading/executor`: pools, tasks and `wait-any`.

use std::sync::Arc;

use wasmtime::component::Resource;

use super::block;
use crate::bindings::executor::{self, TaskState};
use crate::bindings::types::Wait;
use crate::blocking;
use crate::ctx::ThreadingCtxView;
use crate::error::HostResult;
use crate::objects::Object;
use crate::pool::GuestPool;
use crate::resources::{PoolResource, TaskResource};

impl executor::HostPool for ThreadingCtxView<'_> {
    fn new(&mut self, workers: u32) -> HostResult<Resource<PoolResource>> {
        let slot = self.ctx.run.registry.slot()?;
        let pool = GuestPool::start(&self.ctx.run, workers, slot)?;
        Ok(self.table.push(PoolResource(pool))?)
    }

    fn workers(&mut self, this: Resource<PoolResource>) -> wasmtime::Result<u32> {
        Ok(self.table.get(&this)?.0.workers())
    }

    fn submit(
        &mut self,
        this: Resource<PoolResource>,
        entry: String,
        input: Vec<u8>,
    ) -> HostResult<Resource<TaskResource>> {
        let pool = self.table.get(&this)?.0.clone();
        let task = pool
            .submit(&entry, vec![input])?
            .pop()
            .expect("one input, one task");
        Ok(self.table.push(TaskResource(task))?)
    }

    fn map(
        &mut self,
        this: Resource<PoolResource>,
        entry: String,
        inputs: Vec<Vec<u8>>,
    ) -> HostResult<Vec<Resource<TaskResource>>> {
        let pool = self.table.get(&this)?.0.clone();
        let tasks = pool.submit(&entry, inputs)?;
        let mut handles = Vec::with_capacity(tasks.len());
        for task in tasks {
            handles.push(self.table.push(TaskResource(task))?);
        }
        Ok(handles)
    }

    fn shutdown(
        &mut self,
        this: Resource<PoolResource>,
        cancel_pending: bool,
        wait: Wait,
    ) -> HostResult<()> {
        let pool = self.table.get(&this)?.0.clone();
        pool.shutdown(cancel_pending);
        if blocking::Wait::from(wait) == blocking::Wait::Immediate {
            return Ok(());
        }
        block(&self.ctx.run.control, wait, |d| {
            Ok(pool.wait_exited(d).then_some(()))
        })
    }

    fn is_shutdown(&mut self, this: Resource<PoolResource>) -> wasmtime::Result<bool> {
        Ok(self.table.get(&this)?.0.is_shutdown())
    }

    fn share(&mut self, this: Resource<PoolResource>) -> HostResult<u64> {
        let pool = self.table.get(&this)?.0.clone();
        Ok(self.ctx.run.registry.share(Object::Pool(pool))?)
    }

    fn open(&mut self, token: u64) -> HostResult<Resource<PoolResource>> {
        let pool = self.ctx.run.registry.open(token, |o| match o {
            Object::Pool(p) => Some(p.clone()),
            _ => None,
        })?;
        Ok(self.table.push(PoolResource(pool))?)
    }

    fn drop(&mut self, this: Resource<PoolResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl executor::HostTask for ThreadingCtxView<'_> {
    fn wait(&mut self, this: Resource<TaskResource>, wait: Wait) -> HostResult<Vec<u8>> {
        let task = self.table.get(&this)?.0.clone();
        let result = block(&self.ctx.run.control, wait, |d| Ok(task.wait(d)))?;
        Ok(result?)
    }

    fn cancel(&mut self, this: Resource<TaskResource>) -> wasmtime::Result<bool> {
        Ok(self.table.get(&this)?.0.cancel())
    }

    fn state(&mut self, this: Resource<TaskResource>) -> wasmtime::Result<TaskState> {
        Ok(self.table.get(&this)?.0.state())
    }

    fn drop(&mut self, this: Resource<TaskResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl executor::Host for ThreadingCtxView<'_> {
    fn wait_any(&mut self, tasks: Vec<Resource<TaskResource>>, wait: Wait) -> HostResult<u32> {
        if tasks.is_empty() {
            return Err(
                portalis_threading::Error::InvalidArgument("wait-any of no tasks".into()).into(),
            );
        }
        let tasks: Vec<Arc<crate::pool::GuestTask>> = tasks
            .iter()
            .map(|t| Ok(self.table.get(t)?.0.clone()))
            .collect::<wasmtime::Result<_>>()?;
        let run = self.ctx.run.clone();
        block(&run.control, wait, |d| {
            let mut generation = run.completions.lock();
            loop {
                if let Some(i) = tasks.iter().position(|t| t.is_done()) {
                    return Ok(Some(u32::try_from(i).unwrap_or(u32::MAX)));
                }
                let timed_out = match d {
                    None => {
                        run.completed.wait(&mut generation);
                        false
                    }
                    Some(d) => run.completed.wait_deadline(&mut generation, d).timed_out(),
                };
                if timed_out {
                    return Ok(tasks
                        .iter()
                        .position(|t| t.is_done())
                        .map(|i| u32::try_from(i).unwrap_or(u32::MAX)));
                }
            }
        })
    }
}
