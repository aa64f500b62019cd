//! Many threads printing at once: the host checks that every line arrives
//! whole. (Shared memory only.)

portalis_test_programs::guest::tasks!();

fn main() {
    let hs: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                for i in 0..200 {
                    println!("thread {t} line {i:03} {}", "=".repeat(40));
                }
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
    println!("std_stdout ok");
}
