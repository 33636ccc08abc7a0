# Sourced by each wasm/*/build.sh: what every standalone (glue-free) module
# build shares. Each build adds its own exports, memory sizes, stack and
# allocator to STANDALONE_FLAGS.

# Debian's emcc needs its JS deps (acorn, ...) from the system node path.
export NODE_PATH="/usr/share/nodejs${NODE_PATH:+:$NODE_PATH}"

log() { printf '\n== %s\n' "$*"; }

# apply_patch PATCH FILE MARKER: one of our changes to the library in ./src
# (PATCH beside the calling build.sh, in $HERE), applied once: skipped when
# src/FILE already holds MARKER (a rerun in the same build dir).
apply_patch() {
  if ! grep -q "$3" "src/$2"; then
    log "applying $1"
    patch -d src -p1 --quiet <"$HERE/$1"
  fi
}

# A .wasm that workerd imports as a precompiled module and our TS wrapper
# instantiates itself: no JS glue, no file system, no runtime checks.
STANDALONE_FLAGS=(
  -s STANDALONE_WASM=1 --no-entry
  -s ALLOW_MEMORY_GROWTH=1
  -s FILESYSTEM=0
  -s ASSERTIONS=0
  -s ERROR_ON_UNDEFINED_SYMBOLS=1
)

# declare_imports DIR NAME...: the env imports the TS wrapper implements.
# emscripten's linker accepts an undefined symbol only if some JS library
# declares it, so this writes a throwaway one (no JS is emitted for a
# standalone .wasm) and adds it to STANDALONE_FLAGS.
declare_imports() {
  local library="$1/library_imports.js"
  shift
  {
    printf 'mergeInto(LibraryManager.library, {'
    printf ' %s: function () {},' "$@"
    printf ' });\n'
  } >"$library"
  STANDALONE_FLAGS+=(--js-library "$library")
}

# describe_module FILE: what the built module imports and exports.
describe_module() {
  ls -l "$1"
  node -e '
const m = new WebAssembly.Module(require("fs").readFileSync(process.argv[1]));
console.log("imports:", WebAssembly.Module.imports(m).map(i => i.module + "." + i.name + " (" + i.kind + ")").join(", ") || "none");
console.log("exports:", WebAssembly.Module.exports(m).map(e => e.name).join(", "));
' "$1"
}
