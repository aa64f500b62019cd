//! Every guest test program, run on the host as a component.
//!
//! One test per program in `tests/programs/src/bin`; `foreach_program!`
//! proves none is left out. Programs check themselves and exit 0; the limit
//! and fault programs run on hosts configured for them.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use portalis_test_artifacts::*;
use portalis_threading_host::{
    HostConfig, Limits, Output, RunOptions, RunOutcome, StopReason, ThreadingHost,
};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

mod cli;

/// A host shared by the tests that need no special limits, so that programs
/// also run one after another (and at once) on the same host.
fn shared_host() -> &'static ThreadingHost {
    static HOST: OnceLock<ThreadingHost> = OnceLock::new();
    HOST.get_or_init(|| ThreadingHost::new(HostConfig::default()).expect("engine"))
}

struct Ran {
    outcome: RunOutcome,
    stdout: String,
    stderr: String,
}

fn run_on(host: &ThreadingHost, path: &str) -> Ran {
    let program = host.load(path.as_ref()).expect("load");
    let stdout = MemoryOutputPipe::new(1 << 20);
    let stderr = MemoryOutputPipe::new(1 << 20);
    let options = RunOptions {
        args: vec!["program".into()],
        stdout: Output::Capture(stdout.clone()),
        stderr: Output::Capture(stderr.clone()),
        ..RunOptions::default()
    };
    let outcome = host.run(&program, options).expect("run");
    Ran {
        outcome,
        stdout: String::from_utf8_lossy(&stdout.contents()).into_owned(),
        stderr: String::from_utf8_lossy(&stderr.contents()).into_owned(),
    }
}

/// Runs `path` and expects it to pass: status 0, its "ok" line, no thread
/// left behind.
fn pass_on(host: &ThreadingHost, name: &str, path: &str) {
    let ran = run_on(host, path);
    assert_eq!(
        ran.outcome.status, 0,
        "{name} failed: {:?}\n--- stdout\n{}\n--- stderr\n{}",
        ran.outcome.error, ran.stdout, ran.stderr
    );
    assert!(
        ran.stdout.contains(&format!("{name} ok")),
        "{name}: no ok line:\n{}",
        ran.stdout
    );
    assert_eq!(
        ran.outcome.report.stray_threads, 0,
        "{name} left threads behind"
    );
}

fn pass(name: &str, path: &str) {
    pass_on(shared_host(), name, path);
}

fn host_with(limits: Limits) -> ThreadingHost {
    ThreadingHost::new(HostConfig {
        workers: Some(2),
        limits,
    })
    .expect("engine")
}

macro_rules! passes {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            pass(stringify!($name), paste_component!($name));
        }
    )*};
}

/// The path constant of a program.
macro_rules! paste_component {
    ($name:ident) => {
        PROGRAMS
            .iter()
            .find(|(n, _)| *n == stringify!($name))
            .map(|(_, p)| *p)
            .expect("a built program")
    };
}

passes!(
    thread_smoke,
    thread_join_timeout,
    thread_nested,
    lock_mutex,
    lock_rwlock,
    lock_semaphore,
    lock_barrier,
    lock_condition,
    lock_event,
    channel_bounded,
    channel_rendezvous,
    channel_unbounded,
    channel_oneshot,
    channel_broadcast,
    executor_pool,
    executor_panic,
    executor_speedup,
    fault_panic,
    fault_unknown_entry,
    fault_tokens,
    fault_trap,
);

#[test]
fn limit_workers() {
    let host = host_with(Limits {
        max_workers: 3,
        ..Limits::default()
    });
    pass_on(&host, "limit_workers", LIMIT_WORKERS_COMPONENT);
}

#[test]
fn limit_objects() {
    let host = host_with(Limits {
        max_objects: 100,
        ..Limits::default()
    });
    pass_on(&host, "limit_objects", LIMIT_OBJECTS_COMPONENT);
}

#[test]
fn limit_payload() {
    let host = host_with(Limits {
        max_payload_bytes: 64 << 10,
        ..Limits::default()
    });
    pass_on(&host, "limit_payload", LIMIT_PAYLOAD_COMPONENT);
}

#[test]
fn limit_memory() {
    let host = host_with(Limits {
        max_memory_bytes: 64 << 20,
        ..Limits::default()
    });
    pass_on(&host, "limit_memory", LIMIT_MEMORY_COMPONENT);
}

#[test]
fn limit_time() {
    let limit = Duration::from_millis(500);
    let host = host_with(Limits {
        run_time: Some(limit),
        ..Limits::default()
    });
    let start = Instant::now();
    let ran = run_on(&host, LIMIT_TIME_COMPONENT);
    let took = start.elapsed();
    assert_eq!(
        ran.outcome.status, 124,
        "{:?}\n{}",
        ran.outcome.error, ran.stderr
    );
    assert_eq!(ran.outcome.report.reason, StopReason::TimeLimit(limit));
    assert_eq!(
        ran.outcome.report.stray_threads, 0,
        "a busy, a parked and a sleeping thread all left"
    );
    assert!(took < Duration::from_secs(10), "stopping took {took:?}");
    // The same host runs the next program correctly.
    pass_on(&host, "thread_smoke", THREAD_SMOKE_COMPONENT);
}

#[test]
fn faults_leave_the_host_serving() {
    let host = host_with(Limits::default());
    for failing in [
        FAULT_PANIC_COMPONENT,
        FAULT_TRAP_COMPONENT,
        LIMIT_WORKERS_COMPONENT,
    ] {
        let _ = run_on(&host, failing);
        pass_on(&host, "thread_smoke", THREAD_SMOKE_COMPONENT);
    }
}

#[test]
fn programs_run_at_once_on_one_host() {
    let a = std::thread::spawn(|| pass("lock_mutex", LOCK_MUTEX_COMPONENT));
    let b = std::thread::spawn(|| pass("channel_unbounded", CHANNEL_UNBOUNDED_COMPONENT));
    a.join().unwrap();
    b.join().unwrap();
}

macro_rules! assert_test_exists {
    ($name:ident) => {
        #[allow(unused_imports, reason = "ensures a #[test] exists for the program")]
        use self::$name as _;
    };
}
foreach_program!(assert_test_exists);
