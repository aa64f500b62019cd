//! Tasks: functions a worker can run, named so that a fresh instance can
//! find them.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// A function that runs on a worker.
///
/// Define tasks with [`task!`](crate::task); list them in your program with
/// [`tasks!`](crate::tasks) so that workers can run them. The input and
/// output cross between workers as payloads, so they are serde types.
pub trait Task: Copy + Send + 'static {
    /// What the task takes.
    type Input: Serialize + DeserializeOwned + Send + 'static;
    /// What the task returns.
    type Output: Serialize + DeserializeOwned + Send + 'static;
    /// The task's entry name: `crate::module::function`, unique within a
    /// crate by Rust's own namespacing.
    const NAME: &'static str;

    /// Runs the task.
    fn run(input: Self::Input) -> Self::Output;
}

/// Defines one or more tasks: functions of one argument that a worker can
/// run.
///
/// Each `fn name(arg: In) -> Out { ... }` becomes a value `name` of a unit
/// type implementing [`Task`], to pass to [`spawn`](crate::spawn) or a
/// [`ThreadPool`](crate::ThreadPool); call the function directly with
/// `name.call(arg)`. Several arguments go in a tuple.
///
/// # Examples
/// ```
/// portalis_threading_guest::task! {
///     /// Sums a range.
///     pub fn sum_range(range: (u64, u64)) -> u64 {
///         let (lo, hi) = range;
///         (lo..hi).sum()
///     }
/// }
/// assert_eq!(sum_range.call((1, 4)), 6);
/// ```
#[macro_export]
macro_rules! task {
    ($(
        $(#[$meta:meta])*
        $vis:vis fn $name:ident($arg:ident: $input:ty) -> $output:ty $body:block
    )*) => {$(
        $(#[$meta])*
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
        $vis struct $name;

        impl $crate::Task for $name {
            type Input = $input;
            type Output = $output;
            const NAME: &'static str = concat!(module_path!(), "::", stringify!($name));

            fn run($arg: $input) -> $output $body
        }

        impl $name {
            /// Runs the task here, on the calling thread.
            #[allow(dead_code)]
            $vis fn call(self, input: $input) -> $output {
                <Self as $crate::Task>::run(input)
            }
        }
    )*};
}

/// Lists the tasks a program (or a library component) lets workers run, and
/// exports them as its `portalis:threading/worker` entry point.
///
/// Invoke it once per component, at the crate root, naming every task that
/// is spawned or submitted (including tasks defined in other crates). On
/// targets where workers share memory (native, `wasm32-wasip1-threads`)
/// tasks run directly and the list is only checked to name tasks.
///
/// An entry this component does not define is forwarded to the next stage
/// of the composition chain (see the crate docs, "Composition").
///
/// # Examples
/// ```
/// portalis_threading_guest::task! {
///     fn double(x: u32) -> u32 { x * 2 }
/// }
/// portalis_threading_guest::tasks!(double);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! tasks {
    ($($task:path),* $(,)?) => {
        $crate::__export_tasks!($($task),*);
    };
}

#[doc(hidden)]
pub mod internal {
    //! What the macros expand to; not a public API.

    use crate::Task;
    use portalis_threading::{Codec, Error};

    /// One task a component can run: its name and how to run it on bytes.
    #[derive(Debug, Clone, Copy)]
    pub struct TaskEntry {
        /// The entry name.
        pub name: &'static str,
        /// Decodes the input, runs the task, encodes the output.
        pub run: fn(&[u8]) -> Result<Vec<u8>, Error>,
    }

    /// The entry for task `T`.
    pub const fn entry<T: Task>() -> TaskEntry {
        TaskEntry {
            name: T::NAME,
            run: run_encoded::<T>,
        }
    }

    fn run_encoded<T: Task>(input: &[u8]) -> Result<Vec<u8>, Error> {
        let input: T::Input = Codec::new()
            .decode(input)
            .map_err(|e| Error::InvalidArgument(format!("input of task `{}`: {e}", T::NAME)))?;
        Codec::new().encode(&T::run(input))
    }

    /// Finds `entry` among `tasks`.
    pub fn find(tasks: &[TaskEntry], entry: &str) -> Option<TaskEntry> {
        tasks.iter().find(|t| t.name == entry).copied()
    }

    #[cfg(portalis_component)]
    pub use crate::sys::worker_export::{WorkerGuest, entries, run_entry};
}

/// Exports the listed tasks as the component's `worker` entry point.
#[cfg(portalis_component)]
#[doc(hidden)]
#[macro_export]
macro_rules! __export_tasks {
    ($($task:path),*) => {
        #[doc(hidden)]
        struct __PortalisTasks;

        impl __PortalisTasks {
            const TASKS: &'static [$crate::internal::TaskEntry] =
                &[$($crate::internal::entry::<$task>()),*];
        }

        impl $crate::internal::WorkerGuest for __PortalisTasks {
            fn run(
                entry: ::std::string::String,
                input: ::std::vec::Vec<u8>,
            ) -> ::core::result::Result<::std::vec::Vec<u8>, $crate::bindings::portalis::threading::types::Error> {
                $crate::internal::run_entry(Self::TASKS, entry, input)
            }

            fn entries() -> ::std::vec::Vec<::std::string::String> {
                $crate::internal::entries(Self::TASKS)
            }
        }

        $crate::bindings::export_worker!(__PortalisTasks with_types_in $crate::bindings);
    };
}

/// Where workers share memory, tasks run directly: only check the list.
#[cfg(not(portalis_component))]
#[doc(hidden)]
#[macro_export]
macro_rules! __export_tasks {
    ($($task:path),*) => {
        const _: &[$crate::internal::TaskEntry] = &[$($crate::internal::entry::<$task>()),*];
    };
}
