//! Prints the matrix of guest test program × backend (component,
//! wasi-threads module) with pass/fail, and fails if any cell does not do
//! what it should. Run: `cargo test -p portalis-threading-host --test matrix`.

use portalis_test_artifacts::PROGRAMS;
use portalis_threading_host::Limits;

#[path = "all/support.rs"]
mod support;

use support::{Backend, Expect, check, expectation, host_with};

fn main() {
    let host = host_with(Limits::default());
    let names: Vec<&str> = PROGRAMS.iter().map(|(n, _, _)| *n).collect();
    let width = names.iter().map(|n| n.len()).max().unwrap_or(10);
    let mut failures = Vec::new();
    println!(
        "\n{:width$}  {:<12}  {:<12}",
        "program", "component", "module"
    );
    println!("{:-<width$}  {:-<12}  {:-<12}", "", "", "");
    for name in names {
        let mut cells = Vec::new();
        for backend in [Backend::Component, Backend::Module] {
            let expect = expectation(name, backend);
            let cell = match expect {
                Expect::NotApplicable => "n/a".to_owned(),
                _ => match check(&host, name, backend, expect) {
                    Ok(_) => match expect {
                        Expect::Status(s) => format!("pass (exit {s})"),
                        _ => "pass".to_owned(),
                    },
                    Err(e) => {
                        failures.push(e);
                        "FAIL".to_owned()
                    }
                },
            };
            cells.push(cell);
        }
        println!("{name:width$}  {:<12}  {:<12}", cells[0], cells[1]);
    }
    if !failures.is_empty() {
        for f in &failures {
            eprintln!("\n{f}");
        }
        std::process::exit(1);
    }
}
