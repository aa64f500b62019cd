//! A broadcast channel: every subscriber receives every message sent after
//! it subscribed.
//!
//! One queue holds the messages; each subscriber has a cursor into it. A
//! message is dropped once every subscriber has read it. A bounded channel
//! limits how far the slowest subscriber may fall behind: a send waits for
//! it. Everything happens under one mutex, so all subscribers see messages in
//! the same order, and a non-blocking send either reaches every subscriber
//! or none.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

use crate::loom::sync::{Arc, Condvar, Mutex, MutexGuard};
use crate::loom::wait_until;
use crate::{Error, Result, SendError, deadline};

struct State<T> {
    queue: VecDeque<T>,
    /// Sequence number of `queue[0]`.
    head: u64,
    /// Next sequence number each subscriber will read.
    cursors: HashMap<u64, u64>,
    next_subscriber: u64,
    broadcasters: usize,
}

impl<T> State<T> {
    fn tail(&self) -> u64 {
        self.head + self.queue.len() as u64
    }

    /// How far the slowest subscriber is behind.
    fn backlog(&self) -> usize {
        let tail = self.tail();
        self.cursors
            .values()
            .map(|&c| (tail - c) as usize)
            .max()
            .unwrap_or(0)
    }

    /// Drops messages every subscriber has read.
    fn trim(&mut self) {
        let oldest = self.cursors.values().copied().min().unwrap_or(self.tail());
        while self.head < oldest {
            self.queue.pop_front();
            self.head += 1;
        }
    }
}

struct Shared<T> {
    capacity: Option<usize>,
    state: Mutex<State<T>>,
    changed: Condvar,
}

/// Creates a broadcast channel in which the slowest subscriber may fall at
/// most `capacity` messages behind (`None`: no limit; `Some(0)` is treated
/// as `Some(1)`).
///
/// # Examples
/// ```
/// let news = portalis_threading::broadcast(None);
/// let (a, b) = (news.subscribe(), news.subscribe());
/// assert_eq!(news.send("hello"), Ok(2));
/// assert_eq!(a.recv(), Ok("hello"));
/// assert_eq!(b.recv(), Ok("hello"));
/// ```
pub fn broadcast<T: Clone>(capacity: Option<usize>) -> Broadcaster<T> {
    Broadcaster {
        shared: Arc::new(Shared {
            capacity: capacity.map(|c| c.max(1)),
            state: Mutex::new(State {
                queue: VecDeque::new(),
                head: 0,
                cursors: HashMap::new(),
                next_subscriber: 0,
                broadcasters: 1,
            }),
            changed: Condvar::new(),
        }),
    }
}

/// The sending end of a [`broadcast`] channel; clone it for more senders.
///
/// Subscribers see the channel closed once every `Broadcaster` is dropped
/// and they have read what was sent.
pub struct Broadcaster<T> {
    shared: Arc<Shared<T>>,
}

/// A receiver of a [`broadcast`] channel, created by
/// [`Broadcaster::subscribe`].
pub struct Subscriber<T> {
    shared: Arc<Shared<T>>,
    id: u64,
}

impl<T: Clone> Broadcaster<T> {
    /// A subscriber that receives every message sent from now on.
    pub fn subscribe(&self) -> Subscriber<T> {
        let mut st = self.shared.state.lock();
        let id = st.next_subscriber;
        st.next_subscriber += 1;
        let tail = st.tail();
        st.cursors.insert(id, tail);
        Subscriber {
            shared: self.shared.clone(),
            id,
        }
    }

    /// Sends `value` to every subscriber, blocking while the channel is
    /// full; returns how many subscribers will receive it (0 drops it).
    pub fn send(&self, value: T) -> Result<usize> {
        self.send_until(value, None).map_err(Error::from)
    }

    /// Sends `value` if there is room now. Never blocks.
    ///
    /// # Errors
    /// [`Error::WouldBlock`], with the value, if the slowest subscriber is
    /// `capacity` messages behind; no subscriber receives it then.
    pub fn try_send(&self, value: T) -> Result<usize, SendError<T>> {
        let mut st = self.shared.state.lock();
        if self.is_full(&st) {
            return Err(SendError::new(value, Error::WouldBlock));
        }
        Ok(self.push(&mut st, value))
    }

    /// Sends `value`, blocking at most `timeout` while the channel is full.
    ///
    /// # Errors
    /// [`Error::Timeout`], with the value; no subscriber receives it then.
    pub fn send_timeout(&self, value: T, timeout: Duration) -> Result<usize, SendError<T>> {
        self.send_until(value, deadline::after(timeout))
    }

    /// Sends `value`, blocking until `deadline` at the latest.
    ///
    /// # Errors
    /// As [`send_timeout`](Self::send_timeout).
    pub fn send_deadline(&self, value: T, deadline: Instant) -> Result<usize, SendError<T>> {
        self.send_until(value, Some(deadline))
    }

    /// The number of live subscribers.
    pub fn subscribers(&self) -> usize {
        self.shared.state.lock().cursors.len()
    }

    fn is_full(&self, st: &State<T>) -> bool {
        self.shared.capacity.is_some_and(|c| st.backlog() >= c)
    }

    fn push(&self, st: &mut MutexGuard<'_, State<T>>, value: T) -> usize {
        let subscribers = st.cursors.len();
        if subscribers > 0 {
            st.queue.push_back(value);
            self.shared.changed.notify_all();
        }
        subscribers
    }

    fn send_until(&self, value: T, deadline: Option<Instant>) -> Result<usize, SendError<T>> {
        let mut st = self.shared.state.lock();
        while self.is_full(&st) {
            let (guard, expired) = wait_until(&self.shared.changed, st, deadline);
            st = guard;
            if expired {
                return Err(SendError::new(value, Error::Timeout));
            }
        }
        Ok(self.push(&mut st, value))
    }
}

impl<T: Clone> Subscriber<T> {
    /// Receives the next message, blocking while there is none.
    ///
    /// # Errors
    /// [`Error::Closed`] once every broadcaster is gone and every message
    /// sent has been read.
    pub fn recv(&self) -> Result<T> {
        self.recv_until(None)
    }

    /// Receives the next message if there is one. Never blocks.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] if none; [`Error::Closed`] as for
    /// [`recv`](Self::recv).
    pub fn try_recv(&self) -> Result<T> {
        let mut st = self.shared.state.lock();
        self.take(&mut st).unwrap_or(Err(Error::WouldBlock))
    }

    /// Receives the next message, blocking at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Timeout`]; [`Error::Closed`] as for [`recv`](Self::recv).
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T> {
        self.recv_until(deadline::after(timeout))
    }

    /// Receives the next message, blocking until `deadline` at the latest.
    ///
    /// # Errors
    /// [`Error::Timeout`]; [`Error::Closed`] as for [`recv`](Self::recv).
    pub fn recv_deadline(&self, deadline: Instant) -> Result<T> {
        self.recv_until(Some(deadline))
    }

    /// Messages sent but not yet read by this subscriber.
    pub fn len(&self) -> usize {
        let st = self.shared.state.lock();
        (st.tail() - st.cursors[&self.id]) as usize
    }

    /// Whether this subscriber has read everything sent.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `Some` once the outcome is known: a message, or `Closed`.
    fn take(&self, st: &mut State<T>) -> Option<Result<T>> {
        let cursor = st.cursors[&self.id];
        if cursor < st.tail() {
            let value = st.queue[(cursor - st.head) as usize].clone();
            st.cursors.insert(self.id, cursor + 1);
            st.trim();
            self.shared.changed.notify_all();
            Some(Ok(value))
        } else if st.broadcasters == 0 {
            Some(Err(Error::Closed))
        } else {
            None
        }
    }

    fn recv_until(&self, deadline: Option<Instant>) -> Result<T> {
        let mut st = self.shared.state.lock();
        loop {
            if let Some(r) = self.take(&mut st) {
                return r;
            }
            let (guard, expired) = wait_until(&self.shared.changed, st, deadline);
            st = guard;
            if expired {
                return Err(Error::Timeout);
            }
        }
    }
}

impl<T> Clone for Broadcaster<T> {
    fn clone(&self) -> Self {
        self.shared.state.lock().broadcasters += 1;
        Self {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Drop for Broadcaster<T> {
    fn drop(&mut self) {
        let mut st = self.shared.state.lock();
        st.broadcasters -= 1;
        if st.broadcasters == 0 {
            self.shared.changed.notify_all();
        }
    }
}

impl<T> Drop for Subscriber<T> {
    fn drop(&mut self) {
        let mut st = self.shared.state.lock();
        st.cursors.remove(&self.id);
        st.trim();
        self.shared.changed.notify_all();
    }
}

impl<T> fmt::Debug for Broadcaster<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Broadcaster")
            .field("capacity", &self.shared.capacity)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for Subscriber<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscriber")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;

    #[test]
    fn late_subscriber_sees_only_later_messages() {
        let b = broadcast(None);
        let early = b.subscribe();
        assert_eq!(b.send(1), Ok(1));
        let late = b.subscribe();
        assert_eq!(b.send(2), Ok(2));
        assert_eq!(early.recv(), Ok(1));
        assert_eq!(early.recv(), Ok(2));
        assert_eq!(late.recv(), Ok(2));
        assert_eq!(late.try_recv(), Err(Error::WouldBlock));
    }

    #[test]
    fn no_subscribers_drops_the_message() {
        let b = broadcast(Some(1));
        assert_eq!(b.send("lost"), Ok(0));
        assert_eq!(b.try_send("lost"), Ok(0));
    }

    #[test]
    fn bounded_waits_for_the_slowest_all_or_nothing() {
        let b = broadcast(Some(2));
        let fast = b.subscribe();
        let slow = b.subscribe();
        b.send(1).unwrap();
        b.send(2).unwrap();
        assert_eq!(fast.recv(), Ok(1));
        assert_eq!(fast.recv(), Ok(2));
        let e = b.try_send(3).unwrap_err();
        assert!(e.is_full());
        assert!(fast.try_recv().is_err(), "nobody got the refused message");
        assert!(
            b.send_timeout(3, Duration::from_millis(5))
                .unwrap_err()
                .is_timeout()
        );
        assert_eq!(slow.recv(), Ok(1));
        assert_eq!(b.try_send(3), Ok(2));
    }

    #[test]
    fn closes_after_last_broadcaster_and_drains() {
        let b = broadcast(None);
        let s = b.subscribe();
        let b2 = b.clone();
        b.send(1).unwrap();
        drop(b);
        b2.send(2).unwrap();
        drop(b2);
        assert_eq!(s.recv(), Ok(1));
        assert_eq!(s.recv(), Ok(2));
        assert_eq!(s.recv(), Err(Error::Closed));
    }

    #[test]
    fn dropped_subscriber_frees_room() {
        let b = broadcast(Some(1));
        let keep = b.subscribe();
        let gone = b.subscribe();
        b.send(1).unwrap();
        assert_eq!(keep.recv(), Ok(1));
        assert!(b.try_send(2).is_err(), "`gone` is behind");
        drop(gone);
        assert_eq!(b.try_send(2), Ok(1));
        assert_eq!(b.subscribers(), 1);
    }

    #[test]
    fn every_subscriber_sees_the_same_order() {
        let b = broadcast(Some(4));
        let subs: Vec<_> = (0..3).map(|_| b.subscribe()).collect();
        let senders: Vec<_> = (0..2)
            .map(|k| {
                let b = b.clone();
                std::thread::spawn(move || {
                    for i in 0..500 {
                        b.send(k * 1000 + i).unwrap();
                    }
                })
            })
            .collect();
        drop(b);
        let readers: Vec<_> = subs
            .into_iter()
            .map(|s| {
                std::thread::spawn(move || std::iter::from_fn(|| s.recv().ok()).collect::<Vec<_>>())
            })
            .collect();
        for s in senders {
            s.join().unwrap();
        }
        let seen: Vec<Vec<i32>> = readers.into_iter().map(|r| r.join().unwrap()).collect();
        assert_eq!(seen[0].len(), 1000);
        assert!(seen.iter().all(|s| *s == seen[0]));
    }
}
