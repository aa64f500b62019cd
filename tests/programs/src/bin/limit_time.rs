//! The run-time limit (the host runs this with a short limit): a busy
//! worker, a parked one and a sleeping main are all stopped.

use portalis_test_programs::guest;

guest::task! {
    fn spin(_unit: ()) -> u64 {
        let mut x = 0u64;
        loop {
            x = x.wrapping_add(1);
            std::hint::black_box(x);
        }
    }

    fn park(e: guest::Event) -> () {
        e.wait().unwrap();
    }
}

guest::tasks!(spin, park);

fn main() {
    let _busy = guest::spawn(spin, ()).unwrap();
    let never = guest::Event::new().unwrap();
    let _parked = guest::spawn(park, never.clone()).unwrap();
    guest::sleep(std::time::Duration::from_secs(3600)).unwrap();
    unreachable!("the run must have been stopped");
}
