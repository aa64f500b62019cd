//! Every spawned worker starts from the component's pristine memory, however
//! many workers ran before it on the same recycled OS thread and pooled
//! memory slot: statics hold their initial values and new heap memory reads
//! as zero. Components only: wasi-threads threads share one memory by design.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use portalis_test_programs::guest;

/// Lies in the data segment (not zero) and in .bss (zero).
static TASKS_RUN: AtomicU64 = AtomicU64::new(7);
static SCRATCH: Mutex<[u8; 256 * 1024]> = Mutex::new([0; 256 * 1024]);

/// Bigger than the part of a freed memory the host keeps resident.
const HEAP: usize = 3 << 20;

guest::task! {
    /// Checks this instance is pristine, then dirties statics and heap with
    /// `fill`. Returns what it found wrong, if anything.
    pub fn dirty(fill: u8) -> Option<String> {
        let mut wrong = None;
        if TASKS_RUN.load(Ordering::Relaxed) != 7 {
            wrong = Some(format!("a static was {} instead of 7", TASKS_RUN.load(Ordering::Relaxed)));
        }
        let mut scratch = SCRATCH.lock().unwrap();
        if let Some(at) = scratch.iter().position(|&b| b != 0) {
            wrong = Some(format!("a zeroed static held {} at byte {at}", scratch[at]));
        }
        // A zeroed allocation of fresh pages: the allocator trusts memory
        // it grew to be zero and does not clear it.
        let mut heap = vec![0u8; HEAP];
        if let Some(at) = heap.iter().position(|&b| b != 0) {
            wrong = Some(format!("new heap memory held {} at byte {at}", heap[at]));
        }
        scratch.fill(fill);
        heap.fill(fill);
        std::hint::black_box(&heap);
        TASKS_RUN.fetch_add(1, Ordering::Relaxed);
        wrong
    }
}

guest::tasks!(dirty);

fn main() {
    // One after another, so each worker reuses the thread and, likely, the
    // memory slot the previous one left dirty.
    for fill in 1..=12u8 {
        let found = guest::spawn(dirty, fill).unwrap().join().unwrap();
        assert_eq!(found, None, "worker {fill} did not start pristine");
    }
    // Main's own instance is not a worker's: its statics are its own.
    assert_eq!(TASKS_RUN.load(Ordering::Relaxed), 7);
    println!("thread_fresh_memory ok");
}
