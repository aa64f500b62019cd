//! Where threads come from: the [`ThreadingBackend`] trait and its native
//! implementation.

use std::fmt;
use std::num::NonZeroUsize;
use std::time::Duration;

use crate::{Error, Result};

/// Options for starting a thread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ThreadOptions {
    /// The thread's name, if any.
    pub name: Option<String>,
    /// The stack size in bytes; the backend's default if `None`.
    pub stack_size: Option<usize>,
}

/// A source of threads: native OS threads, wasi-threads, or Web Workers.
///
/// [`thread::Builder`](crate::thread::Builder) and
/// [`ThreadPool`](crate::ThreadPool) start their threads through a backend,
/// so code written against this crate runs wherever a backend exists. A
/// backend only starts and joins threads; results, panics and timeouts are
/// handled above it.
///
/// # Examples
/// A backend that counts the threads it starts (backends are cheap to clone,
/// since handles keep one to join their thread):
/// ```
/// use portalis_threading::{NativeBackend, ThreadOptions, ThreadingBackend};
/// use std::sync::Arc;
/// use std::sync::atomic::{AtomicUsize, Ordering};
///
/// #[derive(Debug, Default, Clone)]
/// struct Counting { started: Arc<AtomicUsize> }
///
/// impl ThreadingBackend for Counting {
///     type Thread = <NativeBackend as ThreadingBackend>::Thread;
///     fn spawn(&self, o: &ThreadOptions, main: Box<dyn FnOnce() + Send>)
///         -> portalis_threading::Result<Self::Thread> {
///         self.started.fetch_add(1, Ordering::Relaxed);
///         NativeBackend.spawn(o, main)
///     }
///     fn join(&self, t: Self::Thread) -> portalis_threading::Result<()> { NativeBackend.join(t) }
///     fn available_parallelism(&self) -> std::num::NonZeroUsize { NativeBackend.available_parallelism() }
///     fn sleep(&self, d: std::time::Duration) { NativeBackend.sleep(d) }
/// }
///
/// let backend = Counting::default();
/// let h = portalis_threading::thread::Builder::new().spawn_on(&backend, || 2 + 2).unwrap();
/// assert_eq!(h.join(), Ok(4));
/// assert_eq!(backend.started.load(Ordering::Relaxed), 1);
/// ```
pub trait ThreadingBackend: Send + Sync {
    /// The backend's handle to a running thread.
    type Thread: Send + 'static;

    /// Starts a thread running `main`.
    ///
    /// # Errors
    /// [`Error::Limit`] if no thread can be started.
    fn spawn(
        &self,
        options: &ThreadOptions,
        main: Box<dyn FnOnce() + Send + 'static>,
    ) -> Result<Self::Thread>;

    /// Waits for a thread started by [`spawn`](Self::spawn) to exit.
    ///
    /// # Errors
    /// [`Error::Panicked`] if the thread ended abnormally.
    fn join(&self, thread: Self::Thread) -> Result<()>;

    /// How many threads can usefully run at once.
    fn available_parallelism(&self) -> NonZeroUsize;

    /// Suspends the calling thread for `duration`.
    fn sleep(&self, duration: Duration);
}

/// Threads from `std::thread`: OS threads natively, wasi-threads on
/// `wasm32-wasip1-threads`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NativeBackend;

/// A thread started by [`NativeBackend`].
pub struct NativeThread(std::thread::JoinHandle<()>);

impl fmt::Debug for NativeThread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("NativeThread")
            .field(&self.0.thread().id())
            .finish()
    }
}

impl ThreadingBackend for NativeBackend {
    type Thread = NativeThread;

    fn spawn(
        &self,
        options: &ThreadOptions,
        main: Box<dyn FnOnce() + Send + 'static>,
    ) -> Result<NativeThread> {
        let mut builder = std::thread::Builder::new();
        if let Some(name) = &options.name {
            builder = builder.name(name.clone());
        }
        if let Some(size) = options.stack_size {
            builder = builder.stack_size(size);
        }
        Ok(NativeThread(builder.spawn(main)?))
    }

    fn join(&self, thread: NativeThread) -> Result<()> {
        thread
            .0
            .join()
            .map_err(|payload| Error::Panicked(crate::panic::message(&*payload)))
    }

    fn available_parallelism(&self) -> NonZeroUsize {
        native_parallelism()
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// The environment variable that overrides the detected parallelism.
///
/// `std::thread::available_parallelism` is unsupported on
/// `wasm32-wasip1-threads`; there the host passes its worker count in this
/// variable (and in `RAYON_NUM_THREADS`, which rayon reads).
pub const PARALLELISM_ENV: &str = "PORTALIS_THREADS";

fn native_parallelism() -> NonZeroUsize {
    let from_env = |name: &str| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.trim().parse::<NonZeroUsize>().ok())
    };
    from_env(PARALLELISM_ENV)
        .or_else(|| std::thread::available_parallelism().ok())
        .or_else(|| from_env("RAYON_NUM_THREADS"))
        .unwrap_or(NonZeroUsize::MIN)
}
