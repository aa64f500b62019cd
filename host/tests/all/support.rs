//! Running the guest test programs on a host, and what each should do on
//! each backend.

use std::path::PathBuf;

use portalis_test_artifacts::PROGRAMS;
use portalis_threading_host::{HostConfig, Limits, Output, RunOptions, RunOutcome, ThreadingHost};
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;

/// A component (`wasm32-wasip2`) or a wasi-threads module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Component,
    Module,
}

/// How a program should end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Expect {
    /// Status 0 and its "ok" line.
    Pass,
    /// This exit status (a deliberate exit or fault).
    Status(i32),
    /// The program needs the other backend (or special limits).
    NotApplicable,
}

/// What `name` should do on `backend` with the default host settings.
pub(crate) fn expectation(name: &str, backend: Backend) -> Expect {
    match backend {
        // std threads (and so the Python API's threads) need shared memory.
        Backend::Component
            if name.starts_with("std_")
                || name.starts_with("python_")
                || name.starts_with("exit_")
                || name == "bench_wasi_threads" =>
        {
            Expect::NotApplicable
        }
        // Threads of one module share its memory by design.
        Backend::Module if name == "thread_fresh_memory" => Expect::NotApplicable,
        // Limits are host objects' and workers'; each has its own test.
        _ if name.starts_with("limit_") => Expect::NotApplicable,
        // The host refuses it before it runs; tested on its own.
        Backend::Component if name == "fault_duplicate_entry" => Expect::NotApplicable,
        // On shared memory a panic or trap in any thread ends the run, as
        // in a process (wasm cannot unwind).
        Backend::Module if matches!(name, "fault_panic" | "fault_trap" | "executor_panic") => {
            Expect::Status(134)
        }
        Backend::Module if name == "exit_in_thread" => Expect::Status(7),
        Backend::Module if name.starts_with("exit_") => Expect::Status(134),
        _ => Expect::Pass,
    }
}

pub(crate) fn path(name: &str, backend: Backend) -> &'static str {
    let (_, component, module) = PROGRAMS
        .iter()
        .find(|(n, _, _)| *n == name)
        .unwrap_or_else(|| panic!("no program `{name}`"));
    match backend {
        Backend::Component => component,
        Backend::Module => module,
    }
}

pub(crate) fn host_with(limits: Limits) -> ThreadingHost {
    ThreadingHost::new(HostConfig {
        workers: Some(2),
        limits,
    })
    .expect("engine")
}

pub(crate) struct Ran {
    pub(crate) outcome: RunOutcome,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

/// A scratch directory preopened at `/work`, for programs that use files.
pub(crate) fn scratch_dir(name: &str, backend: Backend) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "portalis-{name}-{backend:?}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn run_on(host: &ThreadingHost, name: &str, backend: Backend) -> Ran {
    let program = host.load(path(name, backend).as_ref()).expect("load");
    let stdout = MemoryOutputPipe::new(4 << 20);
    let stderr = MemoryOutputPipe::new(4 << 20);
    let mut args = vec![name.to_owned()];
    if name.starts_with("bench_") {
        args.push("--quick".into());
    }
    let mut options = RunOptions {
        args,
        stdout: Output::Capture(stdout.clone()),
        stderr: Output::Capture(stderr.clone()),
        ..RunOptions::default()
    };
    let scratch = (name == "std_files").then(|| scratch_dir(name, backend));
    if let Some(dir) = &scratch {
        options.dirs.push((dir.clone(), "/work".into()));
    }
    let outcome = host.run(&program, options).expect("run");
    if let Some(dir) = scratch {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ran {
        outcome,
        stdout: String::from_utf8_lossy(&stdout.contents()).into_owned(),
        stderr: String::from_utf8_lossy(&stderr.contents()).into_owned(),
    }
}

/// Runs `name` on `backend` and checks it against `expect`; `Err` says why
/// not.
pub(crate) fn check(
    host: &ThreadingHost,
    name: &str,
    backend: Backend,
    expect: Expect,
) -> Result<Ran, String> {
    let ran = run_on(host, name, backend);
    let detail = || {
        format!(
            "{name} on {backend:?}: status {} ({:?})\n--- stdout\n{}\n--- stderr\n{}",
            ran.outcome.status,
            ran.outcome.error,
            tail(&ran.stdout),
            tail(&ran.stderr)
        )
    };
    match expect {
        Expect::Pass if ran.outcome.status != 0 => return Err(detail()),
        Expect::Pass if !ran.stdout.contains(&format!("{name} ok")) => {
            return Err(format!("no ok line: {}", detail()));
        }
        Expect::Status(s) if ran.outcome.status != s => {
            return Err(format!("expected status {s}: {}", detail()));
        }
        _ => {}
    }
    if ran.outcome.report.stray_threads != 0 {
        return Err(format!(
            "{name} on {backend:?} left {} threads behind",
            ran.outcome.report.stray_threads
        ));
    }
    Ok(ran)
}

fn tail(s: &str) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(20)..].join("\n")
}
