//! Typed channels between workers: bounded, unbounded, rendezvous, oneshot
//! and broadcast.
//!
//! On a component, messages are encoded when sent and decoded when received
//! (the host holds the bytes); where memory is shared they move. Ends are
//! handles: clone them, or send them to another worker inside a task input
//! or a message.

use std::fmt;
use std::time::Duration;

use portalis_threading::{Result, SendError};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::handle::handle;
use crate::sys::{self, Wait};

/// What a channel can carry.
pub trait Payload: Serialize + DeserializeOwned + Send + 'static {}
impl<T: Serialize + DeserializeOwned + Send + 'static> Payload for T {}

/// The sending end of a channel.
pub struct Sender<T> {
    raw: sys::RawSender<T>,
}
handle!(Sender<T>, RawSender, T: Payload);

/// The receiving end of a channel; each message goes to one receiver.
pub struct Receiver<T> {
    raw: sys::RawReceiver<T>,
}
handle!(Receiver<T>, RawReceiver, T: Payload);

/// The sending end of a broadcast channel.
pub struct Broadcaster<T> {
    raw: sys::RawBroadcaster<T>,
}
handle!(Broadcaster<T>, RawBroadcaster, T: Payload + Clone);

fn pair<T>((tx, rx): (sys::RawSender<T>, sys::RawReceiver<T>)) -> (Sender<T>, Receiver<T>) {
    (Sender { raw: tx }, Receiver { raw: rx })
}

/// A channel holding at most `capacity` messages (0: rendezvous).
///
/// # Errors
/// [`Error::Limit`](portalis_threading::Error::Limit) if the run holds too
/// many objects.
///
/// # Examples
/// ```
/// let (tx, rx) = portalis_threading_guest::bounded::<String>(4).unwrap();
/// tx.send("hi".to_owned()).unwrap();
/// assert_eq!(rx.recv().unwrap(), "hi");
/// ```
pub fn bounded<T: Payload>(capacity: usize) -> Result<(Sender<T>, Receiver<T>)> {
    sys::bounded(capacity).map(pair)
}

/// A channel without a capacity limit.
///
/// # Errors
/// As [`bounded`].
pub fn unbounded<T: Payload>() -> Result<(Sender<T>, Receiver<T>)> {
    sys::unbounded().map(pair)
}

/// A rendezvous channel: each send waits for a receiver.
///
/// # Errors
/// As [`bounded`].
pub fn rendezvous<T: Payload>() -> Result<(Sender<T>, Receiver<T>)> {
    bounded(0)
}

/// A channel for exactly one message: a second send is
/// [`Error::Closed`](portalis_threading::Error::Closed).
///
/// # Errors
/// As [`bounded`].
pub fn oneshot<T: Payload>() -> Result<(Sender<T>, Receiver<T>)> {
    sys::oneshot().map(pair)
}

/// A broadcast channel: every subscriber gets every message sent after it
/// subscribed; the slowest may fall `capacity` messages behind (`None`: no
/// limit).
///
/// # Errors
/// As [`bounded`].
pub fn broadcast<T: Payload + Clone>(capacity: Option<usize>) -> Result<Broadcaster<T>> {
    Ok(Broadcaster {
        raw: sys::broadcast(capacity)?,
    })
}

impl<T: Payload> Sender<T> {
    /// Sends, blocking while the channel is full.
    ///
    /// # Errors
    /// [`Error::Closed`](portalis_threading::Error::Closed) if every
    /// receiver is gone; the value comes back.
    pub fn send(&self, value: T) -> std::result::Result<(), SendError<T>> {
        self.raw.send(value, Wait::Forever)
    }

    /// Sends if there is room now.
    ///
    /// # Errors
    /// [`Error::WouldBlock`](portalis_threading::Error::WouldBlock) if full;
    /// as [`send`](Self::send).
    pub fn try_send(&self, value: T) -> std::result::Result<(), SendError<T>> {
        self.raw.send(value, Wait::Immediate)
    }

    /// Sends, blocking at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Timeout`](portalis_threading::Error::Timeout); as
    /// [`send`](Self::send).
    pub fn send_timeout(
        &self,
        value: T,
        timeout: Duration,
    ) -> std::result::Result<(), SendError<T>> {
        self.raw.send(value, Wait::Timeout(timeout))
    }

    /// Messages queued now.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether no message is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The capacity; `None` if unbounded.
    pub fn capacity(&self) -> Option<usize> {
        self.raw.capacity()
    }
}

impl<T: Payload> Receiver<T> {
    /// Receives, blocking while the channel is empty.
    ///
    /// # Errors
    /// [`Error::Closed`](portalis_threading::Error::Closed) once it is empty
    /// and every sender is gone.
    pub fn recv(&self) -> Result<T> {
        self.raw.recv(Wait::Forever)
    }

    /// Receives if a message is queued.
    ///
    /// # Errors
    /// [`Error::WouldBlock`](portalis_threading::Error::WouldBlock) if none
    /// is; as [`recv`](Self::recv).
    pub fn try_recv(&self) -> Result<T> {
        self.raw.recv(Wait::Immediate)
    }

    /// Receives, blocking at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Timeout`](portalis_threading::Error::Timeout); as
    /// [`recv`](Self::recv).
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T> {
        self.raw.recv(Wait::Timeout(timeout))
    }

    /// A blocking iterator over messages; it ends when the channel closes
    /// (or fails).
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        std::iter::from_fn(move || self.recv().ok())
    }

    /// Messages queued now.
    pub fn len(&self) -> usize {
        self.raw.len()
    }

    /// Whether no message is queued.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<T: Payload + Clone> Broadcaster<T> {
    /// Sends a copy to every subscriber, blocking while the channel is
    /// full; returns how many subscribers got it.
    ///
    /// # Errors
    /// Only where the thread may not block.
    pub fn send(&self, value: &T) -> Result<usize> {
        self.raw.send(value, Wait::Forever)
    }

    /// Sends only if there is room now.
    ///
    /// # Errors
    /// [`Error::WouldBlock`](portalis_threading::Error::WouldBlock) if the
    /// slowest subscriber is `capacity` behind; nobody gets the message.
    pub fn try_send(&self, value: &T) -> Result<usize> {
        self.raw.send(value, Wait::Immediate)
    }

    /// Sends, blocking at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Timeout`](portalis_threading::Error::Timeout).
    pub fn send_timeout(&self, value: &T, timeout: Duration) -> Result<usize> {
        self.raw.send(value, Wait::Timeout(timeout))
    }

    /// A receiver of every message sent from now on.
    ///
    /// # Errors
    /// [`Error::Limit`](portalis_threading::Error::Limit) if the run holds
    /// too many objects.
    pub fn subscribe(&self) -> Result<Receiver<T>> {
        Ok(Receiver {
            raw: self.raw.subscribe()?,
        })
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Broadcaster<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Broadcaster").finish_non_exhaustive()
    }
}
