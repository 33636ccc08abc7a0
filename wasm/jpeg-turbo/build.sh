#!/usr/bin/env bash
# Build libjpeg.a from Debian's libjpeg-turbo source package with Debian's
# emscripten, then src/codecs/edgepix-codecs.wasm (wasm/codecs/build.sh, which
# links it with the shims here and the other codecs). See README.md next to this file.
#
#   bash wasm/jpeg-turbo/build.sh
#
# Needs root (or sudo) for apt. Everything that is downloaded or generated
# lives in $JT_BUILD_DIR (default /tmp/edgepix-jpeg-turbo-build), never in the
# repository; only src/codecs/edgepix-codecs.wasm (+ its LICENSE) changes.
#
# Env knobs:
#   JT_BUILD_DIR   scratch dir (default /tmp/edgepix-jpeg-turbo-build)
#   JT_SKIP_APT=1  do not run apt-get (toolchain + deb-src already present)
#   JT_CLEAN=1     wipe the scratch dir first
#   LIBS_ONLY=1    build libjpeg.a only, no link (wasm/codecs/build.sh uses this)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="${JT_BUILD_DIR:-/tmp/edgepix-jpeg-turbo-build}"
# Upstream version we expect from Debian bookworm (2.1.5-2 at time of writing;
# a bookworm security update would still be 2.1.5-*).
EXPECT_UPSTREAM="2.1.5"

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

source "$HERE/../standalone.sh"

# --------------------------------------------------------------------------
# 1. toolchain + deb-src
# --------------------------------------------------------------------------
add_deb_src() {
  # Already configured? (deb-src line or deb822 "Types: ... deb-src")
  if grep -rqsE '^(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
    return 0
  fi
  local codename uri="" signed=""
  codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")"
  # Reuse the mirror (and keyring) of the configured Debian "deb" source: apt
  # refuses deb/deb-src pairs for one URI+suite with different Signed-By.
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # first deb822 stanza that carries the plain codename suite
    local stanza
    stanza="$(awk -v s="$codename" 'BEGIN{RS="";FS="\n"} $0 ~ "Suites:[^\n]*[ \t]" s "([ \t]|$|\n)" {print; exit}' "$f")"
    if [ -n "$stanza" ]; then
      uri="$(printf '%s\n' "$stanza" | awk '/^URIs:/{print $2; exit}')"
      signed="$(printf '%s\n' "$stanza" | awk '/^Signed-By:/{print $2; exit}')"
      break
    fi
  done
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri="$(awk -v s="$codename" '$1=="deb" { for (i=2;i<=NF;i++) if ($i ~ /^[a-z]+:\/\//) { if ($(i+1)==s) { print $i; exit } } }' /etc/apt/sources.list)"
  fi
  [ -n "$uri" ] || uri="http://deb.debian.org/debian"
  log "adding deb-src for $uri $codename main"
  {
    echo "Types: deb-src"
    echo "URIs: $uri"
    echo "Suites: $codename"
    echo "Components: main"
    if [ -n "$signed" ]; then echo "Signed-By: $signed"; fi
  } | $SUDO tee /etc/apt/sources.list.d/edgepix-debsrc.sources >/dev/null
}

if [ "${JT_SKIP_APT:-0}" != "1" ]; then
  log "apt: emscripten, cmake, dpkg-dev + deb-src"
  add_deb_src
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    emscripten cmake make dpkg-dev xz-utils nodejs >/dev/null
fi

# Captured first: under pipefail, `emcc --version | head -1` fails when head
# closes the pipe before emcc has written its banner (BrokenPipeError).
EMCC_VERSION="$(emcc --version)"
echo "${EMCC_VERSION%%$'\n'*}"

# --------------------------------------------------------------------------
# 2. libjpeg-turbo source (Debian source package, Debian patches applied)
# --------------------------------------------------------------------------
[ "${JT_CLEAN:-0}" = "1" ] && rm -rf "$BUILD"
mkdir -p "$BUILD"
cd "$BUILD"
if [ ! -f src/.extracted ]; then
  log "fetching libjpeg-turbo source package into $BUILD"
  rm -rf src ./*.dsc ./*.tar.* 2>/dev/null || true
  apt-get source --download-only libjpeg-turbo
  dpkg-source -x ./libjpeg-turbo_*.dsc src >/dev/null
  touch src/.extracted
fi
DEB_VERSION="$(basename "$(ls ./libjpeg-turbo_*.dsc)" .dsc | sed 's/^libjpeg-turbo_//')"
echo "libjpeg-turbo Debian source version: $DEB_VERSION"
case "$DEB_VERSION" in
  "$EXPECT_UPSTREAM"-*) ;;
  *) echo "WARNING: expected libjpeg-turbo $EXPECT_UPSTREAM-*, got $DEB_VERSION (README documents $EXPECT_UPSTREAM)" >&2 ;;
esac

# Our changes to the library, in order (apply_patch: wasm/standalone.sh).
# DC-only coefficient storage for components whose scaled IDCT is 1x1, with
# their AC scans skipped (see README.md).
apply_patch dc-only-coefficients.patch jdcoefct.c 'edgepix'
# On top of it, banded coefficient storage for progressive files (only iMCU
# rows of one horizontal band keep coefficients; the shim decodes the image
# band by band; see README.md).
apply_patch banded-coefficients.patch jdcoefct.c 'jpeg_edgepix_request_band'
# The Huffman decoders' bit buffer (jdhuff.c, jdphuff.c) is 64-bit on wasm32, as
# upstream does on x32 (it picks 64 bits only when size_t is; see README.md).
apply_patch huffman-64bit-bit-buffer.patch jdhuff.h 'edgepix'
# Files with restart intervals take the Huffman decoder's fast path too,
# except for each interval's last MCU (upstream never does; see README.md).
apply_patch huffman-fast-path-restarts.patch jdhuff.c 'restarts_to_go < 2'
# decode_mcu_fast decodes most Huffman codes together with their magnitude
# bits in one lookup of a 10-bit table per DC/AC table (see README.md).
apply_patch huffman-fast-ac-table.patch jdhuff.c 'make_fast_tbl'

# --------------------------------------------------------------------------
# 3. static libjpeg (no hand-written SIMD, no TurboJPEG, no getenv/putenv)
# --------------------------------------------------------------------------
log "configuring libjpeg-turbo with emcmake"
rm -rf lib && mkdir lib && cd lib
# The build string libjpeg-turbo puts in its version message is the Debian
# changelog's date, not today's, so a rebuild gives the same bytes on any day.
BUILD_DATE="$(date -u -d "@$(dpkg-parsechangelog -l ../src/debian/changelog -STimestamp)" +%Y%m%d)"
# USE_CLZ_INTRINSIC: the Huffman encoders (jchuff.c, jcphuff.c; nothing else
# reads it) count bits with __builtin_clz (wasm i32.clz) instead of each
# carrying its own 64 KB jpeg_nbits_table. -msimd128: LLVM vectorises some of
# the encoder's integer loops with wasm SIMD128;
# the output is byte-identical, baseline encoding ~20 % faster.
emcmake cmake ../src \
  -DCMAKE_BUILD_TYPE=Release \
  -DBUILD="$BUILD_DATE" \
  -DCMAKE_C_FLAGS="-O3 -msimd128 -DNO_GETENV -DNO_PUTENV -DUSE_CLZ_INTRINSIC" \
  -DWITH_SIMD=0 -DENABLE_SHARED=0 -DENABLE_STATIC=1 \
  -DWITH_TURBOJPEG=0 -DWITH_JAVA=0 -DWITH_12BIT=0 \
  -DWITH_ARITH_DEC=1 -DWITH_ARITH_ENC=0 >cmake.log 2>&1 || { cat cmake.log; exit 1; }

# cmake's size_t probe misfires under emscripten (reports 8): wasm32 is 4.
sed -i -E 's/^#define SIZEOF_SIZE_T[[:space:]]+[0-9]+/#define SIZEOF_SIZE_T  4/' jconfigint.h
grep -q '^#define SIZEOF_SIZE_T  4' jconfigint.h || { echo "failed to patch SIZEOF_SIZE_T" >&2; exit 1; }

log "building libjpeg.a"
emmake make -j2 jpeg-static >make.log 2>&1 || { tail -50 make.log; exit 1; }
cd "$BUILD"

# --------------------------------------------------------------------------
# 4. the link: every codec in one module, wasm/codecs/build.sh
# --------------------------------------------------------------------------
if [ "${LIBS_ONLY:-0}" = "1" ]; then log "libjpeg.a built (LIBS_ONLY)"; exit 0; fi
exec bash "$HERE/../codecs/build.sh"
