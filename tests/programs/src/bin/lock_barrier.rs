//! Barrier: indices, one leader per cycle, reuse, timeout breaks it, abort,
//! reset, parties and n_waiting.

use guest::Error;
use portalis_test_programs::{expect_err, guest, ms};

guest::task! {
    fn arrive(b: guest::Barrier) -> Result<(u32, bool), String> {
        b.wait().map(|w| (w.index, w.is_leader)).map_err(|e| e.to_string())
    }
}

guest::tasks!(arrive);

fn main() {
    let b = guest::Barrier::new(3).unwrap();
    assert_eq!(b.parties(), 3);
    for _cycle in 0..3 {
        let hs: Vec<_> = (0..2)
            .map(|_| guest::spawn(arrive, b.clone()).unwrap())
            .collect();
        let mine = b.wait().unwrap();
        let mut all = vec![(mine.index, mine.is_leader)];
        all.extend(hs.into_iter().map(|h| h.join().unwrap().unwrap()));
        all.sort();
        assert_eq!(all, [(0, false), (1, false), (2, true)]);
    }

    // A timeout breaks the barrier for everyone.
    let h = guest::spawn(arrive, b.clone()).unwrap();
    while b.n_waiting() != 1 {
        guest::sleep(ms(5)).unwrap();
    }
    expect_err(b.wait_timeout(ms(20)), |e| *e == Error::Timeout);
    assert!(h.join().unwrap().is_err(), "the other party sees it broken");
    assert!(b.is_broken());
    expect_err(b.wait(), |e| *e == Error::Broken);
    b.reset();
    assert!(!b.is_broken());

    // Abort wakes a waiter with `broken`.
    let h = guest::spawn(arrive, b.clone()).unwrap();
    while b.n_waiting() != 1 {
        guest::sleep(ms(5)).unwrap();
    }
    b.abort();
    assert!(h.join().unwrap().is_err());
    b.reset();
    expect_err(guest::Barrier::new(0), |e| {
        matches!(e, Error::InvalidArgument(_))
    });
    println!("lock_barrier ok");
}
