//! ORACLE.md cases for `python::queue`: Queue, LifoQueue, PriorityQueue
//! (Q) and SimpleQueue (SQ). Each test is named after its case id; timing
//! cases use generous margins and run under a watchdog.

#![allow(
    clippy::disallowed_types,
    reason = "tests use std's primitives as neutral helpers"
)]

mod support;
use support::bounded;

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::thread::sleep;
use std::time::{Duration, Instant};

use portalis_threading::python::queue::{
    BaseQueue, Empty, GetError, LifoQueue, PriorityQueue, PutError, Queue, QueueStore, SimpleQueue,
};
use portalis_threading::python::threading::{Lock, Thread, Timer};

const QUEUE_SIZE: isize = 5;

/// The three bounded kinds, behind one interface for the shared cases.
trait AnyQueue: Send + Sync + 'static {
    fn q(&self) -> &dyn Ops;
}

trait Ops: Send + Sync {
    fn put(&self, x: i32, block: bool, timeout: Option<f64>) -> Result<(), PutError<i32>>;
    fn get(&self, block: bool, timeout: Option<f64>) -> Result<i32, GetError>;
    fn put_nowait(&self, x: i32) -> bool;
    fn get_nowait(&self) -> Result<i32, Empty>;
    fn qsize(&self) -> usize;
    fn empty(&self) -> bool;
    fn full(&self) -> bool;
    fn task_done(&self) -> Result<(), String>;
    fn join(&self);
}

impl<S: QueueStore<i32> + Send + Sync> Ops for BaseQueue<i32, S> {
    fn put(&self, x: i32, block: bool, timeout: Option<f64>) -> Result<(), PutError<i32>> {
        BaseQueue::put(self, x, block, timeout)
    }
    fn get(&self, block: bool, timeout: Option<f64>) -> Result<i32, GetError> {
        BaseQueue::get(self, block, timeout)
    }
    fn put_nowait(&self, x: i32) -> bool {
        BaseQueue::put_nowait(self, x).is_ok()
    }
    fn get_nowait(&self) -> Result<i32, Empty> {
        BaseQueue::get_nowait(self)
    }
    fn qsize(&self) -> usize {
        BaseQueue::qsize(self)
    }
    fn empty(&self) -> bool {
        BaseQueue::empty(self)
    }
    fn full(&self) -> bool {
        BaseQueue::full(self)
    }
    fn task_done(&self) -> Result<(), String> {
        BaseQueue::task_done(self).map_err(|e| e.message().to_owned())
    }
    fn join(&self) {
        BaseQueue::join(self)
    }
}

impl AnyQueue for Queue<i32> {
    fn q(&self) -> &dyn Ops {
        &**self
    }
}
impl AnyQueue for LifoQueue<i32> {
    fn q(&self) -> &dyn Ops {
        &**self
    }
}
impl AnyQueue for PriorityQueue<i32> {
    fn q(&self) -> &dyn Ops {
        &**self
    }
}

fn all_kinds(maxsize: isize) -> Vec<Arc<dyn AnyQueue>> {
    vec![
        Arc::new(Queue::new(maxsize)),
        Arc::new(LifoQueue::new(maxsize)),
        Arc::new(PriorityQueue::new(maxsize)),
    ]
}

// ---------------------------------------------------------------------------
// Queue, LifoQueue, PriorityQueue

#[test]
fn q_01() {
    let expected = [[111, 333, 222], [222, 333, 111], [111, 222, 333]];
    for (q, want) in all_kinds(QUEUE_SIZE).into_iter().zip(expected) {
        let q = q.q();
        for x in [111, 333, 222] {
            q.put(x, true, None).unwrap();
        }
        let got: Vec<i32> = (0..3).map(|_| q.get(true, None).unwrap()).collect();
        assert_eq!(got, want);
    }
}

#[test]
fn q_02() {
    for q in all_kinds(QUEUE_SIZE) {
        let q = q.q();
        for _ in 0..2 {
            assert!(q.empty());
            assert!(!q.full());
            for i in 0..4 {
                q.put(i, true, None).unwrap();
            }
            assert!(!q.full());
            q.put(4, true, None).unwrap();
            assert!(q.full());
            assert!(!q.empty());
            assert!(matches!(q.put(9, false, None), Err(PutError::Full(_))));
            assert!(matches!(q.put(9, true, Some(0.01)), Err(PutError::Full(_))));
            for _ in 0..5 {
                q.get(true, None).unwrap();
            }
            assert_eq!(q.qsize(), 0);
            assert_eq!(q.get(false, None), Err(GetError::Empty(Empty)));
            assert_eq!(q.get(true, Some(0.01)), Err(GetError::Empty(Empty)));
        }
    }
}

#[test]
fn q_03() {
    bounded(|| {
        for q in all_kinds(QUEUE_SIZE) {
            // A blocking put (plain and with timeout=10) released by a get.
            for timeout in [None, Some(10.0)] {
                for i in 0..QUEUE_SIZE as i32 {
                    q.q().put(i, true, None).unwrap();
                }
                let flag = Arc::new(AtomicBool::new(false));
                let (q2, f) = (q.clone(), flag.clone());
                let helper = std::thread::spawn(move || {
                    sleep(Duration::from_millis(100));
                    f.store(true, Ordering::SeqCst);
                    q2.q().get(true, None).unwrap();
                });
                q.q().put(99, true, timeout).unwrap();
                assert!(flag.load(Ordering::SeqCst), "put returned before the get");
                helper.join().unwrap();
                while q.q().get_nowait().is_ok() {}
            }
            // A blocking get released by a put.
            for timeout in [None, Some(10.0)] {
                let flag = Arc::new(AtomicBool::new(false));
                let (q2, f) = (q.clone(), flag.clone());
                let helper = std::thread::spawn(move || {
                    sleep(Duration::from_millis(100));
                    f.store(true, Ordering::SeqCst);
                    q2.q().put(7, true, None).unwrap();
                });
                assert_eq!(q.q().get(true, timeout).unwrap(), 7);
                assert!(flag.load(Ordering::SeqCst), "get returned before the put");
                helper.join().unwrap();
            }
        }
    });
}

fn q_04_run(q: &Arc<dyn AnyQueue>) {
    let cum = Arc::new(StdMutex::new(0));
    let cum_lock = Arc::new(Lock::new());
    let workers: Vec<Thread> = (0..2)
        .map(|_| {
            let (q, c, l) = (q.clone(), cum.clone(), cum_lock.clone());
            let t = Thread::new(move || {
                loop {
                    let x = q.q().get(true, None).unwrap();
                    if x < 0 {
                        q.q().task_done().unwrap();
                        return;
                    }
                    {
                        let _with = l.enter();
                        *c.lock().unwrap() += x;
                    }
                    q.q().task_done().unwrap();
                }
            });
            t.start().unwrap();
            t
        })
        .collect();
    for i in 0..100 {
        q.q().put(i, true, None).unwrap();
    }
    q.q().join();
    assert_eq!(*cum.lock().unwrap(), 4950);
    for _ in 0..2 {
        q.q().put(-1, true, None).unwrap();
    }
    q.q().join();
    q.q().join();
    for w in workers {
        w.join(None).unwrap();
    }
}

#[test]
fn q_04() {
    bounded(|| {
        // Unbounded, so 100 puts never block without consumers keeping up.
        for q in all_kinds(0) {
            q_04_run(&q);
            q_04_run(&q);
            assert_eq!(
                q.q().task_done().unwrap_err(),
                "task_done() called too many times"
            );
        }
    });
}

#[test]
fn q_05() {
    for q in all_kinds(QUEUE_SIZE) {
        assert_eq!(
            q.q().task_done().unwrap_err(),
            "task_done() called too many times"
        );
    }
}

#[test]
fn q_06() {
    let q = Queue::new(QUEUE_SIZE);
    for result in [q.put(1, true, -1)] {
        match result {
            Err(PutError::ValueError(e)) => {
                assert_eq!(e.message(), "'timeout' must be a non-negative number")
            }
            other => panic!("{other:?}"),
        }
    }
    q.put(1, true, None).unwrap();
    match q.get(true, -1) {
        Err(GetError::ValueError(e)) => {
            assert_eq!(e.message(), "'timeout' must be a non-negative number")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(q.get(true, None).unwrap(), 1);
    let unbounded = Queue::new(0);
    unbounded.put(1, true, -1).unwrap();
    assert_eq!(unbounded.get(true, None).unwrap(), 1);
    assert_eq!(unbounded.get(false, -1), Err(GetError::Empty(Empty)));
}

#[test]
fn q_07() {
    for q in all_kinds(QUEUE_SIZE) {
        for i in 0..QUEUE_SIZE as i32 {
            assert!(q.q().put_nowait(i));
        }
        assert!(!q.q().put_nowait(99));
        for _ in 0..QUEUE_SIZE {
            q.q().get_nowait().unwrap();
        }
        assert_eq!(q.q().get_nowait(), Err(Empty));
    }
}

#[test]
fn q_08() {
    let q = Queue::new(3);
    for i in 0..3 {
        q.put(i, true, None).unwrap();
    }
    assert_eq!(q.put_nowait(9).unwrap_err().into_inner(), 9);
    q.set_maxsize(2);
    assert_eq!(q.maxsize(), 2);
    assert!(q.put_nowait(9).is_err());
    assert_eq!(q.qsize(), 3);
}

/// An item whose comparison can be made to fail, like CPython's
/// `FailingQueue` (there the failure is injected in `_put`/`_get`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Fragile(i32);

thread_local! {
    static FAIL_NEXT_COMPARE: Cell<bool> = const { Cell::new(false) };
}

impl PartialOrd for Fragile {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        if FAIL_NEXT_COMPARE.with(|f| f.replace(false)) {
            panic!("injected comparison failure");
        }
        self.0.partial_cmp(&other.0)
    }
}

fn fail_next() {
    FAIL_NEXT_COMPARE.with(|f| f.set(true));
}

#[test]
fn q_09() {
    bounded(|| {
        let q = Arc::new(PriorityQueue::new(QUEUE_SIZE));
        for x in [5, 3, 4] {
            q.put(Fragile(x), true, None).unwrap();
        }
        // A failing insert: it raises, and nothing changed.
        fail_next();
        let q2 = q.clone();
        assert!(
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || q2.put(
                Fragile(1),
                true,
                None
            )))
            .is_err()
        );
        assert_eq!(q.qsize(), 3);
        assert_eq!(q.unfinished_tasks(), 3);
        // A failing remove: it raises, and nothing changed.
        fail_next();
        let q2 = q.clone();
        assert!(
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || q2.get(true, None)))
                .is_err()
        );
        assert_eq!(q.qsize(), 3);
        // The queue still works, blocking and timed variants included.
        q.put(Fragile(1), true, None).unwrap();
        q.put(Fragile(2), true, 1.0).unwrap();
        assert!(matches!(
            q.put(Fragile(9), true, 0.01),
            Err(PutError::Full(_))
        ));
        let order: Vec<i32> = (0..5).map(|_| q.get(true, 1.0).unwrap().0).collect();
        assert_eq!(order, [1, 2, 3, 4, 5]);
        assert_eq!(q.get(true, 0.01), Err(GetError::Empty(Empty)));
    });
}

#[test]
fn q_10() {
    let q = PriorityQueue::new(0);
    for item in [(1, "b"), (1, "a"), (0, "z")] {
        q.put(item, true, None).unwrap();
    }
    let order: Vec<_> = (0..3).map(|_| q.get_nowait().unwrap()).collect();
    assert_eq!(order, [(0, "z"), (1, "a"), (1, "b")]);
    // Incomparable items (Python's TypeError) cannot be written: the item
    // type is PartialOrd. NaN, which Python compares without an error,
    // behaves as in Python's heapq: it never compares smaller (CPython
    // 3.11 pops [1.0, nan, 2.0] here).
    let q = PriorityQueue::new(0);
    for x in [2.0, f64::NAN, 1.0] {
        q.put(x, true, None).unwrap();
    }
    assert_eq!(q.get_nowait().unwrap(), 1.0);
    assert!(q.get_nowait().unwrap().is_nan());
    assert_eq!(q.get_nowait().unwrap(), 2.0);
}

#[test]
fn q_11() {
    let q = Queue::new(0);
    let start = Instant::now();
    q.join();
    assert!(start.elapsed() < Duration::from_secs(1));
    q.put(1, true, None).unwrap();
    q.get(true, None).unwrap();
    assert_eq!(q.unfinished_tasks(), 1);
}

/// CPython's heapq pop order for items that compare equal but differ,
/// checked against a reference run of `heapq` (`python3` on this machine),
/// when available.
#[test]
fn q_10_heapq_order_matches_cpython() {
    #[derive(Debug, Clone, Copy)]
    struct Item(u8, u8);
    impl PartialEq for Item {
        fn eq(&self, other: &Self) -> bool {
            self.0 == other.0
        }
    }
    impl PartialOrd for Item {
        fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
            self.0.partial_cmp(&other.0)
        }
    }
    let items: Vec<(u8, u8)> = (0..40u8).map(|i| ((i % 5) * 3 % 5, i)).collect();
    let q = PriorityQueue::new(0);
    let mut ours = Vec::new();
    for (i, &(p, tag)) in items.iter().enumerate() {
        q.put(Item(p, tag), true, None).unwrap();
        if i % 3 == 2 {
            ours.push(q.get_nowait().unwrap().1);
        }
    }
    while let Ok(item) = q.get_nowait() {
        ours.push(item.1);
    }
    let script = format!(
        "import heapq\n\
         class I:\n\
         \x20   def __init__(s, p, t): s.p, s.t = p, t\n\
         \x20   def __lt__(s, o): return s.p < o.p\n\
         h, out = [], []\n\
         for i, (p, t) in enumerate({items:?}):\n\
         \x20   heapq.heappush(h, I(p, t))\n\
         \x20   if i % 3 == 2: out.append(heapq.heappop(h).t)\n\
         while h: out.append(heapq.heappop(h).t)\n\
         print(','.join(map(str, out)))\n"
    );
    let Ok(output) = std::process::Command::new("python3")
        .args(["-c", &script])
        .output()
    else {
        eprintln!("python3 not found: skipping the comparison with CPython");
        return;
    };
    let theirs: Vec<u8> = String::from_utf8(output.stdout)
        .unwrap()
        .trim()
        .split(',')
        .map(|s| s.parse().unwrap())
        .collect();
    assert_eq!(ours, theirs);
}

// ---------------------------------------------------------------------------
// SimpleQueue

#[test]
fn sq_01() {
    let q = SimpleQueue::new();
    assert!(q.empty());
    assert_eq!(q.qsize(), 0);
    q.put(1, true, None);
    assert!(!q.empty());
    assert_eq!(q.qsize(), 1);
    q.put(2, true, None);
    q.put_nowait(3);
    q.put(4, true, None);
    assert_eq!(q.qsize(), 4);
    assert_eq!(q.get(true, None).unwrap(), 1);
    assert_eq!(q.qsize(), 3);
    assert_eq!(q.get_nowait().unwrap(), 2);
    assert_eq!(q.get(false, None).unwrap(), 3);
    assert_eq!(q.get(true, 0.1).unwrap(), 4);
    assert!(q.empty());
    assert_eq!(q.get(false, None), Err(GetError::Empty(Empty)));
    assert_eq!(q.get(true, 1e-3), Err(GetError::Empty(Empty)));
    assert_eq!(q.get_nowait(), Err(Empty));
}

#[test]
fn sq_02() {
    let q = SimpleQueue::new();
    q.put(1, true, None);
    assert!(matches!(q.get(true, -1), Err(GetError::ValueError(_))));
    // put accepts and ignores block and timeout.
    q.put(2, false, -1.0);
    q.put(3, true, 0.0);
    assert_eq!(q.qsize(), 3);
}

#[test]
fn sq_03() {
    bounded(|| {
        let q = Arc::new(SimpleQueue::new());
        let inputs: Vec<i32> = (0..100).collect();
        let q2 = q.clone();
        let producer = std::thread::spawn(move || {
            for i in 0..100 {
                if i % 7 == 0 {
                    sleep(Duration::from_micros(500));
                }
                q2.put(Some(i), true, None);
            }
            q2.put(None, true, None);
        });
        let mut results = Vec::new();
        while let Some(x) = q.get(true, None).unwrap() {
            results.push(x);
        }
        producer.join().unwrap();
        assert_eq!(results, inputs);
    });
}

fn sq_04_run(n_items: i32, consume: fn(&SimpleQueue<Option<i32>>) -> Option<i32>) {
    const FEEDERS: usize = 50;
    let q = Arc::new(SimpleQueue::new());
    let source = Arc::new(StdMutex::new((0..n_items).rev().collect::<Vec<i32>>()));
    let results = Arc::new(StdMutex::new(Vec::new()));
    let sentinels = Arc::new(AtomicUsize::new(0));
    let mut handles = Vec::new();
    for _ in 0..FEEDERS {
        let (feeder_q, source) = (q.clone(), source.clone());
        handles.push(std::thread::spawn(move || {
            let q = feeder_q;
            loop {
                let next = source.lock().unwrap().pop();
                match next {
                    Some(x) => q.put(Some(x), true, None),
                    None => break,
                }
            }
            q.put(None, true, None);
        }));
        let (consumer_q, results, sentinels) = (q.clone(), results.clone(), sentinels.clone());
        handles.push(std::thread::spawn(move || {
            loop {
                match consume(&consumer_q) {
                    Some(x) => results.lock().unwrap().push(x),
                    None => {
                        sentinels.fetch_add(1, Ordering::SeqCst);
                        break;
                    }
                }
            }
        }));
    }
    for h in handles {
        h.join().unwrap();
    }
    let mut results = results.lock().unwrap().clone();
    results.sort();
    assert_eq!(results, (0..n_items).collect::<Vec<_>>());
    assert_eq!(sentinels.load(Ordering::SeqCst), FEEDERS);
    assert!(q.empty());
    assert_eq!(q.qsize(), 0);
}

#[test]
fn sq_04() {
    bounded(|| {
        sq_04_run(10_000, |q| q.get(true, None).unwrap());
        sq_04_run(10_000, |q| {
            loop {
                match q.get(false, None) {
                    Ok(x) => return x,
                    Err(_) => sleep(Duration::from_micros(10)),
                }
            }
        });
        sq_04_run(1000, |q| {
            loop {
                if let Ok(x) = q.get(true, 1e-5) {
                    return x;
                }
            }
        });
    });
}

/// API.md §19: `get(timeout=2)` returns early when a Timer puts an item.
#[test]
fn q_get_woken_by_timer() {
    bounded(|| {
        let q = Arc::new(Queue::new(0));
        let q2 = q.clone();
        let timer = Timer::new(0.1, move || q2.put(5, true, None).map_err(|_| ()).unwrap());
        timer.start().unwrap();
        let start = Instant::now();
        assert_eq!(q.get(true, 2.0).unwrap(), 5);
        assert!(start.elapsed() < Duration::from_millis(1900));
        timer.join(None).unwrap();
    });
}
