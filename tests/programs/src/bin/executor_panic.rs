//! A pooled task that panics is `panicked`; the pool replaces the trapped
//! instance and keeps working.

use portalis_test_programs::{expect_err, fail, guest, square};

guest::tasks!(fail, square);

fn main() {
    let pool = guest::ThreadPool::new(1).unwrap();
    let t = pool.submit(fail, "pooled failure".to_owned()).unwrap();
    let e = expect_err(t.wait(), |e| matches!(e, guest::Error::Panicked(_)));
    assert!(e.to_string().contains("pooled failure"), "{e}");
    for i in 0..5 {
        assert_eq!(pool.submit(square, i).unwrap().wait().unwrap(), i * i);
    }
    let results: Vec<_> = pool.map(square, vec![1, 2, 3]).unwrap();
    assert_eq!(results, [1, 4, 9]);
    println!("executor_panic ok");
}
