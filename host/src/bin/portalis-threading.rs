//! `portalis-threading`: run a WebAssembly program with real threads.
//!
//! ```text
//! portalis-threading run APP.wasm [--workers N] [--dir HOST_DIR[::GUEST_DIR]]
//!                    [--env K=V] [--timeout SECS] [--max-workers N]
//!                    [--max-memory MIB] [-- ARGS...]
//! ```
//!
//! The exit status is the program's; errors of the host itself (a missing
//! file, not WebAssembly, a component that cannot run) are one line on
//! stderr and status 2.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use portalis_threading_host::{HostConfig, Limits, RunOptions, ThreadingHost};

const USAGE: &str = "usage: portalis-threading run APP.wasm [--workers N] [--dir HOST_DIR[::GUEST_DIR]] \
[--env K=V] [--timeout SECS] [--max-workers N] [--max-memory MIB] [-- ARGS...]";

struct Cli {
    program: PathBuf,
    workers: Option<u32>,
    dirs: Vec<(PathBuf, String)>,
    env: Vec<(String, String)>,
    timeout: Option<Duration>,
    max_workers: Option<usize>,
    max_memory_mib: Option<usize>,
    args: Vec<String>,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Cli, String> {
    match argv.next().as_deref() {
        Some("run") => {}
        Some("--help" | "-h" | "help") | None => return Err(USAGE.to_owned()),
        Some(other) => return Err(format!("unknown command `{other}`\n{USAGE}")),
    }
    let mut program = None;
    let mut cli = Cli {
        program: PathBuf::new(),
        workers: None,
        dirs: Vec::new(),
        env: Vec::new(),
        timeout: None,
        max_workers: None,
        max_memory_mib: None,
        args: Vec::new(),
    };
    fn value(argv: &mut impl Iterator<Item = String>, flag: &str) -> Result<String, String> {
        argv.next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))
    }
    fn number<T: std::str::FromStr>(v: &str, flag: &str) -> Result<T, String> {
        v.parse()
            .map_err(|_| format!("{flag}: `{v}` is not a valid number"))
    }
    while let Some(arg) = argv.next() {
        match arg.as_str() {
            "--" => {
                cli.args.extend(argv.by_ref());
                break;
            }
            "--workers" => {
                let n: u32 = number(&value(&mut argv, "--workers")?, "--workers")?;
                if n == 0 {
                    return Err("--workers: must be at least 1".into());
                }
                cli.workers = Some(n);
            }
            "--dir" => {
                let spec = value(&mut argv, "--dir")?;
                let (host, guest) = match spec.split_once("::") {
                    Some((h, g)) => (h.to_owned(), g.to_owned()),
                    None => (spec.clone(), spec.clone()),
                };
                let host = PathBuf::from(host);
                if !host.is_dir() {
                    return Err(format!("--dir: `{}` is not a directory", host.display()));
                }
                cli.dirs.push((host, guest));
            }
            "--env" => {
                let kv = value(&mut argv, "--env")?;
                let (k, v) = kv
                    .split_once('=')
                    .ok_or_else(|| format!("--env: `{kv}` is not K=V"))?;
                cli.env.push((k.to_owned(), v.to_owned()));
            }
            "--timeout" => {
                let secs: f64 = number(&value(&mut argv, "--timeout")?, "--timeout")?;
                if !(secs.is_finite() && secs > 0.0) {
                    return Err("--timeout: must be a positive number of seconds".into());
                }
                cli.timeout = Some(Duration::from_secs_f64(secs));
            }
            "--max-workers" => {
                cli.max_workers = Some(number(
                    &value(&mut argv, "--max-workers")?,
                    "--max-workers",
                )?);
            }
            "--max-memory" => {
                cli.max_memory_mib =
                    Some(number(&value(&mut argv, "--max-memory")?, "--max-memory")?);
            }
            flag if flag.starts_with("--") && program.is_none() => {
                return Err(format!("unknown option `{flag}`\n{USAGE}"));
            }
            _ if program.is_none() => program = Some(PathBuf::from(arg)),
            _ => cli.args.push(arg),
        }
    }
    cli.program = program.ok_or_else(|| format!("no program given\n{USAGE}"))?;
    Ok(cli)
}

fn main() -> ExitCode {
    let cli = match parse(std::env::args().skip(1)) {
        Ok(cli) => cli,
        Err(msg) => {
            eprintln!("portalis-threading: {msg}");
            return ExitCode::from(2);
        }
    };
    let mut limits = Limits {
        run_time: cli.timeout,
        ..Limits::default()
    };
    if let Some(n) = cli.max_workers {
        limits.max_workers = n;
    }
    if let Some(mib) = cli.max_memory_mib {
        limits.max_memory_bytes = mib << 20;
    }
    let host = match ThreadingHost::new(HostConfig {
        workers: cli.workers,
        limits,
    }) {
        Ok(host) => host,
        Err(e) => {
            eprintln!("portalis-threading: cannot start the engine: {e}");
            return ExitCode::from(2);
        }
    };
    let program = match host.load(&cli.program) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("portalis-threading: {e}");
            return ExitCode::from(2);
        }
    };
    let name = cli
        .program
        .file_name()
        .map_or_else(|| "app".to_owned(), |n| n.to_string_lossy().into_owned());
    let mut args = vec![name];
    args.extend(cli.args);
    let options = RunOptions {
        args,
        env: cli.env,
        dirs: cli.dirs,
        ..RunOptions::default()
    };
    match host.run(&program, options) {
        Ok(outcome) => {
            if let Some(error) = &outcome.error {
                eprintln!("portalis-threading: {error}");
            }
            ExitCode::from(u8::try_from(outcome.status & 0xff).unwrap_or(1))
        }
        Err(e) => {
            eprintln!("portalis-threading: {e}");
            ExitCode::from(2)
        }
    }
}
