//! `concurrent.futures.wait` and `as_completed`, with CPython's waiters.
//!
//! As in CPython, a future cancelled with `cancel()` counts as completed
//! only once its executor has called `set_running_or_notify_cancel()` on it
//! (state CANCELLED_AND_NOTIFIED): a standalone cancelled future stays in
//! `not_done`. Our executor notifies a cancelled future when a worker
//! dequeues it, which `shutdown(wait=true)` guarantees.

// Futures hash by identity (their `Arc`), not by their changing state.
#![allow(clippy::mutable_key_type, reason = "futures hash by identity")]

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use super::future::{Future, Waiter, WaiterKind};
use crate::python::builtins::TimeoutError;
use crate::python::timeout::{Timeout, deadline, remaining};

/// `wait`'s `return_when`: Python's string constants, as an enum.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::{FIRST_COMPLETED, ReturnWhen};
/// assert_eq!(FIRST_COMPLETED, ReturnWhen::FirstCompleted);
/// assert_eq!(FIRST_COMPLETED.to_string(), "FIRST_COMPLETED");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReturnWhen {
    /// Return when any future completes or is cancelled.
    FirstCompleted,
    /// Return when any future raises; else like `AllCompleted`.
    FirstException,
    /// Return when all futures complete or are cancelled.
    #[default]
    AllCompleted,
}

impl fmt::Display for ReturnWhen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReturnWhen::FirstCompleted => "FIRST_COMPLETED",
            ReturnWhen::FirstException => "FIRST_EXCEPTION",
            ReturnWhen::AllCompleted => "ALL_COMPLETED",
        })
    }
}

/// Python's `concurrent.futures.FIRST_COMPLETED`.
pub const FIRST_COMPLETED: ReturnWhen = ReturnWhen::FirstCompleted;
/// Python's `concurrent.futures.FIRST_EXCEPTION`.
pub const FIRST_EXCEPTION: ReturnWhen = ReturnWhen::FirstException;
/// Python's `concurrent.futures.ALL_COMPLETED`.
pub const ALL_COMPLETED: ReturnWhen = ReturnWhen::AllCompleted;

/// What [`wait`] returns: Python's named tuple
/// `DoneAndNotDoneFutures(done, not_done)` of sets.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::{ALL_COMPLETED, Future, wait};
/// let f = Future::new();
/// f.set_result(1).unwrap();
/// let result = wait([&f, &f], None, ALL_COMPLETED);
/// assert_eq!(result.done.len(), 1); // duplicates collapse
/// assert!(result.not_done.is_empty());
/// ```
#[derive(Debug, Clone)]
pub struct DoneAndNotDoneFutures<T> {
    /// Futures that completed (finished, or cancelled and notified).
    pub done: HashSet<Future<T>>,
    /// The others.
    pub not_done: HashSet<Future<T>>,
}

/// Python's `concurrent.futures.wait(fs, timeout=None,
/// return_when=ALL_COMPLETED)`: waits for the futures per `return_when`,
/// at most `timeout` seconds, and returns the partition. A timeout does
/// not raise: it returns the current partition.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::{FIRST_COMPLETED, Future, wait};
/// let done = Future::new();
/// done.set_result(42).unwrap();
/// let pending = Future::new();
/// let r = wait([&done, &pending], 5.0, FIRST_COMPLETED);
/// assert!(r.done.contains(&done) && r.not_done.contains(&pending));
/// ```
pub fn wait<'a, T: 'a>(
    fs: impl IntoIterator<Item = &'a Future<T>>,
    timeout: impl Into<Timeout>,
    return_when: ReturnWhen,
) -> DoneAndNotDoneFutures<T> {
    let fs: Vec<Future<T>> = distinct(fs);
    let kind = match return_when {
        ReturnWhen::FirstCompleted => WaiterKind::First,
        ReturnWhen::FirstException => WaiterKind::All {
            stop_on_exception: true,
        },
        ReturnWhen::AllCompleted => WaiterKind::All {
            stop_on_exception: false,
        },
    };
    let waiter = Waiter::new(kind);
    let mut done = HashSet::new();
    let mut any_failed = false;
    for f in &fs {
        let (completed, failed) = f.install(&waiter);
        if completed {
            any_failed |= failed;
            done.insert(f.clone());
        }
    }
    waiter.installed();
    let settled = match return_when {
        ReturnWhen::FirstCompleted => !done.is_empty(),
        ReturnWhen::FirstException => any_failed,
        ReturnWhen::AllCompleted => false,
    } || done.len() == fs.len();
    if !settled {
        done.extend(waiter.wait_and_take(deadline(timeout.into())));
    }
    for f in &fs {
        f.uninstall(&waiter);
    }
    let not_done = fs.into_iter().filter(|f| !done.contains(f)).collect();
    DoneAndNotDoneFutures { done, not_done }
}

fn distinct<'a, T: 'a>(fs: impl IntoIterator<Item = &'a Future<T>>) -> Vec<Future<T>> {
    let mut seen = HashSet::new();
    fs.into_iter()
        .filter(|f| seen.insert((*f).clone()))
        .cloned()
        .collect()
}

/// Python's `concurrent.futures.as_completed(fs, timeout=None)`: an
/// iterator over the futures as they complete: first those already
/// completed, then the others in completion order, each distinct future
/// once.
///
/// Like CPython's generator, the clock starts at the first `next()`, not
/// at the call. When it runs out, the iterator yields
/// `Err(TimeoutError("N (of M) futures unfinished"))` and ends.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::{ThreadPoolExecutor, as_completed};
/// let ex = ThreadPoolExecutor::new(Some(2)).unwrap();
/// let fs: Vec<_> = (0..4).map(|i| ex.submit(move || i * i).unwrap()).collect();
/// let mut squares: Vec<i32> = as_completed(&fs, None)
///     .map(|f| f.unwrap().result(None).unwrap())
///     .collect();
/// squares.sort();
/// assert_eq!(squares, [0, 1, 4, 9]);
/// ```
pub fn as_completed<'a, T: 'a>(
    fs: impl IntoIterator<Item = &'a Future<T>>,
    timeout: impl Into<Timeout>,
) -> AsCompleted<T> {
    AsCompleted {
        fs: distinct(fs),
        timeout: timeout.into(),
        started: None,
        finished: false,
    }
}

struct Started<T> {
    deadline: Option<Instant>,
    pending: HashSet<Future<T>>,
    ready: VecDeque<Future<T>>,
    waiter: Arc<Waiter<T>>,
}

/// The iterator [`as_completed`] returns.
///
/// # Examples
/// ```
/// use portalis_threading::python::concurrent_futures::{Future, as_completed};
/// let f = Future::<i32>::new();
/// let mut it = as_completed([&f], 0.01);
/// let err = it.next().unwrap().unwrap_err();
/// assert_eq!(err.message(), "1 (of 1) futures unfinished");
/// assert!(it.next().is_none());
/// ```
pub struct AsCompleted<T> {
    fs: Vec<Future<T>>,
    timeout: Timeout,
    started: Option<Started<T>>,
    finished: bool,
}

impl<T> AsCompleted<T> {
    fn start(&self) -> Started<T> {
        let waiter = Waiter::new(WaiterKind::Each);
        let mut ready = VecDeque::new();
        let mut pending = HashSet::new();
        for f in &self.fs {
            let (completed, _) = f.install(&waiter);
            if completed {
                ready.push_back(f.clone());
            }
            pending.insert(f.clone());
        }
        waiter.installed();
        Started {
            deadline: deadline(self.timeout),
            pending,
            ready,
            waiter,
        }
    }

    fn close(&mut self) {
        self.finished = true;
        if let Some(started) = &self.started {
            for f in &self.fs {
                f.uninstall(&started.waiter);
            }
        }
    }
}

impl<T> Iterator for AsCompleted<T> {
    type Item = Result<Future<T>, TimeoutError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        if self.started.is_none() {
            self.started = Some(self.start());
        }
        let total = self.fs.len();
        loop {
            let started = self.started.as_mut()?;
            while let Some(f) = started.ready.pop_front() {
                if started.pending.remove(&f) {
                    f.uninstall(&started.waiter);
                    return Some(Ok(f));
                }
            }
            if started.pending.is_empty() {
                self.close();
                return None;
            }
            if let Some(d) = started.deadline
                && remaining(d).is_zero()
            {
                let message = format!("{} (of {total}) futures unfinished", started.pending.len());
                self.close();
                return Some(Err(TimeoutError::new(message)));
            }
            let completed = started.waiter.wait_and_take(started.deadline);
            started.ready.extend(completed);
        }
    }
}

impl<T> Drop for AsCompleted<T> {
    fn drop(&mut self) {
        if !self.finished {
            self.close();
        }
    }
}

impl<T> fmt::Debug for AsCompleted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsCompleted")
            .field("futures", &self.fs.len())
            .field("finished", &self.finished)
            .finish_non_exhaustive()
    }
}
