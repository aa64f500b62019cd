//! Lock-free pieces: a counter and a sequence lock.

pub(crate) mod counter;
pub(crate) mod seqlock;
