//! A panicking worker: the joiner gets `panicked` with the message, and
//! everything else goes on.

use portalis_test_programs::{expect_err, fail, guest, square};

guest::tasks!(fail, square);

fn main() {
    let h = guest::spawn(fail, "boom in a worker".to_owned()).unwrap();
    let e = expect_err(h.join(), |e| matches!(e, guest::Error::Panicked(_)));
    let guest::Error::Panicked(message) = e else {
        unreachable!()
    };
    assert!(message.contains("boom in a worker"), "message: {message}");

    assert_eq!(guest::spawn(square, 3).unwrap().join().unwrap(), 9);
    println!("fault_panic ok");
}
