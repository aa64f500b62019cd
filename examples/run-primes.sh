#!/usr/bin/env bash
# The main job: builds the primes guest as a component and runs it on the
# portalis-threading host, which prints the result and the speedup of N
# workers over one. Works on a fresh machine (installs the wasm target).
#
#   ./examples/run-primes.sh [LIMIT]        WORKERS=4 ./examples/run-primes.sh
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2
target_dir="${CARGO_TARGET_DIR:-target}"
workers="${WORKERS:-$(nproc)}"

cargo build --release --target wasm32-wasip2 -p portalis-example-primes
cargo build -p portalis-threading-host --bin portalis-threading
"$target_dir/debug/portalis-threading" run --workers "$workers" \
    "$target_dir/wasm32-wasip2/release/primes.wasm" -- "$@"
