#!/usr/bin/env bash
# Build src/codecs/edgepix-codecs.wasm: ONE standalone module holding every
# codec of ours — libjpeg-turbo (decoder.c + encoder.c), libwebp (codec.c),
# dav1d (the AVIF decoder.c) and resample.c — on one dlmalloc heap, so a big
# job's freed memory is reused by the next job of any codec instead of a
# grown memory per codec being dropped (see README.md next to this file).
#
#   bash wasm/codecs/build.sh            # from a clean checkout: everything
#
# The static libraries come from the per-library scripts, run with
# LIBS_ONLY=1 (fetch the Debian source, patch, configure, compile, stop
# before linking) when their outputs are missing in the scratch dirs:
#   wasm/jpeg-turbo/build.sh  -> $JT_BUILD_DIR/lib/libjpeg.a
#   wasm/webp/build.sh        -> $WP_BUILD_DIR/libwebp.a
#   wasm/avif/build.sh        -> $AV_BUILD_DIR/dav1d-build/src/libdav1d.a
# Env knobs:
#   REBUILD_LIBS=1   rebuild the three libraries even if present
#   RS_CFLAGS        extra flags for resample.c (experiments)
#   CX_BUILD_DIR     scratch dir for the shim objects and the link
#                    (default /tmp/edgepix-codecs-build)
#   plus those of the three library scripts (JT_*, WP_*, AV_*).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WASM="$(cd "$HERE/.." && pwd)"
ROOT="$(cd "$WASM/.." && pwd)"
OUT="$ROOT/src/codecs"
BUILD="${CX_BUILD_DIR:-/tmp/edgepix-codecs-build}"
JT="${JT_BUILD_DIR:-/tmp/edgepix-jpeg-turbo-build}"
WP="${WP_BUILD_DIR:-/tmp/edgepix-webp-build}"
AV="${AV_BUILD_DIR:-/tmp/edgepix-avif-build}"

source "$WASM/standalone.sh"

# --------------------------------------------------------------------------
# 1. the three static libraries (and their sources, for headers + licences)
# --------------------------------------------------------------------------
need() { [ "${REBUILD_LIBS:-0}" = "1" ] || [ ! -f "$1" ]; }
if need "$JT/lib/libjpeg.a"; then
  log "libjpeg.a: wasm/jpeg-turbo/build.sh (libraries only)"
  LIBS_ONLY=1 JT_BUILD_DIR="$JT" bash "$WASM/jpeg-turbo/build.sh"
fi
if need "$WP/libwebp.a"; then
  log "libwebp.a: wasm/webp/build.sh (libraries only)"
  LIBS_ONLY=1 WP_BUILD_DIR="$WP" bash "$WASM/webp/build.sh"
fi
if need "$AV/dav1d-build/src/libdav1d.a"; then
  log "libdav1d.a: wasm/avif/build.sh (libraries only)"
  LIBS_ONLY=1 AV_BUILD_DIR="$AV" bash "$WASM/avif/build.sh"
fi

# Captured first: under pipefail, `emcc --version | head -1` fails when head
# closes the pipe before emcc has written its banner (BrokenPipeError).
EMCC_VERSION="$(emcc --version)"
echo "${EMCC_VERSION%%$'\n'*}"
mkdir -p "$BUILD"
rm -f "$BUILD"/*.o

# --------------------------------------------------------------------------
# 2. the shims, each with the flags its own module was built with
# --------------------------------------------------------------------------
log "compiling the shims"
emcc -O3 -I "$JT/src" -I "$JT/lib" -c "$WASM/jpeg-turbo/decoder.c" -o "$BUILD/jt_decoder.o"
emcc -O3 -I "$JT/src" -I "$JT/lib" -c "$WASM/jpeg-turbo/encoder.c" -o "$BUILD/jt_encoder.o"
emcc -O3 -msimd128 -I "$JT/src" -I "$JT/lib" -c "$WASM/jpeg-turbo/coefficient-store.c" -o "$BUILD/jt_coefficient_store.o"
# libwebp.a is built with wasm SIMD through libwebp's SSE2 code (WP_SIMD=1, the default).
WP_SIMD_FLAGS=()
if [ "${WP_SIMD:-1}" = "1" ]; then WP_SIMD_FLAGS=(-msimd128 -msse2); fi
emcc -O3 "${WP_SIMD_FLAGS[@]}" -DNDEBUG -I "$WP/src" -c "$WASM/webp/codec.c" -o "$BUILD/wp_codec.o"
emcc -O3 -I "$AV/dav1d-src/include" -I "$AV/dav1d-build/include" -I "$AV/dav1d-build/include/dav1d" \
  -c "$WASM/avif/decoder.c" -o "$BUILD/av_decoder.o"
# No fused multiply-adds: every product and sum rounds like JS's.
emcc -O3 -msimd128 -ffp-contract=off ${RS_CFLAGS:-} -c "$WASM/resample/resample.c" -o "$BUILD/resample.o"

# Two decoder.c files and four libraries in one link: every global symbol
# must be defined once (statics are private to their object).
log "checking for clashing global symbols"
clashes="$(for o in "$BUILD"/*.o; do
  llvm-nm --defined-only --extern-only "$o" 2>/dev/null | awk '$2 ~ /^[A-Z]$/ {print $3}'
done | sort | uniq -d)"
if [ -n "$clashes" ]; then
  echo "global symbols defined by more than one shim: $clashes" >&2
  exit 1
fi

# --------------------------------------------------------------------------
# 3. one link: one memory, one dlmalloc heap
# --------------------------------------------------------------------------
JT_EXPORTS='"_jt_new","_jt_input","_jt_info","_jt_warning","_jt_destroy","_jt_read_header","_jt_pick_scale","_jt_start","_jt_read_rows","_jt_finish","_jt_malloc","_jt_free","_je_new","_je_info","_je_start","_je_write_rows","_je_drain","_je_finish","_je_destroy"'
WP_EXPORTS='"_wp_malloc","_wp_free","_wp_dec_new","_wp_dec_input","_wp_dec_info","_wp_dec_header","_wp_dec_run","_wp_dec_destroy","_wp_enc_new","_wp_enc_stage","_wp_enc_stage_rows","_wp_enc_rows","_wp_enc_end_pass","_wp_enc_finish","_wp_enc_output","_wp_enc_destroy"'
AV_EXPORTS='"_av_new","_av_input","_av_info","_av_parse","_av_decode","_av_destroy"'
RS_EXPORTS='"_rs_new","_rs_size","_rs_start_x","_rs_weights_x","_rs_sources_y","_rs_weights_y","_rs_input","_rs_output","_rs_push","_rs_emit","_rs_fast","_rs_opaque","_rs_free","_bs_new","_bs_size","_bs_input","_bs_output","_bs_push","_bs_free"'
EXPORTS="[$JT_EXPORTS,$WP_EXPORTS,$AV_EXPORTS,$RS_EXPORTS]"
# The env imports src/codecs/shared-wasm.ts implements.
declare_imports "$BUILD" jt_throw wp_throw wp_rows av_throw av_open av_emit
EMCC_FLAGS=(
  -O3 -msimd128
  "${STANDALONE_FLAGS[@]}"
  -s EXPORTED_FUNCTIONS="$EXPORTS"
  # Small to start: the heap grows by exactly what sbrk asks (a standalone
  # module's emscripten_resize_heap has no geometric over-growth; emscripten
  # 3.1.6's MEMORY_GROWTH_*_STEP settings only shape the JS glue's resize).
  -s INITIAL_MEMORY=2MB
  -s MAXIMUM_MEMORY=2GB
  # The largest any codec needs: dav1d's (see wasm/avif/build.sh).
  -s TOTAL_STACK=512KB
  -s MALLOC=dlmalloc
  -s SUPPORT_LONGJMP=0
)
log "emcc ${EMCC_FLAGS[*]}"
emcc "${EMCC_FLAGS[@]}" \
  "$BUILD/jt_decoder.o" "$BUILD/jt_encoder.o" "$BUILD/jt_coefficient_store.o" "$JT/lib/libjpeg.a" \
  "$BUILD/wp_codec.o" "$WP/libwebp.a" \
  "$BUILD/av_decoder.o" "$AV/dav1d-build/src/libdav1d.a" \
  "$BUILD/resample.o" \
  -o "$BUILD/edgepix-codecs.wasm"

install -m 644 "$BUILD/edgepix-codecs.wasm" "$OUT/edgepix-codecs.wasm"

# --------------------------------------------------------------------------
# 4. one licence file for the three libraries in it (resample.c is ours)
# --------------------------------------------------------------------------
JT_VERSION="$(basename "$(ls "$JT"/libjpeg-turbo_*.dsc)" .dsc | sed 's/^libjpeg-turbo_//')"
WP_VERSION="$(basename "$(ls "$WP"/libwebp_*.dsc)" .dsc | sed 's/^libwebp_//')"
AV_VERSION="$(basename "$(ls "$AV"/dav1d_*.dsc)" .dsc | sed 's/^dav1d_//')"
{
  printf 'edgepix-codecs.wasm links three third-party libraries, each under its own licence,\n'
  printf 'reproduced below: libjpeg-turbo (Debian source package %s), libwebp (%s)\n' "$JT_VERSION" "$WP_VERSION"
  printf 'and dav1d (%s). The shims in wasm/*/ and resample.c are edgepix'"'"'s own code.\n' "$AV_VERSION"
  printf '\n\n=====================================================================\n'
  printf '1. libjpeg-turbo %s: LICENSE.md\n' "$JT_VERSION"
  printf '=====================================================================\n\n'
  cat "$JT/src/LICENSE.md"
  printf '\n\n---\n\n# README.ijg (IJG License, from the libjpeg-turbo %s source)\n\n```text\n' "$JT_VERSION"
  cat "$JT/src/README.ijg"
  printf '```\n'
  printf '\n\n=====================================================================\n'
  printf '2. libwebp %s: COPYING and PATENTS\n' "$WP_VERSION"
  printf '=====================================================================\n\n'
  printf -- '--- COPYING ---\n\n'
  cat "$WP/src/COPYING"
  printf '\n--- PATENTS ---\n\n'
  cat "$WP/src/PATENTS"
  printf '\n\n=====================================================================\n'
  printf '3. dav1d %s: COPYING (BSD 2-Clause) and doc/PATENTS\n' "$AV_VERSION"
  printf '=====================================================================\n\n'
  cat "$AV/dav1d-src/COPYING"
  printf '\n\ndav1d also states (doc/PATENTS, the Alliance for Open Media Patent License 1.0):\n\n'
  cat "$AV/dav1d-src/doc/PATENTS"
} >"$OUT/edgepix-codecs.LICENSE"

log "done"
describe_module "$OUT/edgepix-codecs.wasm"
