#!/usr/bin/env bash
# resample.c is linked into src/codecs/edgepix-codecs.wasm with every other
# codec (one module, one heap): this runs wasm/codecs/build.sh, which compiles
# it with -msimd128 -ffp-contract=off. See README.md next to this file.
#
#   bash wasm/resample/build.sh
#
# No third-party code here: the only input of ours is resample.c.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec bash "$HERE/../codecs/build.sh"
