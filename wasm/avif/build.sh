#!/usr/bin/env bash
# Build libdav1d.a from Debian's dav1d source package with Debian's
# emscripten, then src/codecs/edgepix-codecs.wasm (wasm/codecs/build.sh, which
# links it with decoder.c and the other codecs). See README.md next to this file.
#
#   bash wasm/avif/build.sh
#
# Needs root (or sudo) for apt. Everything that is downloaded or generated
# lives in $AV_BUILD_DIR (default /tmp/edgepix-avif-build), never in the
# repository; only src/codecs/edgepix-codecs.wasm (+ its LICENSE) changes.
#
# Env knobs:
#   AV_BUILD_DIR   scratch dir (default /tmp/edgepix-avif-build)
#   AV_SKIP_APT=1  do not run apt-get (toolchain + deb-src already present)
#   AV_CLEAN=1     wipe the scratch dir first
#   AV_JOBS        parallel build jobs (default 2)
#   LIBS_ONLY=1    build libdav1d.a only, no link (wasm/codecs/build.sh uses this)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUILD="${AV_BUILD_DIR:-/tmp/edgepix-avif-build}"
JOBS="${AV_JOBS:-2}"
# Upstream version we expect from Debian bookworm (1.0.0-2+deb12u1 at the time of writing).
EXPECT_DAV1D="1.0.0"

SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi

source "$HERE/../standalone.sh"

# --------------------------------------------------------------------------
# 1. toolchain (+ deb-src, configured the same way as wasm/jpeg-turbo/build.sh)
# --------------------------------------------------------------------------
if [ "${AV_SKIP_APT:-0}" != "1" ]; then
  if ! grep -rqsE '^(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null; then
    echo "No deb-src source configured: run wasm/jpeg-turbo/build.sh once (it adds one), or add a deb-src line." >&2
    exit 1
  fi
  log "apt: emscripten, meson, ninja, dpkg-dev"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
    emscripten meson ninja-build dpkg-dev xz-utils nodejs >/dev/null
fi

# Captured first: under pipefail, `emcc --version | head -1` fails when head
# closes the pipe before emcc has written its banner (BrokenPipeError).
EMCC_VERSION="$(emcc --version)"
echo "${EMCC_VERSION%%$'\n'*}"

# --------------------------------------------------------------------------
# 2. dav1d source (Debian source package, Debian patches applied)
# --------------------------------------------------------------------------
[ "${AV_CLEAN:-0}" = "1" ] && rm -rf "$BUILD"
mkdir -p "$BUILD"
cd "$BUILD"
if [ ! -f dav1d-src/.extracted ]; then
  log "fetching dav1d source package into $BUILD"
  rm -rf dav1d-src ./dav1d_*.dsc ./dav1d_*.tar.* 2>/dev/null || true
  apt-get source --download-only dav1d
  dpkg-source -x ./dav1d_*.dsc dav1d-src >/dev/null
  touch dav1d-src/.extracted
fi
# Our change to dav1d, applied once (skipped when its marker is there):
# finished rows handed out from a sliding window of rows (row-window.patch).
if ! grep -q 'row_window_advance' dav1d-src/src/decode.c; then
  log "applying row-window.patch"
  patch -d dav1d-src -p1 --quiet <"$HERE/row-window.patch"
fi
DEB_VERSION="$(basename "$(ls ./dav1d_*.dsc)" .dsc | sed 's/^dav1d_//')"
echo "dav1d Debian source version: $DEB_VERSION"
case "$DEB_VERSION" in
  "$EXPECT_DAV1D"-*) ;;
  *) echo "WARNING: expected dav1d $EXPECT_DAV1D-*, got $DEB_VERSION (README documents $EXPECT_DAV1D)" >&2 ;;
esac

# --------------------------------------------------------------------------
# 3. static libdav1d: C only (no asm), 8- and 16-bit templates, no tools
# --------------------------------------------------------------------------
cat >"$BUILD/emscripten.cross" <<'EOF'
[binaries]
c = 'emcc'
cpp = 'em++'
ar = 'emar'
ranlib = 'emranlib'

[built-in options]
c_args = ['-O3']

[host_machine]
system = 'emscripten'
cpu_family = 'wasm32'
cpu = 'wasm32'
endian = 'little'
EOF
log "configuring dav1d with meson (emscripten cross file)"
rm -rf dav1d-build
meson setup dav1d-build dav1d-src --cross-file "$BUILD/emscripten.cross" \
  --buildtype=release --default-library=static \
  -Denable_asm=false -Denable_tools=false -Denable_tests=false \
  -Denable_examples=false -Denable_docs=false -Dlogging=false \
  -Dbitdepths=8,16 -Dxxhash_muxer=disabled >dav1d-setup.log 2>&1 || { cat dav1d-setup.log; exit 1; }
log "building libdav1d.a"
ninja -C dav1d-build -j"$JOBS" >dav1d-build.log 2>&1 || { tail -50 dav1d-build.log; exit 1; }

# --------------------------------------------------------------------------
# 4. the link: every codec in one module, wasm/codecs/build.sh
# --------------------------------------------------------------------------
if [ "${LIBS_ONLY:-0}" = "1" ]; then log "libdav1d.a built (LIBS_ONLY)"; exit 0; fi
exec bash "$HERE/../codecs/build.sh"
