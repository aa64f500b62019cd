//! The `portalis-threading` command line: statuses and one-line errors.

use std::process::Command;

use portalis_test_artifacts::*;

fn cli() -> Command {
    Command::new(env!("CARGO_BIN_EXE_portalis-threading"))
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = cli().args(args).output().expect("run the CLI");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn runs_a_program_with_its_status() {
    let (status, stdout, _) = run(&["run", THREAD_SMOKE_COMPONENT, "--workers", "2"]);
    assert_eq!(status, 0);
    assert!(stdout.contains("thread_smoke ok"));
}

#[test]
fn missing_file_is_one_line() {
    let (status, _, stderr) = run(&["run", "/no/such/app.wasm"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("cannot read /no/such/app.wasm"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1);
}

#[test]
fn not_webassembly_is_one_line() {
    let (status, _, stderr) = run(&["run", concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")]);
    assert_eq!(status, 2);
    assert!(stderr.contains("not a WebAssembly file"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1);
}

#[test]
fn a_limit_hit_is_reported() {
    let (status, _, stderr) = run(&["run", LIMIT_TIME_COMPONENT, "--timeout", "0.3"]);
    assert_eq!(status, 124);
    assert!(stderr.contains("time limit"), "{stderr}");
}

#[test]
fn bad_usage_is_explained() {
    let (status, _, stderr) = run(&["run"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("no program given"), "{stderr}");
    let (status, _, stderr) = run(&["run", THREAD_SMOKE_COMPONENT, "--workers", "zero"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("--workers"), "{stderr}");
}

#[test]
fn args_and_env_reach_the_program() {
    let (status, _, stderr) = run(&[
        "run",
        FAULT_UNKNOWN_ENTRY_COMPONENT,
        "--env",
        "A=B",
        "--",
        "x",
    ]);
    assert_eq!(status, 0, "{stderr}");
}
