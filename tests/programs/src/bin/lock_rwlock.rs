//! RwLock: readers share, a writer excludes, try/timeout forms, ownership.

use guest::Error;
use portalis_test_programs::{expect_err, guest, ms};

guest::task! {
    /// Can this worker read / write right now?
    fn probe(lock: guest::RwLock) -> (bool, bool) {
        let read = lock.try_read().is_ok();
        let write = lock.write_timeout(std::time::Duration::from_millis(20)).is_ok();
        (read, write)
    }
}

guest::tasks!(probe);

fn main() {
    let l = guest::RwLock::new().unwrap();
    {
        let _r = l.read().unwrap();
        let _r2 = l.try_read().unwrap();
        expect_err(l.try_write(), |e| matches!(e, Error::InvalidState(_)));
        let (read, write) = guest::spawn(probe, l.clone()).unwrap().join().unwrap();
        assert!(read, "readers share");
        assert!(!write, "a writer waits for readers");
    }
    {
        let _w = l.write().unwrap();
        expect_err(l.read(), |e| matches!(e, Error::InvalidState(_)));
        let (read, write) = guest::spawn(probe, l.clone()).unwrap().join().unwrap();
        assert!(!read && !write, "the writer excludes everyone");
    }
    let (read, write) = guest::spawn(probe, l.clone()).unwrap().join().unwrap();
    assert!(read && write, "free again");
    drop(l.read_timeout(ms(10)).unwrap());
    drop(l.write_timeout(ms(10)).unwrap());
    println!("lock_rwlock ok");
}
