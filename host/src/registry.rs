//! The host objects of one run, and the tokens that move them between
//! workers.
//!
//! Objects are `Arc`s of the runtime crate's primitives. A worker's handle is
//! an entry in its own Store's `ResourceTable` holding one `Arc`; the object
//! lives while any handle or unredeemed token holds one. Every object carries
//! an [`ObjectSlot`] that counts it against the run's object limit until it
//! is freed.
//!
//! A token is a transfer: `share` puts a clone of the object in the pending
//! table under a fresh unguessable id, and `open` takes it out again, once.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher, RandomState};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use portalis_threading::{Error, Mutex, Result};

use crate::objects::Object;

/// Counts one live object against the run's limit; frees its place on drop.
#[derive(Debug)]
pub(crate) struct ObjectSlot {
    live: Arc<AtomicUsize>,
}

impl Drop for ObjectSlot {
    fn drop(&mut self) {
        self.live.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The host objects and pending tokens of one run.
#[derive(Debug)]
pub(crate) struct Registry {
    max_objects: usize,
    live: Arc<AtomicUsize>,
    pending: Mutex<HashMap<u64, Object>>,
    keys: RandomState,
    minted: AtomicUsize,
}

impl Registry {
    pub(crate) fn new(max_objects: usize) -> Self {
        Self {
            max_objects,
            live: Arc::new(AtomicUsize::new(0)),
            pending: Mutex::new(HashMap::new()),
            keys: RandomState::new(),
            minted: AtomicUsize::new(0),
        }
    }

    /// Reserves a place for a new object.
    pub(crate) fn slot(&self) -> Result<ObjectSlot> {
        let live = self.live.fetch_add(1, Ordering::Relaxed);
        let slot = ObjectSlot {
            live: self.live.clone(),
        };
        if live >= self.max_objects {
            return Err(Error::Limit(format!(
                "the run already has {} live host objects (limit {})",
                live, self.max_objects
            )));
        }
        Ok(slot)
    }

    /// Objects alive now (including those only held by tokens).
    pub(crate) fn live_objects(&self) -> usize {
        self.live.load(Ordering::Relaxed)
    }

    /// Mints a token that holds `object` until it is opened.
    pub(crate) fn share(&self, object: Object) -> Result<u64> {
        let mut pending = self.pending.lock();
        if pending.len() >= self.max_objects {
            return Err(Error::Limit(format!(
                "the run already has {} unredeemed tokens (limit {})",
                pending.len(),
                self.max_objects
            )));
        }
        loop {
            let token = self.next_token();
            if token != 0 && !pending.contains_key(&token) {
                pending.insert(token, object);
                return Ok(token);
            }
        }
    }

    /// Redeems `token` for an object of the kind `take` accepts. A token of
    /// another kind stays redeemable.
    pub(crate) fn open<T>(&self, token: u64, take: impl FnOnce(&Object) -> Option<T>) -> Result<T> {
        let mut pending = self.pending.lock();
        let taken = pending
            .get(&token)
            .and_then(take)
            .ok_or(Error::InvalidToken)?;
        pending.remove(&token);
        Ok(taken)
    }

    /// Tokens minted and not yet redeemed.
    pub(crate) fn pending_tokens(&self) -> usize {
        self.pending.lock().len()
    }

    /// Drops every unredeemed token (at the end of a run).
    pub(crate) fn clear(&self) {
        let tokens = std::mem::take(&mut *self.pending.lock());
        drop(tokens);
    }

    /// An unpredictable 64-bit value: SipHash, keyed per run, of a counter.
    fn next_token(&self) -> u64 {
        let n = self.minted.fetch_add(1, Ordering::Relaxed);
        let mut h = self.keys.build_hasher();
        h.write_usize(n);
        h.finish()
    }
}
