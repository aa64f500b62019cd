//! Recycled OS threads for one run's workers.
//!
//! Starting an OS thread costs more than instantiating from the pooling
//! allocator, so a thread whose worker finished waits a while for the next
//! one instead of exiting: the *instance* a worker runs in is always fresh,
//! the thread under it is recycled. Component workers (`thread.spawn`) and
//! wasi-threads module threads (`wasi::thread-spawn`) both start here.
//!
//! A start claims an idle thread if there is one (one compare-and-swap on
//! the idle count) and sends it the job; otherwise it starts a thread, which
//! runs the job and then waits for more. Idle threads leave after [`IDLE`],
//! or as soon as the cache is [closed](ThreadCache::close);
//! [`wait_gone`](ThreadCache::wait_gone) lets a run wait until none is left.
//!
//! The idle count is the only shared state a start touches: a thread counts
//! itself idle *before* it waits for a job, so a claim always has a waiter to
//! receive its job. A thread that times out leaves only if it can take its
//! own place back from the idle count; if a start claimed it meanwhile, the
//! job is on its way and the thread receives it instead of leaving.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use portalis_threading::{Error, Event, Mutex, Receiver, Result, Sender};

/// How long a thread with nothing to do waits for another job.
const IDLE: Duration = Duration::from_secs(2);

/// Work for a recycled thread.
pub(crate) type Job = Box<dyn FnOnce() + Send>;

/// The recycled threads of one run.
#[derive(Debug)]
pub(crate) struct ThreadCache {
    name: &'static str,
    /// How long an idle thread waits for a job before it leaves.
    idle_for: Duration,
    jobs: Mutex<Option<Sender<Job>>>,
    receiver: Receiver<Job>,
    /// Threads waiting for a job and not yet claimed.
    idle: Arc<AtomicUsize>,
    /// Threads alive (busy or idle).
    alive: Arc<Mutex<usize>>,
    all_gone: Arc<Event>,
}

impl ThreadCache {
    /// A cache whose threads carry `name` (they are recycled across
    /// workers, so they are not named after one).
    pub(crate) fn new(name: &'static str) -> Self {
        Self::with_idle(name, IDLE)
    }

    /// A cache whose idle threads leave after `idle_for`.
    fn with_idle(name: &'static str, idle_for: Duration) -> Self {
        let (tx, rx) = portalis_threading::unbounded();
        let all_gone = Arc::new(Event::new());
        all_gone.set();
        Self {
            name,
            idle_for,
            jobs: Mutex::new(Some(tx)),
            receiver: rx,
            idle: Arc::new(AtomicUsize::new(0)),
            alive: Arc::new(Mutex::new(0)),
            all_gone,
        }
    }

    /// Runs `job` on an idle thread, or on a new one.
    ///
    /// # Errors
    /// [`Error::Closed`] once the cache is closed; [`Error::Limit`] if the
    /// OS refuses a thread.
    pub(crate) fn start(&self, job: Job) -> Result<()> {
        let Some(jobs) = self.jobs.lock().clone() else {
            return Err(Error::Closed);
        };
        if take_one(&self.idle) {
            // The claimed thread is waiting on the channel (see module docs).
            return jobs.send(job).map_err(|_| Error::Closed);
        }
        {
            let mut alive = self.alive.lock();
            *alive += 1;
            self.all_gone.clear();
        }
        let idle_for = self.idle_for;
        let (rx, idle, alive, all_gone) = (
            self.receiver.clone(),
            self.idle.clone(),
            self.alive.clone(),
            self.all_gone.clone(),
        );
        let started = std::thread::Builder::new()
            .name(self.name.into())
            .spawn(move || {
                job();
                serve(&rx, &idle, idle_for);
                thread_left(&alive, &all_gone);
            });
        started.map(drop).map_err(|e| {
            thread_left(&self.alive, &self.all_gone);
            Error::Limit(format!("the OS refused a thread: {e}"))
        })
    }

    /// Lets idle threads go: no more jobs come.
    pub(crate) fn close(&self) {
        self.jobs.lock().take();
    }

    /// Waits up to `timeout` for every thread to have left.
    pub(crate) fn wait_gone(&self, timeout: Duration) -> bool {
        self.all_gone.wait_timeout(timeout)
    }

    /// Threads alive now, busy or idle.
    pub(crate) fn alive(&self) -> usize {
        *self.alive.lock()
    }
}

/// A thread's life after its first job: wait idle, run what comes, leave
/// after `idle_for` without work or when the cache closes.
fn serve(rx: &Receiver<Job>, idle: &AtomicUsize, idle_for: Duration) {
    loop {
        idle.fetch_add(1, Ordering::AcqRel);
        match rx.recv_timeout(idle_for) {
            Ok(job) => job(), // whoever sent it claimed our idle place
            Err(_) => {
                if take_one(idle) {
                    return;
                }
                // A start claimed this place meanwhile: its job is on the way
                // (or the cache closed, and the receive fails).
                match rx.recv() {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            }
        }
    }
}

/// Counts a thread out (one that left, or never started).
fn thread_left(alive: &Mutex<usize>, all_gone: &Event) {
    let mut alive = alive.lock();
    *alive -= 1;
    if *alive == 0 {
        all_gone.set();
    }
}

/// Takes one from `count` unless it is zero.
fn take_one(count: &AtomicUsize) -> bool {
    let mut n = count.load(Ordering::Acquire);
    while n > 0 {
        match count.compare_exchange_weak(n, n - 1, Ordering::AcqRel, Ordering::Acquire) {
            Ok(_) => return true,
            Err(now) => n = now,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` on the cache and waits for what it returns.
    fn run_on<T: Send + 'static>(cache: &ThreadCache, f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = portalis_threading::bounded(1);
        cache
            .start(Box::new(move || tx.send(f()).expect("waiting")))
            .expect("started");
        rx.recv_timeout(Duration::from_secs(10)).expect("job ran")
    }

    #[test]
    fn a_finished_threads_next_job_runs_on_the_same_thread() {
        let cache = ThreadCache::new("test-cache");
        let first = run_on(&cache, || std::thread::current().id());
        // The thread counts itself idle right after its job.
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while cache.idle.load(Ordering::Acquire) == 0 && std::time::Instant::now() < deadline {
            std::thread::yield_now();
        }
        let second = run_on(&cache, || std::thread::current().id());
        assert_eq!(first, second);
        assert_eq!(cache.alive(), 1);
        cache.close();
        assert!(cache.wait_gone(Duration::from_secs(10)));
        assert_eq!(cache.alive(), 0);
    }

    #[test]
    fn busy_threads_get_company_and_all_leave_on_close() {
        let cache = ThreadCache::new("test-cache");
        let gate = Arc::new(Event::new());
        let (tx, rx) = portalis_threading::unbounded();
        for _ in 0..4 {
            let (gate, tx) = (gate.clone(), tx.clone());
            cache
                .start(Box::new(move || {
                    tx.send(std::thread::current().id()).expect("receiver");
                    gate.wait();
                }))
                .expect("started");
        }
        let ids: std::collections::HashSet<_> = (0..4)
            .map(|_| rx.recv_timeout(Duration::from_secs(10)).expect("job ran"))
            .collect();
        assert_eq!(ids.len(), 4, "four jobs blocked at once need four threads");
        gate.set();
        cache.close();
        assert!(cache.wait_gone(Duration::from_secs(10)));
        assert_eq!(cache.alive(), 0);
        assert!(matches!(cache.start(Box::new(|| {})), Err(Error::Closed)));
    }

    /// The race the idle count settles: threads that time out while starts
    /// claim them. With a 1 ms idle time, thousands of starts from four
    /// threads, in bursts with pauses around the timeout, must each run
    /// exactly once, and every thread must leave at the end.
    #[test]
    fn stress_claims_racing_idle_timeouts() {
        let cache = Arc::new(ThreadCache::with_idle(
            "stress-cache",
            Duration::from_millis(1),
        ));
        let ran = Arc::new(AtomicUsize::new(0));
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        let starters: Vec<_> = (0..4u64)
            .map(|seed| {
                let (cache, ran) = (cache.clone(), ran.clone());
                std::thread::spawn(move || {
                    let mut started = 0;
                    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
                    for _ in 0..500 {
                        if std::time::Instant::now() > deadline {
                            break;
                        }
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        for _ in 0..x % 4 + 1 {
                            let ran = ran.clone();
                            cache
                                .start(Box::new(move || {
                                    ran.fetch_add(1, Ordering::Relaxed);
                                }))
                                .expect("started");
                            started += 1;
                        }
                        // Around the idle time: some starts find idle
                        // threads, some find them leaving.
                        std::thread::sleep(Duration::from_micros(x % 1500));
                    }
                    started
                })
            })
            .collect();
        let started: usize = starters.into_iter().map(|s| s.join().unwrap()).sum();
        cache.close();
        assert!(
            cache.wait_gone(Duration::from_secs(10)),
            "threads left behind"
        );
        assert_eq!(ran.load(Ordering::Relaxed), started, "every job runs once");
        assert_eq!(cache.alive(), 0);
    }
}
