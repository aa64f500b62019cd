//! The crate's one error type, mirroring the WIT `error` variant.

use std::fmt;

/// The error of every fallible operation in this crate.
///
/// Its cases mirror `portalis:threading/types.error`, so an error crosses
/// between native code, the host and guests without losing its meaning.
/// Operations that consume a value (a channel send) return [`SendError`],
/// which gives the value back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A timed operation ran out of time.
    #[error("timed out")]
    Timeout,
    /// A non-blocking operation could not complete at once.
    #[error("operation would block")]
    WouldBlock,
    /// The other side is gone: every receiver (for a send), every sender of
    /// an empty channel (for a receive), or a pool that was shut down.
    #[error("closed")]
    Closed,
    /// A thread or task panicked (or trapped); carries its message.
    #[error("panicked: {0}")]
    Panicked(String),
    /// A barrier is broken.
    #[error("barrier is broken")]
    Broken,
    /// A task was cancelled before it started.
    #[error("cancelled")]
    Cancelled,
    /// A limit was reached; says which.
    #[error("limit reached: {0}")]
    Limit(String),
    /// An argument is out of range or malformed; says which.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The object is not in a state that permits the operation.
    #[error("invalid state: {0}")]
    InvalidState(String),
    /// A token is unknown, already redeemed, or names another kind of object.
    #[error("invalid token")]
    InvalidToken,
    /// No task with this entry name exists.
    #[error("unknown task entry `{0}`")]
    UnknownEntry(String),
    /// The operation is not supported here; says why.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A message could not be encoded or decoded.
    #[error("codec: {0}")]
    Codec(String),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A failed send, which gives the unsent value back.
///
/// The reason is [`Error::Closed`], [`Error::WouldBlock`] (the channel is
/// full) or [`Error::Timeout`].
#[derive(Clone, PartialEq, Eq)]
pub struct SendError<T> {
    value: T,
    error: Error,
}

impl<T> SendError<T> {
    /// A failed send of `value`, for `error`.
    pub fn new(value: T, error: Error) -> Self {
        Self { value, error }
    }

    /// Why the send failed.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The value that was not sent.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// Splits into the value and the reason.
    pub fn into_parts(self) -> (T, Error) {
        (self.value, self.error)
    }

    /// Whether every receiver is gone.
    pub fn is_closed(&self) -> bool {
        self.error == Error::Closed
    }

    /// Whether the channel was full (non-blocking send).
    pub fn is_full(&self) -> bool {
        self.error == Error::WouldBlock
    }

    /// Whether a timed send ran out of time.
    pub fn is_timeout(&self) -> bool {
        self.error == Error::Timeout
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendError")
            .field("error", &self.error)
            .finish_non_exhaustive()
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "send failed: {}", self.error)
    }
}

impl<T> std::error::Error for SendError<T> {}

impl<T> From<SendError<T>> for Error {
    fn from(e: SendError<T>) -> Self {
        e.error
    }
}

impl<T> From<crossbeam_channel::SendError<T>> for SendError<T> {
    fn from(e: crossbeam_channel::SendError<T>) -> Self {
        Self::new(e.0, Error::Closed)
    }
}

impl<T> From<crossbeam_channel::TrySendError<T>> for SendError<T> {
    fn from(e: crossbeam_channel::TrySendError<T>) -> Self {
        match e {
            crossbeam_channel::TrySendError::Full(v) => Self::new(v, Error::WouldBlock),
            crossbeam_channel::TrySendError::Disconnected(v) => Self::new(v, Error::Closed),
        }
    }
}

impl<T> From<crossbeam_channel::SendTimeoutError<T>> for SendError<T> {
    fn from(e: crossbeam_channel::SendTimeoutError<T>) -> Self {
        match e {
            crossbeam_channel::SendTimeoutError::Timeout(v) => Self::new(v, Error::Timeout),
            crossbeam_channel::SendTimeoutError::Disconnected(v) => Self::new(v, Error::Closed),
        }
    }
}

impl From<crossbeam_channel::RecvError> for Error {
    fn from(_: crossbeam_channel::RecvError) -> Self {
        Error::Closed
    }
}

impl From<crossbeam_channel::TryRecvError> for Error {
    fn from(e: crossbeam_channel::TryRecvError) -> Self {
        match e {
            crossbeam_channel::TryRecvError::Empty => Error::WouldBlock,
            crossbeam_channel::TryRecvError::Disconnected => Error::Closed,
        }
    }
}

impl From<crossbeam_channel::RecvTimeoutError> for Error {
    fn from(e: crossbeam_channel::RecvTimeoutError) -> Self {
        match e {
            crossbeam_channel::RecvTimeoutError::Timeout => Error::Timeout,
            crossbeam_channel::RecvTimeoutError::Disconnected => Error::Closed,
        }
    }
}

impl From<postcard::Error> for Error {
    fn from(e: postcard::Error) -> Self {
        Error::Codec(e.to_string())
    }
}

impl From<std::io::Error> for Error {
    /// An OS error while starting a thread: the OS refused a resource.
    fn from(e: std::io::Error) -> Self {
        Error::Limit(format!("the operating system refused: {e}"))
    }
}
