//! Condition: wait and notify across workers, timeouts relock, notify
//! counts, the bound mutex, and waiting without the lock.

use guest::Error;
use portalis_test_programs::{expect_err, guest, ms};

guest::task! {
    /// Waits on the condition (holding its mutex) until notified.
    fn waiter(args: (guest::Condition, guest::Event)) -> bool {
        let (cond, ready) = args;
        let mutex = cond.mutex();
        let mut g = mutex.lock().unwrap();
        ready.set();
        let notified = cond.wait_timeout(&mut g, std::time::Duration::from_secs(10)).unwrap();
        notified && mutex.is_locked()
    }

    /// Takes the mutex, notifies everyone, lets go.
    fn notifier(cond: guest::Condition) -> u32 {
        let mutex = cond.mutex();
        let _g = mutex.lock().unwrap();
        cond.notify_all()
    }
}

guest::tasks!(waiter, notifier);

fn main() {
    let m = guest::Mutex::new().unwrap();
    let c = guest::Condition::new(&m).unwrap();

    // A timed wait times out and holds the mutex again.
    {
        let mut g = m.lock().unwrap();
        assert!(!c.wait_timeout(&mut g, ms(20)).unwrap());
        assert!(m.is_locked());
    }
    assert_eq!(c.notify(1), 0, "nobody to wake");

    // Two workers wait; one notify(1) wakes one, notify_all the other.
    let ready: Vec<_> = (0..2).map(|_| guest::Event::new().unwrap()).collect();
    let hs: Vec<_> = ready
        .iter()
        .map(|r| guest::spawn(waiter, (c.clone(), r.clone())).unwrap())
        .collect();
    for r in &ready {
        r.wait().unwrap();
    }
    // Both set `ready` while holding the mutex, so once we get it both wait.
    drop(m.lock().unwrap());
    let mut woken = 0;
    while woken < 2 {
        let _g = m.lock().unwrap();
        woken += c.notify(1);
        drop(_g);
        guest::sleep(ms(5)).unwrap();
    }
    assert!(hs.into_iter().all(|h| h.join().unwrap()));

    // A worker notifies main.
    let mut g = m.lock().unwrap();
    let h = guest::spawn(notifier, c.clone()).unwrap();
    c.wait(&mut g).unwrap();
    drop(g);
    assert_eq!(h.join().unwrap(), 1);

    // Waiting without the mutex is an error.
    let other = guest::Mutex::new().unwrap();
    let mut og = other.lock().unwrap();
    expect_err(c.wait_timeout(&mut og, ms(5)), |e| {
        matches!(e, Error::InvalidState(_))
    });
    println!("lock_condition ok");
}
