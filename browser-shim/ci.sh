#!/usr/bin/env bash
# Everything CI needs for the browser shim, from a fresh machine: Chromium,
# the wasm32-wasip2 target, the npm packages, the guest test programs, a
# type check of the JavaScript, and `npm test` (every component test program on Node and in headless
# Chromium, plus the failure cases).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
export PORTALIS_SHIM_TARGET="${PORTALIS_SHIM_TARGET:-${HOME:-/root}/.cache/portalis-threading/shim-target}"

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null 2>&1 && [ -z "${CHROMIUM:-}" ]; then
  echo "== installing chromium"
  sudo_if_needed apt-get update -qq
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

echo "== rustup target wasm32-wasip2"
rustup target add wasm32-wasip2 >/dev/null

echo "== npm ci"
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

echo "== guest test programs (wasm32-wasip2)"
CARGO_TARGET_DIR="$PORTALIS_SHIM_TARGET" cargo build --release --target wasm32-wasip2 \
  --manifest-path "$repo/tests/programs/Cargo.toml" --bins
# The primes example, for the serve-folder page test.
CARGO_TARGET_DIR="$PORTALIS_SHIM_TARGET" cargo build --release --target wasm32-wasip2 \
  --manifest-path "$repo/examples/primes/Cargo.toml"

# The composition example (issue: a threaded library plugged into an app):
# the composite must run here as on the host.
command -v wac >/dev/null || cargo install wac-cli --version 0.12.0 --locked --no-default-features
CARGO_TARGET_DIR="$PORTALIS_SHIM_TARGET" cargo build --release --target wasm32-wasip2 \
  --manifest-path "$repo/Cargo.toml" -p portalis-example-sortlib -p portalis-example-compose-app
out="$PORTALIS_SHIM_TARGET/wasm32-wasip2/release"
wac plug "$out/compose-app.wasm" --plug "$out/portalis_example_sortlib.wasm" -o "$out/compose.wasm"

echo "== type check (tsc, strict, over the JSDoc types of src/ and bin/)"
(cd "$here" && npm run --silent typecheck)

echo "== npm test"
(cd "$here" && npm test)
