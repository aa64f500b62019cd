//! A component that lists one task twice: its `entries()` has a duplicate,
//! as a composite of two parts defining the same entry would, and the host
//! refuses to run it with an error naming the entry. (Where memory is shared
//! the list is only type-checked, and the program runs.)

use portalis_test_programs::{guest, square};

guest::tasks!(square, square);

fn main() {
    assert_eq!(guest::spawn(square, 4).unwrap().join().unwrap(), 16);
    println!("fault_duplicate_entry ok");
}
