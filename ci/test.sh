#!/usr/bin/env bash
# Runs every check and test of the workspace. Safe to run on a fresh machine:
# it installs the rustup targets and components it needs first.
#
#   ./ci/test.sh            everything
#   QUICK=1 ./ci/test.sh    skip loom, Miri and the release stress run
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "toolchain: targets"
rustup target add wasm32-wasip1-threads wasm32-wasip2 >/dev/null

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (workspace, all targets, -D warnings)"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo clippy for wasm32-wasip1-threads and wasm32-wasip2 (runtime, guest SDK, programs, examples)"
cargo clippy -p portalis-threading -p portalis-threading-guest -p portalis-test-programs \
    -p portalis-example-primes --target wasm32-wasip1-threads -- -D warnings
cargo clippy -p portalis-threading-guest -p portalis-test-programs \
    -p portalis-example-primes -p portalis-example-pipeline --target wasm32-wasip2 -- -D warnings

step "cargo test --workspace (builds the guest test programs for both wasm targets, runs them on the host, prints the program x backend matrix)"
cargo test --workspace

step "the main job: examples/run-primes.sh"
./examples/run-primes.sh 500000

step "composition: a threaded library component plugged into an app (wac), run on the host"
./examples/compose/compose.sh 200000 | tee /tmp/portalis-compose.log
grep -q "compose ok" /tmp/portalis-compose.log

step "browser shim: the component test programs on Node and in headless Chromium (jco), failure cases, the primes page"
./browser-shim/ci.sh

step "browser shim, Rust crate (wasm-bindgen, nightly + build-std): tests in headless Chromium on the page and in a dedicated worker"
./browser-shim/rust/ci.sh

step "runtime builds for wasm32-wasip1-threads"
cargo build -p portalis-threading --target wasm32-wasip1-threads

step "docs build without warnings"
RUSTDOCFLAGS="-D warnings" cargo doc -p portalis-threading -p portalis-threading-host -p portalis-threading-guest --no-deps

if [[ "${QUICK:-0}" == "1" ]]; then
    step "QUICK=1: skipping the release stress run, loom and Miri"
    exit 0
fi

step "stress tests in --release"
cargo test -p portalis-tests --release --test stress

step "loom models (--cfg portalis_loom)"
RUSTFLAGS="--cfg portalis_loom -C debug_assertions" LOOM_MAX_PREEMPTIONS=2 \
    CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-target}/loom" \
    cargo test -p portalis-threading --lib --release loom_

step "Miri (runtime unit tests, strict provenance)"
if rustup toolchain list | grep -q '^nightly' \
    && rustup component add miri rust-src --toolchain nightly >/dev/null 2>&1; then
    miri_target="${CARGO_TARGET_DIR:-target}/miri"
    # cargo-miri's test "binary" records the directory it was built in, and
    # a target dir shared between checkouts (as CI keeps it) would reuse one
    # from a checkout that is gone: rebuild our crate (not its deps) each run.
    cargo +nightly clean -p portalis-threading --target-dir "$miri_target/miri" \
        --target "$(rustc -vV | sed -n 's/^host: //p')" >/dev/null 2>&1 || true
    MIRIFLAGS="-Zmiri-strict-provenance" CARGO_TARGET_DIR="$miri_target" \
        cargo +nightly miri test -p portalis-threading --lib
else
    echo "no nightly toolchain with Miri on this machine: Miri skipped"
fi

step "all checks passed"
