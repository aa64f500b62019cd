//! `portalis:threading/lock`: mutex, rwlock, semaphore, barrier, condition
//! and event.

use std::sync::Arc;

use portalis_threading::{Barrier, Error, Event, OwnedLock, OwnedRwLock, Semaphore};
use wasmtime::component::Resource;

use super::{block, check_running, timed_out};
use crate::bindings::lock;
use crate::bindings::types::Wait;
use crate::blocking;
use crate::ctx::ThreadingCtxView;
use crate::error::HostResult;
use crate::objects::mutex::GuestCondition;
use crate::objects::{Counted, Object};
use crate::resources::{
    BarrierResource, ConditionResource, EventResource, MutexResource, RwLockResource,
    SemaphoreResource,
};

impl ThreadingCtxView<'_> {
    fn counted<T>(&self, value: T) -> HostResult<Arc<Counted<T>>> {
        Ok(Counted::new(value, self.ctx.run.registry.slot()?))
    }

    fn share(&self, object: Object) -> HostResult<u64> {
        Ok(self.ctx.run.registry.share(object)?)
    }

    fn redeem<T>(&self, token: u64, take: impl FnOnce(&Object) -> Option<T>) -> HostResult<T> {
        Ok(self.ctx.run.registry.open(token, take)?)
    }
}

impl lock::HostMutex for ThreadingCtxView<'_> {
    fn new(&mut self) -> HostResult<Resource<MutexResource>> {
        let m = self.counted(OwnedLock::new())?;
        Ok(self.table.push(MutexResource(m))?)
    }

    // The hot pair: borrow the table entry instead of cloning its `Arc`
    // (each clone is an atomic add and a subtract on the call path).
    fn lock(&mut self, this: Resource<MutexResource>, wait: Wait) -> HostResult<()> {
        let Self { ctx, table } = self;
        let m = &table.get(&this)?.0;
        let worker = ctx.worker;
        block(&ctx.run.control, wait, |d| {
            Ok(m.lock(worker, d)?.then_some(()))
        })?;
        ctx.note_locked(m);
        Ok(())
    }

    fn unlock(&mut self, this: Resource<MutexResource>) -> HostResult<()> {
        let Self { ctx, table } = self;
        let m = &table.get(&this)?.0;
        m.unlock(ctx.worker)?;
        ctx.note_unlocked(m);
        Ok(())
    }

    fn is_locked(&mut self, this: Resource<MutexResource>) -> wasmtime::Result<bool> {
        Ok(self.table.get(&this)?.0.is_locked())
    }

    fn share(&mut self, this: Resource<MutexResource>) -> HostResult<u64> {
        let m = self.table.get(&this)?.0.clone();
        ThreadingCtxView::share(self, Object::Mutex(m))
    }

    fn open(&mut self, token: u64) -> HostResult<Resource<MutexResource>> {
        let m = self.redeem(token, |o| match o {
            Object::Mutex(m) => Some(m.clone()),
            _ => None,
        })?;
        Ok(self.table.push(MutexResource(m))?)
    }

    fn drop(&mut self, this: Resource<MutexResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl lock::HostRwlock for ThreadingCtxView<'_> {
    fn new(&mut self) -> HostResult<Resource<RwLockResource>> {
        let l = self.counted(OwnedRwLock::new())?;
        Ok(self.table.push(RwLockResource(l))?)
    }

    fn read(&mut self, this: Resource<RwLockResource>, wait: Wait) -> HostResult<()> {
        let l = self.table.get(&this)?.0.clone();
        let worker = self.ctx.worker;
        block(&self.ctx.run.control, wait, |d| {
            Ok(l.read(worker, d)?.then_some(()))
        })?;
        self.ctx.note_rwlock(&l);
        Ok(())
    }

    fn write(&mut self, this: Resource<RwLockResource>, wait: Wait) -> HostResult<()> {
        let l = self.table.get(&this)?.0.clone();
        let worker = self.ctx.worker;
        block(&self.ctx.run.control, wait, |d| {
            Ok(l.write(worker, d)?.then_some(()))
        })?;
        self.ctx.note_rwlock(&l);
        Ok(())
    }

    fn unlock_read(&mut self, this: Resource<RwLockResource>) -> HostResult<()> {
        Ok(self.table.get(&this)?.0.unlock_read(self.ctx.worker)?)
    }

    fn unlock_write(&mut self, this: Resource<RwLockResource>) -> HostResult<()> {
        Ok(self.table.get(&this)?.0.unlock_write(self.ctx.worker)?)
    }

    fn share(&mut self, this: Resource<RwLockResource>) -> HostResult<u64> {
        let l = self.table.get(&this)?.0.clone();
        ThreadingCtxView::share(self, Object::RwLock(l))
    }

    fn open(&mut self, token: u64) -> HostResult<Resource<RwLockResource>> {
        let l = self.redeem(token, |o| match o {
            Object::RwLock(l) => Some(l.clone()),
            _ => None,
        })?;
        Ok(self.table.push(RwLockResource(l))?)
    }

    fn drop(&mut self, this: Resource<RwLockResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl lock::HostSemaphore for ThreadingCtxView<'_> {
    fn new(&mut self, permits: u32, bound: Option<u32>) -> HostResult<Resource<SemaphoreResource>> {
        let s = match bound {
            None => Semaphore::new(permits as usize),
            Some(b) => Semaphore::bounded(permits as usize, b as usize)?,
        };
        let s = self.counted(s)?;
        Ok(self.table.push(SemaphoreResource(s))?)
    }

    fn acquire(&mut self, this: Resource<SemaphoreResource>, wait: Wait) -> HostResult<()> {
        let s = self.table.get(&this)?.0.clone();
        block(&self.ctx.run.control, wait, |d| {
            Ok(match d {
                None => {
                    s.acquire();
                    Some(())
                }
                Some(d) => s.acquire_deadline(d).then_some(()),
            })
        })
    }

    fn release(&mut self, this: Resource<SemaphoreResource>, n: u32) -> HostResult<()> {
        Ok(self.table.get(&this)?.0.release_many(n as usize)?)
    }

    fn available(&mut self, this: Resource<SemaphoreResource>) -> wasmtime::Result<u32> {
        let n = self.table.get(&this)?.0.available_permits();
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    fn share(&mut self, this: Resource<SemaphoreResource>) -> HostResult<u64> {
        let s = self.table.get(&this)?.0.clone();
        ThreadingCtxView::share(self, Object::Semaphore(s))
    }

    fn open(&mut self, token: u64) -> HostResult<Resource<SemaphoreResource>> {
        let s = self.redeem(token, |o| match o {
            Object::Semaphore(s) => Some(s.clone()),
            _ => None,
        })?;
        Ok(self.table.push(SemaphoreResource(s))?)
    }

    fn drop(&mut self, this: Resource<SemaphoreResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl lock::HostBarrier for ThreadingCtxView<'_> {
    fn new(&mut self, parties: u32) -> HostResult<Resource<BarrierResource>> {
        let b = self.counted(Barrier::new(parties as usize)?)?;
        self.ctx.run.control.watch_barrier(&b);
        Ok(self.table.push(BarrierResource(b))?)
    }

    fn wait(&mut self, this: Resource<BarrierResource>, wait: Wait) -> HostResult<u32> {
        let b = self.table.get(&this)?.0.clone();
        check_running(&self.ctx.run.control)?;
        // Not sliced: a timeout breaks a barrier. A stopped run aborts it.
        let wait = blocking::Wait::from(wait);
        let result = match wait.deadline() {
            None => b.wait(),
            Some(d) => b.wait_deadline(d),
        };
        check_running(&self.ctx.run.control)?;
        match result {
            Ok(arrival) => Ok(u32::try_from(arrival.index()).unwrap_or(u32::MAX)),
            Err(Error::Timeout) => Err(timed_out(wait).into()),
            Err(e) => Err(e.into()),
        }
    }

    fn abort(&mut self, this: Resource<BarrierResource>) -> wasmtime::Result<()> {
        self.table.get(&this)?.0.abort();
        Ok(())
    }

    fn reset(&mut self, this: Resource<BarrierResource>) -> wasmtime::Result<()> {
        self.table.get(&this)?.0.reset();
        Ok(())
    }

    fn is_broken(&mut self, this: Resource<BarrierResource>) -> wasmtime::Result<bool> {
        Ok(self.table.get(&this)?.0.is_broken())
    }

    fn parties(&mut self, this: Resource<BarrierResource>) -> wasmtime::Result<u32> {
        Ok(u32::try_from(self.table.get(&this)?.0.parties()).unwrap_or(u32::MAX))
    }

    fn n_waiting(&mut self, this: Resource<BarrierResource>) -> wasmtime::Result<u32> {
        Ok(u32::try_from(self.table.get(&this)?.0.n_waiting()).unwrap_or(u32::MAX))
    }

    fn share(&mut self, this: Resource<BarrierResource>) -> HostResult<u64> {
        let b = self.table.get(&this)?.0.clone();
        ThreadingCtxView::share(self, Object::Barrier(b))
    }

    fn open(&mut self, token: u64) -> HostResult<Resource<BarrierResource>> {
        let b = self.redeem(token, |o| match o {
            Object::Barrier(b) => Some(b.clone()),
            _ => None,
        })?;
        Ok(self.table.push(BarrierResource(b))?)
    }

    fn drop(&mut self, this: Resource<BarrierResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl lock::HostCondition for ThreadingCtxView<'_> {
    fn new(&mut self, lock: Resource<MutexResource>) -> HostResult<Resource<ConditionResource>> {
        let m = self.table.get(&lock)?.0.clone();
        let c = self.counted(GuestCondition::new(m))?;
        self.ctx.run.control.watch_condition(&c);
        Ok(self.table.push(ConditionResource(c))?)
    }

    fn mutex(
        &mut self,
        this: Resource<ConditionResource>,
    ) -> wasmtime::Result<Resource<MutexResource>> {
        let m = self.table.get(&this)?.0.mutex().clone();
        Ok(self.table.push(MutexResource(m))?)
    }

    fn wait(&mut self, this: Resource<ConditionResource>, wait: Wait) -> HostResult<()> {
        let c = self.table.get(&this)?.0.clone();
        check_running(&self.ctx.run.control)?;
        // Not sliced: waiters keep their place in line. A stopped run
        // notifies every condition.
        let wait = blocking::Wait::from(wait);
        let notified = c.wait(self.ctx.worker, wait.deadline())?;
        check_running(&self.ctx.run.control)?;
        if notified {
            Ok(())
        } else {
            Err(timed_out(wait).into())
        }
    }

    fn notify(&mut self, this: Resource<ConditionResource>, n: u32) -> wasmtime::Result<u32> {
        let woken = self.table.get(&this)?.0.notify(n as usize);
        Ok(u32::try_from(woken).unwrap_or(u32::MAX))
    }

    fn notify_all(&mut self, this: Resource<ConditionResource>) -> wasmtime::Result<u32> {
        let woken = self.table.get(&this)?.0.notify_all();
        Ok(u32::try_from(woken).unwrap_or(u32::MAX))
    }

    fn share(&mut self, this: Resource<ConditionResource>) -> HostResult<u64> {
        let c = self.table.get(&this)?.0.clone();
        ThreadingCtxView::share(self, Object::Condition(c))
    }

    fn open(&mut self, token: u64) -> HostResult<Resource<ConditionResource>> {
        let c = self.redeem(token, |o| match o {
            Object::Condition(c) => Some(c.clone()),
            _ => None,
        })?;
        Ok(self.table.push(ConditionResource(c))?)
    }

    fn drop(&mut self, this: Resource<ConditionResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl lock::HostEvent for ThreadingCtxView<'_> {
    fn new(&mut self) -> HostResult<Resource<EventResource>> {
        let e = self.counted(Event::new())?;
        Ok(self.table.push(EventResource(e))?)
    }

    fn set(&mut self, this: Resource<EventResource>) -> wasmtime::Result<()> {
        self.table.get(&this)?.0.set();
        Ok(())
    }

    fn clear(&mut self, this: Resource<EventResource>) -> wasmtime::Result<()> {
        self.table.get(&this)?.0.clear();
        Ok(())
    }

    fn is_set(&mut self, this: Resource<EventResource>) -> wasmtime::Result<bool> {
        Ok(self.table.get(&this)?.0.is_set())
    }

    fn wait(&mut self, this: Resource<EventResource>, wait: Wait) -> HostResult<()> {
        let e = self.table.get(&this)?.0.clone();
        block(&self.ctx.run.control, wait, |d| {
            Ok(match d {
                None => {
                    e.wait();
                    Some(())
                }
                Some(d) => e.wait_deadline(d).then_some(()),
            })
        })
    }

    fn share(&mut self, this: Resource<EventResource>) -> HostResult<u64> {
        let e = self.table.get(&this)?.0.clone();
        ThreadingCtxView::share(self, Object::Event(e))
    }

    fn open(&mut self, token: u64) -> HostResult<Resource<EventResource>> {
        let e = self.redeem(token, |o| match o {
            Object::Event(e) => Some(e.clone()),
            _ => None,
        })?;
        Ok(self.table.push(EventResource(e))?)
    }

    fn drop(&mut self, this: Resource<EventResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl lock::Host for ThreadingCtxView<'_> {}
