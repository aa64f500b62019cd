//! `python::queue` on shared memory: producers and consumers over a bounded
//! `Queue` with `task_done`/`join`, `PriorityQueue` smallest first,
//! `LifoQueue`, `SimpleQueue`, and the `Empty`/`Full` timeouts. (Shared
//! memory only.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use portalis_threading::python::queue::{
    GetError, LifoQueue, PriorityQueue, PutError, Queue, SimpleQueue,
};
use portalis_threading::python::threading::Thread;

portalis_test_programs::guest::tasks!();

fn main() {
    // Two producers, three consumers, maxsize 4; join returns once every
    // item is marked done.
    let q = Arc::new(Queue::<u64>::new(4));
    let total = Arc::new(AtomicU64::new(0));
    let consumers: Vec<Thread> = (0..3)
        .map(|_| {
            let (q, total) = (q.clone(), total.clone());
            let t = Thread::builder()
                .daemon(true)
                .target(move || -> Result<(), GetError> {
                    loop {
                        let item = q.get(true, None)?;
                        total.fetch_add(item, Ordering::SeqCst);
                        q.task_done().unwrap();
                    }
                })
                .build();
            t.start().unwrap();
            t
        })
        .collect();
    let producers: Vec<Thread> = (0..2)
        .map(|p| {
            let q = q.clone();
            let t = Thread::new(move || {
                for i in 0..500u64 {
                    q.put(p * 500 + i, true, None).unwrap();
                }
            });
            t.start().unwrap();
            t
        })
        .collect();
    for p in &producers {
        p.join(None).unwrap();
    }
    q.join();
    assert_eq!(total.load(Ordering::SeqCst), 999 * 1000 / 2);
    assert!(q.empty());
    assert!(q.task_done().is_err(), "task_done() called too many times");
    assert!(consumers.iter().all(Thread::daemon));

    // Full and Empty after their timeouts.
    let small = Queue::new(1);
    small.put(1, true, None).unwrap();
    let start = Instant::now();
    assert!(matches!(small.put(2, true, 0.05), Err(PutError::Full(_))));
    assert!(start.elapsed() >= Duration::from_millis(30));
    assert_eq!(small.get(true, None).unwrap(), 1);
    assert!(matches!(small.get(true, 0.05), Err(GetError::Empty(_))));
    assert!(matches!(
        small.get(true, -1.0),
        Err(GetError::ValueError(_))
    ));

    // PriorityQueue pops the smallest first, whichever thread put it.
    let pq = Arc::new(PriorityQueue::new(0));
    let putters: Vec<Thread> = (0..4)
        .map(|t| {
            let pq = pq.clone();
            let th = Thread::new(move || {
                for i in 0..25u32 {
                    pq.put((i * 4 + t, format!("job {}", i * 4 + t)), true, None)
                        .unwrap();
                }
            });
            th.start().unwrap();
            th
        })
        .collect();
    for t in &putters {
        t.join(None).unwrap();
    }
    let order: Vec<u32> = (0..100).map(|_| pq.get(false, None).unwrap().0).collect();
    assert_eq!(order, (0..100).collect::<Vec<_>>());

    // LifoQueue is a stack; SimpleQueue hands items across threads.
    let lifo = LifoQueue::new(0);
    for i in 0..3 {
        lifo.put(i, true, None).unwrap();
    }
    assert_eq!(lifo.get(true, None).unwrap(), 2);
    let simple = Arc::new(SimpleQueue::new());
    let s2 = simple.clone();
    let sender = Thread::new(move || s2.put("hello", true, None));
    sender.start().unwrap();
    assert_eq!(simple.get(true, 5.0).unwrap(), "hello");
    sender.join(None).unwrap();

    println!("python_queue ok");
}
