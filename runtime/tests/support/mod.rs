//! Helpers shared by the runtime's integration tests.

use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

/// Runs `body` on a thread and fails the test if it takes longer than
/// `limit`: a deadlock or livelock becomes a failure, not a hung CI job.
/// A panic in `body` is re-raised on the caller.
pub(crate) fn bounded_run<F: FnOnce() + Send + 'static>(limit: Duration, body: F) {
    let (tx, rx) = channel();
    let worker = std::thread::spawn(move || {
        body();
        let _ = tx.send(());
    });
    match rx.recv_timeout(limit) {
        Ok(()) => worker.join().unwrap(),
        Err(RecvTimeoutError::Disconnected) => {
            std::panic::resume_unwind(worker.join().unwrap_err())
        }
        Err(RecvTimeoutError::Timeout) => panic!("test exceeded {limit:?}: deadlock or livelock"),
    }
}

/// [`bounded_run`] with a one-minute limit.
pub(crate) fn bounded<F: FnOnce() + Send + 'static>(body: F) {
    bounded_run(Duration::from_secs(60), body);
}
