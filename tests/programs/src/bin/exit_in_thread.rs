//! `exit(7)` in a thread while main waits: the whole run ends with 7.

portalis_test_programs::guest::tasks!();

fn main() {
    let _t = std::thread::spawn(|| {
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::process::exit(7);
    });
    std::thread::sleep(std::time::Duration::from_secs(3600));
    unreachable!("exit in the thread ends the run");
}
