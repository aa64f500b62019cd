//! Builds `portalis-test-programs` for `wasm32-wasip2` (components) and
//! `wasm32-wasip1-threads` (wasi-threads modules) in a target dir of its
//! own, and writes `gen.rs`: each program's two paths and a
//! `foreach_program!` macro, so a test binary can prove it tests them all.

use std::path::{Path, PathBuf};
use std::process::Command;

const COMPONENT: &str = "wasm32-wasip2";
const MODULE: &str = "wasm32-wasip1-threads";
const SUITES: &[&str] = &[
    "thread_",
    "lock_",
    "channel_",
    "executor_",
    "fault_",
    "limit_",
    "bench_",
    "std_",
    "exit_",
    "python_",
];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest.join("../..");
    let programs = root.join("tests/programs");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    for dir in [
        "tests/programs/src",
        "tests/programs/Cargo.toml",
        "guest/src",
        "guest/Cargo.toml",
        "runtime/src",
        "wit",
    ] {
        println!("cargo:rerun-if-changed={}", root.join(dir).display());
    }

    let names = program_names(&programs.join("src/bin"));
    let target_dir = out.join("target");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.arg("build")
        .arg("--release")
        .arg("--target")
        .arg(COMPONENT)
        .arg("--target")
        .arg(MODULE)
        .arg("--manifest-path")
        .arg(programs.join("Cargo.toml"))
        .arg("--bins")
        .env("CARGO_TARGET_DIR", &target_dir)
        // Flags meant for the host build must not reach the guest build;
        // keep only a request to deny warnings.
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER");
    let deny = std::env::var("RUSTFLAGS").is_ok_and(|f| f.contains("-D warnings"));
    cmd.env("RUSTFLAGS", if deny { "-D warnings" } else { "" });
    let status = cmd.status().expect("run cargo for the guest programs");
    assert!(
        status.success(),
        "building the guest programs failed (are the targets installed? `rustup target add {COMPONENT} {MODULE}`)"
    );

    let component_dir = target_dir.join(COMPONENT).join("release");
    let module_dir = target_dir.join(MODULE).join("release");
    let mut generated = String::new();
    generated.push_str("/// Every program: (name, component path, module path).\n");
    generated.push_str("pub const PROGRAMS: &[(&str, &str, &str)] = &[\n");
    for name in &names {
        generated.push_str(&format!(
            "    ({name:?}, {:?}, {:?}),\n",
            component_dir.join(format!("{name}.wasm")),
            module_dir.join(format!("{name}.wasm"))
        ));
    }
    generated.push_str("];\n\n");
    for name in &names {
        for (dir, suffix, what) in [
            (&component_dir, "COMPONENT", "a component"),
            (&module_dir, "MODULE", "a wasi-threads module"),
        ] {
            let path = dir.join(format!("{name}.wasm"));
            assert!(path.exists(), "{} was not built", path.display());
            generated.push_str(&format!(
                "/// `tests/programs/src/bin/{name}.rs` as {what}.\npub const {}_{suffix}: &str = {:?};\n",
                name.to_uppercase(),
                path
            ));
        }
    }
    generated.push_str("\n/// Invokes `$m!(name)` for every program.\n#[macro_export]\nmacro_rules! foreach_program {\n    ($m:ident) => {\n");
    for name in &names {
        generated.push_str(&format!("        $m!({name});\n"));
    }
    generated.push_str("    };\n}\n");
    std::fs::write(out.join("gen.rs"), generated).unwrap();
}

fn program_names(bin: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(bin)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        assert!(
            SUITES.iter().any(|s| name.starts_with(s)),
            "test program `{name}` must start with one of {SUITES:?}"
        );
    }
    names
}
