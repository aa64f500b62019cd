//! Semaphore: permits, try/timeout forms, bounded over-release, shared
//! between workers.

use guest::Error;
use portalis_test_programs::{expect_err, guest, ms};

guest::task! {
    fn take(s: guest::Semaphore) -> bool {
        s.acquire_timeout(std::time::Duration::from_secs(10)).is_ok()
    }
}

guest::tasks!(take);

fn main() {
    let s = guest::Semaphore::new(2).unwrap();
    assert_eq!(s.available(), 2);
    s.acquire().unwrap();
    s.try_acquire().unwrap();
    expect_err(s.try_acquire(), |e| *e == Error::WouldBlock);
    expect_err(s.acquire_timeout(ms(10)), |e| *e == Error::Timeout);
    expect_err(s.release(0), |e| matches!(e, Error::InvalidArgument(_)));

    let waiter = guest::spawn(take, s.clone()).unwrap();
    guest::sleep(ms(50)).unwrap();
    s.release(1).unwrap();
    assert!(
        waiter.join().unwrap(),
        "a release wakes a worker waiting for a permit"
    );
    s.release(2).unwrap();
    assert_eq!(s.available(), 2);

    let b = guest::Semaphore::bounded(1, 2).unwrap();
    b.release(1).unwrap();
    expect_err(b.release(1), |e| matches!(e, Error::InvalidState(_)));
    assert_eq!(b.available(), 2, "a refused release changes nothing");
    expect_err(guest::Semaphore::bounded(3, 2), |e| {
        matches!(e, Error::InvalidArgument(_))
    });
    println!("lock_semaphore ok");
}
