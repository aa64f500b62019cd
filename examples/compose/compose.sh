#!/usr/bin/env bash
# Builds the sorter library component and the app component, plugs the
# library into the app with `wac plug`, and runs the composite on the host.
# The app checks that its own tasks and the library's run on workers and
# prints the library's speedup on 2 workers over 1.
#
#   ./examples/compose/compose.sh            WORKERS=4 ./examples/compose/compose.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

rustup target list --installed | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2
# The `wac` command of crate wac-cli, pinned (its output must match wasmtime
# 48's component model).
command -v wac >/dev/null || cargo install wac-cli --version 0.12.0 --locked --no-default-features
target_dir="${CARGO_TARGET_DIR:-target}"
out="$target_dir/wasm32-wasip2/release"

cargo build --release --target wasm32-wasip2 -p portalis-example-sortlib -p portalis-example-compose-app
wac plug "$out/compose-app.wasm" --plug "$out/portalis_example_sortlib.wasm" -o "$out/composed.wasm"
cargo build -p portalis-threading-host --bin portalis-threading
"$target_dir/debug/portalis-threading" run --workers "${WORKERS:-2}" "$out/composed.wasm" -- "$@"
