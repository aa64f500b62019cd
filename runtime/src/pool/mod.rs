//! A thread pool on rayon: tasks with handles, `install`, `scope`, `map`,
//! and a shutdown that joins every worker.
//!
//! rayon gives the work-stealing scheduler. What this module adds:
//! - a [`TaskHandle`] per submitted task, whose result travels on a
//!   spin-then-park oneshot (a parking-only channel costs several
//!   microseconds more per round trip);
//! - panics caught per task, so a panicking task never takes a worker or the
//!   process down (rayon aborts on a panic in `spawn` by default);
//! - cancellation of tasks that have not started;
//! - worker threads started through a [`ThreadingBackend`], with a live
//!   count, so that [`ThreadPool::shutdown`] and `Drop` return only once
//!   every worker has exited (rayon's own pool lets them exit later).

pub(crate) mod task;

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use rayon::prelude::*;

use self::task::{TaskCell, TaskHandle};
use crate::atomic::counter::AtomicCounter;
use crate::backend::{NativeBackend, ThreadOptions, ThreadingBackend};
use crate::channel::oneshot::oneshot;
use crate::loom::sync::atomic::{AtomicBool, Ordering};
use crate::loom::sync::{Arc, Condvar, Mutex};
use crate::loom::wait_until;
use crate::sync::rwlock::RwLock;
use crate::{Error, Result, deadline, panic};

type Reaper = Box<dyn FnOnce() -> Result<()> + Send>;

struct Shared {
    /// Worker threads that have not exited yet.
    live: Mutex<usize>,
    exited: Condvar,
    reapers: Mutex<Vec<Reaper>>,
    cancel_pending: AtomicBool,
    panics: AtomicCounter,
}

impl Shared {
    fn thread_exited(&self) {
        let mut live = self.live.lock();
        *live -= 1;
        if *live == 0 {
            self.exited.notify_all();
        }
    }
}

/// Configures a [`ThreadPool`].
///
/// # Examples
/// ```
/// let pool = portalis_threading::ThreadPoolBuilder::new()
///     .num_threads(2)
///     .thread_name_prefix("render-")
///     .build()
///     .unwrap();
/// assert_eq!(pool.current_num_threads(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct ThreadPoolBuilder {
    num_threads: usize,
    name_prefix: Option<String>,
    stack_size: Option<usize>,
}

impl ThreadPoolBuilder {
    /// A builder for a pool with one thread per available core.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the number of threads; 0 means
    /// [`available_parallelism`](crate::thread::available_parallelism).
    pub fn num_threads(mut self, n: usize) -> Self {
        self.num_threads = n;
        self
    }

    /// Names threads `{prefix}{index}`.
    pub fn thread_name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.name_prefix = Some(prefix.into());
        self
    }

    /// Sets each thread's stack size in bytes.
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = Some(bytes);
        self
    }

    /// Builds the pool on native threads.
    ///
    /// # Errors
    /// [`Error::Limit`] if the threads cannot be started.
    pub fn build(self) -> Result<ThreadPool> {
        self.build_on(&NativeBackend)
    }

    /// Builds the pool on threads from `backend`.
    ///
    /// # Errors
    /// The backend's error if it cannot start the threads.
    pub fn build_on<B>(self, backend: &B) -> Result<ThreadPool>
    where
        B: ThreadingBackend + Clone + 'static,
    {
        let threads = match self.num_threads {
            0 => backend.available_parallelism().get(),
            n => n,
        };
        let shared = Arc::new(Shared {
            live: Mutex::new(0),
            exited: Condvar::new(),
            reapers: Mutex::new(Vec::new()),
            cancel_pending: AtomicBool::new(false),
            panics: AtomicCounter::new(0),
        });
        let mut builder = rayon::ThreadPoolBuilder::new().num_threads(threads);
        if let Some(prefix) = self.name_prefix {
            builder = builder.thread_name(move |i| format!("{prefix}{i}"));
        }
        if let Some(size) = self.stack_size {
            builder = builder.stack_size(size);
        }
        let on_panic = shared.clone();
        let spawner = shared.clone();
        let backend = backend.clone();
        let pool = builder
            .panic_handler(move |_| {
                on_panic.panics.increment();
            })
            .spawn_handler(move |thread: rayon::ThreadBuilder| {
                let options = ThreadOptions {
                    name: thread.name().map(str::to_owned),
                    stack_size: thread.stack_size(),
                };
                let exit = spawner.clone();
                *spawner.live.lock() += 1;
                let started = backend.spawn(
                    &options,
                    Box::new(move || {
                        thread.run();
                        exit.thread_exited();
                    }),
                );
                match started {
                    Ok(handle) => {
                        let backend = backend.clone();
                        spawner
                            .reapers
                            .lock()
                            .push(Box::new(move || backend.join(handle)));
                        Ok(())
                    }
                    Err(e) => {
                        spawner.thread_exited();
                        Err(std::io::Error::other(e.to_string()))
                    }
                }
            })
            .build()
            .map_err(|e| Error::Limit(format!("cannot start the pool's threads: {e}")))?;
        Ok(ThreadPool {
            pool: RwLock::new(Some(Arc::new(pool))),
            threads,
            shared,
        })
    }
}

/// A pool of worker threads running tasks.
///
/// Tasks go in with [`submit`](Self::submit) (with a [`TaskHandle`]) or
/// [`spawn`](Self::spawn) (fire and forget); data-parallel work with
/// [`map`](Self::map), [`install`](Self::install) and
/// [`scope`](Self::scope). A panicking task is caught: its handle returns
/// [`Error::Panicked`] and the worker goes on.
///
/// [`shutdown`](Self::shutdown) stops the pool, lets queued tasks finish and
/// joins every worker; dropping the pool does the same.
///
/// # Examples
/// ```
/// use portalis_threading::ThreadPool;
///
/// let pool = ThreadPool::new(2).unwrap();
/// let task = pool.submit(|| (1..=10).sum::<u32>()).unwrap();
/// assert_eq!(task.wait(), Ok(55));
/// assert_eq!(pool.map(1..=4, |x| x * x).unwrap(), [1, 4, 9, 16]);
/// pool.shutdown(None).unwrap();
/// ```
pub struct ThreadPool {
    pool: RwLock<Option<Arc<rayon::ThreadPool>>>,
    threads: usize,
    shared: Arc<Shared>,
}

impl ThreadPool {
    /// A pool of `threads` native threads (0: one per core).
    ///
    /// # Errors
    /// [`Error::Limit`] if the threads cannot be started.
    pub fn new(threads: usize) -> Result<Self> {
        ThreadPoolBuilder::new().num_threads(threads).build()
    }

    /// A builder for a configured pool.
    pub fn builder() -> ThreadPoolBuilder {
        ThreadPoolBuilder::new()
    }

    /// The number of worker threads.
    pub fn current_num_threads(&self) -> usize {
        self.threads
    }

    /// Queues `f` and returns a handle to its result. Never blocks.
    ///
    /// # Errors
    /// [`Error::Closed`] after shutdown.
    pub fn submit<F, T>(&self, f: F) -> Result<TaskHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = oneshot();
        let cell = TaskCell::new();
        let job_cell = cell.clone();
        let shared = self.shared.clone();
        let job = move || {
            if shared.cancel_pending.load(Ordering::Relaxed) {
                job_cell.cancel();
            }
            if !job_cell.start() {
                return; // cancelled: dropping `tx` tells the handle
            }
            let result = catch_unwind(AssertUnwindSafe(f))
                .map_err(|payload| Error::Panicked(panic::message(&*payload)));
            job_cell.finish();
            let _ = tx.send(result);
        };
        self.with_pool(|pool| pool.spawn(job))?;
        Ok(TaskHandle {
            result: rx,
            cell,
            taken: false,
        })
    }

    /// Queues `f` without a handle. Never blocks. A panic in `f` is caught
    /// and counted in [`panicked_tasks`](Self::panicked_tasks).
    ///
    /// # Errors
    /// [`Error::Closed`] after shutdown.
    pub fn spawn<F>(&self, f: F) -> Result<()>
    where
        F: FnOnce() + Send + 'static,
    {
        let shared = self.shared.clone();
        self.with_pool(|pool| {
            pool.spawn(move || {
                if shared.cancel_pending.load(Ordering::Relaxed) {
                    return;
                }
                if catch_unwind(AssertUnwindSafe(f)).is_err() {
                    shared.panics.increment();
                }
            });
        })
    }

    /// Runs `op` on a pool thread, so that rayon's parallel iterators inside
    /// it use this pool, and waits for it. A panic in `op` propagates.
    ///
    /// # Errors
    /// [`Error::Closed`] after shutdown.
    pub fn install<OP, R>(&self, op: OP) -> Result<R>
    where
        OP: FnOnce() -> R + Send,
        R: Send,
    {
        Ok(self.handle()?.install(op))
    }

    /// Runs `a` and `b`, possibly in parallel, and returns both results. A
    /// panic in either propagates.
    ///
    /// # Errors
    /// [`Error::Closed`] after shutdown.
    pub fn join<A, B, RA, RB>(&self, a: A, b: B) -> Result<(RA, RB)>
    where
        A: FnOnce() -> RA + Send,
        B: FnOnce() -> RB + Send,
        RA: Send,
        RB: Send,
    {
        self.install(|| rayon::join(a, b))
    }

    /// Creates a scope in which tasks may borrow from the caller's stack;
    /// returns once every task spawned in it has finished. A panic in a task
    /// propagates.
    ///
    /// # Errors
    /// [`Error::Closed`] after shutdown.
    ///
    /// # Examples
    /// ```
    /// let pool = portalis_threading::ThreadPool::new(2).unwrap();
    /// let mut halves = [0u64; 2];
    /// let (left, right) = halves.split_at_mut(1);
    /// pool.scope(|s| {
    ///     s.spawn(|_| left[0] = (0..50).sum());
    ///     s.spawn(|_| right[0] = (50..100).sum());
    /// })
    /// .unwrap();
    /// assert_eq!(halves[0] + halves[1], 4950);
    /// ```
    pub fn scope<'scope, OP, R>(&self, op: OP) -> Result<R>
    where
        OP: FnOnce(&Scope<'_, 'scope>) -> R + Send,
        R: Send,
    {
        Ok(self.handle()?.scope(move |inner| op(&Scope { inner })))
    }

    /// Applies `f` to every item in parallel and returns the results in
    /// input order.
    ///
    /// # Errors
    /// [`Error::Panicked`] if `f` panicked for some item (the other items
    /// still ran); [`Error::Closed`] after shutdown.
    pub fn map<T, R, F>(&self, items: impl IntoIterator<Item = T>, f: F) -> Result<Vec<R>>
    where
        T: Send,
        R: Send,
        F: Fn(T) -> R + Send + Sync,
    {
        let items: Vec<T> = items.into_iter().collect();
        self.handle()?
            .install(|| catch_unwind(AssertUnwindSafe(|| items.into_par_iter().map(&f).collect())))
            .map_err(|payload| Error::Panicked(panic::message(&*payload)))
    }

    /// How many tasks queued with [`spawn`](Self::spawn) panicked.
    pub fn panicked_tasks(&self) -> u64 {
        self.shared.panics.get()
    }

    /// Whether the pool was shut down.
    pub fn is_shutdown(&self) -> bool {
        self.pool.read().is_none()
    }

    /// Stops accepting tasks, lets queued and running tasks finish, and
    /// joins every worker, waiting at most `timeout` (`None`: no limit).
    ///
    /// On [`Error::Timeout`] the workers go on finishing their tasks; call
    /// again (or drop the pool) to join them. Calling it again after success
    /// is harmless.
    ///
    /// # Errors
    /// [`Error::Timeout`]; [`Error::InvalidState`] if called from one of the
    /// pool's own threads, which cannot wait for themselves.
    pub fn shutdown(&self, timeout: Option<Duration>) -> Result<()> {
        self.shutdown_with(false, timeout)
    }

    /// As [`shutdown`](Self::shutdown), but tasks that have not started are
    /// cancelled: their handles return [`Error::Cancelled`].
    ///
    /// # Errors
    /// As for [`shutdown`](Self::shutdown).
    pub fn shutdown_now(&self, timeout: Option<Duration>) -> Result<()> {
        self.shutdown_with(true, timeout)
    }

    fn shutdown_with(&self, cancel_pending: bool, timeout: Option<Duration>) -> Result<()> {
        if self.on_own_thread() {
            return Err(Error::InvalidState(
                "a pool cannot be shut down from one of its own threads".into(),
            ));
        }
        if cancel_pending {
            self.shared.cancel_pending.store(true, Ordering::Relaxed);
        }
        // Dropping rayon's pool (once no `install` holds it) tells its
        // threads to exit after the queued jobs.
        drop(self.pool.write().take());
        let deadline = timeout.and_then(deadline::after);
        let mut live = self.shared.live.lock();
        while *live > 0 {
            let (guard, expired) = wait_until(&self.shared.exited, live, deadline);
            live = guard;
            if expired {
                return Err(Error::Timeout);
            }
        }
        drop(live);
        let reapers = std::mem::take(&mut *self.shared.reapers.lock());
        for reap in reapers {
            reap()?;
        }
        Ok(())
    }

    fn on_own_thread(&self) -> bool {
        self.pool
            .read()
            .as_ref()
            .is_some_and(|p| p.current_thread_index().is_some())
    }

    fn handle(&self) -> Result<Arc<rayon::ThreadPool>> {
        self.pool.read().as_ref().cloned().ok_or(Error::Closed)
    }

    #[inline]
    fn with_pool<R>(&self, f: impl FnOnce(&rayon::ThreadPool) -> R) -> Result<R> {
        match &*self.pool.read() {
            Some(pool) => Ok(f(pool)),
            None => Err(Error::Closed),
        }
    }
}

impl Drop for ThreadPool {
    /// Shuts the pool down and joins its workers (see
    /// [`shutdown`](ThreadPool::shutdown)); from one of the pool's own
    /// threads it only stops the pool, since a thread cannot join itself.
    fn drop(&mut self) {
        if self.on_own_thread() {
            drop(self.pool.write().take());
        } else {
            let _ = self.shutdown_with(false, None);
        }
    }
}

impl fmt::Debug for ThreadPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ThreadPool")
            .field("threads", &self.threads)
            .field("shutdown", &self.is_shutdown())
            .finish_non_exhaustive()
    }
}

/// A scope created by [`ThreadPool::scope`]: tasks spawned in it may borrow
/// anything that outlives the scope.
pub struct Scope<'a, 'scope> {
    inner: &'a rayon::Scope<'scope>,
}

impl<'scope> Scope<'_, 'scope> {
    /// Spawns `f` into the scope; the scope waits for it.
    pub fn spawn<F>(&self, f: F)
    where
        F: FnOnce(&Scope<'_, 'scope>) + Send + 'scope,
    {
        self.inner.spawn(move |inner| f(&Scope { inner }));
    }
}

impl fmt::Debug for Scope<'_, '_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scope").finish_non_exhaustive()
    }
}
