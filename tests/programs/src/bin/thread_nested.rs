//! Workers start workers; a dropped handle detaches its worker.

use portalis_test_programs::{guest, square};

guest::task! {
    fn fan_out(n: u64) -> u64 {
        let hs: Vec<_> = (1..=n).map(|i| guest::spawn(square, i).unwrap()).collect();
        hs.into_iter().map(|h| h.join().unwrap()).sum()
    }

    fn report(tx: guest::Sender<u64>) -> () {
        tx.send(guest::current_id()).unwrap();
    }
}

guest::tasks!(fan_out, square, report);

fn main() {
    let h = guest::spawn(fan_out, 4).unwrap();
    assert_eq!(h.join().unwrap(), 1 + 4 + 9 + 16);

    let (tx, rx) = guest::unbounded().unwrap();
    drop(guest::spawn(report, tx).unwrap()); // detached
    let id = rx.recv().unwrap();
    assert_ne!(id, 0);
    assert_eq!(
        rx.recv(),
        Err(guest::Error::Closed),
        "the worker's sender is gone"
    );
    println!("thread_nested ok");
}
