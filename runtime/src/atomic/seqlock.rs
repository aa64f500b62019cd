//! A sequence lock for small, read-mostly values.
//!
//! Readers never write shared memory: they read the sequence, copy the
//! value, and retry if the sequence moved (Lamport; the C++ treatment is
//! Boehm, "Can seqlocks get along with programming language memory
//! models?", 2012). The value lives in atomic words, so a reader racing with
//! a writer reads torn *words* but never performs a data race, and it
//! discards the torn copy before turning the bytes back into a `T`. That is
//! why `T` must be [`bytemuck::Pod`]: any bit pattern is a valid `T` and
//! there is no padding to copy.
//!
//! ## Memory ordering
//! Writer: take the odd sequence with `Acquire`, `fence(Release)`, store the
//! words `Relaxed`, publish the next even sequence with `Release`. Reader:
//! load the sequence `Acquire`, load the words `Relaxed`, `fence(Acquire)`,
//! reload the sequence `Relaxed`; equal and even means the copy is whole.

use std::fmt;

use bytemuck::Pod;

use crate::loom::sync::atomic::{AtomicU64, AtomicUsize, Ordering, fence};

const WORD: usize = std::mem::size_of::<u64>();

/// A lock for small `Copy` data that is read far more often than written.
///
/// Reads never block and never make readers contend with each other; a
/// write makes concurrent reads retry. Writers exclude each other.
///
/// # Examples
/// ```
/// use portalis_threading::SeqLock;
///
/// #[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
/// #[repr(C)]
/// struct Bounds { lo: f64, hi: f64 }
///
/// let bounds = SeqLock::new(Bounds { lo: 0.0, hi: 1.0 });
/// bounds.write(Bounds { lo: -1.0, hi: 1.0 });
/// assert_eq!(bounds.read(), Bounds { lo: -1.0, hi: 1.0 });
/// ```
pub struct SeqLock<T> {
    sequence: AtomicUsize,
    words: Box<[AtomicU64]>,
    _value: std::marker::PhantomData<T>,
}

impl<T: Pod> SeqLock<T> {
    /// A lock holding `value`.
    pub fn new(value: T) -> Self {
        let n = std::mem::size_of::<T>().div_ceil(WORD);
        let lock = Self {
            sequence: AtomicUsize::new(0),
            words: (0..n).map(|_| AtomicU64::new(0)).collect(),
            _value: std::marker::PhantomData,
        };
        lock.store_words(&value);
        lock
    }

    /// Reads the value, retrying while a write is in progress. Never blocks
    /// a writer.
    pub fn read(&self) -> T {
        let backoff = crate::loom::Backoff::new();
        loop {
            if let Some(value) = self.try_read() {
                return value;
            }
            backoff.snooze();
        }
    }

    /// Reads the value if no write overlaps this read. Never blocks.
    pub fn try_read(&self) -> Option<T> {
        let before = self.sequence.load(Ordering::Acquire);
        if before & 1 == 1 {
            return None;
        }
        let value = self.load_words();
        fence(Ordering::Acquire);
        let after = self.sequence.load(Ordering::Relaxed);
        (before == after).then_some(value)
    }

    /// Replaces the value; waits for a concurrent writer, never for readers.
    pub fn write(&self, value: T) {
        let backoff = crate::loom::Backoff::new();
        let start = loop {
            let s = self.sequence.load(Ordering::Relaxed);
            if s & 1 == 0
                && self
                    .sequence
                    .compare_exchange_weak(
                        s,
                        s.wrapping_add(1),
                        Ordering::Acquire,
                        Ordering::Relaxed,
                    )
                    .is_ok()
            {
                break s;
            }
            backoff.snooze();
        };
        fence(Ordering::Release);
        self.store_words(&value);
        self.sequence
            .store(start.wrapping_add(2), Ordering::Release);
    }

    fn store_words(&self, value: &T) {
        let bytes = bytemuck::bytes_of(value);
        for (word, chunk) in self.words.iter().zip(bytes.chunks(WORD)) {
            let mut buf = [0u8; WORD];
            buf[..chunk.len()].copy_from_slice(chunk);
            word.store(u64::from_ne_bytes(buf), Ordering::Relaxed);
        }
    }

    fn load_words(&self) -> T {
        let mut value = T::zeroed();
        let bytes = bytemuck::bytes_of_mut(&mut value);
        for (word, chunk) in self.words.iter().zip(bytes.chunks_mut(WORD)) {
            let buf = word.load(Ordering::Relaxed).to_ne_bytes();
            chunk.copy_from_slice(&buf[..chunk.len()]);
        }
        value
    }
}

impl<T: Pod + fmt::Debug> fmt::Debug for SeqLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SeqLock").field(&self.read()).finish()
    }
}

#[cfg(all(test, not(portalis_loom)))]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[derive(Clone, Copy, Debug, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
    #[repr(C)]
    struct Pair {
        a: u64,
        b: u64,
        c: u32,
        d: u32,
    }

    #[test]
    fn odd_sizes_round_trip() {
        let l = SeqLock::new([1u8, 2, 3]);
        assert_eq!(l.read(), [1, 2, 3]);
        l.write([9, 8, 7]);
        assert_eq!(l.read(), [9, 8, 7]);
        let z = SeqLock::new(());
        z.write(());
        z.read();
    }

    #[test]
    fn readers_never_see_a_torn_value() {
        let l = Arc::new(SeqLock::new(Pair {
            a: 0,
            b: 0,
            c: 0,
            d: 0,
        }));
        let writers: Vec<_> = (0..2)
            .map(|_| {
                let l = l.clone();
                std::thread::spawn(move || {
                    for i in 1..=if cfg!(miri) { 20 } else { 20_000u64 } {
                        l.write(Pair {
                            a: i,
                            b: i,
                            c: i as u32,
                            d: i as u32,
                        });
                    }
                })
            })
            .collect();
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let l = l.clone();
                std::thread::spawn(move || {
                    for _ in 0..if cfg!(miri) { 20 } else { 20_000 } {
                        let p = l.read();
                        assert!(p.a == p.b && p.c == p.d && p.a as u32 == p.c, "torn: {p:?}");
                    }
                })
            })
            .collect();
        for t in writers.into_iter().chain(readers) {
            t.join().unwrap();
        }
    }
}

#[cfg(all(test, portalis_loom))]
mod loom_seqlock {
    use super::*;
    use crate::loom::sync::Arc;
    use crate::loom::thread;

    #[test]
    fn loom_seqlock_reader_sees_whole_values() {
        loom::model(|| {
            let l = Arc::new(SeqLock::new([0u64, 0]));
            let l2 = l.clone();
            let w = thread::spawn(move || l2.write([1, 1]));
            if let Some(v) = l.try_read() {
                assert_eq!(v[0], v[1], "a validated read is never torn");
            }
            w.join().unwrap();
            assert_eq!(l.read(), [1, 1]);
        });
    }

    #[test]
    fn loom_seqlock_writers_exclude_each_other() {
        loom::model(|| {
            let l = Arc::new(SeqLock::new([0u64, 0]));
            let l2 = l.clone();
            let w = thread::spawn(move || l2.write([1, 1]));
            l.write([2, 2]);
            w.join().unwrap();
            let v = l.read();
            assert_eq!(v[0], v[1]);
        });
    }
}
