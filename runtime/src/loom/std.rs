//! The real implementations, shaped like loom's API.

#![allow(clippy::disallowed_types, reason = "this module is the shim")]

pub(crate) mod sync {
    pub(crate) use std::sync::Arc;

    pub(crate) mod atomic {
        pub(crate) use std::sync::atomic::{Ordering, fence};

        /// Newtypes, so that a lint can tell shim atomics from direct uses of
        /// std's (which `runtime/clippy.toml` forbids).
        macro_rules! atomic {
            ($($name:ident($int:ty)),* $(,)?) => {$(
                #[derive(Debug, Default)]
                #[repr(transparent)]
                pub(crate) struct $name(std::sync::atomic::$name);

                impl $name {
                    pub(crate) const fn new(value: $int) -> Self {
                        Self(std::sync::atomic::$name::new(value))
                    }
                }

                impl std::ops::Deref for $name {
                    type Target = std::sync::atomic::$name;

                    #[inline(always)]
                    fn deref(&self) -> &Self::Target {
                        &self.0
                    }
                }
            )*};
        }

        atomic!(
            AtomicBool(bool),
            AtomicU8(u8),
            AtomicU32(u32),
            AtomicU64(u64),
            AtomicUsize(usize),
        );
    }

    use std::time::Duration;

    /// A mutex that ignores poisoning: internal critical sections never run
    /// user code, so a poisoned lock still guards consistent state.
    #[derive(Debug, Default)]
    pub(crate) struct Mutex<T: ?Sized>(std::sync::Mutex<T>);

    pub(crate) type MutexGuard<'a, T> = std::sync::MutexGuard<'a, T>;

    impl<T> Mutex<T> {
        pub(crate) const fn new(value: T) -> Self {
            Self(std::sync::Mutex::new(value))
        }

        pub(crate) fn into_inner(self) -> T {
            self.0.into_inner().unwrap_or_else(|e| e.into_inner())
        }
    }

    impl<T: ?Sized> Mutex<T> {
        #[inline]
        pub(crate) fn lock(&self) -> MutexGuard<'_, T> {
            self.0.lock().unwrap_or_else(|e| e.into_inner())
        }
    }

    /// A condition variable that ignores poisoning.
    #[derive(Debug, Default)]
    pub(crate) struct Condvar(std::sync::Condvar);

    impl Condvar {
        pub(crate) const fn new() -> Self {
            Self(std::sync::Condvar::new())
        }

        pub(crate) fn wait<'a, T>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
            self.0.wait(guard).unwrap_or_else(|e| e.into_inner())
        }

        /// Waits at most `timeout`; the flag says whether it timed out.
        pub(crate) fn wait_timeout<'a, T>(
            &self,
            guard: MutexGuard<'a, T>,
            timeout: Duration,
        ) -> (MutexGuard<'a, T>, bool) {
            let (guard, result) = self
                .0
                .wait_timeout(guard, timeout)
                .unwrap_or_else(|e| e.into_inner());
            (guard, result.timed_out())
        }

        pub(crate) fn notify_one(&self) {
            self.0.notify_one();
        }

        pub(crate) fn notify_all(&self) {
            self.0.notify_all();
        }
    }
}

pub(crate) mod cell {
    /// `UnsafeCell` with loom's closure-based access.
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> Self {
            Self(std::cell::UnsafeCell::new(value))
        }

        #[inline]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }

        #[inline]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

pub(crate) mod thread {
    pub(crate) use std::thread::{current, park, spawn, yield_now};
}

pub(crate) mod hint {
    pub(crate) use std::hint::spin_loop;
}

/// Spin iterations before parking; loom gets none, to keep models small.
pub(crate) const SPIN_LIMIT: u32 = 6;

/// Spin-then-yield backoff for retry loops.
pub(crate) type Backoff = crossbeam_utils::Backoff;
