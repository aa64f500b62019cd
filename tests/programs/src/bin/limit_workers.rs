//! The worker limit (the host runs this with at most 3 workers).

use portalis_test_programs::{expect_err, guest, nap};

guest::tasks!(nap);

fn main() {
    let running: Vec<_> = (0..3).map(|_| guest::spawn(nap, 200).unwrap()).collect();
    expect_err(guest::spawn(nap, 1), |e| {
        matches!(e, guest::Error::Limit(_))
    });
    expect_err(guest::ThreadPool::new(1), |e| {
        matches!(e, guest::Error::Limit(_))
    });
    for h in running {
        h.join().unwrap();
    }
    guest::spawn(nap, 1).unwrap().join().unwrap();
    println!("limit_workers ok");
}
