//! Pools: submit, map, task states, cancel, wait_any, shutdown, and a pool
//! shared with a worker.

use guest::{Error, TaskState};
use portalis_test_programs::{eventually, expect_err, guest, ms, nap, square};

guest::task! {
    /// Submits to a pool it was given.
    fn use_pool(pool: guest::ThreadPool) -> u64 {
        pool.submit(square, 9).unwrap().wait().unwrap()
    }

    /// Blocks until the event is set.
    fn gate(e: guest::Event) -> u64 {
        e.wait().unwrap();
        1
    }
}

guest::tasks!(square, nap, use_pool, gate);

fn main() {
    let pool = guest::ThreadPool::new(2).unwrap();
    assert_eq!(pool.workers(), 2);
    assert_eq!(
        pool.map(square, (0..20).collect()).unwrap(),
        (0..20).map(|i| i * i).collect::<Vec<_>>()
    );
    let t = pool.submit(square, 7).unwrap();
    assert_eq!(t.wait().unwrap(), 49);

    // Occupy both workers, queue a third task, cancel it.
    let open = guest::Event::new().unwrap();
    let busy: Vec<_> = (0..2)
        .map(|_| pool.submit(gate, open.clone()).unwrap())
        .collect();
    let queued = pool.submit(square, 3).unwrap();
    eventually("both workers run a gated task", || {
        busy.iter().all(|t| t.state() == TaskState::Running)
    });
    assert_eq!(queued.state(), TaskState::Pending);
    assert!(queued.cancel());
    assert_eq!(queued.state(), TaskState::Cancelled);
    expect_err(queued.wait(), |e| *e == Error::Cancelled);
    let mut waiting = pool.submit(square, 4).unwrap();
    expect_err(waiting.wait_timeout(ms(10)), |e| *e == Error::Timeout);
    expect_err(guest::wait_any(&[&busy[0], &busy[1]], Some(ms(20))), |e| {
        *e == Error::Timeout
    });
    open.set();
    let first = guest::wait_any(&[&busy[0], &busy[1]], None).unwrap();
    assert!(first < 2);
    assert_eq!(waiting.wait_timeout(ms(10_000)).unwrap(), 16);
    for t in busy {
        assert_eq!(t.wait().unwrap(), 1);
    }

    // A result and the task's state agree, task after task (the browser
    // shim hands most of these results straight from the pool worker to
    // the waiting thread, ahead of its own records).
    let solo = guest::ThreadPool::new(1).unwrap();
    for i in 0..100 {
        let mut t = solo.submit(square, i).unwrap();
        assert_eq!(t.wait_timeout(ms(10_000)).unwrap(), i * i);
        assert_eq!(t.state(), TaskState::Done);
        assert_eq!(guest::wait_any(&[&t], Some(ms(0))).unwrap(), 0);
    }
    // A timed wait that runs out as the task ends: either outcome, and the
    // result is still there for the next wait.
    for i in 0..50 {
        let mut t = solo.submit(nap, 1).unwrap();
        match t.wait_timeout(ms(i % 3)) {
            Ok(v) => assert_eq!(v, 1),
            Err(e) => {
                assert_eq!(e, Error::Timeout);
                assert_eq!(t.wait_timeout(ms(10_000)).unwrap(), 1);
            }
        }
    }

    // A worker uses the pool through a handle.
    assert_eq!(
        guest::spawn(use_pool, pool.clone())
            .unwrap()
            .join()
            .unwrap(),
        81
    );

    // Shutdown lets queued tasks finish, then refuses new ones.
    let last = pool.submit(nap, 30).unwrap();
    pool.shutdown().unwrap();
    assert!(pool.is_shutdown());
    assert_eq!(last.wait().unwrap(), 30);
    expect_err(pool.submit(square, 1), |e| *e == Error::Closed);

    // shutdown_now cancels what has not started.
    let pool = guest::ThreadPool::new(1).unwrap();
    let gate_open = guest::Event::new().unwrap();
    let running = pool.submit(gate, gate_open.clone()).unwrap();
    let pending = pool.submit(square, 5).unwrap();
    eventually("the gated task runs", || {
        running.state() == TaskState::Running
    });
    // Cancels `pending` at once; the worker is still held at the gate, so
    // waiting for it times out.
    expect_err(pool.shutdown_now(Some(ms(20))), |e| *e == Error::Timeout);
    gate_open.set();
    assert_eq!(running.wait().unwrap(), 1);
    expect_err(pending.wait(), |e| *e == Error::Cancelled);
    println!("executor_pool ok");
}
