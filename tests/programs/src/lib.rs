//! Helpers and tasks shared by the guest test programs.
//!
//! Each program in `src/bin/` is a plain `main` that checks behaviour with
//! `assert!`; a failed check panics, and the program exits non-zero. The
//! host's tests run every program and expect status 0.

use std::time::Duration;

pub use portalis_threading_guest as guest;

use guest::Error;

/// Milliseconds.
pub fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Waits until `condition` holds, polling, and fails after ten seconds: a
/// check of something that happens "soon" that a loaded machine cannot
/// make flaky.
#[track_caller]
pub fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(
            std::time::Instant::now() < deadline,
            "never happened: {what}"
        );
        guest::sleep(ms(1)).unwrap();
    }
}

/// Asserts that `result` failed with an error `matches` accepts.
#[track_caller]
pub fn expect_err<T: std::fmt::Debug>(
    result: Result<T, Error>,
    matches: impl FnOnce(&Error) -> bool,
) -> Error {
    match result {
        Ok(v) => panic!("expected an error, got Ok({v:?})"),
        Err(e) => {
            assert!(matches(&e), "unexpected error: {e:?}");
            e
        }
    }
}

guest::task! {
    /// Squares a number.
    pub fn square(x: u64) -> u64 {
        x * x
    }

    /// Sleeps `ms` milliseconds, then returns it.
    pub fn nap(ms: u64) -> u64 {
        guest::sleep(Duration::from_millis(ms)).unwrap();
        ms
    }

    /// The id of the worker it runs on.
    pub fn worker_id(_unit: ()) -> u64 {
        guest::current_id()
    }

    /// Panics with the given message.
    pub fn fail(message: String) -> u64 {
        panic!("{message}")
    }

    /// Counts primes in `[lo, hi)` by trial division: CPU-bound work.
    pub fn count_primes(range: (u64, u64)) -> u64 {
        let (lo, hi) = range;
        (lo..hi).filter(|&n| is_prime(n)).count() as u64
    }
}

/// Trial division.
pub fn is_prime(n: u64) -> bool {
    n >= 2
        && (2..)
            .take_while(|d| d * d <= n)
            .all(|d| !n.is_multiple_of(d))
}
