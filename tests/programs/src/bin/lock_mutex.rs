//! Mutex: exclusion across workers, try/timeout forms, ownership rules, and
//! a handle passed to workers.

use guest::Error;
use portalis_test_programs::{expect_err, guest, ms};

guest::task! {
    /// Locks `mutex` `rounds` times; inside, checks that nobody else is
    /// (the event is set only while someone holds the lock).
    fn exclusive(args: (guest::Mutex, guest::Event, u32)) -> u32 {
        let (mutex, inside, rounds) = args;
        let mut clashes = 0;
        for _ in 0..rounds {
            let _g = mutex.lock().unwrap();
            if inside.is_set() {
                clashes += 1;
            }
            inside.set();
            guest::yield_now();
            inside.clear();
        }
        clashes
    }

    /// Tries to lock a mutex someone else holds, says so on `tried`, then
    /// waits for it.
    fn contend(args: (guest::Mutex, guest::Event)) -> (bool, bool) {
        let (mutex, tried) = args;
        let busy = matches!(mutex.try_lock(), Err(Error::WouldBlock));
        let timed_out = matches!(mutex.lock_timeout(std::time::Duration::from_millis(20)), Err(Error::Timeout));
        tried.set();
        let _g = mutex.lock().unwrap();
        (busy, timed_out)
    }

    /// Locks and returns without unlocking: the lock is released when the
    /// worker ends.
    fn forget_unlock(mutex: guest::Mutex) -> () {
        std::mem::forget(mutex.lock().unwrap());
    }
}

guest::tasks!(exclusive, contend, forget_unlock);

fn main() {
    let m = guest::Mutex::new().unwrap();
    assert!(!m.is_locked());
    {
        let _g = m.lock().unwrap();
        assert!(m.is_locked());
        expect_err(m.lock(), |e| matches!(e, Error::InvalidState(_)));
        expect_err(m.try_lock(), |e| matches!(e, Error::InvalidState(_)));
    }
    assert!(!m.is_locked());
    drop(m.try_lock().unwrap());
    drop(m.lock_timeout(ms(10)).unwrap());

    // Another worker contends while we hold it.
    // (It says when it has tried, so a slow spawn cannot find it free.)
    let guard = m.lock().unwrap();
    let tried = guest::Event::new().unwrap();
    let h = guest::spawn(contend, (m.clone(), tried.clone())).unwrap();
    tried.wait().unwrap();
    drop(guard);
    assert_eq!(h.join().unwrap(), (true, true));

    // Exclusion across workers.
    let inside = guest::Event::new().unwrap();
    let hs: Vec<_> = (0..3)
        .map(|_| guest::spawn(exclusive, (m.clone(), inside.clone(), 200)).unwrap())
        .collect();
    let clashes: u32 = hs.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(clashes, 0, "two workers held the mutex at once");

    // A worker that ends holding the lock releases it.
    guest::spawn(forget_unlock, m.clone())
        .unwrap()
        .join()
        .unwrap();
    drop(
        m.lock_timeout(ms(2000))
            .expect("released when its holder ended"),
    );
    println!("lock_mutex ok");
}
