//! Channel ends as guests see them: payloads whose bytes count against the
//! run, oneshot behaviour, and broadcast subscriptions behind one receiver
//! type.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use portalis_threading::{Broadcaster, Error, Receiver, Result, Sender, Subscriber};

use crate::registry::ObjectSlot;

/// The run's account of bytes queued in channels.
#[derive(Debug)]
pub(crate) struct Ledger {
    queued: AtomicUsize,
    max: usize,
}

impl Ledger {
    pub(crate) fn new(max: usize) -> Arc<Self> {
        Arc::new(Self {
            queued: AtomicUsize::new(0),
            max,
        })
    }

    pub(crate) fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }
}

/// Bytes in a channel; their size is on the ledger until they leave it.
pub(crate) struct Payload {
    bytes: Vec<u8>,
    ledger: Arc<Ledger>,
}

impl Payload {
    pub(crate) fn new(bytes: Vec<u8>, ledger: &Arc<Ledger>) -> Result<Self> {
        let len = bytes.len();
        let before = ledger.queued.fetch_add(len, Ordering::Relaxed);
        if before + len > ledger.max {
            ledger.queued.fetch_sub(len, Ordering::Relaxed);
            return Err(Error::Limit(format!(
                "channels of this run already hold {before} bytes (limit {})",
                ledger.max
            )));
        }
        Ok(Self {
            bytes,
            ledger: ledger.clone(),
        })
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub(crate) fn into_bytes(mut self) -> Vec<u8> {
        std::mem::take(&mut self.bytes)
    }
}

impl Drop for Payload {
    fn drop(&mut self) {
        self.ledger
            .queued
            .fetch_sub(self.bytes.len(), Ordering::Relaxed);
    }
}

impl fmt::Debug for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Payload")
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// What every end of one channel shares.
#[derive(Debug)]
pub(crate) struct ChannelMeta {
    _slot: ObjectSlot,
    capacity: Option<usize>,
    ledger: Arc<Ledger>,
    /// For a oneshot channel: whether its one message was sent / received.
    oneshot: Option<(AtomicBool, AtomicBool)>,
}

/// Which kind of channel to create.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    Bounded(usize),
    Unbounded,
    Oneshot,
}

/// Creates a channel's two ends.
pub(crate) fn channel(
    flavor: Flavor,
    slot: ObjectSlot,
    ledger: &Arc<Ledger>,
) -> (SenderEnd, ReceiverEnd) {
    let (tx, rx, capacity) = match flavor {
        Flavor::Bounded(n) => {
            let (tx, rx) = portalis_threading::bounded(n);
            (tx, rx, Some(n))
        }
        Flavor::Unbounded => {
            let (tx, rx) = portalis_threading::unbounded();
            (tx, rx, None)
        }
        Flavor::Oneshot => {
            let (tx, rx) = portalis_threading::bounded(1);
            (tx, rx, Some(1))
        }
    };
    let meta = Arc::new(ChannelMeta {
        _slot: slot,
        capacity,
        ledger: ledger.clone(),
        oneshot: (flavor == Flavor::Oneshot)
            .then(|| (AtomicBool::new(false), AtomicBool::new(false))),
    });
    (
        SenderEnd {
            tx,
            meta: meta.clone(),
        },
        ReceiverEnd::Queue { rx, meta },
    )
}

/// A guest's sending end.
#[derive(Debug, Clone)]
pub(crate) struct SenderEnd {
    tx: Sender<Payload>,
    meta: Arc<ChannelMeta>,
}

impl SenderEnd {
    /// Wraps `bytes` for sending: counts them against the run, and claims a
    /// oneshot channel's one message.
    pub(crate) fn payload(&self, bytes: Vec<u8>) -> Result<Payload> {
        if let Some((sent, _)) = &self.meta.oneshot
            && sent.swap(true, Ordering::AcqRel)
        {
            return Err(Error::Closed);
        }
        let payload = Payload::new(bytes, &self.meta.ledger);
        if payload.is_err()
            && let Some((sent, _)) = &self.meta.oneshot
        {
            sent.store(false, Ordering::Release);
        }
        payload
    }

    /// Sends by `deadline` (`None`: forever); the payload comes back if
    /// the deadline passed first.
    pub(crate) fn send(
        &self,
        payload: Payload,
        deadline: Option<Instant>,
    ) -> Result<Option<Payload>> {
        let sent = match deadline {
            None => self.tx.send(payload),
            Some(d) => self.tx.send_deadline(payload, d),
        };
        match sent {
            Ok(()) => Ok(None),
            Err(e) if e.is_timeout() => Ok(Some(e.into_inner())),
            Err(e) => Err(e.into()),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.tx.len()
    }

    pub(crate) fn capacity(&self) -> Option<usize> {
        self.meta.capacity
    }
}

/// A guest's receiving end: of a queue, or a broadcast subscription.
#[derive(Debug, Clone)]
pub(crate) enum ReceiverEnd {
    Queue {
        rx: Receiver<Payload>,
        meta: Arc<ChannelMeta>,
    },
    Subscription(Arc<Subscription>),
}

/// A subscriber of a broadcast channel, shared by its handles.
#[derive(Debug)]
pub(crate) struct Subscription {
    sub: Subscriber<Arc<Payload>>,
    _meta: Arc<BroadcastMeta>,
}

impl ReceiverEnd {
    /// Receives by `deadline` (`None`: forever); `Ok(None)` on timeout.
    pub(crate) fn recv(&self, deadline: Option<Instant>) -> Result<Option<Vec<u8>>> {
        let got = match self {
            ReceiverEnd::Queue { rx, meta } => {
                if let Some((_, received)) = &meta.oneshot
                    && received.load(Ordering::Acquire)
                {
                    return Err(Error::Closed);
                }
                let got = match deadline {
                    None => rx.recv(),
                    Some(d) => rx.recv_deadline(d),
                };
                if got.is_ok()
                    && let Some((_, received)) = &meta.oneshot
                {
                    received.store(true, Ordering::Release);
                }
                got.map(Payload::into_bytes)
            }
            ReceiverEnd::Subscription(s) => {
                let got = match deadline {
                    None => s.sub.recv(),
                    Some(d) => s.sub.recv_deadline(d),
                };
                got.map(|p| p.bytes().to_vec())
            }
        };
        match got {
            Ok(bytes) => Ok(Some(bytes)),
            Err(Error::Timeout) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            ReceiverEnd::Queue { rx, .. } => rx.len(),
            ReceiverEnd::Subscription(s) => s.sub.len(),
        }
    }
}

/// What every end of one broadcast channel shares.
#[derive(Debug)]
pub(crate) struct BroadcastMeta {
    _slot: ObjectSlot,
    ledger: Arc<Ledger>,
}

/// A guest's broadcaster.
#[derive(Debug, Clone)]
pub(crate) struct BroadcastEnd {
    tx: Broadcaster<Arc<Payload>>,
    meta: Arc<BroadcastMeta>,
}

impl BroadcastEnd {
    pub(crate) fn new(capacity: Option<usize>, slot: ObjectSlot, ledger: &Arc<Ledger>) -> Self {
        Self {
            tx: portalis_threading::broadcast(capacity),
            meta: Arc::new(BroadcastMeta {
                _slot: slot,
                ledger: ledger.clone(),
            }),
        }
    }

    /// Wraps `bytes` for sending, counting them against the run.
    pub(crate) fn payload(&self, bytes: Vec<u8>) -> Result<Arc<Payload>> {
        Ok(Arc::new(Payload::new(bytes, &self.meta.ledger)?))
    }

    /// Sends to every subscriber by `deadline`, returning how many; the
    /// payload comes back if the deadline passed first.
    pub(crate) fn send(
        &self,
        payload: Arc<Payload>,
        deadline: Option<Instant>,
    ) -> Result<std::result::Result<usize, Arc<Payload>>> {
        match deadline {
            None => self.tx.send(payload).map(Ok),
            Some(d) => match self.tx.send_deadline(payload, d) {
                Ok(n) => Ok(Ok(n)),
                Err(e) if e.is_timeout() => Ok(Err(e.into_inner())),
                Err(e) => Err(e.into()),
            },
        }
    }

    pub(crate) fn subscribe(&self) -> ReceiverEnd {
        ReceiverEnd::Subscription(Arc::new(Subscription {
            sub: self.tx.subscribe(),
            _meta: self.meta.clone(),
        }))
    }
}
