#!/usr/bin/env bash
# Rebuild src/codecs/libwebp/libwebp.wasm from Debian's libwebp source package
# with Debian's emscripten. See README.md next to this file.
#
#   bash wasm/webp/build.sh
#
# Needs emscripten and dpkg-dev (apt-get install emscripten dpkg-dev) and a
# deb-src line for bookworm (wasm/jpeg-turbo/build.sh adds one). Everything
# downloaded or generated lives in $WP_BUILD_DIR (default
# /tmp/edgepix-webp-build), never in the repository; only the outputs in
# src/codecs/libwebp/ change.
#
# Env knobs:
#   WP_BUILD_DIR   scratch dir (default /tmp/edgepix-webp-build)
#   WP_CLEAN=1     wipe the scratch dir first
#   WP_JOBS        parallel compiles (default 2)
#   WP_SIMD=0      scalar build (default 1: wasm SIMD through libwebp's SSE2 code)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$ROOT/src/codecs/libwebp"
BUILD="${WP_BUILD_DIR:-/tmp/edgepix-webp-build}"
JOBS="${WP_JOBS:-2}"
# Upstream version we expect from Debian bookworm (1.2.4-0.2+deb12u1 at the
# time of writing; a security update would still be 1.2.4-*).
EXPECT_UPSTREAM="1.2.4"

source "$HERE/../standalone.sh"
emcc --version | head -1

# --------------------------------------------------------------------------
# 1. libwebp source (Debian source package, Debian patches applied)
# --------------------------------------------------------------------------
[ "${WP_CLEAN:-0}" = "1" ] && rm -rf "$BUILD"
mkdir -p "$BUILD"
cd "$BUILD"
if [ ! -f src/.extracted ]; then
  log "fetching libwebp source package into $BUILD"
  rm -rf src ./*.dsc ./*.tar.* 2>/dev/null || true
  apt-get source --download-only libwebp
  dpkg-source -x ./libwebp_*.dsc src >/dev/null
  touch src/.extracted
fi
DEB_VERSION="$(basename "$(ls ./libwebp_*.dsc)" .dsc | sed 's/^libwebp_//')"
echo "libwebp Debian source version: $DEB_VERSION"
case "$DEB_VERSION" in
  "$EXPECT_UPSTREAM"-*) ;;
  *) echo "WARNING: expected libwebp $EXPECT_UPSTREAM-*, got $DEB_VERSION (README documents $EXPECT_UPSTREAM)" >&2 ;;
esac

# --------------------------------------------------------------------------
# 2. objects: src/dec, src/enc, src/dsp, src/utils and sharpyuv (the encoder's
#    picture_csp_enc.c links it even with use_sharp_yuv off). No threads
#    (WEBP_USE_THREAD undefined), no config.h.
#    SIMD: with -msimd128 -msse2 emscripten defines __SSE2__ and maps the SSE2
#    intrinsics to wasm SIMD, so libwebp's own *_sse2.c code paths are used
#    (src/dsp/cpu.c reports SSE2 under EMSCRIPTEN from the compile flags).
#    Same pixels and same encoded bytes as the scalar build, ~3-4x faster
#    encoding (README.md). The *_sse41.c, *_neon.c, *_msa.c, *_mips*.c
#    files compile to nothing.
# --------------------------------------------------------------------------
SIMD_FLAGS=()
if [ "${WP_SIMD:-1}" = "1" ]; then SIMD_FLAGS=(-msimd128 -msse2); fi
CFLAGS=(-O3 -DNDEBUG -I src -fvisibility=hidden "${SIMD_FLAGS[@]}")
rm -rf obj && mkdir obj
SOURCES=()
for d in src/src/dec src/src/enc src/src/dsp src/src/utils src/sharpyuv; do
  for f in "$d"/*.c; do SOURCES+=("$f"); done
done
log "compiling ${#SOURCES[@]} libwebp sources (-j$JOBS)"
printf '%s\n' "${SOURCES[@]}" | xargs -P "$JOBS" -I{} sh -c '
  f="$1"; shift
  o="obj/$(echo "$f" | sed "s|^src/||; s|/|_|g; s|\.c$|.o|")"
  emcc "$@" -c "$f" -o "$o"
' sh {} "${CFLAGS[@]}" -I src
rm -f libwebp.a
emar rcs libwebp.a obj/*.o

# --------------------------------------------------------------------------
# 3. shim + link: standalone wasm, no JS glue
# --------------------------------------------------------------------------
EXPORTS='["_wp_malloc","_wp_free","_wp_dec_new","_wp_dec_input","_wp_dec_info","_wp_dec_header","_wp_dec_run","_wp_dec_destroy","_wp_enc_new","_wp_enc_stage","_wp_enc_stage_rows","_wp_enc_rows","_wp_enc_finish","_wp_enc_output","_wp_enc_destroy"]'
# env.wp_throw and env.wp_rows are implemented by the TS wrapper.
declare_imports "$BUILD" wp_throw wp_rows
EMCC_FLAGS=(
  -O3 "${SIMD_FLAGS[@]}"
  "${STANDALONE_FLAGS[@]}"
  -s EXPORTED_FUNCTIONS="$EXPORTS"
  -s INITIAL_MEMORY=2MB
  -s MAXIMUM_MEMORY=2GB
  -s TOTAL_STACK=256KB
  -s MALLOC=dlmalloc
  -s SUPPORT_LONGJMP=0
)

log "emcc ${EMCC_FLAGS[*]}"
emcc "${EMCC_FLAGS[@]}" -DNDEBUG -I src \
  "$HERE/codec.c" libwebp.a \
  -o "$BUILD/libwebp.wasm"

mkdir -p "$OUT"
install -m 644 "$BUILD/libwebp.wasm" "$OUT/libwebp.wasm"
{
  printf 'libwebp %s (Debian source package %s): COPYING and PATENTS.\n\n' "$EXPECT_UPSTREAM" "$DEB_VERSION"
  printf -- '--- COPYING ---\n\n'
  cat src/COPYING
  printf '\n--- PATENTS ---\n\n'
  cat src/PATENTS
} >"$OUT/LICENSE"

log "done"
describe_module "$OUT/libwebp.wasm"
