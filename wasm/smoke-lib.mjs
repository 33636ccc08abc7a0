// What the codec smoke scripts (wasm/<codec>/smoke.mjs) share: loading the
// committed .wasm the way workerd does, bundling a codec's index.ts, and
// counting checks.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));

/**
 * Bundles `entry` (a .ts file and what it imports) with the project's esbuild
 * into a temporary file, imports it and removes the file. Not type-checked:
 * that is the project's tsc job.
 */
export async function importBundled(entry, tmpPrefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  const out = path.join(dir, 'index.mjs');
  require('esbuild').buildSync({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    outfile: out,
    logLevel: 'error',
  });
  const loaded = await import(pathToFileURL(out).href);
  fs.rmSync(dir, { recursive: true, force: true });
  return loaded;
}

/**
 * The committed src/codecs/edgepix-codecs.wasm as a precompiled
 * WebAssembly.Module (what workerd hands the worker); prints its size and
 * imports, and its exports with `listExports`.
 */
export function codecsWasmModule({ listExports = false } = {}) {
  const wasmBytes = fs.readFileSync(path.join(root, 'src/codecs/edgepix-codecs.wasm'));
  const module = new WebAssembly.Module(wasmBytes);
  console.log(`wasm: ${wasmBytes.length} bytes`);
  console.log('imports:', WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`).join(', '));
  if (listExports) console.log('exports:', WebAssembly.Module.exports(module).map((e) => e.name).join(', '));
  return module;
}

/** `check` counts a passed or failed check; `finish` prints the tally and exits non-zero on any failure. */
export function checks() {
  let failures = 0;
  let passes = 0;
  return {
    check(cond, msg) {
      if (cond) passes++;
      else {
        failures++;
        console.log(`  FAIL: ${msg}`);
      }
    },
    finish() {
      console.log(`\n${passes} passed, ${failures} failed`);
      process.exit(failures ? 1 : 0);
    },
  };
}
