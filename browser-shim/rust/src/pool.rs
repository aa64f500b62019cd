//! [`WebWorkerPool`]: pre-started Web Workers over the program's shared
//! memory.
//!
//! # Design
//! - **Shared state, not messages.** The queue, each worker's status and
//!   current task, the count of ready workers and an *epoch* word live in
//!   [`Shared`], in the shared memory. `spawn` pushes a job and bumps the
//!   epoch with `memory.atomic.notify`; it never posts a message and never
//!   blocks, so it works from the page, from a worker, and from a task that
//!   then blocks in `join` (field notes: a pool that learns idleness by
//!   `postMessage` deadlocks while the spawner blocks).
//! - **Idle workers wait asynchronously** (`Atomics.waitAsync` on the epoch,
//!   in `worker.js`), so an idle worker's event loop stays free.
//! - **The owner** (the thread that built the pool) holds the JS `Worker`
//!   objects, which cannot leave it. It only reacts to events: a worker that
//!   died (its task panicked or trapped) is replaced and its stack and TLS
//!   freed with wasm-bindgen's `__wbindgen_thread_destroy`. Workers start
//!   only when the owner yields to its event loop, so building a pool is a
//!   Future that resolves once every worker is ready (pre-warming).
//! - **Teardown.** Dropping the pool closes it: queued and running tasks
//!   finish, then each worker exits, freeing its own stack and TLS.
//!   [`WebWorkerPool::terminate`] stops at once: pending tasks are cancelled,
//!   workers running a task are terminated (their joiners get
//!   [`Error::Closed`]; such a worker's stack cannot be freed safely, since
//!   `Worker.terminate` does not say when the thread has stopped), and idle
//!   workers exit and free their stacks.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{
    Blob, BlobPropertyBag, ErrorEvent, MessageEvent, Url, Worker, WorkerOptions, WorkerType,
};

use crate::spin::SpinLock;
use crate::task::{HasHeader, Job, JoinHandle, PENDING, RUNNING, TaskHeader};
use crate::{Error, Result, env, panic, wait};

const OPEN: u32 = 0;
const CLOSING: u32 = 1;
const TERMINATED: u32 = 2;

const STARTING: u32 = 0;
const IDLE: u32 = 1;
const BUSY: u32 = 2;
const EXITED: u32 = 3;
const DEAD: u32 = 4;

/// The worker script, started from a Blob URL (one per owning thread).
const WORKER_JS: &str = include_str!("worker.js");

/// wasm-bindgen's default thread stack: 1 MiB.
const DEFAULT_STACK: u32 = 1 << 20;

/// A worker's state as seen by every thread (and by `worker.js`, which
/// reads the first two words).
#[repr(C)]
pub(crate) struct WorkerRecord {
    status: AtomicU32,
    /// Address of the running task's state word, 0 when none.
    current_addr: AtomicU32,
    /// Keeps the running task alive for `terminate` and the owner.
    current: SpinLock<Option<Arc<dyn HasHeader>>>,
}

/// The part of a pool that every thread shares.
pub(crate) struct Shared {
    epoch: AtomicU32,
    ready: AtomicU32,
    state: AtomicU32,
    owner: u32,
    queue: SpinLock<VecDeque<Job>>,
    records: Box<[WorkerRecord]>,
}

impl Shared {
    pub(crate) fn owned_by_current_thread(&self) -> bool {
        self.owner == env::thread_id()
    }

    /// Whether every worker has started.
    pub(crate) fn warm(&self) -> bool {
        self.ready.load(Ordering::SeqCst) as usize >= self.records.len()
    }

    fn spawn<F, T>(self: &Arc<Self>, f: F) -> Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        if self.state.load(Ordering::SeqCst) != OPEN {
            return Err(Error::Closed);
        }
        let (job, handle) = Job::new(f, self.clone());
        {
            let mut q = self.queue.lock();
            // Checked again under the lock: `terminate` drains under it.
            if self.state.load(Ordering::SeqCst) != OPEN {
                return Err(Error::Closed);
            }
            q.push_back(job);
        }
        self.bump(1);
        Ok(handle)
    }

    /// Bumps the epoch and wakes `n` idle workers.
    fn bump(&self, n: u32) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        wait::notify(&self.epoch, n);
    }

    fn run_job(&self, rec: &WorkerRecord, job: Job) {
        let Job { task, run } = job;
        let header: &TaskHeader = task.header();
        if header.transition(PENDING, RUNNING) {
            panic::with_current(header, run);
            header.transition(RUNNING, crate::task::DONE);
        }
        let mut cur = rec.current.lock();
        rec.current_addr.store(0, Ordering::SeqCst);
        *cur = None;
    }
}

/// Called by `worker.js` once the worker's instance is up.
#[wasm_bindgen(js_name = "__portalis_web_worker_ready")]
pub fn worker_ready(shared: u32, index: u32) {
    // SAFETY: `shared` is the `Arc::into_raw` pointer the owner gave this
    // worker; the worker's reference keeps it alive until `worker_exit` (or
    // the owner's cleanup of a dead worker).
    let shared = unsafe { &*(shared as usize as *const Shared) };
    env::set_worker_index(index as usize);
    panic::install_hook();
    let rec = &shared.records[index as usize];
    if rec
        .status
        .compare_exchange(STARTING, IDLE, Ordering::SeqCst, Ordering::SeqCst)
        .is_ok()
    {
        shared.ready.fetch_add(1, Ordering::SeqCst);
        wait::notify(&shared.ready, u32::MAX);
    }
}

/// Called by `worker.js`: runs queued jobs until the queue is empty; returns
/// the epoch seen before the last look (to wait on), or -1 to exit.
#[wasm_bindgen(js_name = "__portalis_web_worker_run")]
pub fn worker_run(shared: u32, index: u32) -> f64 {
    // SAFETY: as in `worker_ready`.
    let shared = unsafe { &*(shared as usize as *const Shared) };
    let rec = &shared.records[index as usize];
    loop {
        let seen = shared.epoch.load(Ordering::SeqCst);
        rec.status.store(BUSY, Ordering::SeqCst);
        let state = shared.state.load(Ordering::SeqCst);
        if state == TERMINATED {
            rec.status.store(IDLE, Ordering::SeqCst);
            return -1.0;
        }
        let job = {
            let mut q = shared.queue.lock();
            let job = q.pop_front();
            if let Some(j) = &job {
                // Recorded under the queue lock, so `terminate` (which
                // drains under it) finds every popped job here.
                let mut cur = rec.current.lock();
                *cur = Some(j.task.clone());
                let addr = &j.task.header().state as *const AtomicU32 as usize as u32;
                rec.current_addr.store(addr, Ordering::SeqCst);
            }
            job
        };
        match job {
            Some(job) => shared.run_job(rec, job),
            None => {
                rec.status.store(IDLE, Ordering::SeqCst);
                if state != OPEN {
                    return -1.0;
                }
                return f64::from(seen as i32);
            }
        }
    }
}

/// Called by `worker.js` before it frees its stack and closes.
#[wasm_bindgen(js_name = "__portalis_web_worker_exit")]
pub fn worker_exit(shared: u32, index: u32) {
    // SAFETY: the pointer came from `Arc::into_raw` for this worker, and
    // this is the worker's last use of it.
    let shared = unsafe { Arc::from_raw(shared as usize as *const Shared) };
    let old = shared.records[index as usize]
        .status
        .swap(EXITED, Ordering::SeqCst);
    if old == IDLE || old == BUSY {
        shared.ready.fetch_sub(1, Ordering::SeqCst);
    }
    wait::notify(&shared.ready, u32::MAX);
}

/// Configures a [`WebWorkerPool`].
#[derive(Debug, Clone)]
pub struct PoolBuilder {
    size: Option<usize>,
    stack_size: u32,
    name: String,
    glue_url: Option<String>,
    ready_timeout: Duration,
}

impl Default for PoolBuilder {
    fn default() -> Self {
        Self {
            size: None,
            stack_size: DEFAULT_STACK,
            name: "portalis-web".into(),
            glue_url: None,
            ready_timeout: Duration::from_secs(30),
        }
    }
}

impl PoolBuilder {
    /// Number of workers (at least 1). Default: `navigator.hardwareConcurrency`.
    pub fn size(mut self, n: usize) -> Self {
        self.size = Some(n);
        self
    }

    /// Stack size of each worker in bytes, a multiple of 64 KiB. Default 1 MiB.
    pub fn stack_size(mut self, bytes: u32) -> Self {
        self.stack_size = bytes;
        self
    }

    /// Workers are named `NAME-INDEX` (shown in dev tools). Default `portalis-web`.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The URL of the program's wasm-bindgen glue (`--target web`), which
    /// workers import. Default: the glue's own `import.meta.url`.
    pub fn glue_url(mut self, url: impl Into<String>) -> Self {
        self.glue_url = Some(url.into());
        self
    }

    /// How long [`build`](Self::build) waits for every worker. Default 30 s.
    pub fn ready_timeout(mut self, timeout: Duration) -> Self {
        self.ready_timeout = timeout;
        self
    }

    /// Starts the workers and resolves once every one is ready to run a task
    /// (pre-warmed): the first `spawn` then starts at once.
    ///
    /// # Errors
    /// As [`build_cold`](Self::build_cold); [`Error::Timeout`] if the workers
    /// were not ready in time, [`Error::Unsupported`] with the worker's error
    /// if one failed to start.
    pub async fn build(self) -> Result<WebWorkerPool> {
        let timeout = self.ready_timeout;
        let pool = self.build_cold()?;
        pool.ready_timeout(timeout).await?;
        Ok(pool)
    }

    /// Starts the workers without waiting for them. Tasks spawned before they
    /// are ready wait in the queue. The workers start only when this thread
    /// yields to its event loop.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a size of 0 or a bad stack size;
    /// [`Error::Unsupported`] if the memory is not shared (no
    /// cross-origin isolation or a build without `+atomics`) or a worker
    /// cannot be created.
    pub fn build_cold(self) -> Result<WebWorkerPool> {
        let size = self.size.unwrap_or_else(hardware_concurrency);
        if size == 0 {
            return Err(Error::InvalidArgument(
                "pool size must be at least 1".into(),
            ));
        }
        if self.stack_size == 0 || !self.stack_size.is_multiple_of(64 << 10) {
            return Err(Error::InvalidArgument(
                "stack size must be a non-zero multiple of 64 KiB".into(),
            ));
        }
        let memory = wasm_bindgen::memory();
        let buffer = Reflect::get(&memory, &"buffer".into()).map_err(js_err)?;
        if !buffer.is_instance_of::<js_sys::SharedArrayBuffer>() {
            return Err(Error::Unsupported(
                "the wasm memory is not shared: build with +atomics and serve the page \
                 cross-origin isolated (COOP same-origin, COEP require-corp)"
                    .into(),
            ));
        }
        panic::install_hook();
        let records = (0..size)
            .map(|_| WorkerRecord {
                status: AtomicU32::new(STARTING),
                current_addr: AtomicU32::new(0),
                current: SpinLock::new(None),
            })
            .collect();
        let shared = Arc::new(Shared {
            epoch: AtomicU32::new(0),
            ready: AtomicU32::new(0),
            state: AtomicU32::new(OPEN),
            owner: env::thread_id(),
            queue: SpinLock::new(VecDeque::new()),
            records,
        });
        let owner = Rc::new(Owner {
            shared,
            workers: RefCell::new((0..size).map(|_| None).collect()),
            retired: RefCell::new(Vec::new()),
            start_error: RefCell::new(None),
            stack_size: self.stack_size,
            name: self.name,
            glue: self.glue_url.unwrap_or_else(env::glue_url),
            script: script_url()?,
        });
        for i in 0..size {
            Owner::start(&owner, i)?;
        }
        Ok(WebWorkerPool { owner })
    }
}

fn hardware_concurrency() -> usize {
    Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"hardwareConcurrency".into()))
        .ok()
        .and_then(|v| v.as_f64())
        .map_or(2, |n| (n as usize).max(1))
}

fn js_err(e: JsValue) -> Error {
    Error::Unsupported(format!("{e:?}"))
}

thread_local! {
    static SCRIPT_URL: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A Blob URL of `worker.js`, made once per thread.
fn script_url() -> Result<String> {
    SCRIPT_URL.with(|s| {
        if let Some(u) = &*s.borrow() {
            return Ok(u.clone());
        }
        let opts = BlobPropertyBag::new();
        opts.set_type("text/javascript");
        let parts = Array::of1(&JsValue::from_str(WORKER_JS));
        let blob = Blob::new_with_str_sequence_and_options(&parts, &opts).map_err(js_err)?;
        let url = Url::create_object_url_with_blob(&blob).map_err(js_err)?;
        *s.borrow_mut() = Some(url.clone());
        Ok(url)
    })
}

/// One JS worker and its event handlers, on the owner's thread.
struct WorkerEntry {
    worker: Worker,
    /// Kept alive while installed as the worker's handlers.
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onerror: Closure<dyn FnMut(ErrorEvent)>,
    /// The worker's reference to `Shared` (`Arc::into_raw`), until it exits
    /// or dies.
    shared_ref: Cell<usize>,
}

impl WorkerEntry {
    fn detach(&self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
    }
}

/// The owner's side: JS objects, which never leave the owning thread.
struct Owner {
    shared: Arc<Shared>,
    workers: RefCell<Vec<Option<WorkerEntry>>>,
    /// Replaced entries, kept until the pool is dropped (a closure must not
    /// be dropped while it runs).
    retired: RefCell<Vec<WorkerEntry>>,
    start_error: RefCell<Option<String>>,
    stack_size: u32,
    name: String,
    glue: String,
    script: String,
}

impl Owner {
    fn start(this: &Rc<Self>, index: usize) -> Result<()> {
        let opts = WorkerOptions::new();
        opts.set_type(WorkerType::Module);
        opts.set_name(&format!("{}-{index}", this.name));
        let worker = Worker::new_with_options(&this.script, &opts).map_err(js_err)?;

        let weak: Weak<Owner> = Rc::downgrade(this);
        let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            if let Some(owner) = weak.upgrade() {
                owner.on_message(index, &e.data());
            }
        });
        let weak: Weak<Owner> = Rc::downgrade(this);
        let onerror = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            if let Some(owner) = weak.upgrade() {
                owner.on_error(index, e.message());
            }
        });
        worker.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        worker.set_onerror(Some(onerror.as_ref().unchecked_ref()));

        let shared = &this.shared;
        let rec = &shared.records[index];
        rec.status.store(STARTING, Ordering::SeqCst);
        let shared_ref = Arc::into_raw(shared.clone()) as usize;
        let init = Object::new();
        let set = |k: &str, v: &JsValue| Reflect::set(&init, &k.into(), v).map(drop);
        let addr = |p: *const AtomicU32| JsValue::from(p as usize as u32);
        set("kind", &"portalis-init".into())
            .and_then(|()| set("glue", &this.glue.as_str().into()))
            .and_then(|()| set("module", &wasm_bindgen::module()))
            .and_then(|()| set("memory", &wasm_bindgen::memory()))
            .and_then(|()| set("stackSize", &this.stack_size.into()))
            .and_then(|()| set("shared", &(shared_ref as u32).into()))
            .and_then(|()| set("index", &(index as u32).into()))
            .and_then(|()| set("epochAddr", &addr(&shared.epoch)))
            .and_then(|()| set("readyAddr", &addr(&shared.ready)))
            .and_then(|()| set("recordAddr", &addr(&rec.status)))
            .and_then(|()| worker.post_message(&init))
            .map_err(|e| {
                // SAFETY: the worker never got the pointer; reclaim it.
                drop(unsafe { Arc::from_raw(shared_ref as *const Shared) });
                worker.terminate();
                js_err(e)
            })?;
        let entry = WorkerEntry {
            worker,
            _onmessage: onmessage,
            _onerror: onerror,
            shared_ref: Cell::new(shared_ref),
        };
        if let Some(old) = this.workers.borrow_mut()[index].replace(entry) {
            old.detach();
            this.retired.borrow_mut().push(old);
        }
        Ok(())
    }

    fn on_message(self: &Rc<Self>, index: usize, data: &JsValue) {
        let get = |k: &str| Reflect::get(data, &k.into()).unwrap_or(JsValue::UNDEFINED);
        match get("kind").as_string().as_deref() {
            Some("portalis-exited") => {
                if let Some(e) = &self.workers.borrow()[index] {
                    // `worker_exit` dropped the worker's reference.
                    e.shared_ref.set(0);
                }
            }
            Some("portalis-dead") => {
                let num = |k: &str| get(k).as_f64().unwrap_or(0.0) as u32;
                let message = get("message").as_string().unwrap_or_default();
                self.on_dead(
                    index,
                    get("wasReady").is_truthy(),
                    message,
                    num("tlsBase"),
                    num("stackAlloc"),
                );
            }
            _ => {}
        }
    }

    /// An uncaught error in the worker's global scope (e.g. the script or the
    /// glue failed to load). `worker.js` catches everything else.
    fn on_error(self: &Rc<Self>, index: usize, message: String) {
        let old = self.shared.records[index]
            .status
            .swap(DEAD, Ordering::SeqCst);
        let was_ready = old == IDLE || old == BUSY;
        if was_ready {
            self.shared.ready.fetch_sub(1, Ordering::SeqCst);
        }
        if old != DEAD && old != EXITED {
            self.on_dead(index, was_ready, message, 0, 0);
        }
    }

    fn on_dead(
        self: &Rc<Self>,
        index: usize,
        was_ready: bool,
        message: String,
        tls_base: u32,
        stack_alloc: u32,
    ) {
        let rec = &self.shared.records[index];
        if let Some(e) = &self.workers.borrow()[index] {
            e.worker.terminate();
            let r = e.shared_ref.replace(0);
            if r != 0 {
                // SAFETY: the dead worker's reference, which it can no longer
                // drop itself; taken once (replaced by 0).
                drop(unsafe { Arc::from_raw(r as *const Shared) });
            }
        }
        if tls_base != 0 && stack_alloc != 0 {
            destroy_thread(tls_base, stack_alloc, self.stack_size);
        }
        // The task it ran is finished by now (panic hook or worker.js); make
        // sure, then release it.
        if let Some(mut cur) = rec.current.lock_bounded(1 << 16) {
            if let Some(t) = cur.take() {
                t.header().transition(RUNNING, crate::task::TRAPPED);
            }
            rec.current_addr.store(0, Ordering::SeqCst);
        }
        wait::notify(&self.shared.ready, u32::MAX);
        if self.shared.state.load(Ordering::SeqCst) != OPEN {
            return;
        }
        if was_ready {
            if let Err(e) = Owner::start(self, index) {
                *self.start_error.borrow_mut() =
                    Some(format!("could not replace a dead worker: {e}"));
            }
        } else {
            *self.start_error.borrow_mut() = Some(format!("a worker failed to start: {message}"));
        }
    }
}

/// Frees a dead worker's stack and TLS with wasm-bindgen's
/// `__wbindgen_thread_destroy(tls_base, stack_alloc, stack_size)`, called on
/// this (healthy) thread.
fn destroy_thread(tls_base: u32, stack_alloc: u32, stack_size: u32) {
    let exports = wasm_bindgen::exports();
    if let Ok(f) = Reflect::get(&exports, &"__wbindgen_thread_destroy".into())
        && let Some(f) = f.dyn_ref::<Function>()
    {
        let _ = f.call3(
            &JsValue::NULL,
            &tls_base.into(),
            &stack_alloc.into(),
            &stack_size.into(),
        );
    }
}

/// A pool of pre-started Web Workers that run Rust closures over the
/// program's shared memory.
///
/// The pool belongs to the thread that built it (it holds the JS `Worker`
/// objects); [`handle`](Self::handle) gives a [`PoolHandle`] that spawns from
/// any thread, tasks included. See the module docs of the crate for the
/// build requirements.
///
/// # Teardown
/// Dropping the pool closes it: queued and running tasks finish, then the
/// workers exit and free their stacks and TLS. [`terminate`](Self::terminate)
/// stops it at once.
pub struct WebWorkerPool {
    owner: Rc<Owner>,
}

impl fmt::Debug for WebWorkerPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebWorkerPool")
            .field("size", &self.size())
            .field("ready", &self.ready_workers())
            .finish()
    }
}

impl WebWorkerPool {
    /// A builder (size, stack size, names, glue URL).
    pub fn builder() -> PoolBuilder {
        PoolBuilder::default()
    }

    /// A pre-warmed pool of `size` workers: `builder().size(size).build()`.
    ///
    /// # Errors
    /// As [`PoolBuilder::build`].
    pub async fn new(size: usize) -> Result<Self> {
        Self::builder().size(size).build().await
    }

    /// The number of workers.
    pub fn size(&self) -> usize {
        self.owner.shared.records.len()
    }

    /// How many workers are started and ready now.
    pub fn ready_workers(&self) -> usize {
        self.owner.shared.ready.load(Ordering::SeqCst) as usize
    }

    /// Resolves once every worker is ready (also after a dead worker was
    /// replaced).
    ///
    /// # Errors
    /// [`Error::Unsupported`] with the worker's error if one failed to start;
    /// [`Error::Closed`] if the pool was terminated.
    pub async fn ready(&self) -> Result<()> {
        self.ready_deadline(None).await
    }

    /// Like [`ready`](Self::ready), giving up after `timeout` with
    /// [`Error::Timeout`].
    ///
    /// # Errors
    /// As [`ready`](Self::ready).
    pub async fn ready_timeout(&self, timeout: Duration) -> Result<()> {
        self.ready_deadline(wait::deadline(Some(timeout))).await
    }

    async fn ready_deadline(&self, deadline: Option<f64>) -> Result<()> {
        let shared = &self.owner.shared;
        loop {
            let seen = shared.ready.load(Ordering::SeqCst);
            if let Some(e) = self.owner.start_error.borrow().clone() {
                return Err(Error::Unsupported(e));
            }
            if shared.state.load(Ordering::SeqCst) != OPEN {
                return Err(Error::Closed);
            }
            if seen as usize >= self.size() {
                return Ok(());
            }
            if deadline.is_some_and(|d| wait::now_ms() >= d) {
                return Err(Error::Timeout);
            }
            wait::wait_async(&shared.ready, seen, deadline).await;
        }
    }

    /// Runs `f` on a worker and returns its handle. Never blocks.
    ///
    /// # Errors
    /// [`Error::Closed`] if the pool was terminated.
    pub fn spawn<F, T>(&self, f: F) -> Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.owner.shared.spawn(f)
    }

    /// A handle that spawns on this pool from any thread.
    pub fn handle(&self) -> PoolHandle {
        PoolHandle {
            shared: self.owner.shared.clone(),
        }
    }

    /// Stops the pool now: tasks not started are cancelled (their joiners
    /// get [`Error::Cancelled`]), workers running a task are terminated
    /// (joiners get [`Error::Closed`]; their stacks are not freed, see the
    /// module docs), idle workers exit and free their stacks and TLS. Never
    /// blocks. Calling it again does nothing.
    pub fn terminate(&self) {
        let shared = &self.owner.shared;
        if shared.state.swap(TERMINATED, Ordering::SeqCst) == TERMINATED {
            return;
        }
        let pending: Vec<Job> = shared.queue.lock().drain(..).collect();
        for job in pending {
            job.cancel();
        }
        let workers = self.owner.workers.borrow();
        for (rec, entry) in shared.records.iter().zip(workers.iter()) {
            // A worker killed while holding this lock never releases it.
            let Some(cur) = rec.current.lock_bounded(1 << 16) else {
                continue;
            };
            if let Some(task) = cur.as_ref() {
                if let Some(e) = entry {
                    e.worker.terminate();
                    if rec.status.swap(DEAD, Ordering::SeqCst) != DEAD {
                        shared.ready.fetch_sub(1, Ordering::SeqCst);
                    }
                }
                task.header().terminate();
            }
        }
        shared.bump(u32::MAX);
        wait::notify(&shared.ready, u32::MAX);
    }

    /// Whether [`terminate`](Self::terminate) was called.
    pub fn is_terminated(&self) -> bool {
        self.owner.shared.state.load(Ordering::SeqCst) == TERMINATED
    }
}

impl Drop for WebWorkerPool {
    fn drop(&mut self) {
        let shared = &self.owner.shared;
        let _ = shared
            .state
            .compare_exchange(OPEN, CLOSING, Ordering::SeqCst, Ordering::SeqCst);
        shared.bump(u32::MAX);
        for e in self.owner.workers.borrow().iter().flatten() {
            e.detach();
        }
        for e in self.owner.retired.borrow().iter() {
            e.detach();
        }
    }
}

/// Spawns on a [`WebWorkerPool`] from any thread (`Send + Sync + Clone`),
/// e.g. from inside a task.
#[derive(Clone)]
pub struct PoolHandle {
    shared: Arc<Shared>,
}

impl fmt::Debug for PoolHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PoolHandle")
            .field("size", &self.shared.records.len())
            .finish()
    }
}

impl PoolHandle {
    /// Runs `f` on a worker of the pool. Never blocks.
    ///
    /// # Errors
    /// [`Error::Closed`] if the pool was dropped or terminated.
    pub fn spawn<F, T>(&self, f: F) -> Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.shared.spawn(f)
    }

    /// The number of workers.
    pub fn size(&self) -> usize {
        self.shared.records.len()
    }
}
