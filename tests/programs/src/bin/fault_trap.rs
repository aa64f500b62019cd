//! A worker that traps without panicking (abort) and one that exits the
//! whole program.

use portalis_test_programs::{expect_err, guest};

guest::task! {
    fn abort(_unit: ()) -> () {
        std::process::abort();
    }
}

guest::tasks!(abort);

fn main() {
    let h = guest::spawn(abort, ()).unwrap();
    expect_err(h.join(), |e| matches!(e, guest::Error::Panicked(_)));
    println!("fault_trap ok");
}
