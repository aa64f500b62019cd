//! Channels: bounded, unbounded, rendezvous (on crossbeam), oneshot and
//! broadcast.

pub(crate) mod broadcast;
pub(crate) mod oneshot;

use std::fmt;
use std::time::{Duration, Instant};

use crate::{Error, Result, SendError};

/// Creates a channel that holds at most `capacity` messages; `0` makes a
/// rendezvous channel (see [`rendezvous`]).
///
/// # Examples
/// ```
/// let (tx, rx) = portalis_threading::bounded(1);
/// tx.send(1).unwrap();
/// assert!(tx.try_send(2).unwrap_err().is_full());
/// assert_eq!(rx.recv(), Ok(1));
/// ```
pub fn bounded<T>(capacity: usize) -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = crossbeam_channel::bounded(capacity);
    (Sender { inner: tx }, Receiver { inner: rx })
}

/// Creates a channel without a capacity limit.
///
/// # Examples
/// ```
/// let (tx, rx) = portalis_threading::unbounded();
/// std::thread::spawn(move || {
///     for i in 0..3 {
///         tx.send(i).unwrap();
///     }
/// }); // `tx` drops here, closing the channel
/// assert_eq!(rx.iter().sum::<i32>(), 3);
/// ```
pub fn unbounded<T>() -> (Sender<T>, Receiver<T>) {
    let (tx, rx) = crossbeam_channel::unbounded();
    (Sender { inner: tx }, Receiver { inner: rx })
}

/// Creates a rendezvous channel: each send waits until a receiver takes the
/// message.
pub fn rendezvous<T>() -> (Sender<T>, Receiver<T>) {
    bounded(0)
}

/// The sending end of a channel; clone it for more producers.
///
/// The channel closes for receivers once every `Sender` is dropped; messages
/// sent before then are still delivered.
pub struct Sender<T> {
    inner: crossbeam_channel::Sender<T>,
}

/// The receiving end of a channel; clone it for more consumers (each message
/// goes to one of them).
pub struct Receiver<T> {
    inner: crossbeam_channel::Receiver<T>,
}

impl<T> Sender<T> {
    /// Sends `value`, blocking while the channel is full.
    ///
    /// # Errors
    /// [`Error::Closed`] (with the value) if every receiver is gone.
    #[inline]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        self.inner.send(value).map_err(SendError::from)
    }

    /// Sends `value` if there is room now. Never blocks.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] if full, [`Error::Closed`] if every receiver is
    /// gone; the value comes back either way.
    #[inline]
    pub fn try_send(&self, value: T) -> Result<(), SendError<T>> {
        self.inner.try_send(value).map_err(SendError::from)
    }

    /// Sends `value`, blocking at most `timeout` while the channel is full.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Closed`], with the value.
    pub fn send_timeout(&self, value: T, timeout: Duration) -> Result<(), SendError<T>> {
        self.inner
            .send_timeout(value, timeout)
            .map_err(SendError::from)
    }

    /// Sends `value`, blocking until `deadline` at the latest.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Closed`], with the value.
    pub fn send_deadline(&self, value: T, deadline: Instant) -> Result<(), SendError<T>> {
        self.inner
            .send_deadline(value, deadline)
            .map_err(SendError::from)
    }

    /// Messages queued now.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether no message is queued.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// Whether the channel is full now.
    pub fn is_full(&self) -> bool {
        self.inner.is_full()
    }

    /// The capacity; `None` if unbounded.
    pub fn capacity(&self) -> Option<usize> {
        self.inner.capacity()
    }

    /// Whether `self` and `other` send into the same channel.
    pub fn same_channel(&self, other: &Sender<T>) -> bool {
        self.inner.same_channel(&other.inner)
    }
}

impl<T> Receiver<T> {
    /// Receives a message, blocking while the channel is empty.
    ///
    /// # Errors
    /// [`Error::Closed`] once the channel is empty and every sender is gone.
    #[inline]
    pub fn recv(&self) -> Result<T> {
        self.inner.recv().map_err(Error::from)
    }

    /// Receives a message if one is queued. Never blocks.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] if empty, [`Error::Closed`] if also closed.
    #[inline]
    pub fn try_recv(&self) -> Result<T> {
        self.inner.try_recv().map_err(Error::from)
    }

    /// Receives a message, blocking at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Closed`].
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T> {
        self.inner.recv_timeout(timeout).map_err(Error::from)
    }

    /// Receives a message, blocking until `deadline` at the latest.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Closed`].
    pub fn recv_deadline(&self, deadline: Instant) -> Result<T> {
        self.inner.recv_deadline(deadline).map_err(Error::from)
    }

    /// A blocking iterator over messages; it ends when the channel closes.
    pub fn iter(&self) -> impl Iterator<Item = T> + '_ {
        self.inner.iter()
    }

    /// An iterator over the messages queued now.
    pub fn try_iter(&self) -> impl Iterator<Item = T> + '_ {
        self.inner.try_iter()
    }

    /// Messages queued now.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// Whether no message is queued.
    pub fn is_empty(&self) -> bool {
        self.inner.is_empty()
    }

    /// The capacity; `None` if unbounded.
    pub fn capacity(&self) -> Option<usize> {
        self.inner.capacity()
    }

    /// Whether `self` and `other` receive from the same channel.
    pub fn same_channel(&self, other: &Receiver<T>) -> bool {
        self.inner.same_channel(&other.inner)
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}
