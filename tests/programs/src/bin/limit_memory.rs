//! The memory limit (the host runs this with 64 MiB per instance): a worker
//! that grows past it fails, and the program goes on.

use portalis_test_programs::guest;

guest::task! {
    fn hog(mib: usize) -> usize {
        let v = vec![1u8; mib << 20];
        v.iter().map(|&b| b as usize).sum::<usize>() >> 20
    }
}

guest::tasks!(hog);

fn main() {
    let h = guest::spawn(hog, 256).unwrap();
    assert!(
        matches!(h.join(), Err(guest::Error::Panicked(_))),
        "past the limit"
    );
    assert_eq!(guest::spawn(hog, 4).unwrap().join().unwrap(), 4);
    println!("limit_memory ok");
}
