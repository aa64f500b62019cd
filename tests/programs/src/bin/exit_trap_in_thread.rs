//! A trap (abort) in a thread while main waits: the run ends with 134.

portalis_test_programs::guest::tasks!();

fn main() {
    let _t = std::thread::spawn(|| std::process::abort());
    std::thread::sleep(std::time::Duration::from_secs(3600));
    unreachable!("the trap ends the run");
}
