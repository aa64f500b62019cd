//! A channel for exactly one value, with a spin-then-park receiver.
//!
//! One allocation holds the value slot and a state word. The sender writes
//! the value, then publishes it with one `fetch_or`; the receiver spins
//! briefly (a reply often arrives within a microsecond) and then parks on a
//! mutex and condition variable. This is what task handles use to return
//! results, where a parking-only channel costs several microseconds per
//! round trip.
//!
//! ## Memory ordering
//! The state bits are set with `fetch_or`, so each side sees the other's
//! bits in one total order. `VALUE` is published with `Release` after the
//! write to the slot and read with `Acquire` before the read from it.
//! Exactly one side frees an unread value: if the receiver drops first, the
//! sender sees `RECEIVER_GONE` when it publishes and takes the value back;
//! if the sender publishes first, the receiver's drop sees `VALUE` and drops
//! it. A parked receiver sets `WAITING` under the parking mutex, and the
//! sender takes that mutex before notifying, so the wake-up is not lost.

use std::fmt;
use std::marker::PhantomData;
use std::mem::MaybeUninit;
use std::time::{Duration, Instant};

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU8, Ordering};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::loom::wait_until;
use crate::{Error, Result, deadline};

const VALUE: u8 = 1;
const SENDER_GONE: u8 = 1 << 1;
const RECEIVER_GONE: u8 = 1 << 2;
const WAITING: u8 = 1 << 3;
/// The receiver took the value (receiver-side bookkeeping only).
const TAKEN: u8 = 1 << 4;

struct Inner<T> {
    state: AtomicU8,
    value: UnsafeCell<MaybeUninit<T>>,
    park: Mutex<()>,
    wakeup: Condvar,
}

// SAFETY: the value slot is written only by the sender before it sets VALUE
// and read only by the receiver after it observes VALUE (or by the sender
// after it observes RECEIVER_GONE, when the receiver will never read it), so
// access to `T` is never shared; `T: Send` lets it cross threads.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above; no `&T` is ever handed out from a shared `Inner`.
unsafe impl<T: Send> Sync for Inner<T> {}

/// Creates a channel that carries exactly one value.
///
/// # Examples
/// ```
/// let (tx, rx) = portalis_threading::oneshot();
/// std::thread::spawn(move || tx.send(42).unwrap());
/// assert_eq!(rx.recv(), Ok(42));
/// ```
pub fn oneshot<T>() -> (OneshotSender<T>, OneshotReceiver<T>) {
    let inner = Arc::new(Inner {
        state: AtomicU8::new(0),
        value: UnsafeCell::new(MaybeUninit::uninit()),
        park: Mutex::new(()),
        wakeup: Condvar::new(),
    });
    (
        OneshotSender {
            inner: inner.clone(),
        },
        OneshotReceiver {
            inner,
            _not_sync: PhantomData,
        },
    )
}

/// The sending end of a [`oneshot`] channel; `send` consumes it.
pub struct OneshotSender<T> {
    inner: Arc<Inner<T>>,
}

/// The receiving end of a [`oneshot`] channel.
///
/// The value can be received once; after that, receiving again is
/// [`Error::Closed`].
pub struct OneshotReceiver<T> {
    inner: Arc<Inner<T>>,
    /// One receiver, one reader: `&self` methods take the value.
    _not_sync: PhantomData<std::cell::Cell<()>>,
}

impl<T> OneshotSender<T> {
    /// Sends the value. Never blocks.
    ///
    /// # Errors
    /// [`Error::Closed`], with the value, if the receiver is gone.
    pub fn send(self, value: T) -> Result<(), crate::SendError<T>> {
        // Skip our `Drop` (no SENDER_GONE: the value stands for us) but keep
        // the reference it would have released.
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again, so the `Arc` is
        // moved out exactly once.
        let inner = unsafe { std::ptr::read(&this.inner) };
        if inner.state.load(Ordering::Relaxed) & RECEIVER_GONE != 0 {
            return Err(crate::SendError::new(value, Error::Closed));
        }
        // SAFETY: only the sender writes the slot, and only before VALUE is
        // set; the receiver does not read it until it observes VALUE.
        inner.value.with_mut(|slot| unsafe { (*slot).write(value) });
        let prev = inner.state.fetch_or(VALUE, Ordering::AcqRel);
        if prev & RECEIVER_GONE != 0 {
            // SAFETY: the receiver left before VALUE was set, so it never
            // reads the slot; the value we wrote is ours to take back.
            let value = inner
                .value
                .with_mut(|slot| unsafe { (*slot).assume_init_read() });
            return Err(crate::SendError::new(value, Error::Closed));
        }
        if prev & WAITING != 0 {
            let _park = inner.park.lock();
            inner.wakeup.notify_one();
        }
        Ok(())
    }

    /// Whether the receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.inner.state.load(Ordering::Relaxed) & RECEIVER_GONE != 0
    }
}

impl<T> Drop for OneshotSender<T> {
    fn drop(&mut self) {
        let prev = self.inner.state.fetch_or(SENDER_GONE, Ordering::AcqRel);
        if prev & WAITING != 0 {
            let _park = self.inner.park.lock();
            self.inner.wakeup.notify_one();
        }
    }
}

impl<T> OneshotReceiver<T> {
    /// Receives the value, blocking until it is sent.
    ///
    /// # Errors
    /// [`Error::Closed`] if the sender was dropped without sending, or the
    /// value was already received.
    pub fn recv(&self) -> Result<T> {
        self.recv_until(None)
    }

    /// Receives the value if it was sent. Never blocks.
    ///
    /// # Errors
    /// [`Error::WouldBlock`] if not sent yet; [`Error::Closed`] as for
    /// [`recv`](Self::recv).
    pub fn try_recv(&self) -> Result<T> {
        let state = self.inner.state.load(Ordering::Acquire);
        self.take(state).unwrap_or(Err(Error::WouldBlock))
    }

    /// Receives the value, blocking at most `timeout`.
    ///
    /// # Errors
    /// [`Error::Timeout`]; [`Error::Closed`] as for [`recv`](Self::recv).
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T> {
        self.recv_until(deadline::after(timeout))
    }

    /// Receives the value, blocking until `deadline` at the latest.
    ///
    /// # Errors
    /// [`Error::Timeout`]; [`Error::Closed`] as for [`recv`](Self::recv).
    pub fn recv_deadline(&self, deadline: Instant) -> Result<T> {
        self.recv_until(Some(deadline))
    }

    /// Whether a value is ready to be received (or the channel closed).
    pub fn is_ready(&self) -> bool {
        self.inner.state.load(Ordering::Acquire) & (VALUE | SENDER_GONE) != 0
    }

    /// `Some` once the outcome is known: the value, or `Closed`.
    fn take(&self, state: u8) -> Option<Result<T>> {
        if state & TAKEN != 0 {
            return Some(Err(Error::Closed));
        }
        if state & VALUE != 0 {
            self.inner.state.fetch_or(TAKEN, Ordering::Relaxed);
            // SAFETY: VALUE was observed with `Acquire`, so the sender's
            // write is visible, and TAKEN (set above, only by us) ensures we
            // read it once.
            let value = self
                .inner
                .value
                .with(|slot| unsafe { (*slot).assume_init_read() });
            return Some(Ok(value));
        }
        if state & SENDER_GONE != 0 {
            return Some(Err(Error::Closed));
        }
        None
    }

    fn recv_until(&self, deadline: Option<Instant>) -> Result<T> {
        let backoff = crate::loom::Backoff::new();
        for _ in 0..crate::loom::SPIN_LIMIT * 2 {
            if let Some(r) = self.take(self.inner.state.load(Ordering::Acquire)) {
                return r;
            }
            backoff.snooze();
        }
        let mut park = self.inner.park.lock();
        let state = self.inner.state.fetch_or(WAITING, Ordering::Acquire);
        if let Some(r) = self.take(state) {
            return r;
        }
        loop {
            let (guard, expired) = wait_until(&self.inner.wakeup, park, deadline);
            park = guard;
            if expired {
                return Err(Error::Timeout);
            }
            if let Some(r) = self.take(self.inner.state.load(Ordering::Acquire)) {
                return r;
            }
        }
    }
}

impl<T> Drop for OneshotReceiver<T> {
    fn drop(&mut self) {
        let prev = self.inner.state.fetch_or(RECEIVER_GONE, Ordering::AcqRel);
        if prev & VALUE != 0 && prev & TAKEN == 0 {
            // SAFETY: VALUE is set and nobody took the value; the sender is
            // done with the slot, so we drop it exactly once.
            self.inner
                .value
                .with_mut(|slot| unsafe { (*slot).assume_init_drop() });
        }
    }
}

impl<T> fmt::Debug for OneshotSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneshotSender").finish_non_exhaustive()
    }
}

impl<T> fmt::Debug for OneshotReceiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OneshotReceiver")
            .field("ready", &self.is_ready())
            .finish_non_exhaustive()
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;

    #[test]
    fn smoke() {
        let (tx, rx) = oneshot();
        tx.send(String::from("hi")).unwrap();
        assert_eq!(rx.recv().unwrap(), "hi");
        assert_eq!(rx.try_recv(), Err(Error::Closed), "only one value");
    }

    #[test]
    fn sender_dropped_closes() {
        let (tx, rx) = oneshot::<u8>();
        assert_eq!(rx.try_recv(), Err(Error::WouldBlock));
        drop(tx);
        assert_eq!(rx.recv(), Err(Error::Closed));
    }

    #[test]
    fn receiver_dropped_gives_value_back() {
        let (tx, rx) = oneshot();
        drop(rx);
        assert!(tx.is_closed());
        assert_eq!(tx.send(vec![1]).unwrap_err().into_inner(), vec![1]);
    }

    #[test]
    fn unreceived_value_is_dropped_once() {
        let marker = std::sync::Arc::new(());
        let (tx, rx) = oneshot();
        tx.send(marker.clone()).unwrap();
        drop(rx);
        assert_eq!(std::sync::Arc::strong_count(&marker), 1);
    }

    #[test]
    fn timeout_then_value() {
        let (tx, rx) = oneshot();
        assert_eq!(
            rx.recv_timeout(Duration::from_millis(5)),
            Err(Error::Timeout)
        );
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(10));
            tx.send(5).unwrap();
        });
        assert_eq!(rx.recv_timeout(Duration::from_secs(10)), Ok(5));
        t.join().unwrap();
    }

    #[test]
    fn parked_receiver_wakes_on_sender_drop() {
        let (tx, rx) = oneshot::<u8>();
        let t = std::thread::spawn(move || rx.recv());
        std::thread::sleep(Duration::from_millis(20));
        drop(tx);
        assert_eq!(t.join().unwrap(), Err(Error::Closed));
    }

    #[test]
    fn many_round_trips() {
        for i in 0..if cfg!(miri) { 20 } else { 2000 } {
            let (tx, rx) = oneshot();
            let t = std::thread::spawn(move || tx.send(i));
            assert_eq!(rx.recv(), Ok(i));
            t.join().unwrap().unwrap();
        }
    }
}

#[cfg(all(test, portalis_loom))]
mod loom_oneshot {
    use super::*;
    use crate::loom::thread;

    #[test]
    fn loom_oneshot_send_recv() {
        loom::model(|| {
            let (tx, rx) = oneshot();
            let t = thread::spawn(move || tx.send(7).unwrap());
            assert_eq!(rx.recv(), Ok(7));
            t.join().unwrap();
        });
    }

    #[test]
    fn loom_oneshot_sender_drop_wakes() {
        loom::model(|| {
            let (tx, rx) = oneshot::<u8>();
            let t = thread::spawn(move || drop(tx));
            assert_eq!(rx.recv(), Err(Error::Closed));
            t.join().unwrap();
        });
    }

    #[test]
    fn loom_oneshot_racing_drops_free_value_once() {
        loom::model(|| {
            let value = Arc::new(());
            let (tx, rx) = oneshot();
            let v2 = value.clone();
            let t = thread::spawn(move || {
                let _ = tx.send(v2);
            });
            drop(rx);
            t.join().unwrap();
            assert_eq!(Arc::strong_count(&value), 1);
        });
    }
}
