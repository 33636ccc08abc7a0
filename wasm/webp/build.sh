#!/usr/bin/env bash
# Build libwebp.a from Debian's libwebp source package with Debian's
# emscripten, then src/codecs/edgepix-codecs.wasm (wasm/codecs/build.sh, which
# links it with codec.c and the other codecs). See README.md next to this file.
#
#   bash wasm/webp/build.sh
#
# Needs emscripten and dpkg-dev (apt-get install emscripten dpkg-dev) and a
# deb-src line for bookworm (wasm/jpeg-turbo/build.sh adds one). Everything
# downloaded or generated lives in $WP_BUILD_DIR (default
# /tmp/edgepix-webp-build), never in the repository; only
# src/codecs/edgepix-codecs.wasm (+ its LICENSE) changes.
#
# Env knobs:
#   WP_BUILD_DIR   scratch dir (default /tmp/edgepix-webp-build)
#   WP_CLEAN=1     wipe the scratch dir first
#   WP_JOBS        parallel compiles (default 2)
#   WP_SIMD=0      scalar build (default 1: wasm SIMD through libwebp's SSE2 code)
#   LIBS_ONLY=1    build libwebp.a only, no link (wasm/codecs/build.sh uses this)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="${WP_BUILD_DIR:-/tmp/edgepix-webp-build}"
JOBS="${WP_JOBS:-2}"
# Upstream version we expect from Debian bookworm (1.2.4-0.2+deb12u1 at the
# time of writing; a security update would still be 1.2.4-*).
EXPECT_UPSTREAM="1.2.4"

source "$HERE/../standalone.sh"
# Captured first: under pipefail, `emcc --version | head -1` fails when head
# closes the pipe before emcc has written its banner (BrokenPipeError).
EMCC_VERSION="$(emcc --version)"
echo "${EMCC_VERSION%%$'\n'*}"

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
# Our change to the library (apply_patch: wasm/standalone.sh): the encoder's
# token buffer keeps one bit per token instead of 16 (see README.md).
apply_patch packed-tokens.patch src/enc/token_enc.c 'edgepix'
# ... and the encoder can take its picture a macroblock row at a time, in
# passes of the rows, instead of whole (see README.md, "Streamed encoding").
apply_patch streamed-rows.patch src/enc/webp_enc.c 'WebPEncodeRowsBegin'

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
# 3. the link: every codec in one module, wasm/codecs/build.sh
# --------------------------------------------------------------------------
if [ "${LIBS_ONLY:-0}" = "1" ]; then log "libwebp.a built (LIBS_ONLY)"; exit 0; fi
exec bash "$HERE/../codecs/build.sh"
