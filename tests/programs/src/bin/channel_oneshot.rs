//! Oneshot channels carry exactly one message.

use guest::Error;
use portalis_test_programs::{expect_err, guest};

guest::task! {
    fn answer(tx: guest::Sender<u32>) -> () {
        tx.send(42).unwrap();
    }
}

guest::tasks!(answer);

fn main() {
    let (tx, rx) = guest::oneshot::<u32>().unwrap();
    guest::spawn(answer, tx.clone()).unwrap().join().unwrap();
    assert!(tx.send(43).unwrap_err().is_closed(), "only one message");
    assert_eq!(rx.recv().unwrap(), 42);
    expect_err(rx.try_recv(), |e| *e == Error::Closed);
    println!("channel_oneshot ok");
}
