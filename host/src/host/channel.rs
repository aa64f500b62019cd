//! `portalis:threading/channel`: senders, receivers and broadcasters.

use wasmtime::component::Resource;

use super::block;
use crate::bindings::channel;
use crate::bindings::types::Wait;
use crate::ctx::ThreadingCtxView;
use crate::error::HostResult;
use crate::objects::Object;
use crate::objects::channel::{BroadcastEnd, Flavor};
use crate::resources::{BroadcasterResource, ReceiverResource, SenderResource};

type Ends = (Resource<SenderResource>, Resource<ReceiverResource>);

impl ThreadingCtxView<'_> {
    fn channel(&mut self, flavor: Flavor) -> HostResult<Ends> {
        let slot = self.ctx.run.registry.slot()?;
        let (tx, rx) = crate::objects::channel::channel(flavor, slot, &self.ctx.run.ledger);
        let tx = self.table.push(SenderResource(tx))?;
        let rx = self.table.push(ReceiverResource(rx))?;
        Ok((tx, rx))
    }

    fn check_size(&self, len: usize) -> HostResult<()> {
        let max = self.ctx.run.limits.max_payload_bytes;
        if len > max {
            return Err(portalis_threading::Error::Limit(format!(
                "a message of {len} bytes exceeds the payload limit of {max}"
            ))
            .into());
        }
        Ok(())
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl channel::HostSender for ThreadingCtxView<'_> {
    fn send(
        &mut self,
        this: Resource<SenderResource>,
        message: Vec<u8>,
        wait: Wait,
    ) -> HostResult<()> {
        self.check_size(message.len())?;
        let end = self.table.get(&this)?.0.clone();
        let mut pending = Some(end.payload(message)?);
        block(&self.ctx.run.control, wait, |d| {
            let Some(payload) = pending.take() else {
                return Ok(Some(()));
            };
            match end.send(payload, d)? {
                None => Ok(Some(())),
                Some(back) => {
                    pending = Some(back);
                    Ok(None)
                }
            }
        })
    }

    fn clone(
        &mut self,
        this: Resource<SenderResource>,
    ) -> wasmtime::Result<Resource<SenderResource>> {
        let end = self.table.get(&this)?.0.clone();
        Ok(self.table.push(SenderResource(end))?)
    }

    fn len(&mut self, this: Resource<SenderResource>) -> wasmtime::Result<u32> {
        Ok(count(self.table.get(&this)?.0.len()))
    }

    fn capacity(&mut self, this: Resource<SenderResource>) -> wasmtime::Result<Option<u32>> {
        Ok(self.table.get(&this)?.0.capacity().map(count))
    }

    fn share(&mut self, this: Resource<SenderResource>) -> HostResult<u64> {
        let end = self.table.get(&this)?.0.clone();
        Ok(self.ctx.run.registry.share(Object::Sender(end))?)
    }

    fn open(&mut self, token: u64) -> HostResult<Resource<SenderResource>> {
        let end = self.ctx.run.registry.open(token, |o| match o {
            Object::Sender(s) => Some(s.clone()),
            _ => None,
        })?;
        Ok(self.table.push(SenderResource(end))?)
    }

    fn drop(&mut self, this: Resource<SenderResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl channel::HostReceiver for ThreadingCtxView<'_> {
    fn recv(&mut self, this: Resource<ReceiverResource>, wait: Wait) -> HostResult<Vec<u8>> {
        let end = self.table.get(&this)?.0.clone();
        block(&self.ctx.run.control, wait, |d| end.recv(d))
    }

    fn clone(
        &mut self,
        this: Resource<ReceiverResource>,
    ) -> wasmtime::Result<Resource<ReceiverResource>> {
        let end = self.table.get(&this)?.0.clone();
        Ok(self.table.push(ReceiverResource(end))?)
    }

    fn len(&mut self, this: Resource<ReceiverResource>) -> wasmtime::Result<u32> {
        Ok(count(self.table.get(&this)?.0.len()))
    }

    fn share(&mut self, this: Resource<ReceiverResource>) -> HostResult<u64> {
        let end = self.table.get(&this)?.0.clone();
        Ok(self.ctx.run.registry.share(Object::Receiver(end))?)
    }

    fn open(&mut self, token: u64) -> HostResult<Resource<ReceiverResource>> {
        let end = self.ctx.run.registry.open(token, |o| match o {
            Object::Receiver(r) => Some(r.clone()),
            _ => None,
        })?;
        Ok(self.table.push(ReceiverResource(end))?)
    }

    fn drop(&mut self, this: Resource<ReceiverResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl channel::HostBroadcaster for ThreadingCtxView<'_> {
    fn send(
        &mut self,
        this: Resource<BroadcasterResource>,
        message: Vec<u8>,
        wait: Wait,
    ) -> HostResult<u32> {
        self.check_size(message.len())?;
        let end = self.table.get(&this)?.0.clone();
        let mut pending = Some(end.payload(message)?);
        block(&self.ctx.run.control, wait, |d| {
            let Some(payload) = pending.take() else {
                return Ok(Some(0));
            };
            match end.send(payload, d)? {
                Ok(n) => Ok(Some(count(n))),
                Err(back) => {
                    pending = Some(back);
                    Ok(None)
                }
            }
        })
    }

    fn subscribe(
        &mut self,
        this: Resource<BroadcasterResource>,
    ) -> HostResult<Resource<ReceiverResource>> {
        let rx = self.table.get(&this)?.0.subscribe();
        Ok(self.table.push(ReceiverResource(rx))?)
    }

    fn share(&mut self, this: Resource<BroadcasterResource>) -> HostResult<u64> {
        let end = self.table.get(&this)?.0.clone();
        Ok(self.ctx.run.registry.share(Object::Broadcaster(end))?)
    }

    fn open(&mut self, token: u64) -> HostResult<Resource<BroadcasterResource>> {
        let end = self.ctx.run.registry.open(token, |o| match o {
            Object::Broadcaster(b) => Some(b.clone()),
            _ => None,
        })?;
        Ok(self.table.push(BroadcasterResource(end))?)
    }

    fn drop(&mut self, this: Resource<BroadcasterResource>) -> wasmtime::Result<()> {
        self.table.delete(this)?;
        Ok(())
    }
}

impl channel::Host for ThreadingCtxView<'_> {
    fn bounded(&mut self, capacity: u32) -> HostResult<Ends> {
        self.channel(Flavor::Bounded(capacity as usize))
    }

    fn unbounded(&mut self) -> HostResult<Ends> {
        self.channel(Flavor::Unbounded)
    }

    fn oneshot(&mut self) -> HostResult<Ends> {
        self.channel(Flavor::Oneshot)
    }

    fn broadcast(&mut self, capacity: Option<u32>) -> HostResult<Resource<BroadcasterResource>> {
        let slot = self.ctx.run.registry.slot()?;
        let end = BroadcastEnd::new(capacity.map(|c| c as usize), slot, &self.ctx.run.ledger);
        Ok(self.table.push(BroadcasterResource(end))?)
    }
}
