//! Python's `queue` module: `Queue`, `LifoQueue`, `PriorityQueue`,
//! `SimpleQueue`, `Empty` and `Full`.
//!
//! The three bounded kinds are CPython's design: one mutex and three
//! conditions (`not_empty`, `not_full`, `all_tasks_done`), here the
//! runtime [`Mutex`] and three runtime
//! [`Condvar`]s (first-in, first-out, so blocked getters
//! are served in arrival order), around a [`QueueStore`]: Python's
//! overridable `_qsize`/`_put`/`_get`. `PriorityQueue` uses CPython's
//! `heapq` algorithm comparison for comparison, so even items that compare
//! equal come out in the same order as in CPython. `SimpleQueue` is the
//! runtime's [`unbounded`] channel.
//!
//! | Python | Rust |
//! |---|---|
//! | `Queue(maxsize=0)`, `LifoQueue`, `PriorityQueue` | [`Queue::new`], [`LifoQueue::new`], [`PriorityQueue::new`]; methods on [`BaseQueue`] |
//! | `put(item, block=True, timeout=None)` | [`BaseQueue::put`] |
//! | `get(block=True, timeout=None)` | [`BaseQueue::get`] |
//! | `SimpleQueue()` | [`SimpleQueue::new`] |
//! | `Empty`, `Full` | [`Empty`], [`Full`] |

use std::collections::VecDeque;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use crate::python::builtins::{Exception, ValueError};
use crate::python::timeout::{Timeout, deadline_in, remaining};
use crate::{Condvar, Error, Mutex, Receiver, Sender, unbounded};

/// Python's `queue.Empty`: a non-blocking or timed-out `get` found no
/// item. `str()` is empty.
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::{Empty, Queue};
/// let q: Queue<i32> = Queue::new(0);
/// assert_eq!(q.get_nowait(), Err(Empty));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Empty;

impl fmt::Display for Empty {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl std::error::Error for Empty {}

/// Python's `queue.Full`: a non-blocking or timed-out `put` on a full
/// bounded queue. It gives the item back ([`into_inner`](Self::into_inner)),
/// since Rust moved it into the call. `str()` is empty.
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::Queue;
/// let q = Queue::new(1);
/// q.put_nowait("a").unwrap();
/// let full = q.put_nowait("b").unwrap_err();
/// assert_eq!(full.into_inner(), "b");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Full<T>(pub T);

impl<T> Full<T> {
    /// The item that was not put.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::Full;
    /// assert_eq!(Full(7).into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Full(..)")
    }
}

impl<T> fmt::Display for Full<T> {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        Ok(())
    }
}

impl<T> std::error::Error for Full<T> {}

/// What a `get(block, timeout)` raises: `Empty`, or a `ValueError` for a
/// negative timeout (raised even when an item is available, as in
/// CPython).
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::{GetError, Queue};
/// let q = Queue::new(0);
/// q.put(1, true, None).unwrap();
/// assert!(matches!(q.get(true, -1), Err(GetError::ValueError(_))));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GetError {
    /// No item in time.
    Empty(Empty),
    /// `"'timeout' must be a non-negative number"`.
    ValueError(ValueError),
}

impl fmt::Display for GetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GetError::Empty(e) => fmt::Display::fmt(e, f),
            GetError::ValueError(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl From<GetError> for Exception {
    fn from(e: GetError) -> Self {
        match e {
            GetError::Empty(e) => e.into(),
            GetError::ValueError(e) => e.into(),
        }
    }
}

/// What a `put(item, block, timeout)` raises: `Full` (with the item), or a
/// `ValueError` for a negative timeout on a bounded queue (the item is
/// dropped then, as the call is a programming error).
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::{PutError, Queue};
/// let q = Queue::new(1);
/// assert!(matches!(q.put(1, true, -1), Err(PutError::ValueError(_))));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum PutError<T> {
    /// The queue stayed full.
    Full(Full<T>),
    /// `"'timeout' must be a non-negative number"`.
    ValueError(ValueError),
}

impl<T> fmt::Debug for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(e) => f.debug_tuple("Full").field(e).finish(),
            PutError::ValueError(e) => f.debug_tuple("ValueError").field(e).finish(),
        }
    }
}

impl<T> fmt::Display for PutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(e) => fmt::Display::fmt(e, f),
            PutError::ValueError(e) => fmt::Display::fmt(e, f),
        }
    }
}

impl<T: Send + Sync + 'static> From<PutError<T>> for Exception {
    fn from(e: PutError<T>) -> Self {
        match e {
            PutError::Full(e) => e.into(),
            PutError::ValueError(e) => e.into(),
        }
    }
}

fn negative_timeout() -> ValueError {
    ValueError::new("'timeout' must be a non-negative number")
}

/// The storage of a [`BaseQueue`]: Python's overridable `_qsize`, `_put`
/// and `_get` (a Python subclass of `Queue` that overrides them becomes a
/// type implementing this). The queue calls them with its lock held, and
/// calls `get` only when `qsize` is not zero.
///
/// # Examples
/// A queue that always hands out the largest item:
/// ```
/// use portalis_threading::python::queue::{BaseQueue, QueueStore};
///
/// #[derive(Default)]
/// struct MaxFirst(Vec<i32>);
/// impl QueueStore<i32> for MaxFirst {
///     fn qsize(&self) -> usize { self.0.len() }
///     fn put(&mut self, item: i32) { self.0.push(item); self.0.sort(); }
///     fn get(&mut self) -> Option<i32> { self.0.pop() }
/// }
/// let q = BaseQueue::with_store(0, MaxFirst::default());
/// for x in [2, 9, 4] {
///     q.put(x, true, None).unwrap();
/// }
/// assert_eq!(q.get(true, None).unwrap(), 9);
/// ```
pub trait QueueStore<T> {
    /// Python's `_qsize()`.
    fn qsize(&self) -> usize;
    /// Python's `_put(item)`.
    fn put(&mut self, item: T);
    /// Python's `_get()`; `None` only if empty.
    fn get(&mut self) -> Option<T>;
}

/// First in, first out: `Queue`'s storage (a `VecDeque`).
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::{FifoStore, QueueStore};
/// let mut s = FifoStore::default();
/// s.put(1);
/// s.put(2);
/// assert_eq!(s.get(), Some(1));
/// ```
#[derive(Debug)]
pub struct FifoStore<T>(VecDeque<T>);

impl<T> Default for FifoStore<T> {
    fn default() -> Self {
        Self(VecDeque::new())
    }
}

impl<T> QueueStore<T> for FifoStore<T> {
    fn qsize(&self) -> usize {
        self.0.len()
    }
    fn put(&mut self, item: T) {
        self.0.push_back(item);
    }
    fn get(&mut self) -> Option<T> {
        self.0.pop_front()
    }
}

/// Last in, first out: `LifoQueue`'s storage (a `Vec`).
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::{LifoStore, QueueStore};
/// let mut s = LifoStore::default();
/// s.put(1);
/// s.put(2);
/// assert_eq!(s.get(), Some(2));
/// ```
#[derive(Debug)]
pub struct LifoStore<T>(Vec<T>);

impl<T> Default for LifoStore<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T> QueueStore<T> for LifoStore<T> {
    fn qsize(&self) -> usize {
        self.0.len()
    }
    fn put(&mut self, item: T) {
        self.0.push(item);
    }
    fn get(&mut self) -> Option<T> {
        self.0.pop()
    }
}

/// Smallest first: `PriorityQueue`'s storage, a binary min-heap run by
/// CPython's `heapq.heappush`/`heappop` algorithm with only `<`
/// (`PartialOrd::lt`), so ties and incomparable values (NaN) come out in
/// CPython's order.
///
/// Every comparison happens before the heap is changed, so a comparison
/// that panics leaves the heap as it was (CPython's `FailingQueueTest`).
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::{PriorityStore, QueueStore};
/// let mut s = PriorityStore::default();
/// for x in [3, 1, 2] {
///     s.put(x);
/// }
/// assert_eq!(s.get(), Some(1));
/// ```
#[derive(Debug)]
pub struct PriorityStore<T>(Vec<T>);

impl<T> Default for PriorityStore<T> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<T: PartialOrd> QueueStore<T> for PriorityStore<T> {
    fn qsize(&self) -> usize {
        self.0.len()
    }

    /// `heappush`: append, then `_siftdown(heap, 0, len - 1)`.
    fn put(&mut self, item: T) {
        let heap = &mut self.0;
        // Where the item ends: walk up while it is smaller than the parent.
        let mut target = heap.len();
        while target > 0 {
            let parent = (target - 1) / 2;
            if item < heap[parent] {
                target = parent;
            } else {
                break;
            }
        }
        heap.push(item);
        let mut pos = heap.len() - 1;
        while pos > target {
            let parent = (pos - 1) / 2;
            heap.swap(pos, parent);
            pos = parent;
        }
    }

    /// `heappop`: take the last item, put it at the root, `_siftup` (move
    /// the smaller child up to a leaf), then `_siftdown` it back.
    fn get(&mut self) -> Option<T> {
        let heap = &mut self.0;
        let n = heap.len();
        if n <= 1 {
            return heap.pop();
        }
        let end = n - 1; // the length once the last item is taken
        // _siftup's path of smaller children, on the items as they are.
        let mut path = [0usize; usize::BITS as usize];
        let mut len = 1;
        let mut child = 1;
        while child < end {
            let right = child + 1;
            if right < end && !heap[child].lt(&heap[right]) {
                child = right;
            }
            path[len] = child;
            len += 1;
            child = 2 * child + 1;
        }
        // _siftdown: the last item stops below the first path item it is
        // not smaller than.
        let last = &heap[end];
        let mut stop = len - 1;
        while stop > 0 && *last < heap[path[stop]] {
            stop -= 1;
        }
        // Every comparison is done: now move.
        let last = heap.pop()?;
        for i in 0..stop {
            heap.swap(path[i], path[i + 1]);
        }
        Some(std::mem::replace(&mut heap[path[stop]], last))
    }
}

struct State<S> {
    store: S,
    unfinished: usize,
    maxsize: isize,
}

/// The shared implementation of `Queue`, `LifoQueue` and `PriorityQueue`
/// (Python's `queue.Queue` class, which the other two subclass), over any
/// [`QueueStore`].
///
/// `maxsize <= 0` means unbounded. It is read on every call, so
/// [`set_maxsize`](Self::set_maxsize) takes effect at once (issue 10110).
/// `put` counts an unfinished task; [`task_done`](Self::task_done) and
/// [`join`](Self::join) track them.
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::{BaseQueue, FifoStore};
/// let q = BaseQueue::with_store(2, FifoStore::default());
/// q.put('a', true, None).unwrap();
/// assert_eq!(q.qsize(), 1);
/// assert_eq!(q.get(true, None).unwrap(), 'a');
/// q.task_done().unwrap();
/// q.join();
/// ```
pub struct BaseQueue<T, S> {
    state: Mutex<State<S>>,
    not_empty: Condvar,
    not_full: Condvar,
    all_tasks_done: Condvar,
    _items: PhantomData<fn(T) -> T>,
}

impl<T, S: QueueStore<T>> BaseQueue<T, S> {
    /// A queue of at most `maxsize` items (unbounded if `maxsize <= 0`)
    /// kept in `store`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::{BaseQueue, LifoStore};
    /// let q = BaseQueue::with_store(0, LifoStore::default());
    /// q.put(1, true, None).unwrap();
    /// q.put(2, true, None).unwrap();
    /// assert_eq!(q.get_nowait(), Ok(2));
    /// ```
    pub fn with_store(maxsize: isize, store: S) -> Self {
        Self {
            state: Mutex::new(State {
                store,
                unfinished: 0,
                maxsize,
            }),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            all_tasks_done: Condvar::new(),
            _items: PhantomData,
        }
    }

    /// Python's `put(item, block=True, timeout=None)`: waits while the
    /// queue is full (with `block`), at most `timeout` seconds.
    ///
    /// # Errors
    /// [`PutError::Full`] when full and not blocking, or still full at the
    /// timeout; [`PutError::ValueError`] for a negative timeout on a bounded
    /// queue (checked even when not full; an unbounded queue ignores the
    /// timeout).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::{PutError, Queue};
    /// let q = Queue::new(1);
    /// q.put(1, true, None).unwrap();
    /// assert!(matches!(q.put(2, true, 0.01), Err(PutError::Full(_))));
    /// assert!(matches!(q.put(2, false, None), Err(PutError::Full(_))));
    /// ```
    pub fn put(
        &self,
        item: T,
        block: bool,
        timeout: impl Into<Timeout>,
    ) -> Result<(), PutError<T>> {
        let mut st = self.state.lock();
        let maxsize = st.maxsize;
        if maxsize > 0 {
            let full = |st: &State<S>| st.store.qsize() as u128 >= st.maxsize.max(0) as u128;
            if !block {
                if full(&st) {
                    return Err(PutError::Full(Full(item)));
                }
            } else {
                match timeout.into().as_secs() {
                    None => {
                        while full(&st) {
                            self.not_full.wait(&mut st);
                        }
                    }
                    Some(secs) if secs.is_nan() || secs < 0.0 => {
                        return Err(PutError::ValueError(negative_timeout()));
                    }
                    Some(secs) => {
                        let deadline = deadline_in(secs);
                        while full(&st) {
                            match deadline {
                                None => self.not_full.wait(&mut st),
                                Some(d) => {
                                    if remaining(d).is_zero() {
                                        return Err(PutError::Full(Full(item)));
                                    }
                                    self.not_full.wait_deadline(&mut st, d);
                                }
                            }
                        }
                    }
                }
            }
        }
        st.store.put(item);
        st.unfinished += 1;
        drop(st);
        self.not_empty.notify_one();
        Ok(())
    }

    /// Python's `put_nowait(item)`, `put(item, False)`.
    ///
    /// # Errors
    /// [`Full`] with the item.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::Queue;
    /// let q = Queue::new(1);
    /// q.put_nowait(1).unwrap();
    /// assert!(q.put_nowait(2).is_err());
    /// ```
    pub fn put_nowait(&self, item: T) -> Result<(), Full<T>> {
        self.put(item, false, None).map_err(|e| match e {
            PutError::Full(full) => full,
            PutError::ValueError(_) => unreachable!("a non-blocking put checks no timeout"),
        })
    }

    /// Python's `get(block=True, timeout=None)`: waits while the queue is
    /// empty (with `block`), at most `timeout` seconds; `block=false`
    /// ignores the timeout, even a negative one.
    ///
    /// # Errors
    /// [`GetError::Empty`]; [`GetError::ValueError`] for a negative timeout.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::{Empty, GetError, Queue};
    /// let q: Queue<u8> = Queue::new(0);
    /// assert_eq!(q.get(true, 0.01), Err(GetError::Empty(Empty)));
    /// assert_eq!(q.get(false, -1), Err(GetError::Empty(Empty)));
    /// ```
    pub fn get(&self, block: bool, timeout: impl Into<Timeout>) -> Result<T, GetError> {
        let mut st = self.state.lock();
        if !block {
            if st.store.qsize() == 0 {
                return Err(GetError::Empty(Empty));
            }
        } else {
            match timeout.into().as_secs() {
                None => {
                    while st.store.qsize() == 0 {
                        self.not_empty.wait(&mut st);
                    }
                }
                Some(secs) if secs.is_nan() || secs < 0.0 => {
                    return Err(GetError::ValueError(negative_timeout()));
                }
                Some(secs) => {
                    let deadline = deadline_in(secs);
                    while st.store.qsize() == 0 {
                        match deadline {
                            None => self.not_empty.wait(&mut st),
                            Some(d) => {
                                if remaining(d).is_zero() {
                                    return Err(GetError::Empty(Empty));
                                }
                                self.not_empty.wait_deadline(&mut st, d);
                            }
                        }
                    }
                }
            }
        }
        let item = st.store.get().ok_or(GetError::Empty(Empty))?;
        drop(st);
        self.not_full.notify_one();
        Ok(item)
    }

    /// Python's `get_nowait()`, `get(False)`.
    ///
    /// # Errors
    /// [`Empty`].
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::{Empty, Queue};
    /// let q = Queue::new(0);
    /// q.put(5, true, None).unwrap();
    /// assert_eq!(q.get_nowait(), Ok(5));
    /// assert_eq!(q.get_nowait(), Err(Empty));
    /// ```
    pub fn get_nowait(&self) -> Result<T, Empty> {
        self.get(false, None).map_err(|_| Empty)
    }

    /// Python's `qsize()` (a snapshot).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::Queue;
    /// let q = Queue::new(0);
    /// q.put(1, true, None).unwrap();
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn qsize(&self) -> usize {
        self.state.lock().store.qsize()
    }

    /// Python's `empty()` (a snapshot).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::Queue;
    /// assert!(Queue::<i32>::new(0).empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// Python's `full()`: `0 < maxsize <= qsize()` (a snapshot).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::Queue;
    /// let q = Queue::new(1);
    /// assert!(!q.full());
    /// q.put(1, true, None).unwrap();
    /// assert!(q.full());
    /// ```
    pub fn full(&self) -> bool {
        let st = self.state.lock();
        st.maxsize > 0 && st.store.qsize() as u128 >= st.maxsize as u128
    }

    /// Python's `maxsize` attribute.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::Queue;
    /// assert_eq!(Queue::<i32>::new(3).maxsize(), 3);
    /// ```
    pub fn maxsize(&self) -> isize {
        self.state.lock().maxsize
    }

    /// Assigns Python's `maxsize` attribute; later calls use the new value
    /// (blocked putters are not woken, as in CPython).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::Queue;
    /// let q = Queue::new(3);
    /// for i in 0..3 {
    ///     q.put(i, true, None).unwrap();
    /// }
    /// q.set_maxsize(2);
    /// assert!(q.put_nowait(9).is_err());
    /// assert_eq!(q.qsize(), 3);
    /// ```
    pub fn set_maxsize(&self, maxsize: isize) {
        self.state.lock().maxsize = maxsize;
    }

    /// Python's `task_done()`: one item fully processed.
    ///
    /// # Errors
    /// `ValueError("task_done() called too many times")`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::Queue;
    /// let q: Queue<i32> = Queue::new(0);
    /// assert_eq!(q.task_done().unwrap_err().message(), "task_done() called too many times");
    /// ```
    pub fn task_done(&self) -> Result<(), ValueError> {
        let mut st = self.state.lock();
        if st.unfinished == 0 {
            return Err(ValueError::new("task_done() called too many times"));
        }
        st.unfinished -= 1;
        if st.unfinished == 0 {
            self.all_tasks_done.notify_all();
        }
        Ok(())
    }

    /// Python's `join()`: blocks until every item put has been matched by
    /// a `task_done()` (at once on a fresh queue).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::Queue;
    /// let q = Queue::new(0);
    /// q.join(); // nothing unfinished
    /// q.put(1, true, None).unwrap();
    /// q.get(true, None).unwrap();
    /// q.task_done().unwrap();
    /// q.join();
    /// ```
    pub fn join(&self) {
        let mut st = self.state.lock();
        while st.unfinished > 0 {
            self.all_tasks_done.wait(&mut st);
        }
    }

    /// Python's (undocumented) `unfinished_tasks` attribute.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::Queue;
    /// let q = Queue::new(0);
    /// q.put(1, true, None).unwrap();
    /// q.get(true, None).unwrap();
    /// assert_eq!(q.unfinished_tasks(), 1); // get does not count
    /// ```
    pub fn unfinished_tasks(&self) -> usize {
        self.state.lock().unfinished
    }
}

impl<T, S> fmt::Debug for BaseQueue<T, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.state.lock();
        f.debug_struct("Queue")
            .field("maxsize", &st.maxsize)
            .field("unfinished_tasks", &st.unfinished)
            .finish_non_exhaustive()
    }
}

/// Python's `queue.Queue(maxsize=0)`: first in, first out.
///
/// It dereferences to [`BaseQueue`], which has the methods (`put`, `get`,
/// `put_nowait`, `get_nowait`, `qsize`, `empty`, `full`, `task_done`,
/// `join`, `maxsize`).
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::Queue;
/// use std::sync::Arc;
///
/// let q = Arc::new(Queue::new(0));
/// let q2 = q.clone();
/// let consumer = std::thread::spawn(move || {
///     let mut total = 0;
///     loop {
///         let x: i32 = q2.get(true, None).unwrap();
///         q2.task_done().unwrap();
///         if x < 0 {
///             return total;
///         }
///         total += x;
///     }
/// });
/// for x in [1, 2, 3, -1] {
///     q.put(x, true, None).unwrap();
/// }
/// q.join();
/// assert_eq!(consumer.join().unwrap(), 6);
/// ```
pub struct Queue<T>(BaseQueue<T, FifoStore<T>>);

impl<T> Queue<T> {
    /// `Queue(maxsize)`; `maxsize <= 0` is unbounded.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::Queue;
    /// let q = Queue::new(0);
    /// for x in [111, 333, 222] {
    ///     q.put(x, true, None).unwrap();
    /// }
    /// assert_eq!(q.get_nowait(), Ok(111));
    /// ```
    pub fn new(maxsize: isize) -> Self {
        Self(BaseQueue::with_store(maxsize, FifoStore::default()))
    }
}

impl<T> Deref for Queue<T> {
    type Target = BaseQueue<T, FifoStore<T>>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Python's `queue.LifoQueue(maxsize=0)`: last in, first out. It
/// dereferences to [`BaseQueue`].
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::LifoQueue;
/// let q = LifoQueue::new(0);
/// for x in [1, 2, 3] {
///     q.put(x, true, None).unwrap();
/// }
/// assert_eq!(q.get_nowait(), Ok(3));
/// ```
pub struct LifoQueue<T>(BaseQueue<T, LifoStore<T>>);

impl<T> LifoQueue<T> {
    /// `LifoQueue(maxsize)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::LifoQueue;
    /// assert!(LifoQueue::<i32>::new(0).empty());
    /// ```
    pub fn new(maxsize: isize) -> Self {
        Self(BaseQueue::with_store(maxsize, LifoStore::default()))
    }
}

impl<T> Deref for LifoQueue<T> {
    type Target = BaseQueue<T, LifoStore<T>>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<T> fmt::Debug for LifoQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Python's `queue.PriorityQueue(maxsize=0)`: smallest item first
/// (`heapq` order; Python compares tuples lexicographically, and so does
/// Rust's `PartialOrd`). It dereferences to [`BaseQueue`].
///
/// Python raises `TypeError` from `put` for items that cannot be compared;
/// here every item type is `PartialOrd`, so that cannot happen.
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::PriorityQueue;
/// let q = PriorityQueue::new(0);
/// for item in [(1, "b"), (1, "a"), (0, "z")] {
///     q.put(item, true, None).unwrap();
/// }
/// let order: Vec<_> = (0..3).map(|_| q.get_nowait().unwrap()).collect();
/// assert_eq!(order, [(0, "z"), (1, "a"), (1, "b")]);
/// ```
pub struct PriorityQueue<T>(BaseQueue<T, PriorityStore<T>>);

impl<T: PartialOrd> PriorityQueue<T> {
    /// `PriorityQueue(maxsize)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::PriorityQueue;
    /// assert_eq!(PriorityQueue::<f64>::new(4).maxsize(), 4);
    /// ```
    pub fn new(maxsize: isize) -> Self {
        Self(BaseQueue::with_store(maxsize, PriorityStore::default()))
    }
}

impl<T> Deref for PriorityQueue<T> {
    type Target = BaseQueue<T, PriorityStore<T>>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<T> fmt::Debug for PriorityQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Python's `queue.SimpleQueue()`: unbounded, first in, first out, no task
/// tracking; on the runtime's lock-free [`unbounded`]
/// channel, so `put` never blocks and is safe to call re-entrantly.
///
/// # Examples
/// ```
/// use portalis_threading::python::queue::SimpleQueue;
/// let q = SimpleQueue::new();
/// q.put(1, true, None);
/// q.put_nowait(2);
/// assert_eq!(q.qsize(), 2);
/// assert_eq!(q.get(true, None).unwrap(), 1);
/// assert_eq!(q.get_nowait().unwrap(), 2);
/// assert!(q.empty());
/// ```
pub struct SimpleQueue<T> {
    tx: Sender<T>,
    rx: Receiver<T>,
}

impl<T> SimpleQueue<T> {
    /// `SimpleQueue()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::SimpleQueue;
    /// assert!(SimpleQueue::<i32>::new().empty());
    /// ```
    pub fn new() -> Self {
        let (tx, rx) = unbounded();
        Self { tx, rx }
    }

    /// Python's `put(item, block=True, timeout=None)`: never blocks;
    /// `block` and `timeout` are accepted and ignored, as in CPython.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::SimpleQueue;
    /// let q = SimpleQueue::new();
    /// q.put("x", false, -5.0); // ignored arguments
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn put(&self, item: T, block: bool, timeout: impl Into<Timeout>) {
        let _ = (block, timeout.into());
        self.put_nowait(item);
    }

    /// Python's `put_nowait(item)`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::SimpleQueue;
    /// let q = SimpleQueue::new();
    /// q.put_nowait(3);
    /// assert!(!q.empty());
    /// ```
    pub fn put_nowait(&self, item: T) {
        // We hold the receiver, so the channel cannot be closed.
        let _ = self.tx.send(item);
    }

    /// Python's `get(block=True, timeout=None)`, with `Queue.get`'s
    /// timeout rules.
    ///
    /// # Errors
    /// [`GetError::Empty`]; [`GetError::ValueError`] for a negative timeout
    /// (even if an item is available).
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::{GetError, SimpleQueue};
    /// let q = SimpleQueue::new();
    /// q.put_nowait(1);
    /// assert!(matches!(q.get(true, -1), Err(GetError::ValueError(_))));
    /// assert_eq!(q.get(true, 0.1), Ok(1));
    /// ```
    pub fn get(&self, block: bool, timeout: impl Into<Timeout>) -> Result<T, GetError> {
        let received = if !block {
            self.rx.try_recv()
        } else {
            match timeout.into().as_secs() {
                None => self.rx.recv(),
                Some(secs) if secs.is_nan() || secs < 0.0 => {
                    return Err(GetError::ValueError(negative_timeout()));
                }
                Some(secs) => match deadline_in(secs) {
                    None => self.rx.recv(),
                    Some(d) if remaining(d).is_zero() => self.rx.try_recv(),
                    Some(d) => self.rx.recv_deadline(d),
                },
            }
        };
        received.map_err(|e: Error| {
            debug_assert!(matches!(e, Error::WouldBlock | Error::Timeout));
            GetError::Empty(Empty)
        })
    }

    /// Python's `get_nowait()`.
    ///
    /// # Errors
    /// [`Empty`].
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::{Empty, SimpleQueue};
    /// assert_eq!(SimpleQueue::<i32>::new().get_nowait(), Err(Empty));
    /// ```
    pub fn get_nowait(&self) -> Result<T, Empty> {
        self.rx.try_recv().map_err(|_| Empty)
    }

    /// Python's `qsize()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::SimpleQueue;
    /// let q = SimpleQueue::new();
    /// q.put_nowait(());
    /// assert_eq!(q.qsize(), 1);
    /// ```
    pub fn qsize(&self) -> usize {
        self.rx.len()
    }

    /// Python's `empty()`.
    ///
    /// # Examples
    /// ```
    /// use portalis_threading::python::queue::SimpleQueue;
    /// assert!(SimpleQueue::<u8>::new().empty());
    /// ```
    pub fn empty(&self) -> bool {
        self.rx.is_empty()
    }
}

impl<T> Default for SimpleQueue<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for SimpleQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SimpleQueue")
            .field("qsize", &self.qsize())
            .finish()
    }
}
