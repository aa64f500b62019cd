//! Broadcast: every subscriber gets every later message, in the same order;
//! a bounded channel waits for the slowest.

use guest::Error;
use portalis_test_programs::{expect_err, guest, ms};

guest::task! {
    fn listen(rx: guest::Receiver<u32>) -> Vec<u32> {
        rx.iter().collect()
    }

    fn announce(args: (guest::Broadcaster<u32>, u32)) -> usize {
        let (b, n) = args;
        (0..n).map(|i| b.send(&i).unwrap()).sum()
    }
}

guest::tasks!(listen, announce);

fn main() {
    let b = guest::broadcast::<u32>(Some(4)).unwrap();
    assert_eq!(b.send(&99).unwrap(), 0, "no subscribers yet");
    let subs: Vec<_> = (0..3).map(|_| b.subscribe().unwrap()).collect();
    let listeners: Vec<_> = subs
        .into_iter()
        .map(|s| guest::spawn(listen, s).unwrap())
        .collect();
    let sent = guest::spawn(announce, (b.clone(), 50))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(sent, 150);
    drop(b);
    let seen: Vec<Vec<u32>> = listeners.into_iter().map(|l| l.join().unwrap()).collect();
    for s in &seen {
        assert_eq!(*s, (0..50).collect::<Vec<_>>());
    }

    let b = guest::broadcast::<u32>(Some(1)).unwrap();
    let slow = b.subscribe().unwrap();
    b.try_send(&1).unwrap();
    expect_err(b.try_send(&2), |e| *e == Error::WouldBlock);
    expect_err(b.send_timeout(&2, ms(10)), |e| *e == Error::Timeout);
    assert_eq!(slow.recv().unwrap(), 1);
    assert_eq!(b.try_send(&2).unwrap(), 1);
    println!("channel_broadcast ok");
}
