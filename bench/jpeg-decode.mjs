// JPEG decode microbenchmark and identity check for wasm/jpeg-turbo builds:
// our decoder (src/codecs/jpeg-turbo, bundled with esbuild) in Node, one or
// more .wasm builds interleaved in one process, so every build sees the same
// load. Not part of `npm run bench` (that starts the worker).
//
//   node bench/jpeg-decode.mjs [--wasm a.wasm --wasm b.wasm ...] [--reps 7]
//        [--scales 8,4,2,1] [--strip 16[,64...]] [--encode] FILE.jpg...
//   node bench/jpeg-decode.mjs --check --wasm a.wasm --wasm b.wasm FILE.jpg...
//
// Timing: each build has its own copy of the wrapper and its own instance;
// in every round each file is decoded at every scale by every build in turn
// (the build order rotating by round), with `decodeJpegRows` and the rows
// discarded after the copy out of the heap, as src/codecs/jpeg.ts does. One
// warm-up round first. Per decode: CPU ms (process.cpuUsage, user + system,
// the whole process) and wall ms; printed: best and median of the rounds,
// and per scale the sums over the files. --encode adds a baseline and a
// progressive q85 encode of each file's 1/1 pixels. Several --strip sizes:
// each build once per size (`stripRows`, rows per call into the wasm).
//
// --check: every build decodes every file at every scale (progressive files
// below 1/8 also in 3 bands; at 1/8 and 1/1 also two damaged copies,
// leniently: cut at 60 %, and an RST0 marker written into the middle) and
// encodes the 1/2 decode (baseline and progressive); the SHA-256 of every
// RGBA / JPEG output (or the error message) must be the same for every build.
// Default build: src/codecs/edgepix-codecs.wasm.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importBundled } from '../wasm/smoke-lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name) => args.flatMap((a, i) => (a === name ? [args[i + 1]] : []));
const flag = (name) => args.includes(name);
const valued = new Set(['--wasm', '--reps', '--scales', '--strip']);
const files = args.filter((a, i) => !a.startsWith('--') && !valued.has(args[i - 1]));
const wasmFiles = opt('--wasm').length ? opt('--wasm') : [path.join(root, 'src/codecs/edgepix-codecs.wasm')];
const reps = Number(opt('--reps')[0] ?? 7);
const scales = (opt('--scales')[0] ?? '8,4,2,1').split(',').map(Number);
const strips = (opt('--strip')[0] ?? '16').split(',').map(Number);
let stripRows = strips[0];

// One copy of the wrapper per build (each its own instance), so the timing
// can interleave builds decode by decode without re-instantiating.
const builds = [];
for (const f of wasmFiles) {
  for (const strip of strips) {
    const wrapper = await importBundled(path.join(root, 'src/codecs/jpeg-turbo/index.ts'), 'jpeg-decode-bench-');
    wrapper.initCodecsWasm(new WebAssembly.Module(fs.readFileSync(f)));
    builds.push({ name: path.basename(f) + (strips.length > 1 ? ` strip ${strip}` : ''), jt: wrapper, strip });
  }
}
let jt = builds[0].jt;
const inputs = files.map((f) => ({ file: f, name: path.basename(f), bytes: new Uint8Array(fs.readFileSync(f)) }));

const cpuMs = (t) => (t.user + t.system) / 1000;
function timed(fn) {
  const c = process.cpuUsage();
  const w = performance.now();
  fn();
  return { cpu: cpuMs(process.cpuUsage(c)), wall: performance.now() - w };
}
/** Decodes at 1/scale; `onRows` sees every strip. */
function decode(bytes, scale, onRows = () => {}, extra = {}) {
  const info = jt.readJpegInfo(bytes);
  const minWidth = Math.ceil(info.width / scale);
  const minHeight = Math.ceil(info.height / scale);
  let out;
  const onStart = (o) => {
    out = o;
    extra.onStart?.(o);
  };
  jt.decodeJpegRows(bytes, { minWidth, minHeight, stripRows, ...extra, onStart }, onRows);
  if (out.scaleDenom !== scale) throw new Error(`asked for 1/${scale}, got 1/${out.scaleDenom}`);
  return out;
}
function decodeRgba(bytes, scale, extra) {
  let data;
  let rowBytes = 0;
  const out = decode(bytes, scale, (rows, y) => data.set(rows, y * rowBytes), {
    ...extra,
    onStart: (o) => {
      rowBytes = o.width * 4;
      data = new Uint8Array(o.width * o.height * 4);
    },
  });
  return { ...out, data };
}
async function encode(img, progressive) {
  const sink = jt.openJpegEncoder({ width: img.width, height: img.height }, { quality: 85, progressive });
  const rowBytes = img.width * 4;
  for (let y = 0; y < img.height; y += 16) {
    const n = Math.min(16, img.height - y);
    sink.write(img.data.subarray(y * rowBytes, (y + n) * rowBytes), n);
  }
  return sink.close();
}
const sha = (b) => crypto.createHash('sha256').update(b).digest('hex').slice(0, 16);

if (flag('--check')) {
  const seen = new Map(); // case -> hash of the first build
  let same = 0;
  let differ = 0;
  for (const build of builds) {
    jt = build.jt;
    stripRows = build.strip;
    for (const { file: name, bytes } of inputs) {
      let info;
      try {
        info = jt.readJpegInfo(bytes);
      } catch (error) {
        console.log(`skipped ${name}: ${error.message}`);
        continue;
      }
      for (const scale of scales) {
        const cases = [['', {}, bytes]];
        if (info.progressive && scale < 8) cases.push([' bands=3', { bands: 3 }, bytes]);
        if (scale === 8 || scale === 1) {
          // damaged copies, decoded leniently: cut at 60 %, and an RST0 marker in the middle of the data
          cases.push([' cut', { strict: false }, bytes.slice(0, Math.floor(bytes.length * 0.6))]);
          const marked = bytes.slice();
          marked.set([0xff, 0xd0], Math.floor(bytes.length / 2));
          cases.push([' marker', { strict: false }, marked]);
        }
        for (const [label, extra, input] of cases) {
          const key = `${name} 1/${scale}${label}`;
          let hash;
          try {
            hash = sha(decodeRgba(input, scale, extra).data);
          } catch (error) {
            hash = `error: ${error.message}`;
          }
          if (!seen.has(key)) seen.set(key, hash);
          else if (seen.get(key) === hash) same++;
          else {
            differ++;
            console.log(`DIFFERENT ${build.name}: ${key}: ${hash} vs ${seen.get(key)}`);
          }
          if (scale === 2 && label === '' && !hash.startsWith('error')) {
            const img = decodeRgba(bytes, 2);
            for (const progressive of [false, true]) {
              const ekey = `${name} encode(1/2, ${progressive ? 'progressive' : 'baseline'})`;
              const ehash = sha(await encode(img, progressive));
              if (!seen.has(ekey)) seen.set(ekey, ehash);
              else if (seen.get(ekey) === ehash) same++;
              else {
                differ++;
                console.log(`DIFFERENT ${build.name}: ${ekey}: ${ehash} vs ${seen.get(ekey)}`);
              }
            }
          }
        }
      }
    }
  }
  console.log(`${builds.length} builds, ${seen.size} cases each: ${same} identical comparisons, ${differ} different`);
  process.exit(differ === 0 ? 0 : 1);
}

// --- timing ---
const best = new Map(); // `${build}|${case}` -> { cpu: [], wall: [] }
const record = (build, key, t) => {
  const k = `${build.name}|${key}`;
  if (!best.has(k)) best.set(k, { cpu: [], wall: [] });
  best.get(k).cpu.push(t.cpu);
  best.get(k).wall.push(t.wall);
};
const pixels = new Map();
for (let round = 0; round <= reps; round++) {
  for (const { name, bytes } of inputs) {
    for (const scale of [...scales, ...(flag('--encode') ? ['baseline', 'progressive'] : [])]) {
      const key = typeof scale === 'number' ? `${name} 1/${scale}` : `${name} encode ${scale}`;
      // every case: each build once, the order rotating by round
      for (let b = 0; b < builds.length; b++) {
        const build = builds[(b + round) % builds.length];
        jt = build.jt;
        stripRows = build.strip;
        let t;
        if (typeof scale === 'number') t = timed(() => decode(bytes, scale));
        else {
          if (!pixels.has(name)) pixels.set(name, decodeRgba(bytes, 1));
          const c = process.cpuUsage();
          const w = performance.now();
          await encode(pixels.get(name), scale === 'progressive');
          t = { cpu: cpuMs(process.cpuUsage(c)), wall: performance.now() - w };
        }
        if (round > 0) record(build, key, t);
      }
    }
  }
}
const min = (a) => Math.min(...a);
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
const keys = [...new Set([...best.keys()].map((k) => k.slice(k.indexOf('|') + 1)))];
console.log(`node ${process.version}, ${os.cpus().length} cpus, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}, best of ${reps}, strips of ${strips.join(' / ')} rows`);
console.log(['case', ...builds.flatMap((b) => [`${b.name} cpu`, 'wall', 'cpu med']), ...(builds.length > 1 ? ['cpu Δ'] : [])].join('\t'));
const totals = builds.map(() => new Map());
for (const key of keys) {
  const row = [key];
  const cpus = builds.map((b, i) => {
    const s = best.get(`${b.name}|${key}`);
    row.push(min(s.cpu).toFixed(1), min(s.wall).toFixed(1), median(s.cpu).toFixed(1));
    const group = key.replace(/^\S+ /, '');
    const [sumMin, sumMedian] = totals[i].get(group) ?? [0, 0];
    totals[i].set(group, [sumMin + min(s.cpu), sumMedian + median(s.cpu)]);
    return min(s.cpu);
  });
  if (builds.length > 1) row.push(`${(((cpus.at(-1) - cpus[0]) / cpus[0]) * 100).toFixed(1)}%`);
  console.log(row.join('\t'));
}
const pct = (a, b) => `${(((b - a) / a) * 100).toFixed(1)}%`;
for (const group of totals[0].keys()) {
  const sums = totals.map((t) => t.get(group));
  const delta = builds.length > 1 ? `\t${pct(sums[0][0], sums.at(-1)[0])}\t${pct(sums[0][1], sums.at(-1)[1])} (median)` : '';
  console.log(`sum ${group}\t${sums.map(([a, b]) => `${a.toFixed(1)} (median ${b.toFixed(1)})`).join('\t')}${delta}`);
}
