//! The shared-memory backend (native, `wasm32-wasip1-threads`): workers are
//! threads of this process, objects are the runtime crate's, and values move
//! between threads without being encoded. Tokens name objects in a
//! process-wide table, so handles serialize the same way as on components.

use std::any::Any;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use portalis_threading::{
    Barrier, Broadcaster, Condvar, Error, Event, JoinHandle, Mutex, OwnedLock, OwnedRwLock,
    Receiver, Result, Semaphore, SendError, Sender, Subscriber, TaskHandle, TaskState, ThreadPool,
};

use super::Wait;
use crate::Task;

impl Wait {
    fn deadline(self) -> Option<Instant> {
        match self {
            Wait::Forever => None,
            Wait::Immediate => Some(Instant::now()),
            Wait::Timeout(d) => Instant::now().checked_add(d),
        }
    }

    /// What a wait that ran out is.
    fn expired(self) -> Error {
        match self {
            Wait::Immediate => Error::WouldBlock,
            _ => Error::Timeout,
        }
    }
}

// ---- tokens ----

fn tokens() -> &'static Mutex<HashMap<u64, Box<dyn Any + Send>>> {
    static TOKENS: OnceLock<Mutex<HashMap<u64, Box<dyn Any + Send>>>> = OnceLock::new();
    TOKENS.get_or_init(|| Mutex::new(HashMap::new()))
}

fn share_any<T: Any + Send>(object: T) -> u64 {
    use std::hash::{BuildHasher, RandomState};
    static KEYS: OnceLock<RandomState> = OnceLock::new();
    static MINTED: AtomicU64 = AtomicU64::new(0);
    let keys = KEYS.get_or_init(RandomState::new);
    let mut table = tokens().lock();
    loop {
        let token = keys.hash_one(MINTED.fetch_add(1, Ordering::Relaxed));
        if token != 0 && !table.contains_key(&token) {
            table.insert(token, Box::new(object));
            return token;
        }
    }
}

fn open_any<T: Any + Send>(token: u64) -> Result<T> {
    let mut table = tokens().lock();
    match table.get(&token) {
        Some(object) if object.is::<T>() => {}
        _ => return Err(Error::InvalidToken),
    }
    let object = table.remove(&token).ok_or(Error::InvalidToken)?;
    object
        .downcast::<T>()
        .map(|b| *b)
        .map_err(|_| Error::InvalidToken)
}

macro_rules! shareable {
    ($raw:ident) => {
        impl $raw {
            pub(crate) fn share(&self) -> Result<u64> {
                Ok(share_any(self.clone()))
            }

            pub(crate) fn open(token: u64) -> Result<Self> {
                open_any(token)
            }

            pub(crate) fn try_clone(&self) -> Result<Self> {
                Ok(self.clone())
            }
        }
    };
}

// ---- threads ----

/// This thread's worker id: 0 on the main thread, then 1, 2, ...
pub(crate) fn current_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static ID: u64 = if std::thread::current().name() == Some("main") {
            0
        } else {
            NEXT.fetch_add(1, Ordering::Relaxed)
        };
    }
    ID.with(|id| *id)
}

pub(crate) struct RawThread<R> {
    handle: JoinHandle<R>,
    id: Arc<OnceLock<u64>>,
}

impl<R: Send + 'static> RawThread<R> {
    pub(crate) fn spawn<T: Task<Output = R>>(
        input: T::Input,
        name: Option<String>,
    ) -> Result<Self> {
        let id = Arc::new(OnceLock::new());
        let started = id.clone();
        let mut builder = portalis_threading::thread::Builder::new();
        if let Some(name) = name {
            builder = builder.name(name);
        }
        let handle = builder.spawn(move || {
            let _ = started.set(current_id());
            T::run(input)
        })?;
        Ok(Self { handle, id })
    }

    pub(crate) fn join(&mut self, wait: Wait) -> Result<R> {
        match wait.deadline() {
            None => self.handle.join_deadline(far_future()),
            Some(d) => self.handle.join_deadline(d).map_err(|e| match e {
                Error::Timeout => wait.expired(),
                e => e,
            }),
        }
    }

    pub(crate) fn id(&self) -> u64 {
        // The thread records its id as it starts; wait for that moment.
        loop {
            if let Some(id) = self.id.get() {
                return *id;
            }
            if self.handle.is_finished() {
                return self.id.get().copied().unwrap_or(0);
            }
            std::thread::yield_now();
        }
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.handle.is_finished()
    }

    pub(crate) fn name(&self) -> Option<String> {
        self.handle.name().map(str::to_owned)
    }
}

/// A deadline no wait reaches.
fn far_future() -> Instant {
    Instant::now() + Duration::from_secs(100 * 365 * 24 * 3600)
}

pub(crate) fn available_parallelism() -> usize {
    portalis_threading::thread::available_parallelism().get()
}

pub(crate) fn sleep(duration: Duration) -> Result<()> {
    std::thread::sleep(duration);
    Ok(())
}

pub(crate) fn yield_now() {
    std::thread::yield_now();
}

// ---- locks ----

/// The locks this thread holds, released when it exits, as a component
/// worker's are when it ends.
struct Held {
    owner: u64,
    mutexes: std::cell::RefCell<Vec<Arc<OwnedLock>>>,
    rwlocks: std::cell::RefCell<Vec<Arc<OwnedRwLock>>>,
}

impl Drop for Held {
    fn drop(&mut self) {
        for m in self.mutexes.get_mut().drain(..) {
            if m.holder() == Some(self.owner) {
                let _ = m.unlock(self.owner);
            }
        }
        for l in self.rwlocks.get_mut().drain(..) {
            l.release_all(self.owner);
        }
    }
}

thread_local! {
    static HELD: Held = Held {
        owner: current_id(),
        mutexes: std::cell::RefCell::new(Vec::new()),
        rwlocks: std::cell::RefCell::new(Vec::new()),
    };
}

fn note_locked(m: &Arc<OwnedLock>) {
    let _ = HELD.try_with(|h| h.mutexes.borrow_mut().push(m.clone()));
}

fn note_unlocked(m: &Arc<OwnedLock>) {
    let _ = HELD.try_with(|h| {
        let mut held = h.mutexes.borrow_mut();
        if let Some(i) = held.iter().position(|x| Arc::ptr_eq(x, m)) {
            held.swap_remove(i);
        }
    });
}

fn note_rwlock(l: &Arc<OwnedRwLock>) {
    let _ = HELD.try_with(|h| {
        let mut held = h.rwlocks.borrow_mut();
        if !held.iter().any(|x| Arc::ptr_eq(x, l)) {
            held.push(l.clone());
        }
    });
}

#[derive(Clone)]
pub(crate) struct RawMutex(Arc<OwnedLock>);
shareable!(RawMutex);

impl RawMutex {
    pub(crate) fn new() -> Result<Self> {
        Ok(Self(Arc::new(OwnedLock::new())))
    }

    pub(crate) fn lock(&self, wait: Wait) -> Result<()> {
        if self.0.lock(current_id(), wait.deadline())? {
            note_locked(&self.0);
            Ok(())
        } else {
            Err(wait.expired())
        }
    }

    pub(crate) fn unlock(&self) -> Result<()> {
        self.0.unlock(current_id())?;
        note_unlocked(&self.0);
        Ok(())
    }

    pub(crate) fn is_locked(&self) -> bool {
        self.0.is_locked()
    }
}

#[derive(Clone)]
pub(crate) struct RawRwLock(Arc<OwnedRwLock>);
shareable!(RawRwLock);

impl RawRwLock {
    pub(crate) fn new() -> Result<Self> {
        Ok(Self(Arc::new(OwnedRwLock::new())))
    }

    pub(crate) fn read(&self, wait: Wait) -> Result<()> {
        if self.0.read(current_id(), wait.deadline())? {
            note_rwlock(&self.0);
            Ok(())
        } else {
            Err(wait.expired())
        }
    }

    pub(crate) fn write(&self, wait: Wait) -> Result<()> {
        if self.0.write(current_id(), wait.deadline())? {
            note_rwlock(&self.0);
            Ok(())
        } else {
            Err(wait.expired())
        }
    }

    pub(crate) fn unlock_read(&self) -> Result<()> {
        self.0.unlock_read(current_id())
    }

    pub(crate) fn unlock_write(&self) -> Result<()> {
        self.0.unlock_write(current_id())
    }
}

#[derive(Clone)]
pub(crate) struct RawSemaphore(Arc<Semaphore>);
shareable!(RawSemaphore);

impl RawSemaphore {
    pub(crate) fn new(permits: u32, bound: Option<u32>) -> Result<Self> {
        let s = match bound {
            None => Semaphore::new(permits as usize),
            Some(b) => Semaphore::bounded(permits as usize, b as usize)?,
        };
        Ok(Self(Arc::new(s)))
    }

    pub(crate) fn acquire(&self, wait: Wait) -> Result<()> {
        let acquired = match wait.deadline() {
            None => {
                self.0.acquire();
                true
            }
            Some(d) => self.0.acquire_deadline(d),
        };
        if acquired {
            Ok(())
        } else {
            Err(wait.expired())
        }
    }

    pub(crate) fn release(&self, n: u32) -> Result<()> {
        self.0.release_many(n as usize)
    }

    pub(crate) fn available(&self) -> u32 {
        u32::try_from(self.0.available_permits()).unwrap_or(u32::MAX)
    }
}

#[derive(Clone)]
pub(crate) struct RawBarrier(Arc<Barrier>);
shareable!(RawBarrier);

impl RawBarrier {
    pub(crate) fn new(parties: u32) -> Result<Self> {
        Ok(Self(Arc::new(Barrier::new(parties as usize)?)))
    }

    pub(crate) fn wait(&self, wait: Wait) -> Result<u32> {
        let arrival = match wait.deadline() {
            None => self.0.wait(),
            Some(d) => self.0.wait_deadline(d).map_err(|e| match e {
                Error::Timeout => wait.expired(),
                e => e,
            }),
        }?;
        Ok(u32::try_from(arrival.index()).unwrap_or(u32::MAX))
    }

    pub(crate) fn abort(&self) {
        self.0.abort();
    }

    pub(crate) fn reset(&self) {
        self.0.reset();
    }

    pub(crate) fn is_broken(&self) -> bool {
        self.0.is_broken()
    }

    pub(crate) fn parties(&self) -> u32 {
        u32::try_from(self.0.parties()).unwrap_or(u32::MAX)
    }

    pub(crate) fn n_waiting(&self) -> u32 {
        u32::try_from(self.0.n_waiting()).unwrap_or(u32::MAX)
    }
}

#[derive(Clone)]
pub(crate) struct RawCondition(Arc<(Condvar, RawMutex)>);
shareable!(RawCondition);

impl RawCondition {
    pub(crate) fn new(mutex: &RawMutex) -> Result<Self> {
        Ok(Self(Arc::new((Condvar::new(), mutex.clone()))))
    }

    pub(crate) fn mutex(&self) -> RawMutex {
        self.0.1.clone()
    }

    pub(crate) fn wait(&self, wait: Wait) -> Result<()> {
        let (condvar, mutex) = &*self.0;
        if condvar.wait_on(&mutex.0.held_by(current_id()), wait.deadline())? {
            Ok(())
        } else {
            Err(wait.expired())
        }
    }

    pub(crate) fn notify(&self, n: u32) -> u32 {
        u32::try_from(self.0.0.notify(n as usize)).unwrap_or(u32::MAX)
    }

    pub(crate) fn notify_all(&self) -> u32 {
        u32::try_from(self.0.0.notify_all()).unwrap_or(u32::MAX)
    }
}

#[derive(Clone)]
pub(crate) struct RawEvent(Arc<Event>);
shareable!(RawEvent);

impl RawEvent {
    pub(crate) fn new() -> Result<Self> {
        Ok(Self(Arc::new(Event::new())))
    }

    pub(crate) fn set(&self) {
        self.0.set();
    }

    pub(crate) fn clear(&self) {
        self.0.clear();
    }

    pub(crate) fn is_set(&self) -> bool {
        self.0.is_set()
    }

    pub(crate) fn wait(&self, wait: Wait) -> Result<()> {
        let set = match wait.deadline() {
            None => {
                self.0.wait();
                true
            }
            Some(d) => self.0.wait_deadline(d),
        };
        if set { Ok(()) } else { Err(wait.expired()) }
    }
}

// ---- channels ----

/// A oneshot channel's one message: whether it was sent, and received.
#[derive(Default)]
pub(crate) struct OneMessage {
    sent: AtomicBool,
    received: AtomicBool,
}

pub(crate) struct RawSender<T> {
    tx: Sender<T>,
    oneshot: Option<Arc<OneMessage>>,
}

pub(crate) enum RawReceiver<T> {
    Queue {
        rx: Receiver<T>,
        oneshot: Option<Arc<OneMessage>>,
    },
    Subscription(Arc<dyn Subscription<T>>),
}

/// A broadcast subscriber, seen without its `T: Clone` bound.
pub(crate) trait Subscription<T>: Send + Sync {
    fn recv(&self, wait: Wait) -> Result<T>;
    fn len(&self) -> usize;
}

impl<T: Clone + Send> Subscription<T> for Subscriber<T> {
    fn recv(&self, wait: Wait) -> Result<T> {
        match wait {
            Wait::Forever => Subscriber::recv(self),
            Wait::Immediate => self.try_recv(),
            Wait::Timeout(d) => self.recv_timeout(d),
        }
    }

    fn len(&self) -> usize {
        Subscriber::len(self)
    }
}

pub(crate) struct RawBroadcaster<T>(Broadcaster<T>);

pub(crate) fn bounded<T>(capacity: usize) -> Result<(RawSender<T>, RawReceiver<T>)> {
    let (tx, rx) = portalis_threading::bounded(capacity);
    Ok((
        RawSender { tx, oneshot: None },
        RawReceiver::Queue { rx, oneshot: None },
    ))
}

pub(crate) fn unbounded<T>() -> Result<(RawSender<T>, RawReceiver<T>)> {
    let (tx, rx) = portalis_threading::unbounded();
    Ok((
        RawSender { tx, oneshot: None },
        RawReceiver::Queue { rx, oneshot: None },
    ))
}

pub(crate) fn oneshot<T>() -> Result<(RawSender<T>, RawReceiver<T>)> {
    let (tx, rx) = portalis_threading::bounded(1);
    let one = Some(Arc::new(OneMessage::default()));
    Ok((
        RawSender {
            tx,
            oneshot: one.clone(),
        },
        RawReceiver::Queue { rx, oneshot: one },
    ))
}

pub(crate) fn broadcast<T: Clone>(capacity: Option<usize>) -> Result<RawBroadcaster<T>> {
    Ok(RawBroadcaster(portalis_threading::broadcast(capacity)))
}

impl<T: Send + 'static> RawSender<T> {
    pub(crate) fn send(&self, value: T, wait: Wait) -> std::result::Result<(), SendError<T>> {
        if let Some(one) = &self.oneshot
            && one.sent.swap(true, Ordering::AcqRel)
        {
            return Err(SendError::new(value, Error::Closed));
        }
        match wait {
            Wait::Forever => self.tx.send(value),
            Wait::Immediate => self.tx.try_send(value),
            Wait::Timeout(d) => self.tx.send_timeout(value, d),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.tx.len()
    }

    pub(crate) fn capacity(&self) -> Option<usize> {
        self.tx.capacity()
    }

    pub(crate) fn try_clone(&self) -> Result<Self> {
        Ok(Self {
            tx: self.tx.clone(),
            oneshot: self.oneshot.clone(),
        })
    }

    pub(crate) fn share(&self) -> Result<u64> {
        Ok(share_any(self.try_clone()?))
    }

    pub(crate) fn open(token: u64) -> Result<Self> {
        open_any(token)
    }
}

impl<T: Send + 'static> RawReceiver<T> {
    pub(crate) fn recv(&self, wait: Wait) -> Result<T> {
        match self {
            RawReceiver::Queue { rx, oneshot } => {
                if let Some(one) = oneshot
                    && one.received.load(Ordering::Acquire)
                {
                    return Err(Error::Closed);
                }
                let got = match wait {
                    Wait::Forever => rx.recv(),
                    Wait::Immediate => rx.try_recv(),
                    Wait::Timeout(d) => rx.recv_timeout(d),
                };
                if got.is_ok()
                    && let Some(one) = oneshot
                {
                    one.received.store(true, Ordering::Release);
                }
                got
            }
            RawReceiver::Subscription(sub) => sub.recv(wait),
        }
    }

    pub(crate) fn len(&self) -> usize {
        match self {
            RawReceiver::Queue { rx, .. } => rx.len(),
            RawReceiver::Subscription(sub) => sub.len(),
        }
    }

    pub(crate) fn try_clone(&self) -> Result<Self> {
        Ok(match self {
            RawReceiver::Queue { rx, oneshot } => RawReceiver::Queue {
                rx: rx.clone(),
                oneshot: oneshot.clone(),
            },
            RawReceiver::Subscription(sub) => RawReceiver::Subscription(sub.clone()),
        })
    }

    pub(crate) fn share(&self) -> Result<u64> {
        Ok(share_any(self.try_clone()?))
    }

    pub(crate) fn open(token: u64) -> Result<Self> {
        open_any(token)
    }
}

impl<T: Clone + Send + 'static> RawBroadcaster<T> {
    pub(crate) fn send(&self, value: &T, wait: Wait) -> Result<usize> {
        match wait {
            Wait::Forever => self.0.send(value.clone()),
            Wait::Immediate => self.0.try_send(value.clone()).map_err(Error::from),
            Wait::Timeout(d) => self.0.send_timeout(value.clone(), d).map_err(Error::from),
        }
    }

    pub(crate) fn subscribe(&self) -> Result<RawReceiver<T>> {
        let sub: Arc<dyn Subscription<T>> = Arc::new(self.0.subscribe());
        Ok(RawReceiver::Subscription(sub))
    }

    pub(crate) fn try_clone(&self) -> Result<Self> {
        Ok(Self(self.0.clone()))
    }

    pub(crate) fn share(&self) -> Result<u64> {
        Ok(share_any(self.try_clone()?))
    }

    pub(crate) fn open(token: u64) -> Result<Self> {
        open_any(token)
    }
}

// ---- pools ----

/// Bumped whenever a pool task ends, so `wait_any` can wait for it.
static COMPLETIONS: Mutex<u64> = Mutex::new(0);

fn completions() -> &'static Condvar {
    static COMPLETED: OnceLock<Condvar> = OnceLock::new();
    COMPLETED.get_or_init(Condvar::new)
}

/// Announces a task's end, also when it panicked.
struct Completion(Arc<AtomicBool>);

impl Drop for Completion {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Release);
        *COMPLETIONS.lock() += 1;
        completions().notify_all();
    }
}

#[derive(Clone)]
pub(crate) struct RawPool(Arc<ThreadPool>);
shareable!(RawPool);

pub(crate) struct RawTask<R> {
    handle: TaskHandle<R>,
    finished: Arc<AtomicBool>,
}

impl<R> RawTask<R> {
    /// Finished, or cancelled (then it never runs).
    fn is_over(&self) -> bool {
        self.finished.load(Ordering::Acquire) || self.handle.state() == TaskState::Cancelled
    }
}

impl RawPool {
    pub(crate) fn new(workers: usize) -> Result<Self> {
        let pool = portalis_threading::ThreadPoolBuilder::new()
            .num_threads(workers)
            .thread_name_prefix("portalis-pool-")
            .build()?;
        Ok(Self(Arc::new(pool)))
    }

    pub(crate) fn workers(&self) -> usize {
        self.0.current_num_threads()
    }

    pub(crate) fn submit<T: Task>(&self, input: T::Input) -> Result<RawTask<T::Output>> {
        let finished = Arc::new(AtomicBool::new(false));
        let done = Completion(finished.clone());
        let handle = self.0.submit(move || {
            let _done = done;
            T::run(input)
        })?;
        Ok(RawTask { handle, finished })
    }

    pub(crate) fn map<T: Task>(&self, inputs: Vec<T::Input>) -> Result<Vec<RawTask<T::Output>>> {
        inputs.into_iter().map(|i| self.submit::<T>(i)).collect()
    }

    pub(crate) fn shutdown(&self, cancel_pending: bool, wait: Wait) -> Result<()> {
        let timeout = match wait {
            Wait::Forever => None,
            Wait::Immediate => Some(Duration::ZERO),
            Wait::Timeout(d) => Some(d),
        };
        let result = if cancel_pending {
            self.0.shutdown_now(timeout)
        } else {
            self.0.shutdown(timeout)
        };
        match (result, wait) {
            (Err(Error::Timeout), Wait::Immediate) => Ok(()),
            (r, _) => r,
        }
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.0.is_shutdown()
    }
}

impl<R> RawTask<R> {
    pub(crate) fn wait(&mut self, wait: Wait) -> Result<R> {
        match wait.deadline() {
            None => self.handle.wait_deadline(far_future()),
            Some(d) => self.handle.wait_deadline(d).map_err(|e| match e {
                Error::Timeout => wait.expired(),
                e => e,
            }),
        }
    }

    pub(crate) fn cancel(&self) -> bool {
        self.handle.cancel()
    }

    pub(crate) fn state(&self) -> TaskState {
        self.handle.state()
    }
}

pub(crate) fn wait_any<R>(tasks: &[&RawTask<R>], wait: Wait) -> Result<usize> {
    if tasks.is_empty() {
        return Err(Error::InvalidArgument("wait_any of no tasks".into()));
    }
    // Cancelling announces nothing, so wait in slices that re-check.
    const SLICE: Duration = Duration::from_millis(20);
    let deadline = wait.deadline();
    let mut generation = COMPLETIONS.lock();
    loop {
        if let Some(i) = tasks.iter().position(|t| t.is_over()) {
            return Ok(i);
        }
        let now = Instant::now();
        let slice_end = now + SLICE;
        match deadline {
            Some(d) if d <= now => return Err(wait.expired()),
            Some(d) if d < slice_end => {
                completions().wait_deadline(&mut generation, d);
            }
            _ => {
                completions().wait_deadline(&mut generation, slice_end);
            }
        }
    }
}
