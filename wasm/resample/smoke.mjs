// Compares src/pipeline/resample/ (WASM SIMD) with the TS implementations it
// replaced (src/pipeline/resample.ts, src/pipeline/steps/shrink.ts), byte for
// byte, and times both against sharp. Those were removed in 5dd0866: the
// "TS" imports below now resolve to the WASM exact path and to the shrink
// step that wraps it, so the exact cases check that bands of 1–40 rows give
// the bytes of one whole band, and --fast and --opaque are measured against
// that exact path; the "ts" timings time it. The reference made outside the
// code is sharp's, in test/streaming.test.ts.
//
//   node wasm/resample/smoke.mjs            # identity cases + timings
//   node wasm/resample/smoke.mjs --quick    # identity cases only
//   node wasm/resample/smoke.mjs --bench    # timings only
//   --fast, --opaque                        # the f32 / 16-bit variant instead of the exact path (within 1)
//
// Bundles the TS with the project's esbuild into a temporary file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(ROOT, 'package.json'));
const esbuild = require('esbuild');
const sharp = require('sharp');
const quick = process.argv.includes('--quick');
const wasmOnly = process.argv.includes('--wasm-only'); // timings of the WASM path alone (for tuning)
const fast = process.argv.includes('--fast'); // the f32 variant: not byte-identical
const opaque = process.argv.includes('--opaque'); // the 16-bit variant for opaque pictures: not byte-identical either
// What lanczos3Rows is asked for: the exact path, or the variant the flags name.
const variant = { exact: !(fast || opaque), opaque };
const benchOnly = wasmOnly || process.argv.includes('--bench');

const tmp = mkdtempSync(join(tmpdir(), 'edgepix-resample-smoke-'));
const bundle = join(tmp, 'bundle.mjs');
await esbuild.build({
  stdin: {
    contents: `
      export { lanczos3Rows as tsLanczos } from './src/pipeline/resample';
      export { shrink as tsShrinkStep } from './src/pipeline/steps/shrink';
      export { collect, replay } from './src/codecs/rows';
      export * from './src/pipeline/resample/index';`,
    resolveDir: ROOT,
    loader: 'ts',
  },
  // steps/shrink.ts imports the worker's .wasm (codecs/codecs-wasm.ts): hand it the Module compiled here.
  plugins: [{
    name: 'codecs-wasm',
    setup(build) {
      build.onResolve({ filter: /edgepix-codecs\.wasm$/ }, (args) => ({ path: args.path, namespace: 'codecs-wasm' }));
      build.onLoad({ filter: /.*/, namespace: 'codecs-wasm' }, () => ({ contents: 'export default globalThis.__edgepixCodecsWasm;', loader: 'js' }));
    },
  }],
  bundle: true,
  format: 'esm',
  platform: 'node',
  outfile: bundle,
  logLevel: 'warning',
});
globalThis.__edgepixCodecsWasm = new WebAssembly.Module(readFileSync(join(ROOT, 'src/codecs/edgepix-codecs.wasm')));
const m = await import(pathToFileURL(bundle).href);
rmSync(tmp, { recursive: true });
m.initCodecsWasm(globalThis.__edgepixCodecsWasm);

/** The TS shrink step's sink for a given factor (the step derives its factor from a target size). */
function tsShrink(from, factor, next) {
  const scaled = { width: Math.max(1, Math.floor(from.width / (2 * factor))), height: Math.max(1, Math.floor(from.height / (2 * factor))) };
  const stage = m.tsShrinkStep(from, { unoriented: { scaled } });
  const want = { width: Math.ceil(from.width / factor), height: Math.ceil(from.height / factor) };
  if (!stage || stage.output.width !== want.width || stage.output.height !== want.height) return undefined;
  return stage.connect(next);
}

/** steps/shrink.ts's sink, line for line, for factors the step itself would not pick. */
function portedShrink(input, factor, next) {
  const width = Math.ceil(input.width / factor);
  const sums = new Float64Array(width * 4);
  const counts = new Uint32Array(width);
  const row = new Uint8ClampedArray(width * 4);
  const rowBytes = new Uint8Array(row.buffer);
  let y = 0;
  let gathered = 0;
  const emit = () => {
    for (let ox = 0, o = 0; ox < width; ox++, o += 4) {
      const alpha = sums[o + 3];
      if (alpha > 0) {
        row[o] = sums[o] / alpha;
        row[o + 1] = sums[o + 1] / alpha;
        row[o + 2] = sums[o + 2] / alpha;
      } else {
        row[o] = row[o + 1] = row[o + 2] = 0;
      }
      row[o + 3] = alpha / counts[ox];
    }
    next.write(rowBytes, 1);
    sums.fill(0);
    counts.fill(0);
    gathered = 0;
  };
  return {
    write(band, count) {
      for (let r = 0; r < count; r++, y++) {
        for (let x = 0, i = r * input.width * 4; x < input.width; x++, i += 4) {
          const o = ((x / factor) | 0) * 4;
          const a = band[i + 3];
          sums[o] += band[i] * a;
          sums[o + 1] += band[i + 1] * a;
          sums[o + 2] += band[i + 2] * a;
          sums[o + 3] += a;
          counts[o >> 2]++;
        }
        if (++gathered === factor || y === input.height - 1) emit();
      }
    },
    close: () => next.close(),
    abort: () => next.abort(),
  };
}

/** Feeds `image` through `make(next)` in bands of `band` rows; returns the collected picture. */
function run(image, outSize, make, band = 16) {
  const sink = make(m.collect(outSize));
  const rowBytes = image.width * 4;
  const bytes = new Uint8Array(image.data.buffer, image.data.byteOffset, image.data.length);
  for (let y = 0; y < image.height; y += band) {
    const count = Math.min(band, image.height - y);
    sink.write(bytes.subarray(y * rowBytes, (y + count) * rowBytes), count);
  }
  return sink.close();
}

function compare(a, b) {
  let max = 0;
  let sum = 0;
  let differing = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d) differing++, (sum += d), (max = Math.max(max, d));
  }
  return { max, mean: sum / a.length, differing };
}

let seed = 12345;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) & 0xff;
function noise(width, height, alpha) {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < data.length; i++) data[i] = random();
  for (let i = 3; i < data.length; i += 4) {
    if (alpha === 'opaque') data[i] = 255;
    else if (alpha === 'sparse') data[i] = data[i] < 128 ? 0 : data[i]; // half fully transparent
  }
  return { width, height, data };
}

const photoRaw = await sharp(join(ROOT, 'test/fixtures/photos/jon-tyson-FKkK1hnTe-Q-unsplash.jpg'))
  .ensureAlpha()
  .raw()
  .toBuffer({ resolveWithObject: true });
const photo = { width: photoRaw.info.width, height: photoRaw.info.height, data: new Uint8ClampedArray(photoRaw.data.buffer, photoRaw.data.byteOffset, photoRaw.data.length) };
// The photo with a soft alpha ramp and a fully transparent corner.
const photoAlpha = { ...photo, data: photo.data.slice() };
for (let y = 0; y < photo.height; y++)
  for (let x = 0; x < photo.width; x++) {
    const i = (y * photo.width + x) * 4 + 3;
    photoAlpha.data[i] = x < photo.width / 8 && y < photo.height / 8 ? 0 : Math.min(255, Math.round((255 * (x + y)) / (photo.width + photo.height) + 40));
  }
console.log(`photo: ${photo.width}×${photo.height}`);

const fit = (from, scale) => ({ width: Math.max(1, Math.round(from.width / scale)), height: Math.max(1, Math.round(from.height / scale)) });
const lanczosCases = [];
for (const alpha of ['random', 'sparse', 'opaque']) {
  const img = noise(301, 203, alpha);
  for (const s of [1.1, 1.5, 2, 2.52, 3, 4.7, 8, 0.5, 0.37]) lanczosCases.push([`noise ${alpha} 301×203 /${s}`, img, fit(img, s)]);
}
const tiny = [[1, 1, 1, 1], [1, 1, 5, 7], [1, 50, 1, 17], [50, 1, 17, 1], [1, 50, 3, 100], [50, 1, 100, 2], [7, 3, 1, 1], [2, 2, 1, 9], [64, 64, 1, 64], [64, 64, 64, 1], [3, 1000, 3, 7], [200, 3000, 200, 1], [3000, 20, 1, 20]];
for (const [w, h, ow, oh] of tiny) lanczosCases.push([`noise ${w}×${h} → ${ow}×${oh}`, noise(w, h, 'random'), { width: ow, height: oh }]);
for (const s of [1.1, 2.52, 4, 8, 0.5]) {
  lanczosCases.push([`photo /${s}`, photo, fit(photo, s)]);
  lanczosCases.push([`photo+alpha /${s}`, photoAlpha, fit(photoAlpha, s)]);
}
lanczosCases.push(['photo → 1600 wide', photo, { width: 1600, height: Math.round((photo.height * 1600) / photo.width) }]);

let failures = 0;
// Exact (default): every byte equal. --fast, --opaque: within 1 (the bound both variants promise).
let worst = { max: 0, mean: 0 };
const report = (name, ours, ref) => {
  const { max, mean, differing } = compare(ours.data, ref.data);
  const ok = ours.width === ref.width && ours.height === ref.height && max <= (variant.exact ? 0 : 1);
  if (!ok) failures++;
  worst = { max: Math.max(worst.max, max), mean: Math.max(worst.mean, mean) };
  const verdict = max === 0 ? 'identical' : ok ? 'within 1 ' : 'DIFFERENT';
  console.log(`${verdict}  ${name} → ${ref.width}×${ref.height}${max ? `  max|Δ| ${max} mean|Δ| ${mean.toExponential(2)} bytes differing ${differing}` : ''}`);
};

if (!benchOnly) {
console.log('\n-- lanczos3Rows in bands of 1–40 rows vs the exact path in one band');
for (const [name, given, to] of lanczosCases) {
  // The 16-bit variant is for opaque pictures only: every case is made opaque for it.
  const img = opaque ? { ...given, data: given.data.map((v, i) => (i % 4 === 3 ? 255 : v)) } : given;
  const band = 1 + (random() % 40);
  const ours = await run(img, to, (next) => m.lanczos3Rows(img, to, next, variant), band);
  const ref = await run(img, to, (next) => m.tsLanczos(img, to, next), img.height);
  report(name, ours, ref);
}

console.log('\n-- boxShrinkRows in bands of 1–40 rows vs the shrink step in one band');
const shrinkCases = [];
for (const alpha of ['random', 'sparse', 'opaque']) {
  const img = noise(301, 203, alpha);
  for (const f of [2, 3, 4, 7, 16]) shrinkCases.push([`noise ${alpha} 301×203 ÷${f}`, img, f]);
}
shrinkCases.push(['noise 1×1 ÷2', noise(1, 1, 'random'), 2], ['noise 1×77 ÷3', noise(1, 77, 'random'), 3], ['noise 77×1 ÷5', noise(77, 1, 'random'), 5]);
for (const f of [2, 3, 5]) shrinkCases.push([`photo ÷${f}`, photo, f], [`photo+alpha ÷${f}`, photoAlpha, f]);
for (const [name, img, f] of shrinkCases) {
  const to = { width: Math.ceil(img.width / f), height: Math.ceil(img.height / f) };
  const band = 1 + (random() % 40);
  const ours = await run(img, to, (next) => m.boxShrinkRows(img, f, next), band);
  // The step picks its factor from min(width, height ratio) / 2, so 1-pixel-wide or high pictures never shrink in
  // production; those edge cases are checked against a port of the step's sink instead.
  const viaStep = !!tsShrink(img, f, m.collect(to));
  const refSink = viaStep ? (next) => tsShrink(img, f, next) : (next) => portedShrink(img, f, next);
  report(viaStep ? name : `${name} (vs a port of the step's sink)`, ours, await run(img, to, refSink, img.height));
}

console.log('\n-- shrink then lanczos3, chained in one instance');
for (const [alpha, img] of opaque ? [['opaque', photo]] : [['opaque', photo], ['alpha', photoAlpha]]) {
  const f = 3;
  const mid = { width: Math.ceil(img.width / f), height: Math.ceil(img.height / f) };
  const to = { width: 640, height: Math.round((img.height * 640) / img.width) };
  const ours = await run(img, to, (next) => m.boxShrinkRows(img, f, m.lanczos3Rows(mid, to, next, variant)), 64);
  const ref = await run(img, to, (next) => tsShrink(img, f, m.tsLanczos(mid, to, next)), 64);
  report(`photo ${alpha} ÷${f} → 640`, ours, ref);
}
console.log(failures ? `\n${failures} case(s) differ` : worst.max ? `\nall cases within 1 (worst mean|Δ| ${worst.mean.toExponential(2)})` : '\nall cases byte-identical');
}

if (!quick) {
  // The planner's chain for a raw 4032×3024 picture: box shrink when the factor is ≥ 2 (BOX_SHRINK_HEADROOM = 2), then Lanczos3.
  const big = noise(4032, 3024, 'opaque');
  // A smooth picture too (timing doesn't depend on content, but sharp's might).
  const chain = (impl, from, width) => {
    const to = { width, height: Math.round((from.height * width) / from.width) };
    const factor = Math.floor(Math.min(from.width / to.width, from.height / to.height) / 2);
    if (factor < 2) return { to, make: (next) => (impl === 'wasm' ? m.lanczos3Rows(from, to, next, variant) : m.tsLanczos(from, to, next)), factor: 1 };
    const mid = { width: Math.ceil(from.width / factor), height: Math.ceil(from.height / factor) };
    const make = impl === 'wasm'
      ? (next) => m.boxShrinkRows(from, factor, m.lanczos3Rows(mid, to, next, variant))
      : (next) => tsShrink(from, factor, m.tsLanczos(mid, to, next));
    return { to, make, factor };
  };
  // Median wall time and median CPU time (all threads of this process) per run: the machine is shared, and CPU time
  // is what a Worker is billed and limited by.
  const time = async (fn, n) => {
    const wall = [];
    const cpu = [];
    for (let i = 0; i < n; i++) {
      const c = process.cpuUsage();
      const t = performance.now();
      await fn();
      wall.push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
    }
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(0);
    return `${median(wall)} ms (cpu ${median(cpu)})`;
  };
  const defaultConcurrency = sharp.concurrency();
  console.log(`\n-- timings${fast ? ' (f32 variant)' : opaque ? ' (16-bit variant)' : ''}, 4032×3024 RGBA in memory → width: median wall ms (median CPU ms), and the first run's`);
  for (const width of [1600, 640]) {
    const rows = [];
    for (const impl of wasmOnly ? ['wasm'] : ['wasm', 'ts']) {
      const { to, make, factor } = chain(impl, big, width);
      const once = () => run(big, to, make, 64);
      const cold = await time(once, 1);
      rows.push(`${impl}${factor > 1 ? ` (shrink ÷${factor} + lanczos3)` : ' (lanczos3)'}: ${await time(once, impl === 'ts' ? 3 : wasmOnly ? 15 : 7)}, cold ${cold}`);
    }
    if (wasmOnly) {
      console.log(`→ ${width}:\n  ${rows.join('\n  ')}`);
      continue;
    }
    const raw = Buffer.from(big.data.buffer);
    for (const concurrency of new Set([1, defaultConcurrency])) {
      sharp.concurrency(concurrency);
      const once = () => sharp(raw, { raw: { width: big.width, height: big.height, channels: 4 } }).resize(width, null, { kernel: 'lanczos3' }).raw().toBuffer();
      const cold = await time(once, 1);
      rows.push(`sharp lanczos3 (concurrency ${sharp.concurrency()}): ${await time(once, 7)}, cold ${cold}`);
    }
    console.log(`→ ${width}:\n  ${rows.join('\n  ')}`);
  }
}
process.exitCode = failures ? 1 : 0;
