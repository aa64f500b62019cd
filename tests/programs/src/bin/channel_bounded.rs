//! Bounded channels: order, capacity, try/timeout forms, cloned senders,
//! closing from either side.

use guest::Error;
use portalis_test_programs::{expect_err, guest, ms};

guest::task! {
    fn produce(args: (guest::Sender<u32>, u32, u32)) -> () {
        let (tx, from, n) = args;
        for i in from..from + n {
            tx.send(i).unwrap();
        }
    }
}

guest::tasks!(produce);

fn main() {
    let (tx, rx) = guest::bounded::<u32>(2).unwrap();
    assert_eq!(tx.capacity(), Some(2));
    tx.send(1).unwrap();
    tx.try_send(2).unwrap();
    assert_eq!(tx.len(), 2);
    let full = tx.try_send(3).unwrap_err();
    assert!(full.is_full());
    assert_eq!(full.into_inner(), 3, "the value comes back");
    assert!(tx.send_timeout(3, ms(10)).unwrap_err().is_timeout());
    assert_eq!(rx.recv().unwrap(), 1);
    assert_eq!(rx.try_recv().unwrap(), 2);
    expect_err(rx.try_recv(), |e| *e == Error::WouldBlock);
    expect_err(rx.recv_timeout(ms(10)), |e| *e == Error::Timeout);
    assert!(rx.is_empty());

    // Two producers on cloned senders; the channel closes when all are gone.
    let hs = vec![
        guest::spawn(produce, (tx.clone(), 0, 100)).unwrap(),
        guest::spawn(produce, (tx.clone(), 100, 100)).unwrap(),
    ];
    drop(tx);
    let mut got: Vec<u32> = rx.iter().collect();
    for h in hs {
        h.join().unwrap();
    }
    got.sort();
    assert_eq!(got, (0..200).collect::<Vec<_>>());
    expect_err(rx.recv(), |e| *e == Error::Closed);

    // Every receiver gone: a send fails and gives the value back.
    let (tx, rx) = guest::bounded::<String>(1).unwrap();
    drop(rx);
    let e = tx.send("lost?".to_owned()).unwrap_err();
    assert!(e.is_closed());
    assert_eq!(e.into_inner(), "lost?");
    println!("channel_bounded ok");
}
