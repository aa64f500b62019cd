//! Spawning a task the program did not list is `unknown-entry` at spawn
//! (on components; where memory is shared every task can run).

use portalis_test_programs::{guest, square};

guest::task! {
    fn unlisted(x: u64) -> u64 { x + 1 }
}

guest::tasks!(square);

fn main() {
    match guest::spawn(unlisted, 1) {
        Err(guest::Error::UnknownEntry(name)) => assert!(name.ends_with("unlisted"), "{name}"),
        Ok(h) => assert_eq!(h.join().unwrap(), 2, "shared memory runs it directly"),
        Err(e) => panic!("unexpected: {e:?}"),
    }
    let pool = guest::ThreadPool::new(1).unwrap();
    match pool.submit(unlisted, 1) {
        Err(guest::Error::UnknownEntry(_)) => {}
        Ok(t) => assert_eq!(t.wait().unwrap(), 2),
        Err(e) => panic!("unexpected: {e:?}"),
    }
    println!("fault_unknown_entry ok");
}
