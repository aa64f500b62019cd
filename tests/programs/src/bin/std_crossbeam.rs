//! crossbeam channels with select, between plain threads. (Shared memory
//! only.)

use crossbeam_channel::{bounded, select, unbounded};

portalis_test_programs::guest::tasks!();

fn main() {
    let (a_tx, a_rx) = bounded::<u32>(4);
    let (b_tx, b_rx) = unbounded::<u32>();
    let a = std::thread::spawn(move || (0..100).for_each(|i| a_tx.send(i).unwrap()));
    let b = std::thread::spawn(move || (100..200).for_each(|i| b_tx.send(i).unwrap()));
    let (mut sum, mut open) = (0, 2);
    let (mut a_rx, mut b_rx) = (Some(a_rx), Some(b_rx));
    while open > 0 {
        let never = crossbeam_channel::never();
        select! {
            recv(a_rx.as_ref().unwrap_or(&never)) -> v => match v {
                Ok(v) => sum += v,
                Err(_) => { a_rx = None; open -= 1; }
            },
            recv(b_rx.as_ref().unwrap_or(&never)) -> v => match v {
                Ok(v) => sum += v,
                Err(_) => { b_rx = None; open -= 1; }
            },
        }
    }
    a.join().unwrap();
    b.join().unwrap();
    assert_eq!(sum, (0..200).sum::<u32>());
    println!("std_crossbeam ok");
}
