//! A rendezvous channel: a send completes only when a receiver takes it.

use portalis_test_programs::{guest, ms};

guest::task! {
    fn receive_later(rx: guest::Receiver<u64>) -> u64 {
        guest::sleep(std::time::Duration::from_millis(50)).unwrap();
        rx.recv().unwrap()
    }
}

guest::tasks!(receive_later);

fn main() {
    let (tx, rx) = guest::rendezvous::<u64>().unwrap();
    assert_eq!(tx.capacity(), Some(0));
    assert!(tx.try_send(1).unwrap_err().is_full(), "nobody is receiving");
    let h = guest::spawn(receive_later, rx).unwrap();
    tx.send_timeout(7, ms(10_000)).unwrap();
    assert_eq!(h.join().unwrap(), 7);
    println!("channel_rendezvous ok");
}
