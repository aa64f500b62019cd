//! Every guest test program, run on the host as a component and as a
//! wasi-threads module.
//!
//! One test per program in `tests/programs/src/bin` (`foreach_program!`
//! proves none is left out); each runs the program on every backend it
//! applies to (`support::expectation`). The limit programs run on hosts
//! configured for them. `tests/matrix.rs` prints the whole table.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use portalis_test_artifacts::*;
use portalis_threading_host::{Limits, StopReason, ThreadingHost};

mod cli;
mod coverage;
mod support;

use support::{Backend, Expect, check, expectation, host_with, run_on};

/// A host shared by the tests that need no special limits, so that programs
/// also run one after another (and at once) on the same host.
fn shared_host() -> &'static ThreadingHost {
    static HOST: OnceLock<ThreadingHost> = OnceLock::new();
    HOST.get_or_init(|| host_with(Limits::default()))
}

/// Runs `name` on both backends as `support::expectation` says.
fn both(name: &str) {
    for backend in [Backend::Component, Backend::Module] {
        let expect = expectation(name, backend);
        if expect != Expect::NotApplicable {
            check(shared_host(), name, backend, expect).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

macro_rules! programs {
    ($($name:ident),* $(,)?) => {$(
        #[test]
        fn $name() {
            both(stringify!($name));
        }
    )*};
}

programs!(
    thread_smoke,
    thread_join_timeout,
    thread_nested,
    thread_fresh_memory,
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
    fault_duplicate_entry,
    bench_tasks,
    std_threads,
    std_sync,
    std_rayon,
    std_crossbeam,
    std_files,
    python_threading,
    python_queue,
    python_futures,
);

/// The shared-memory benchmark runs (quickly) as a module.
#[test]
fn bench_wasi_threads() {
    let host = shared_host();
    let program = host.load(BENCH_WASI_THREADS_MODULE.as_ref()).expect("load");
    let outcome = host
        .run(
            &program,
            portalis_threading_host::RunOptions {
                args: vec!["bench".into(), "--quick".into()],
                ..Default::default()
            },
        )
        .expect("run");
    assert_eq!(outcome.status, 0, "{:?}", outcome.error);
}

#[test]
fn std_stdout() {
    let ran = check(shared_host(), "std_stdout", Backend::Module, Expect::Pass)
        .unwrap_or_else(|e| panic!("{e}"));
    for t in 0..4 {
        for i in 0..200 {
            let line = format!("thread {t} line {i:03} {}", "=".repeat(40));
            assert_eq!(
                ran.stdout.lines().filter(|l| *l == line).count(),
                1,
                "line `{line}` lost or torn"
            );
        }
    }
    assert_eq!(ran.stdout.lines().count(), 801);
}

/// `exit` or a trap in any thread ends a module's run with its status,
/// leaves no thread running, and the host goes on serving.
fn ends_the_run(name: &str, status: i32, stderr_says: &str) {
    let host = host_with(Limits::default());
    let ran = check(&host, name, Backend::Module, Expect::Status(status))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        ran.stderr.contains(stderr_says),
        "{name}: stderr: {}",
        ran.stderr
    );
    check(&host, "thread_smoke", Backend::Module, Expect::Pass).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn exit_in_thread() {
    ends_the_run("exit_in_thread", 7, "");
}

#[test]
fn exit_trap_in_thread() {
    ends_the_run("exit_trap_in_thread", 134, "");
}

#[test]
fn exit_panic_in_thread() {
    ends_the_run("exit_panic_in_thread", 134, "thread panic message");
}

fn limit_test(name: &str, limits: Limits) {
    let host = host_with(limits);
    check(&host, name, Backend::Component, Expect::Pass).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn limit_workers() {
    limit_test(
        "limit_workers",
        Limits {
            max_workers: 3,
            ..Limits::default()
        },
    );
}

#[test]
fn limit_objects() {
    limit_test(
        "limit_objects",
        Limits {
            max_objects: 100,
            ..Limits::default()
        },
    );
}

#[test]
fn limit_payload() {
    limit_test(
        "limit_payload",
        Limits {
            max_payload_bytes: 64 << 10,
            ..Limits::default()
        },
    );
}

#[test]
fn limit_memory() {
    limit_test(
        "limit_memory",
        Limits {
            max_memory_bytes: 64 << 20,
            ..Limits::default()
        },
    );
}

/// The time limit stops a busy, a parked and a sleeping thread, on both
/// backends, and the host then runs the next program.
#[test]
fn limit_time() {
    let limit = Duration::from_millis(500);
    let host = host_with(Limits {
        run_time: Some(limit),
        ..Limits::default()
    });
    for backend in [Backend::Component, Backend::Module] {
        let start = Instant::now();
        let ran = run_on(&host, "limit_time", backend);
        let took = start.elapsed();
        assert_eq!(
            ran.outcome.status, 124,
            "{backend:?}: {:?}\n{}",
            ran.outcome.error, ran.stderr
        );
        assert_eq!(ran.outcome.report.reason, StopReason::TimeLimit(limit));
        assert_eq!(
            ran.outcome.report.stray_threads, 0,
            "{backend:?}: every thread left"
        );
        assert!(
            took < Duration::from_secs(10),
            "{backend:?}: stopping took {took:?}"
        );
        check(&host, "thread_smoke", backend, Expect::Pass).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn faults_leave_the_host_serving() {
    let host = host_with(Limits::default());
    for failing in ["fault_panic", "fault_trap", "limit_workers"] {
        let _ = run_on(&host, failing, Backend::Component);
        check(&host, "thread_smoke", Backend::Component, Expect::Pass)
            .unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Two parts defining one entry (here, one component listing it twice) is
/// a clear error, before anything runs.
#[test]
fn duplicate_entries_are_refused() {
    let host = shared_host();
    let program = host
        .load(FAULT_DUPLICATE_ENTRY_COMPONENT.as_ref())
        .expect("load");
    let err = host
        .run(&program, portalis_threading_host::RunOptions::default())
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("portalis_test_programs::square") && err.contains("defined twice"),
        "{err}"
    );
}

#[test]
fn programs_run_at_once_on_one_host() {
    let a = std::thread::spawn(|| {
        check(
            shared_host(),
            "lock_mutex",
            Backend::Component,
            Expect::Pass,
        )
        .map(drop)
    });
    let b = std::thread::spawn(|| {
        check(shared_host(), "std_sync", Backend::Module, Expect::Pass).map(drop)
    });
    a.join().unwrap().unwrap();
    b.join().unwrap().unwrap();
}

#[test]
fn a_core_module_without_threads_is_refused_clearly() {
    // A wasm32-wasip2 component's bytes are not a module; a random core
    // module is not a wasi-threads program.
    let err = shared_host()
        .load_bytes(b"\0asm\x01\0\0\0")
        .expect_err("refused")
        .to_string();
    assert!(err.contains("env.memory"), "{err}");
    let _ = THREAD_SMOKE_MODULE;
}

macro_rules! assert_test_exists {
    ($name:ident) => {
        #[allow(unused_imports, reason = "ensures a #[test] exists for the program")]
        use self::$name as _;
    };
}
foreach_program!(assert_test_exists);
