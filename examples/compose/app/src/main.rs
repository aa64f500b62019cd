//! An app composed with the sorter library: it spawns tasks of its own and
//! calls the library, whose tasks run on workers too. Prints where each
//! part's tasks ran and the library's speedup on 2 workers over 1.
//!
//! ```text
//! wac plug compose-app.wasm --plug sortlib.wasm -o composed.wasm
//! portalis-threading run --workers 2 composed.wasm
//! ```
//! Natively it links the library as a crate.

use std::time::{Duration, Instant};

use portalis_threading_guest::{current_id, spawn, task, tasks};

task! {
    /// Makes pseudo-random data (an app task).
    pub fn make_data(n: u32) -> (Vec<u32>, u64) {
        let items = (0..n).map(|i| i.wrapping_mul(2_654_435_761) ^ (i >> 3)).collect();
        (items, current_id())
    }
}

tasks!(make_data);

#[cfg(all(target_family = "wasm", target_os = "wasi", target_env = "p2"))]
mod sorter {
    wit_bindgen::generate!({
        path: ["../../../wit", "../wit"],
        world: "portalis:sort/app",
        generate_all,
    });
    pub(crate) use self::portalis::sort::sorter::{checksum, probe, sort};
}

#[cfg(not(all(target_family = "wasm", target_os = "wasi", target_env = "p2")))]
mod sorter {
    pub(crate) fn sort(items: &[u32], workers: u32) -> Vec<u32> {
        portalis_example_sortlib::sort(items.to_vec(), workers as usize)
    }
    pub(crate) fn checksum(data: &[u8], workers: u32) -> u64 {
        portalis_example_sortlib::checksum(data.to_vec(), workers as usize)
    }
    pub(crate) fn probe() -> u64 {
        portalis_example_sortlib::probe()
    }
}

fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .expect("at least one run")
}

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("N is a number"));

    // An app task, on a worker.
    let (items, app_worker) = spawn(make_data, n).expect("spawn").join().expect("join");
    assert_ne!(app_worker, 0, "the app's task ran on a worker");

    // A library task, on a worker (of the composite), reached through the chain.
    let lib_worker = sorter::probe();
    assert_ne!(lib_worker, 0, "the library's task ran on a worker");
    println!("app task ran on worker {app_worker}; library task ran on worker {lib_worker}");

    let sorted = sorter::sort(&items, 2);
    assert_eq!(sorted.len(), items.len());
    assert!(sorted.windows(2).all(|w| w[0] <= w[1]), "sorted");

    let data: Vec<u8> = items.iter().flat_map(|x| x.to_le_bytes()).collect();
    let one = best_of(3, || {
        std::hint::black_box(sorter::checksum(&data, 1));
    });
    let two = best_of(3, || {
        std::hint::black_box(sorter::checksum(&data, 2));
    });
    assert_eq!(sorter::checksum(&data, 1), sorter::checksum(&data, 2));
    println!(
        "library checksum of {} KiB: 1 worker {:.1} ms, 2 workers {:.1} ms, speedup {:.2}x",
        data.len() / 1024,
        one.as_secs_f64() * 1e3,
        two.as_secs_f64() * 1e3,
        one.as_secs_f64() / two.as_secs_f64()
    );
    println!("compose ok");
}
