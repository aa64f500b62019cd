//! Timeouts as deadlines.

use std::time::{Duration, Instant};

/// The instant `timeout` from now; `None` (wait forever) if that is past what
/// `Instant` can represent.
pub(crate) fn after(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}

/// Time left until `deadline`; zero once it has passed.
pub(crate) fn remaining(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}
