//! The object limit (the host runs this with at most 100 objects); freed
//! objects give their place back.

use portalis_test_programs::{expect_err, guest};

guest::tasks!();

fn main() {
    let mut held = Vec::new();
    let err = loop {
        match guest::Mutex::new() {
            Ok(m) => held.push(m),
            Err(e) => break e,
        }
        assert!(held.len() <= 100, "the limit is not enforced");
    };
    assert!(matches!(err, guest::Error::Limit(_)), "{err:?}");
    expect_err(guest::unbounded::<u8>(), |e| {
        matches!(e, guest::Error::Limit(_))
    });
    held.clear();
    let _again = guest::Mutex::new().expect("dropped objects free their place");
    println!("limit_objects ok");
}
