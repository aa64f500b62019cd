//! The component backend (`wasm32-wasip2`): every object is a host object
//! reached through the `portalis:threading` imports, and values cross as
//! payloads encoded with the runtime's codec.

use std::marker::PhantomData;
use std::sync::Once;
use std::time::Duration;

use portalis_threading::{Codec, Error, Result, SendError, TaskState};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::Wait;
use crate::Task;
use crate::bindings::portalis::threading as wit;

impl From<Wait> for wit::types::Wait {
    fn from(w: Wait) -> Self {
        match w {
            Wait::Forever => wit::types::Wait::Forever,
            Wait::Immediate => wit::types::Wait::Immediate,
            Wait::Timeout(d) => {
                wit::types::Wait::Timeout(u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
            }
        }
    }
}

/// The host's error as the runtime's.
fn err(e: wit::types::Error) -> Error {
    use wit::types::Error as E;
    match e {
        E::Timeout => Error::Timeout,
        E::WouldBlock => Error::WouldBlock,
        E::Closed => Error::Closed,
        E::Panicked(m) => Error::Panicked(m),
        E::Broken => Error::Broken,
        E::Cancelled => Error::Cancelled,
        E::Limit(m) => Error::Limit(m),
        E::InvalidArgument(m) => Error::InvalidArgument(m),
        E::InvalidState(m) => Error::InvalidState(m),
        E::InvalidToken => Error::InvalidToken,
        E::UnknownEntry(m) => Error::UnknownEntry(m),
        E::Unsupported(m) => Error::Unsupported(m),
    }
}

/// The runtime's error as the host's.
fn to_wit(e: Error) -> wit::types::Error {
    use wit::types::Error as E;
    match e {
        Error::Timeout => E::Timeout,
        Error::WouldBlock => E::WouldBlock,
        Error::Closed => E::Closed,
        Error::Panicked(m) => E::Panicked(m),
        Error::Broken => E::Broken,
        Error::Cancelled => E::Cancelled,
        Error::Limit(m) => E::Limit(m),
        Error::InvalidArgument(m) | Error::Codec(m) => E::InvalidArgument(m),
        Error::InvalidState(m) => E::InvalidState(m),
        Error::InvalidToken => E::InvalidToken,
        Error::UnknownEntry(m) => E::UnknownEntry(m),
        Error::Unsupported(m) => E::Unsupported(m),
        other => E::InvalidState(other.to_string()),
    }
}

fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    Codec::new().encode(value)
}

fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    Codec::new().decode(bytes)
}

/// Reports a panic's message to the host before the instance traps (wasm
/// cannot unwind), so whoever joins this worker learns why it failed.
pub(crate) fn install_panic_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            default(info);
            let payload = info.payload();
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "panic with a non-string payload".to_owned());
            let message = match info.location() {
                Some(at) => format!("{message} (at {}:{})", at.file(), at.line()),
                None => message,
            };
            wit::thread::report_panic(&message);
        }));
    });
}

macro_rules! shareable {
    ($raw:ident, $wit:path) => {
        impl $raw {
            pub(crate) fn share(&self) -> Result<u64> {
                self.0.share().map_err(err)
            }

            pub(crate) fn open(token: u64) -> Result<Self> {
                <$wit>::open(token).map(Self).map_err(err)
            }

            pub(crate) fn try_clone(&self) -> Result<Self> {
                Self::open(self.share()?)
            }
        }
    };
}

// ---- threads ----

pub(crate) struct RawThread<R> {
    thread: wit::thread::Thread,
    _output: PhantomData<fn() -> R>,
}

impl<R: DeserializeOwned> RawThread<R> {
    pub(crate) fn spawn<T: Task<Output = R>>(
        input: T::Input,
        name: Option<String>,
    ) -> Result<Self> {
        install_panic_hook();
        let bytes = encode(&input)?;
        let thread = wit::thread::spawn(T::NAME, &bytes, &wit::thread::SpawnOptions { name })
            .map_err(err)?;
        Ok(Self {
            thread,
            _output: PhantomData,
        })
    }

    pub(crate) fn join(&mut self, wait: Wait) -> Result<R> {
        let bytes = self.thread.join(wait.into()).map_err(err)?;
        decode(&bytes)
    }

    pub(crate) fn id(&self) -> u64 {
        self.thread.id()
    }

    pub(crate) fn name(&self) -> Option<String> {
        self.thread.name()
    }

    pub(crate) fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }
}

pub(crate) fn current_id() -> u64 {
    wit::thread::current_id()
}

pub(crate) fn available_parallelism() -> usize {
    wit::thread::available_parallelism().max(1) as usize
}

pub(crate) fn sleep(duration: Duration) -> Result<()> {
    wit::thread::sleep(u64::try_from(duration.as_nanos()).unwrap_or(u64::MAX)).map_err(err)
}

pub(crate) fn yield_now() {
    wit::thread::yield_now();
}

// ---- locks ----

pub(crate) struct RawMutex(wit::lock::Mutex);
shareable!(RawMutex, wit::lock::Mutex);

impl RawMutex {
    pub(crate) fn new() -> Result<Self> {
        wit::lock::Mutex::new().map(Self).map_err(err)
    }

    pub(crate) fn lock(&self, wait: Wait) -> Result<()> {
        self.0.lock(wait.into()).map_err(err)
    }

    pub(crate) fn unlock(&self) -> Result<()> {
        self.0.unlock().map_err(err)
    }

    pub(crate) fn is_locked(&self) -> bool {
        self.0.is_locked()
    }
}

pub(crate) struct RawRwLock(wit::lock::Rwlock);
shareable!(RawRwLock, wit::lock::Rwlock);

impl RawRwLock {
    pub(crate) fn new() -> Result<Self> {
        wit::lock::Rwlock::new().map(Self).map_err(err)
    }

    pub(crate) fn read(&self, wait: Wait) -> Result<()> {
        self.0.read(wait.into()).map_err(err)
    }

    pub(crate) fn write(&self, wait: Wait) -> Result<()> {
        self.0.write(wait.into()).map_err(err)
    }

    pub(crate) fn unlock_read(&self) -> Result<()> {
        self.0.unlock_read().map_err(err)
    }

    pub(crate) fn unlock_write(&self) -> Result<()> {
        self.0.unlock_write().map_err(err)
    }
}

pub(crate) struct RawSemaphore(wit::lock::Semaphore);
shareable!(RawSemaphore, wit::lock::Semaphore);

impl RawSemaphore {
    pub(crate) fn new(permits: u32, bound: Option<u32>) -> Result<Self> {
        wit::lock::Semaphore::new(permits, bound)
            .map(Self)
            .map_err(err)
    }

    pub(crate) fn acquire(&self, wait: Wait) -> Result<()> {
        self.0.acquire(wait.into()).map_err(err)
    }

    pub(crate) fn release(&self, n: u32) -> Result<()> {
        self.0.release(n).map_err(err)
    }

    pub(crate) fn available(&self) -> u32 {
        self.0.available()
    }
}

pub(crate) struct RawBarrier(wit::lock::Barrier);
shareable!(RawBarrier, wit::lock::Barrier);

impl RawBarrier {
    pub(crate) fn new(parties: u32) -> Result<Self> {
        wit::lock::Barrier::new(parties).map(Self).map_err(err)
    }

    pub(crate) fn wait(&self, wait: Wait) -> Result<u32> {
        self.0.wait(wait.into()).map_err(err)
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
        self.0.parties()
    }

    pub(crate) fn n_waiting(&self) -> u32 {
        self.0.n_waiting()
    }
}

pub(crate) struct RawCondition(wit::lock::Condition);
shareable!(RawCondition, wit::lock::Condition);

impl RawCondition {
    pub(crate) fn new(mutex: &RawMutex) -> Result<Self> {
        wit::lock::Condition::new(&mutex.0).map(Self).map_err(err)
    }

    pub(crate) fn mutex(&self) -> RawMutex {
        RawMutex(self.0.mutex())
    }

    pub(crate) fn wait(&self, wait: Wait) -> Result<()> {
        self.0.wait(wait.into()).map_err(err)
    }

    pub(crate) fn notify(&self, n: u32) -> u32 {
        self.0.notify(n)
    }

    pub(crate) fn notify_all(&self) -> u32 {
        self.0.notify_all()
    }
}

pub(crate) struct RawEvent(wit::lock::Event);
shareable!(RawEvent, wit::lock::Event);

impl RawEvent {
    pub(crate) fn new() -> Result<Self> {
        wit::lock::Event::new().map(Self).map_err(err)
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
        self.0.wait(wait.into()).map_err(err)
    }
}

// ---- channels ----

pub(crate) struct RawSender<T> {
    end: wit::channel::Sender,
    _value: PhantomData<fn(T)>,
}

pub(crate) struct RawReceiver<T> {
    end: wit::channel::Receiver,
    _value: PhantomData<fn() -> T>,
}

pub(crate) struct RawBroadcaster<T> {
    end: wit::channel::Broadcaster,
    _value: PhantomData<fn(T)>,
}

fn ends<T>(
    (tx, rx): (wit::channel::Sender, wit::channel::Receiver),
) -> (RawSender<T>, RawReceiver<T>) {
    (
        RawSender {
            end: tx,
            _value: PhantomData,
        },
        RawReceiver {
            end: rx,
            _value: PhantomData,
        },
    )
}

pub(crate) fn bounded<T>(capacity: usize) -> Result<(RawSender<T>, RawReceiver<T>)> {
    let capacity = u32::try_from(capacity)
        .map_err(|_| Error::InvalidArgument(format!("capacity {capacity} is too large")))?;
    wit::channel::bounded(capacity).map(ends).map_err(err)
}

pub(crate) fn unbounded<T>() -> Result<(RawSender<T>, RawReceiver<T>)> {
    wit::channel::unbounded().map(ends).map_err(err)
}

pub(crate) fn oneshot<T>() -> Result<(RawSender<T>, RawReceiver<T>)> {
    wit::channel::oneshot().map(ends).map_err(err)
}

pub(crate) fn broadcast<T>(capacity: Option<usize>) -> Result<RawBroadcaster<T>> {
    let capacity = capacity.map(|c| u32::try_from(c).unwrap_or(u32::MAX));
    wit::channel::broadcast(capacity)
        .map(|end| RawBroadcaster {
            end,
            _value: PhantomData,
        })
        .map_err(err)
}

impl<T: Serialize> RawSender<T> {
    pub(crate) fn send(&self, value: T, wait: Wait) -> std::result::Result<(), SendError<T>> {
        let bytes = match encode(&value) {
            Ok(b) => b,
            Err(e) => return Err(SendError::new(value, e)),
        };
        self.end
            .send(&bytes, wait.into())
            .map_err(|e| SendError::new(value, err(e)))
    }

    pub(crate) fn len(&self) -> usize {
        self.end.len() as usize
    }

    pub(crate) fn capacity(&self) -> Option<usize> {
        self.end.capacity().map(|c| c as usize)
    }

    pub(crate) fn try_clone(&self) -> Result<Self> {
        Ok(Self {
            end: self.end.clone(),
            _value: PhantomData,
        })
    }

    pub(crate) fn share(&self) -> Result<u64> {
        self.end.share().map_err(err)
    }

    pub(crate) fn open(token: u64) -> Result<Self> {
        wit::channel::Sender::open(token)
            .map(|end| Self {
                end,
                _value: PhantomData,
            })
            .map_err(err)
    }
}

impl<T: DeserializeOwned> RawReceiver<T> {
    pub(crate) fn recv(&self, wait: Wait) -> Result<T> {
        let bytes = self.end.recv(wait.into()).map_err(err)?;
        decode(&bytes)
    }

    pub(crate) fn len(&self) -> usize {
        self.end.len() as usize
    }

    pub(crate) fn try_clone(&self) -> Result<Self> {
        Ok(Self {
            end: self.end.clone(),
            _value: PhantomData,
        })
    }

    pub(crate) fn share(&self) -> Result<u64> {
        self.end.share().map_err(err)
    }

    pub(crate) fn open(token: u64) -> Result<Self> {
        wit::channel::Receiver::open(token)
            .map(|end| Self {
                end,
                _value: PhantomData,
            })
            .map_err(err)
    }
}

impl<T: Serialize> RawBroadcaster<T> {
    pub(crate) fn send(&self, value: &T, wait: Wait) -> Result<usize> {
        let bytes = encode(value)?;
        self.end
            .send(&bytes, wait.into())
            .map(|n| n as usize)
            .map_err(err)
    }

    pub(crate) fn subscribe(&self) -> Result<RawReceiver<T>> {
        self.end
            .subscribe()
            .map(|end| RawReceiver {
                end,
                _value: PhantomData,
            })
            .map_err(err)
    }

    pub(crate) fn share(&self) -> Result<u64> {
        self.end.share().map_err(err)
    }

    pub(crate) fn open(token: u64) -> Result<Self> {
        wit::channel::Broadcaster::open(token)
            .map(|end| Self {
                end,
                _value: PhantomData,
            })
            .map_err(err)
    }

    pub(crate) fn try_clone(&self) -> Result<Self> {
        Self::open(self.share()?)
    }
}

// ---- pools ----

pub(crate) struct RawPool(wit::executor::Pool);
shareable!(RawPool, wit::executor::Pool);

pub(crate) struct RawTask<R> {
    task: wit::executor::Task,
    _output: PhantomData<fn() -> R>,
}

impl RawPool {
    pub(crate) fn new(workers: usize) -> Result<Self> {
        install_panic_hook();
        let workers = u32::try_from(workers).unwrap_or(u32::MAX);
        wit::executor::Pool::new(workers).map(Self).map_err(err)
    }

    pub(crate) fn workers(&self) -> usize {
        self.0.workers() as usize
    }

    pub(crate) fn submit<T: Task>(&self, input: T::Input) -> Result<RawTask<T::Output>> {
        let bytes = encode(&input)?;
        let task = self.0.submit(T::NAME, &bytes).map_err(err)?;
        Ok(RawTask {
            task,
            _output: PhantomData,
        })
    }

    pub(crate) fn map<T: Task>(&self, inputs: Vec<T::Input>) -> Result<Vec<RawTask<T::Output>>> {
        let payloads = inputs.iter().map(encode).collect::<Result<Vec<_>>>()?;
        let tasks = self.0.map(T::NAME, &payloads).map_err(err)?;
        Ok(tasks
            .into_iter()
            .map(|task| RawTask {
                task,
                _output: PhantomData,
            })
            .collect())
    }

    pub(crate) fn shutdown(&self, cancel_pending: bool, wait: Wait) -> Result<()> {
        self.0.shutdown(cancel_pending, wait.into()).map_err(err)
    }

    pub(crate) fn is_shutdown(&self) -> bool {
        self.0.is_shutdown()
    }
}

impl<R: DeserializeOwned> RawTask<R> {
    pub(crate) fn wait(&mut self, wait: Wait) -> Result<R> {
        let bytes = self.task.wait(wait.into()).map_err(err)?;
        decode(&bytes)
    }

    pub(crate) fn cancel(&self) -> bool {
        self.task.cancel()
    }

    pub(crate) fn state(&self) -> TaskState {
        match self.task.state() {
            wit::executor::TaskState::Pending => TaskState::Pending,
            wit::executor::TaskState::Running => TaskState::Running,
            wit::executor::TaskState::Done => TaskState::Done,
            wit::executor::TaskState::Cancelled => TaskState::Cancelled,
        }
    }
}

pub(crate) fn wait_any<R>(tasks: &[&RawTask<R>], wait: Wait) -> Result<usize> {
    let tasks: Vec<&wit::executor::Task> = tasks.iter().map(|t| &t.task).collect();
    wit::executor::wait_any(&tasks, wait.into())
        .map(|i| i as usize)
        .map_err(err)
}

/// The `worker` export: runs this component's tasks, forwards the rest.
pub(crate) mod worker_export {
    pub use crate::bindings::exports::portalis::threading::worker::Guest as WorkerGuest;
    use crate::bindings::portalis::threading as wit;
    use crate::internal::{TaskEntry, find};

    /// Runs `entry` if it is one of `tasks`; otherwise asks the next stage.
    pub fn run_entry(
        tasks: &[TaskEntry],
        entry: String,
        input: Vec<u8>,
    ) -> Result<Vec<u8>, wit::types::Error> {
        super::install_panic_hook();
        match find(tasks, &entry) {
            Some(task) => (task.run)(&input).map_err(super::to_wit),
            None => wit::worker::run(&entry, &input),
        }
    }

    /// This component's entries, then the next stage's.
    pub fn entries(tasks: &[TaskEntry]) -> Vec<String> {
        let mut names: Vec<String> = tasks.iter().map(|t| t.name.to_owned()).collect();
        names.extend(wit::worker::entries());
        names
    }
}
