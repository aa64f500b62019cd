//! Tokens: a handle's token opens once; forged, reused and mistyped tokens
//! are `invalid-token`. (Handles in task inputs travel the same way.)

use guest::Error;
use portalis_test_programs::{expect_err, guest};

guest::tasks!();

fn main() {
    let m = guest::Mutex::new().unwrap();
    expect_err(guest::Mutex::open(0x1234_5678_9abc_def0), |e| {
        *e == Error::InvalidToken
    });

    let token = m.share().unwrap();
    let opened = guest::Mutex::open(token).unwrap();
    drop(opened.lock().unwrap());
    expect_err(guest::Mutex::open(token), |e| *e == Error::InvalidToken);

    let token = m.share().unwrap();
    expect_err(guest::Event::open(token), |e| *e == Error::InvalidToken);
    let right = guest::Mutex::open(token).expect("a mistyped open leaves the token redeemable");
    drop(right);

    let (tx, rx) = guest::unbounded::<u8>().unwrap();
    let token = tx.share().unwrap();
    drop(tx);
    let tx = guest::Sender::<u8>::open(token).expect("a token keeps its sender alive");
    tx.send(1).unwrap();
    drop(tx);
    assert_eq!(rx.recv().unwrap(), 1);
    expect_err(rx.recv(), |e| *e == Error::Closed);
    println!("fault_tokens ok");
}
