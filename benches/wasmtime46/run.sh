#!/usr/bin/env bash
# Runs the shared-memory benchmark (tests/programs/src/bin/bench_wasi_threads.rs)
# three ways on this machine and prints them side by side:
#   native      - the program compiled for the host
#   portalis    - the wasm32-wasip1-threads module on portalis-threading's host
#   wasmtime46  - the same module on upstream wasmtime 46 + wasmtime-wasi-threads
# Builds wasmtime 46 in its own target dir the first time (several minutes).
#
#   ./benches/wasmtime46/run.sh        THREADS=2 (default)
set -euo pipefail
cd "$(dirname "$0")/../.."
threads="${THREADS:-2}"
target_dir="${CARGO_TARGET_DIR:-target}"

rustup target list --installed | grep -qx wasm32-wasip1-threads || rustup target add wasm32-wasip1-threads
cargo build --release -p portalis-test-programs --bin bench_wasi_threads
cargo build --release -p portalis-test-programs --bin bench_wasi_threads --target wasm32-wasip1-threads
cargo build --release -p portalis-threading-host --bin portalis-threading
CARGO_TARGET_DIR=benches/wasmtime46/target cargo build --release --manifest-path benches/wasmtime46/Cargo.toml

module="$target_dir/wasm32-wasip1-threads/release/bench_wasi_threads.wasm"
tmp="$(mktemp -d)"
PORTALIS_THREADS="$threads" RAYON_NUM_THREADS="$threads" "$target_dir/release/bench_wasi_threads" > "$tmp/native"
"$target_dir/release/portalis-threading" run --workers "$threads" "$module" > "$tmp/portalis"
THREADS="$threads" benches/wasmtime46/target/release/wasmtime46-harness "$module" > "$tmp/wasmtime46"

printf '%-28s %14s %14s %14s\n' "benchmark" "native" "portalis" "wasmtime 46"
paste "$tmp/native" "$tmp/portalis" "$tmp/wasmtime46" | grep -v " ok" | \
    awk '{ printf "%-28s %10s %-3s %10s %-3s %10s %-3s\n", $1, $2, $3, $5, $6, $8, $9 }'
rm -rf "$tmp"
