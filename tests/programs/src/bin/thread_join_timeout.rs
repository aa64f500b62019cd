//! join with a timeout, and without blocking; the output is taken once.

use portalis_test_programs::{expect_err, guest, ms, nap};

guest::tasks!(nap);

fn main() {
    let mut h = guest::spawn(nap, 300).unwrap();
    expect_err(h.try_join(), |e| *e == guest::Error::WouldBlock);
    expect_err(h.join_timeout(ms(20)), |e| *e == guest::Error::Timeout);
    assert_eq!(h.join_timeout(ms(10_000)).unwrap(), 300);
    expect_err(h.join(), |e| matches!(e, guest::Error::InvalidState(_)));
    println!("thread_join_timeout ok");
}
