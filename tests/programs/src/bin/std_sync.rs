//! std's Mutex, Condvar, RwLock, Barrier and mpsc across threads. (Shared
//! memory only.)

use std::collections::VecDeque;
use std::sync::{Arc, Barrier, Condvar, Mutex, RwLock, mpsc};

portalis_test_programs::guest::tasks!();

fn main() {
    // A bounded queue on Mutex + Condvar.
    let queue = Arc::new((Mutex::new(VecDeque::new()), Condvar::new(), Condvar::new()));
    let producer = {
        let q = queue.clone();
        std::thread::spawn(move || {
            for i in 0..1000u64 {
                let (m, not_full, not_empty) = &*q;
                let mut g = not_full
                    .wait_while(m.lock().unwrap(), |q| q.len() >= 8)
                    .unwrap();
                g.push_back(i);
                not_empty.notify_one();
            }
        })
    };
    let mut sum = 0;
    for _ in 0..1000 {
        let (m, not_full, not_empty) = &*queue;
        let mut g = not_empty
            .wait_while(m.lock().unwrap(), |q| q.is_empty())
            .unwrap();
        sum += g.pop_front().unwrap();
        not_full.notify_one();
    }
    producer.join().unwrap();
    assert_eq!(sum, 999 * 1000 / 2);

    let table = Arc::new(RwLock::new(vec![0u64; 4]));
    let barrier = Arc::new(Barrier::new(4));
    let hs: Vec<_> = (0..4)
        .map(|i| {
            let (t, b) = (table.clone(), barrier.clone());
            std::thread::spawn(move || {
                t.write().unwrap()[i] = i as u64 + 1;
                b.wait();
                t.read().unwrap().iter().sum::<u64>()
            })
        })
        .collect();
    assert!(
        hs.into_iter().all(|h| h.join().unwrap() == 10),
        "every thread saw every write"
    );

    let (tx, rx) = mpsc::channel();
    for t in 0..4u64 {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for i in 0..250 {
                tx.send(t * 1000 + i).unwrap();
            }
        });
    }
    drop(tx);
    assert_eq!(rx.iter().count(), 1000);
    println!("std_sync ok");
}
