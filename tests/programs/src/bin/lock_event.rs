//! Event: set, clear, wait, timeouts, shared with workers.

use portalis_test_programs::{guest, ms};

guest::task! {
    fn wait_for(e: guest::Event) -> bool {
        e.wait_timeout(std::time::Duration::from_secs(10)).unwrap()
    }

    fn set(e: guest::Event) -> () {
        e.set();
    }
}

guest::tasks!(wait_for, set);

fn main() {
    let e = guest::Event::new().unwrap();
    assert!(!e.is_set());
    assert!(!e.wait_timeout(ms(10)).unwrap());
    let hs: Vec<_> = (0..3)
        .map(|_| guest::spawn(wait_for, e.clone()).unwrap())
        .collect();
    guest::sleep(ms(30)).unwrap();
    e.set();
    assert!(
        hs.into_iter().all(|h| h.join().unwrap()),
        "set wakes every waiter"
    );
    e.clear();
    assert!(!e.is_set());
    guest::spawn(set, e.clone()).unwrap().join().unwrap();
    e.wait().unwrap();
    println!("lock_event ok");
}
