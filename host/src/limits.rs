//! What one run may consume.

use std::time::Duration;

/// Limits on what one run (a program and every worker it starts) may use.
///
/// Reaching a limit is an `error::limit` for the guest that asked, naming
/// the limit, never a crash of the host.
///
/// # Examples
/// ```
/// use portalis_threading_host::Limits;
/// use std::time::Duration;
///
/// let limits = Limits {
///     max_workers: 8,
///     run_time: Some(Duration::from_secs(30)),
///     ..Limits::default()
/// };
/// assert_eq!(limits.max_payload_bytes, Limits::default().max_payload_bytes);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Worker threads alive at once: spawned workers plus pool threads.
    pub max_workers: usize,
    /// Host objects alive at once: locks, channels, pools, and tokens not
    /// yet redeemed.
    pub max_objects: usize,
    /// The largest payload: a task input or output, or one message.
    pub max_payload_bytes: usize,
    /// Bytes queued in all of the run's channels at once.
    pub max_queued_bytes: usize,
    /// Linear memory per instance, in bytes.
    pub max_memory_bytes: usize,
    /// Wall-clock time for the whole run; `None` for no limit.
    pub run_time: Option<Duration>,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_workers: 256,
            max_objects: 65_536,
            max_payload_bytes: 64 << 20,
            max_queued_bytes: 512 << 20,
            max_memory_bytes: 1 << 30,
            run_time: None,
        }
    }
}
