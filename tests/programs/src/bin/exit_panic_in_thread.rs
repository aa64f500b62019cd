//! A panic in a thread (which aborts on wasm) while main waits: the run ends
//! with 134 and the panic message on stderr.

portalis_test_programs::guest::tasks!();

fn main() {
    let _t = std::thread::spawn(|| panic!("thread panic message"));
    std::thread::sleep(std::time::Duration::from_secs(3600));
    unreachable!("the panic ends the run");
}
