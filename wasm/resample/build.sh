#!/usr/bin/env bash
# Rebuild src/pipeline/resample/resample.wasm from resample.c with Debian's
# emscripten (3.1.6 in bookworm). See README.md next to this file.
#
#   bash wasm/resample/build.sh
#
# No third-party code: the only input is resample.c. Scratch files live in
# $RS_BUILD_DIR (default /tmp/edgepix-resample-build); only the .wasm in
# src/pipeline/resample/ changes.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/src/pipeline/resample"
BUILD="${RS_BUILD_DIR:-/tmp/edgepix-resample-build}"

source "$HERE/../standalone.sh"
emcc --version | head -1

EXPORTS='["_rs_new","_rs_size","_rs_start_x","_rs_weights_x","_rs_sources_y","_rs_weights_y","_rs_input","_rs_output","_rs_push","_rs_emit","_rs_fast","_rs_free","_bs_new","_bs_size","_bs_input","_bs_output","_bs_push","_bs_free"]'
EMCC_FLAGS=(
  -O3 -msimd128
  # No fused multiply-adds: every product and sum rounds like JS's.
  -ffp-contract=off
  "${STANDALONE_FLAGS[@]}"
  -s EXPORTED_FUNCTIONS="$EXPORTS"
  -s INITIAL_MEMORY=256KB
  -s MAXIMUM_MEMORY=1GB
  -s TOTAL_STACK=64KB
  -s MALLOC=emmalloc
)
mkdir -p "$BUILD" "$OUT"
emcc "${EMCC_FLAGS[@]}" ${RS_CFLAGS:-} "$HERE/resample.c" -o "$BUILD/resample.wasm"
install -m 644 "$BUILD/resample.wasm" "$OUT/resample.wasm"

describe_module "$OUT/resample.wasm"
