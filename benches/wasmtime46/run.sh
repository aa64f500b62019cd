#!/usr/bin/env bash
# Runs the shared-memory benchmark (tests/programs/src/bin/bench_wasi_threads.rs)
# three ways on this machine and prints them side by side:
#   native      - the program compiled for the host
#   portalis    - the wasm32-wasip1-threads module on portalis-threading's host
#   wasmtime46  - the same module on upstream wasmtime 46 + wasmtime-wasi-threads
# Builds wasmtime 46 in its own target dir the first time (several minutes).
#
#   ./benches/wasmtime46/run.sh        THREADS=2, RUNS=5 (defaults)
#
# Each runtime runs the program RUNS times, alternating, and the table shows
# the median of the runs for each line (the program itself reports the best
# of several repetitions per run); a 2-core VM's run-to-run spread is large.
set -euo pipefail
cd "$(dirname "$0")/../.."
threads="${THREADS:-2}"
runs="${RUNS:-5}"
target_dir="${CARGO_TARGET_DIR:-target}"

rustup target list --installed | grep -qx wasm32-wasip1-threads || rustup target add wasm32-wasip1-threads
cargo build --release -p portalis-test-programs --bin bench_wasi_threads
cargo build --release -p portalis-test-programs --bin bench_wasi_threads --target wasm32-wasip1-threads
cargo build --release -p portalis-threading-host --bin portalis-threading
CARGO_TARGET_DIR=benches/wasmtime46/target cargo build --release --manifest-path benches/wasmtime46/Cargo.toml

module="$target_dir/wasm32-wasip1-threads/release/bench_wasi_threads.wasm"
tmp="$(mktemp -d)"
for _ in $(seq "$runs"); do
    PORTALIS_THREADS="$threads" RAYON_NUM_THREADS="$threads" "$target_dir/release/bench_wasi_threads" >> "$tmp/native"
    "$target_dir/release/portalis-threading" run --workers "$threads" "$module" >> "$tmp/portalis"
    THREADS="$threads" benches/wasmtime46/target/release/wasmtime46-harness "$module" >> "$tmp/wasmtime46"
done

# The median of each benchmark's values, one `name value unit` line each.
median() {
    grep -v " ok$" "$1" | sort -k1,1 -k2,2n | awk '
        { name[NR] = $1; value[NR] = $2; unit[$1] = $3; count[$1]++ }
        END {
            for (i = 1; i <= NR; i++) {
                seen[name[i]]++
                if (seen[name[i]] == int((count[name[i]] + 1) / 2)) print name[i], value[i], unit[name[i]]
            }
        }' | sort
}

printf 'median of %s runs, %s threads\n' "$runs" "$threads"
printf '%-28s %14s %14s %14s\n' "benchmark" "native" "portalis" "wasmtime 46"
paste <(median "$tmp/native") <(median "$tmp/portalis") <(median "$tmp/wasmtime46") | \
    awk '{ printf "%-28s %10s %-3s %10s %-3s %10s %-3s\n", $1, $2, $3, $5, $6, $8, $9 }'
rm -rf "$tmp"
