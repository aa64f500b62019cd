//! The payload limit (the host runs this with 64 KiB): too big a message or
//! task input is `limit`, and nothing is lost.

use portalis_test_programs::{expect_err, guest};

guest::task! {
    fn length(data: Vec<u8>) -> usize {
        data.len()
    }
}

guest::tasks!(length);

fn main() {
    let big = vec![7u8; 200 * 1024];
    let (tx, rx) = guest::unbounded::<Vec<u8>>().unwrap();
    let e = tx.send(big.clone()).unwrap_err();
    assert!(matches!(e.error(), guest::Error::Limit(_)), "{e:?}");
    assert_eq!(e.into_inner().len(), big.len(), "the value comes back");
    expect_err(guest::spawn(length, big), |e| {
        matches!(e, guest::Error::Limit(_))
    });
    tx.send(vec![1; 1024]).unwrap();
    assert_eq!(rx.recv().unwrap().len(), 1024);
    assert_eq!(
        guest::spawn(length, vec![0; 1000]).unwrap().join().unwrap(),
        1000
    );
    println!("limit_payload ok");
}
