// Node smoke test for src/codecs/jpeg-turbo (the committed .wasm + index.ts).
//
//   node wasm/jpeg-turbo/smoke.mjs [--bench] [--sharp /path/to/node_modules/sharp]
//
// Loads the .wasm the way workerd does (a precompiled WebAssembly.Module),
// transpiles index.ts with the project's TypeScript, decodes every fixture at
// 1/8, 1/4, 1/2 and 1/1, checks sizes and pixel sanity, times it, and makes
// sure corrupt/truncated inputs throw Error without breaking later calls.
// With --sharp (a sharp install outside the repo) it also compares pixels
// against sharp's decode. Exits non-zero on any failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { checks, codecsWasmModule } from '../smoke-lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const codecDir = path.join(root, 'src/codecs/jpeg-turbo');
const fixtures = process.env.FIXTURES ?? path.resolve(root, '../shared/fixtures');
const require = createRequire(path.join(root, 'package.json'));

// --- load index.ts and what it imports (transpile only; typecheck is the
// project's tsc job), mirrored under a temp dir as .mjs files ---
const ts = require('typescript');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'jt-smoke-'));
function transpileTree(file, done = new Set()) {
  if (done.has(file)) return;
  done.add(file);
  let js = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  js = js.replace(/^((?:import|export)\b[^'"]*?from\s+['"])(\.{1,2}\/[^'"]+)(['"])/gm, (_, a, spec, b) => {
    transpileTree(path.resolve(path.dirname(file), `${spec}.ts`), done);
    return `${a}${spec}.mjs${b}`;
  });
  const out = path.join(tmp, path.relative(root, file).replace(/\.ts$/, '.mjs'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, js);
}
transpileTree(path.join(codecDir, 'index.ts'));
const jt = await import(pathToFileURL(path.join(tmp, 'src/codecs/jpeg-turbo/index.mjs')).href);

const sharpArg = process.argv.indexOf('--sharp');
const sharp = sharpArg > 0 ? createRequire(import.meta.url)(path.resolve(process.argv[sharpArg + 1])) : null;

const { check, finish } = checks();

const module = codecsWasmModule({ listExports: true });
jt.initCodecsWasm(module);

function stats(img) {
  const { data, width, height } = img;
  let r = 0, g = 0, b = 0, a255 = 0, sq = 0;
  const n = width * height;
  for (let i = 0; i < data.length; i += 4) {
    r += data[i]; g += data[i + 1]; b += data[i + 2];
    if (data[i + 3] === 255) a255++;
    const l = (data[i] + data[i + 1] + data[i + 2]) / 3;
    sq += l * l;
  }
  const mean = [r / n, g / n, b / n];
  const ml = (mean[0] + mean[1] + mean[2]) / 3;
  return { mean, std: Math.sqrt(Math.max(0, sq / n - ml * ml)), alphaOk: a255 === n };
}
const fmt = (m) => m.map((v) => v.toFixed(1)).join(',');
const ceilDiv = (a, b) => Math.ceil(a / b);

function listJpegs(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => /\.(jpe?g)$/i.test(f)).map((f) => path.join(dir, f));
}
const files = [
  ...listJpegs(path.join(fixtures, 'photos')),
  ...listJpegs(path.join(fixtures, 'formats')),
  ...listJpegs(path.join(fixtures, 'orientation')).filter((f) => /_(0|1|6)\.jpg$/.test(f)),
];
check(files.length > 0, `no fixtures found under ${fixtures}`);

// --- decode every fixture at every scale ---------------------------------
console.log('\nfile                                         info                         1/8        1/4        1/2        1/1   (ms; mean rgb at 1/1)');
for (const file of files) {
  const bytes = new Uint8Array(fs.readFileSync(file));
  const info = jt.readJpegInfo(bytes);
  const times = [];
  let full = null;
  const means = {};
  for (const denom of [8, 4, 2, 1]) {
    const minWidth = denom === 1 ? 0 : ceilDiv(info.width, denom);
    const minHeight = denom === 1 ? 0 : ceilDiv(info.height, denom);
    const t0 = performance.now();
    const img = jt.decodeJpeg(bytes, { minWidth, minHeight });
    times.push(performance.now() - t0);
    check(img.scaleDenom === denom, `${file}: wanted 1/${denom}, got 1/${img.scaleDenom}`);
    check(img.width === ceilDiv(info.width, denom) && img.height === ceilDiv(info.height, denom),
      `${file} 1/${denom}: size ${img.width}x${img.height}`);
    check(img.data.length === img.width * img.height * 4, `${file}: data length`);
    check(img.data instanceof Uint8ClampedArray, `${file}: not Uint8ClampedArray`);
    const s = stats(img);
    means[denom] = s.mean;
    check(s.alphaOk, `${file} 1/${denom}: alpha not all 255`);
    // (gamma_dalai_lama_gray is built to average out to flat grey when shrunk)
    if (denom === 1 || !/gamma_dalai_lama/.test(file)) check(s.std > 5, `${file} 1/${denom}: flat image? std ${s.std.toFixed(1)}`);
    if (denom === 1) full = img;
  }
  // DCT scaling keeps the average colour: every scale close to full size.
  for (const denom of [8, 4, 2]) {
    const d = Math.max(...means[denom].map((v, i) => Math.abs(v - means[1][i])));
    check(d < 3, `${file} 1/${denom}: mean ${fmt(means[denom])} vs full ${fmt(means[1])}`);
  }
  // Gray sources replicate to R=G=B.
  if (info.colorSpace === 'gray') {
    let same = true;
    for (let i = 0; i < full.data.length; i += 4) if (full.data[i] !== full.data[i + 1] || full.data[i] !== full.data[i + 2]) { same = false; break; }
    check(same, `${file}: gray not replicated`);
  }
  let extra = '';
  if (sharp) {
    const ref = await sharp(Buffer.from(bytes), { failOn: 'none' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    check(ref.info.width === full.width && ref.info.height === full.height, `${file}: sharp size ${ref.info.width}x${ref.info.height}`);
    const rs = stats({ data: ref.data, width: ref.info.width, height: ref.info.height });
    let maxd = 0, sumd = 0;
    if (ref.data.length === full.data.length) {
      for (let i = 0; i < full.data.length; i++) {
        const dd = Math.abs(full.data[i] - ref.data[i]);
        sumd += dd;
        if (dd > maxd) maxd = dd;
      }
    }
    const meanDiff = sumd / full.data.length;
    extra = ` | sharp mean ${fmt(rs.mean)} avg|d| ${meanDiff.toFixed(2)} max|d| ${maxd}`;
    if (info.colorSpace === 'cmyk' || info.colorSpace === 'ycck') {
      // sharp goes through an ICC transform; we use the naive inverted-CMYK
      // formula: only require the same overall colour.
      const d = Math.max(...rs.mean.map((v, i) => Math.abs(v - means[1][i])));
      check(d < 30, `${file}: CMYK mean ${fmt(means[1])} vs sharp ${fmt(rs.mean)}`);
    } else {
      check(meanDiff < 1, `${file}: avg pixel diff vs sharp ${meanDiff.toFixed(2)}`);
    }
  }
  const name = path.relative(fixtures, file).padEnd(44).slice(0, 44);
  const inf = `${info.width}x${info.height} ${info.colorSpace}${info.progressive ? ' prog' : ''}`.padEnd(28);
  console.log(`${name} ${inf} ${times.map((t) => t.toFixed(1).padStart(9)).join(' ')}   ${fmt(means[1])}${extra}`);
}

// --- minWidth/minHeight picks the smallest sufficient scale ---------------
{
  const photo = files.find((f) => f.includes('/photos/'));
  if (photo) {
    const bytes = new Uint8Array(fs.readFileSync(photo));
    const info = jt.readJpegInfo(bytes);
    const cases = [
      [{}, 1],
      [{ minWidth: 1, minHeight: 1 }, 8],
      [{ minWidth: ceilDiv(info.width, 8) + 1 }, 4],
      [{ minHeight: ceilDiv(info.height, 4) + 1 }, 2],
      [{ minWidth: ceilDiv(info.width, 2), minHeight: ceilDiv(info.height, 2) }, 2],
      [{ minWidth: info.width * 2 }, 1],
    ];
    for (const [opts, want] of cases) {
      const got = jt.decodeJpeg(bytes, opts).scaleDenom;
      check(got === want, `scale pick ${JSON.stringify(opts)}: want 1/${want}, got 1/${got}`);
    }
  }
}

// --- streaming: strips equal the one-shot decode --------------------------
{
  for (const file of files.slice(0, 3).concat(files.filter((f) => /CMYK|gray/.test(f)))) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const one = jt.decodeJpeg(bytes, { minWidth: 300, minHeight: 300 });
    const acc = new Uint8Array(one.data.length);
    let started = null, nextY = 0, calls = 0;
    const t0 = performance.now();
    const res = jt.decodeJpegRows(bytes, { minWidth: 300, minHeight: 300, stripRows: 16, onStart: (o) => { started = o; } }, (rows, y, count) => {
      check(y === nextY, `rows out of order: ${y} != ${nextY}`);
      check(rows.length === count * one.width * 4, 'strip length');
      check(count <= 16, 'strip too tall');
      acc.set(rows, y * one.width * 4);
      nextY = y + count;
      calls++;
    });
    const ms = performance.now() - t0;
    check(started && started.width === one.width && started.height === one.height, 'onStart dims');
    check(res.width === one.width && res.height === one.height && res.scaleDenom === one.scaleDenom, 'rows result dims');
    check(nextY === one.height, `rows covered ${nextY}/${one.height}`);
    check(Buffer.compare(Buffer.from(acc), Buffer.from(one.data.buffer)) === 0, `${path.basename(file)}: streamed pixels differ`);
    console.log(`rows ${path.basename(file)}: ${res.width}x${res.height} 1/${res.scaleDenom} in ${calls} strips, ${ms.toFixed(1)} ms`);
  }
}

// --- progressive early stop ------------------------------------------------
// Below 1/1, progressive files stop entropy-decoding once every coefficient
// the scaled IDCT reads is exact (decoder.c jt_start). Output must be
// byte-identical to reading every scan (internal option progressiveEarlyStop).
// Offsets of every SOS marker (FF DA) in a progressive file.
function sosOffsets(buf) {
  const o = [];
  for (let i = 2; i + 1 < buf.length; i++) if (buf[i] === 0xff && buf[i + 1] === 0xda) o.push(i);
  return o;
}
// Lossless JS transcode of a progressive YCbCr file whose scans are all
// single-component (mozjpeg's scripts): keep component 1 only (SOF rewritten to
// one 1x1 component, chroma-only scans dropped) = a progressive grayscale JPEG
// whose first scan holds all the DC. Returns null if the file does not fit.
function progressiveLuma(buf) {
  const out = [buf.subarray(0, 2)];
  let i = 2, lumaId = -1;
  while (i + 1 < buf.length && buf[i] === 0xff) {
    const m = buf[i + 1];
    if (m === 0xd9) { out.push(buf.subarray(i, i + 2)); break; }
    if (i + 4 > buf.length) return null;
    const len = (buf[i + 2] << 8) | buf[i + 3];
    let end = i + 2 + len;
    if (m === 0xda) {
      // entropy data runs to the next marker that is not a stuffed 00 / RSTn
      while (end + 1 < buf.length && !(buf[end] === 0xff && buf[end + 1] !== 0 && (buf[end + 1] < 0xd0 || buf[end + 1] > 0xd7))) end++;
      if (buf[i + 4] !== 1) return null; // interleaved scan
      if (buf[i + 5] === lumaId) out.push(buf.subarray(i, end));
    } else if (m === 0xc2) {
      if (buf[i + 9] !== 3) return null;
      const sof = Uint8Array.from(buf.subarray(i, i + 13));
      sof[3] = 11; sof[9] = 1; sof[11] = 0x11; // length, Nf, sampling 1x1
      lumaId = buf[i + 10];
      out.push(sof);
    } else if (m === 0xc0 || m === 0xc1) return null;
    else out.push(buf.subarray(i, end));
    i = end;
  }
  return lumaId < 0 ? null : Buffer.concat(out);
}
{
  const eqPixels = (a, b) => a.width === b.width && a.height === b.height && Buffer.compare(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer)) === 0;
  let compared = 0, stopped = 0;
  const progFiles = files.filter((f) => jt.readJpegInfo(new Uint8Array(fs.readFileSync(f))).progressive);
  const lumaSrc = progFiles.map((f) => progressiveLuma(new Uint8Array(fs.readFileSync(f)))).find((b) => b);
  const cases = progFiles.map((f) => [path.basename(f), new Uint8Array(fs.readFileSync(f))]);
  if (lumaSrc) cases.push(['luma-only transcode', new Uint8Array(lumaSrc)]);
  for (const [name, bytes] of cases) {
    const info = jt.readJpegInfo(bytes);
    const cells = [];
    for (const denom of [8, 4, 2, 1]) {
      const opts = denom === 1 ? {} : { minWidth: ceilDiv(info.width, denom), minHeight: ceilDiv(info.height, denom) };
      const st = { scansRead: 0, earlyStop: false };
      const a = jt.decodeJpeg(bytes, { ...opts, progressiveStats: st });
      const b = jt.decodeJpeg(bytes, { ...opts, progressiveEarlyStop: false });
      check(eqPixels(a, b), `${name} 1/${denom}: early-stop pixels differ from reading every scan`);
      check(denom !== 1 || st.scansRead === 0, `${name}: 1/1 must keep the plain path`);
      compared++;
      if (st.earlyStop) stopped++;
      cells.push(`1/${denom} ${denom === 1 ? 'all' : `${st.scansRead}`}`);
    }
    console.log(`early stop ${name.slice(0, 36).padEnd(36)} ${sosOffsets(bytes).length} scans; scans read: ${cells.join(', ')}; identical`);
  }
  check(compared > 0, 'no progressive fixture for the early-stop check');
  if (lumaSrc) {
    // Gray progressive: 1/8 needs the DC scan only.
    const luma = new Uint8Array(lumaSrc);
    const info = jt.readJpegInfo(luma);
    check(info.progressive && info.components === 1, 'luma transcode is progressive gray');
    const eighth = { minWidth: ceilDiv(info.width, 8), minHeight: ceilDiv(info.height, 8) };
    const st = { scansRead: 0, earlyStop: false };
    const ref = jt.decodeJpeg(luma, { ...eighth, progressiveStats: st });
    check(st.earlyStop && st.scansRead === 1, `luma 1/8: expected a stop after scan 1, got ${JSON.stringify(st)}`);
    const sos = sosOffsets(luma);
    // Truncated in a scan 1/8 does not need: decodes, identical; other scales still throw.
    const cut = luma.subarray(0, (sos[sos.length - 1] + luma.length) >> 1);
    check(eqPixels(jt.decodeJpeg(cut, eighth), ref), 'luma truncated in a skipped scan: 1/8 differs');
    expectError('luma truncated in last scan, 1/1', () => jt.decodeJpeg(cut), /Premature end/);
    expectError('luma truncated in last scan, 1/2', () => jt.decodeJpeg(cut, { minWidth: ceilDiv(info.width, 2) }), /Premature end/);
    // Truncated inside the DC scan: 1/8 still throws.
    expectError('luma truncated in DC scan, 1/8', () => jt.decodeJpeg(luma.subarray(0, (sos[0] + sos[1]) >> 1), eighth), /Premature end/);
    console.log(`luma-only progressive ${info.width}x${info.height}: 1/8 reads 1 of ${sos.length} scans; truncated in a skipped scan decodes at 1/8 only`);
  }
}

// --- errors ---------------------------------------------------------------
function expectError(label, fn, re) {
  try {
    fn();
    check(false, `${label}: did not throw`);
    console.log(`error ${label}: (no error)`);
  } catch (e) {
    check(e instanceof Error, `${label}: threw non-Error ${e}`);
    check(!(e instanceof WebAssembly.RuntimeError), `${label}: wasm trap ${e}`);
    if (re) check(re.test(e.message), `${label}: message ${e.message}`);
    console.log(`error ${label}: ${e.name}: ${e.message}${e.code !== undefined ? ` (code ${e.code})` : ''}`);
  }
}
const good = new Uint8Array(fs.readFileSync(files.find((f) => f.includes('/photos/')) ?? files[0]));
const small = new Uint8Array(fs.readFileSync(path.join(fixtures, 'formats/320x240.jpg')));
expectError('empty', () => jt.decodeJpeg(new Uint8Array(0)), /empty/i);
expectError('not a jpeg', () => jt.readJpegInfo(new TextEncoder().encode('GIF89a not a jpeg at all')), /Not a JPEG/);
expectError('png', () => jt.decodeJpeg(new Uint8Array(fs.readFileSync(path.join(fixtures, 'png/basn2c08.png')))), /Not a JPEG/);
expectError('header only 100 bytes', () => jt.readJpegInfo(good.subarray(0, 100)));
// (1/8 of a 4:2:0 photo whose chroma refinement scans come last: every scan is needed, see README)
expectError('truncated 50%', () => jt.decodeJpeg(good.subarray(0, good.length >> 1), { minWidth: 100 }), /Premature end/);
expectError('truncated small 80%', () => jt.decodeJpeg(small.subarray(0, Math.floor(small.length * 0.8))), /Premature end/);
// Offset of the first marker segment `code` (walks the segment chain).
function findSegment(buf, codes) {
  let i = 2;
  while (i + 4 <= buf.length && buf[i] === 0xff) {
    const m = buf[i + 1];
    if (codes.includes(m)) return i;
    if (m === 0xda) break;
    i += 2 + ((buf[i + 2] << 8) | buf[i + 3]);
  }
  throw new Error(`segment ${codes} not found`);
}
const SOF = [0xc0, 0xc1, 0xc2];
{
  // Zero a run of entropy-coded data: usually still "valid" Huffman codes, so
  // libjpeg may or may not notice. Must not trap either way.
  const z = small.slice();
  z.fill(0, findSegment(z, [0xda]) + 200, findSegment(z, [0xda]) + 4000);
  try { jt.decodeJpeg(z); console.log('zeroed scan data: decoded (undetectable corruption)'); }
  catch (e) { check(e instanceof Error && !(e instanceof WebAssembly.RuntimeError), `zeroed: ${e}`); console.log(`zeroed scan data: ${e.message}`); }
}
{
  const c = small.slice();
  c.fill(0xff, findSegment(c, [0xc4]) + 4, findSegment(c, [0xc4]) + 21); // garbage Huffman counts
  expectError('bad DHT', () => jt.decodeJpeg(c), /Huffman/);
}
{
  const c = small.slice();
  c[findSegment(c, SOF) + 9] = 7; // 7 components
  expectError('SOF 7 components', () => jt.decodeJpeg(c));
}
{
  // Corrupt the SOF: 0 height.
  const c = small.slice();
  const o = findSegment(c, SOF);
  c[o + 5] = 0; c[o + 6] = 0;
  expectError('SOF height 0', () => jt.readJpegInfo(c), /Empty JPEG image|Bogus|dimension/i);
}
{
  // Header says 65500x65500 (4.29 Gpx): must be refused before allocating.
  const c = small.slice();
  const o = findSegment(c, SOF);
  c[o + 5] = 0xff; c[o + 6] = 0xdc; c[o + 7] = 0xff; c[o + 8] = 0xdc;
  const info = jt.readJpegInfo(c);
  check(info.width === 65500 && info.height === 65500, 'big header info');
  expectError('65500x65500 header', () => jt.decodeJpeg(c, { minWidth: 10 }), /pixel limit/);
}
{
  // Random byte flips: must throw an Error or decode, never trap.
  let threw = 0, decoded = 0;
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let k = 0; k < 200; k++) {
    const c = small.slice();
    const flips = 1 + Math.floor(rnd() * 20);
    for (let j = 0; j < flips; j++) c[Math.floor(rnd() * c.length)] ^= 1 << Math.floor(rnd() * 8);
    try {
      jt.decodeJpeg(c, { minWidth: k % 2 ? 100 : 0 });
      decoded++;
    } catch (e) {
      check(e instanceof Error && !(e instanceof WebAssembly.RuntimeError), `flip ${k}: ${e}`);
      threw++;
    }
  }
  console.log(`random flips: 200 inputs, ${threw} threw Error, ${decoded} decoded (no traps)`);
}
{
  // maxMemory: a 24 MP progressive needs ~72 MB of coefficients.
  const big = files.find((f) => /rachel-hisko/.test(f)) ?? files.find((f) => f.includes('/photos/'));
  const bytes = new Uint8Array(fs.readFileSync(big));
  expectError('maxMemory 16 MB on progressive photo', () => jt.decodeJpeg(bytes, { minWidth: 100, maxMemory: 16 << 20 }), /maxMemory/);
  const r = jt.decodeJpeg(bytes, { minWidth: 100, maxMemory: 256 << 20 });
  check(r.scaleDenom === 8, 'maxMemory 256 MB decodes');
  const base = jt.decodeJpeg(small, { maxMemory: 1 << 20 }); // baseline: streams in well under 1 MB
  check(base.width === 320, 'baseline under 1 MB maxMemory');
}
{
  // strict: false decodes a truncated file (grey fill) and reports the warning.
  const r = jt.decodeJpeg(small.subarray(0, Math.floor(small.length * 0.8)), { strict: false });
  check(r.width === 320 && r.height === 240 && /Premature end/.test(r.warning ?? ''), `lenient truncated: ${r.warning}`);
  console.log(`lenient truncated: ${r.width}x${r.height}, warning: ${r.warning}`);
}
{
  // A throwing callback propagates its own error and leaves the instance fine.
  const boom = new Error('boom');
  try {
    jt.decodeJpegRows(small, {}, () => { throw boom; });
    check(false, 'callback error swallowed');
  } catch (e) {
    check(e === boom, `callback error replaced: ${e}`);
  }
}
{
  // Engine error while wasm is on the stack (JS stack exhausted): the wrapper
  // must drop the instance and later calls must still work.
  let sawRangeError = 0;
  const deep = (n) => {
    try { return deep(n + 1); } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      try { jt.decodeJpeg(small); } catch (e2) { if (e2 instanceof RangeError) sawRangeError++; else throw e2; }
      return n;
    }
  };
  deep(0);
  const after = jt.decodeJpeg(small);
  check(after.width === 320, 'decode after stack overflow');
  console.log(`stack exhaustion during decode: ${sawRangeError ? 'RangeError, instance dropped' : 'not triggered'}; next decode OK`);
}
{
  // Errors must not leak: many failures, then a good decode still matches.
  const ref = jt.decodeJpeg(small);
  const bad = small.subarray(0, small.length >> 1);
  const t0 = performance.now();
  for (let i = 0; i < 500; i++) {
    try { jt.decodeJpeg(bad); } catch { /* expected */ }
  }
  const per = (performance.now() - t0) / 500;
  const again = jt.decodeJpeg(small);
  check(Buffer.compare(Buffer.from(ref.data.buffer), Buffer.from(again.data.buffer)) === 0, 'decode after 500 errors differs');
  console.log(`500 truncated-file errors: ${per.toFixed(2)} ms each; decode afterwards identical`);
}

// --- encoder: RGBA rows in, JPEG out (encoder.c, encode.ts) ---------------
// Feeds `rgba` (width*height*4) in bands of `band` rows; resolves to the file.
async function encodeRgba(rgba, width, height, opts, band = 16) {
  const sink = jt.openJpegEncoder({ width, height }, { quality: 85, hasAlpha: false, ...opts });
  const rb = width * 4;
  for (let y = 0; y < height; y += band) {
    const n = Math.min(band, height - y);
    sink.write(rgba.subarray(y * rb, (y + n) * rb), n);
  }
  return sink.close();
}
// Start-of-frame markers of a JPEG, walking the segment chain up to the first SOS.
function frameMarkers(buf) {
  const sofs = [];
  let i = 2;
  while (i + 4 <= buf.length && buf[i] === 0xff) {
    const m = buf[i + 1];
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) sofs.push(m);
    if (m === 0xda) break;
    i += 2 + ((buf[i + 2] << 8) | buf[i + 3]);
  }
  return sofs;
}
// PSNR over R, G, B of two RGBA (or RGBA vs RGB, `bStep` 3) buffers.
function psnr(a, b, bStep = 4) {
  let se = 0, n = 0;
  for (let i = 0, j = 0; i < a.length; i += 4, j += bStep) {
    for (let c = 0; c < 3; c++) { const d = a[i + c] - b[j + c]; se += d * d; }
    n += 3;
  }
  return se === 0 ? Infinity : 10 * Math.log10((255 * 255 * n) / se);
}
// A synthetic picture: gradients plus a little texture, so every block has AC.
function synthetic(width, height) {
  const d = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 4;
    d[i] = (x * 255) / Math.max(1, width - 1);
    d[i + 1] = (y * 255) / Math.max(1, height - 1);
    d[i + 2] = 128 + 60 * Math.sin(x / 5) * Math.cos(y / 7);
    d[i + 3] = (x + y) & 255; // alpha must be ignored
  }
  return d;
}
const SOF0 = 0xc0, SOF2 = 0xc2;
{
  // Every photo at 1/2 plus small fixtures: both modes, checked by sharp and by our decoder.
  const sources = files.filter((f) => f.includes('/photos/')).slice(0, 3).concat(files.filter((f) => /320x240|gray|CMYK/.test(f)));
  for (const file of sources) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const img = jt.decodeJpeg(bytes, { minWidth: 1200, minHeight: 1200 });
    const rgba = new Uint8Array(img.data.buffer);
    const cells = [];
    for (const progressive of [false, true]) {
      const t0 = performance.now();
      const out = await encodeRgba(rgba, img.width, img.height, { progressive });
      const ms = performance.now() - t0;
      const sof = frameMarkers(out);
      check(sof.length === 1 && sof[0] === (progressive ? SOF2 : SOF0), `${path.basename(file)} ${progressive ? 'progressive' : 'baseline'}: SOF ${sof.map((m) => m.toString(16))}`);
      const back = jt.decodeJpeg(out);
      check(back.width === img.width && back.height === img.height, `encode dims ${back.width}x${back.height}`);
      const ours = psnr(rgba, back.data);
      // (gamma_dalai_lama alternates colours line by line: 4:2:0 cannot keep
      // them, sharp's own 4:2:0 encode scores 12 dB too)
      if (!/gamma_dalai_lama/.test(file)) check(ours > 30, `${path.basename(file)}: round-trip PSNR ${ours.toFixed(1)} dB`);
      let extra = '';
      if (sharp) {
        // sharp's default encoder (libjpeg-turbo API, 4:2:0, same tables) must score the same.
        const sj = await sharp(Buffer.from(rgba), { raw: { width: img.width, height: img.height, channels: 4 } }).jpeg({ quality: 85 }).toBuffer();
        const sp = psnr(rgba, await sharp(sj).removeAlpha().raw().toBuffer(), 3);
        check(Math.abs(sp - ours) < 0.5, `${path.basename(file)}: PSNR ${ours.toFixed(2)} vs sharp's encode ${sp.toFixed(2)}`);
        const meta = await sharp(Buffer.from(out)).metadata();
        check(meta.width === img.width && meta.height === img.height && meta.isProgressive === progressive && meta.chromaSubsampling === '4:2:0',
          `sharp sees ${JSON.stringify({ w: meta.width, h: meta.height, p: meta.isProgressive, s: meta.chromaSubsampling })}`);
        const ref = await sharp(Buffer.from(out)).removeAlpha().raw().toBuffer();
        const viaSharp = psnr(rgba, ref, 3);
        check(Math.abs(viaSharp - ours) < 0.5, `${path.basename(file)}: PSNR via sharp ${viaSharp.toFixed(2)} vs ours ${ours.toFixed(2)}`);
        extra = ` (sharp decode ${viaSharp.toFixed(2)}; sharp encode ${sj.length} B PSNR ${sp.toFixed(2)})`;
      }
      cells.push(`${progressive ? 'progressive' : 'baseline'} ${out.length} B ${ms.toFixed(0)} ms PSNR ${ours.toFixed(2)}${extra}`);
    }
    console.log(`encode ${path.basename(file).slice(0, 28).padEnd(28)} ${img.width}x${img.height}: ${cells.join('; ')}`);
  }
}
{
  // Odd sizes, band sizes, alpha ignored, quality range.
  for (const [w, h] of [[1, 1], [17, 33], [1000, 7], [7, 1000], [333, 250]]) {
    const rgba = synthetic(w, h);
    const outs = [];
    for (const band of [1, 7, 16, 100]) outs.push(await encodeRgba(rgba, w, h, { progressive: false }, band));
    check(outs.every((o) => Buffer.compare(Buffer.from(o), Buffer.from(outs[0])) === 0), `${w}x${h}: output depends on band size`);
    const opaque = rgba.slice();
    for (let i = 3; i < opaque.length; i += 4) opaque[i] = 255;
    check(Buffer.compare(Buffer.from(await encodeRgba(opaque, w, h, { progressive: false })), Buffer.from(outs[0])) === 0, `${w}x${h}: alpha changed the output`);
    for (const progressive of [false, true]) {
      const back = jt.decodeJpeg(await encodeRgba(rgba, w, h, { progressive }));
      check(back.width === w && back.height === h, `${w}x${h} ${progressive}: decoded ${back.width}x${back.height}`);
    }
  }
  const rgba = synthetic(333, 250);
  const sizes = [];
  for (const quality of [1, 50, 85, 100]) {
    const out = await encodeRgba(rgba, 333, 250, { progressive: true, quality });
    sizes.push(out.length);
    if (quality === 100) check(psnr(rgba, jt.decodeJpeg(out).data) > 40, 'q100 PSNR');
  }
  check(sizes.every((s, i) => i === 0 || s > sizes[i - 1]), `size grows with quality: ${sizes}`);
  console.log(`encode synthetic 333x250 q1/50/85/100: ${sizes.join(' / ')} bytes; band sizes 1/7/16/100 give identical files`);
}
{
  // Misuse: errors, never traps, and the instance stays usable.
  expectError('encoder width 0', () => jt.openJpegEncoder({ width: 0, height: 10 }, { quality: 85, hasAlpha: false, progressive: false }), /width/);
  expectError('encoder 70000 wide', () => jt.openJpegEncoder({ width: 70000, height: 10 }, { quality: 85, hasAlpha: false, progressive: false }), /width/);
  expectError('encoder quality 0', () => jt.openJpegEncoder({ width: 10, height: 10 }, { quality: 0, hasAlpha: false, progressive: false }), /quality/);
  const rgba = synthetic(64, 48);
  const sink = jt.openJpegEncoder({ width: 64, height: 48 }, { quality: 85, hasAlpha: false, progressive: true });
  sink.write(rgba.subarray(0, 64 * 4 * 40), 40);
  expectError('encoder too many rows', () => sink.write(rgba, 48), /more rows/);
  expectError('encoder short band', () => sink.write(rgba.subarray(0, 10), 8), /bytes/);
  let rejected = null;
  await sink.close().catch((e) => { rejected = e; });
  check(rejected instanceof jt.JpegError && /40 of 48/.test(rejected.message), `close with rows missing: ${rejected}`);
  expectError('encoder write after close', () => sink.write(rgba, 1), /closed or aborted/);
  sink.abort(); // idempotent
  const s2 = jt.openJpegEncoder({ width: 64, height: 48 }, { quality: 85, hasAlpha: false, progressive: false });
  s2.write(rgba, 10);
  s2.abort();
  s2.abort();
  let rej2 = null;
  await s2.close().catch((e) => { rej2 = e; });
  check(rej2 instanceof Error, 'close after abort rejects');
  // 200 aborted encoders and failures leak nothing measurable: memory stays put.
  jt.decodeJpeg(small);
  const before = jt.codecsMemoryBytes();
  for (let i = 0; i < 200; i++) {
    const s = jt.openJpegEncoder({ width: 640, height: 480 }, { quality: 85, hasAlpha: false, progressive: i % 2 === 0 });
    s.write(synthetic(640, 16), 16);
    if (i % 3) s.abort(); else await s.close().catch(() => {});
  }
  jt.decodeJpeg(small);
  check(jt.codecsMemoryBytes() === before, `200 abandoned encoders grew memory ${before} -> ${jt.codecsMemoryBytes()}`);
  check(Buffer.compare(Buffer.from(await encodeRgba(rgba, 64, 48, { progressive: false })), Buffer.from(await encodeRgba(rgba, 64, 48, { progressive: false }))) === 0, 'encode after errors');
  console.log('encoder misuse: errors thrown, 200 abandoned encoders leak nothing, later encodes identical');
}
{
  // Transcode: the encoder is fed from inside the decode loop's callback
  // (same wasm instance, both contexts live). Same file as decoding first.
  const photo = files.find((f) => /jon-tyson/.test(f)) ?? files.find((f) => f.includes('/photos/'));
  const bytes = new Uint8Array(fs.readFileSync(photo));
  for (const progressive of [false, true]) {
    const full = jt.decodeJpeg(bytes, { minWidth: 1000, minHeight: 700 });
    const ref = await encodeRgba(new Uint8Array(full.data.buffer), full.width, full.height, { progressive });
    let sink = null;
    jt.decodeJpegRows(bytes, { minWidth: 1000, minHeight: 700, stripRows: 16, onStart: (o) => {
      sink = jt.openJpegEncoder(o, { quality: 85, hasAlpha: false, progressive });
    } }, (rows, y, count) => sink.write(rows, count));
    const out = await sink.close();
    check(Buffer.compare(Buffer.from(out), Buffer.from(ref)) === 0, `transcode (${progressive ? 'progressive' : 'baseline'}) differs from decode-then-encode`);
  }
  // An encoder error inside the decode callback reaches the caller as is.
  let sink = null, err = null;
  try {
    jt.decodeJpegRows(small, { onStart: (o) => { sink = jt.openJpegEncoder({ width: o.width, height: 8 }, { quality: 85, hasAlpha: false, progressive: false }); } },
      (rows, y, count) => sink.write(rows, count));
  } catch (e) { err = e; }
  check(err instanceof RangeError && /more rows/.test(err.message), `encoder error through the decoder: ${err}`);
  sink.abort();
  check(jt.decodeJpeg(small).width === 320, 'decode after a failed transcode');
  // Retained-memory policy: an instance is only let go when no context is
  // live. With a 0 cap, a decode that ends while a (grown) encoder is open
  // must keep the instance: the next decode runs in the same, grown memory.
  // (codecsMemoryBytes is the memory at the last release that left the instance unused.)
  jt.setCodecsMaxRetainedMemory(0);
  const before = jt.codecsMemoryBytes();
  const big = jt.openJpegEncoder({ width: 3000, height: 3000 }, { quality: 85, hasAlpha: false, progressive: true });
  // Noise keeps nearly every coefficient, so its packed rows stay ~27 MB for the whole picture.
  const noise = new Uint8Array(3000 * 16 * 4).map((_, i) => (i * 2654435761) >>> 24);
  for (let y = 0; y < 2992; y += 16) big.write(noise, 16);
  jt.decodeJpeg(small);
  jt.decodeJpeg(small);
  check(jt.codecsMemoryBytes() === before, `the decodes left an instance unused under a live encoder (memory ${jt.codecsMemoryBytes()})`);
  big.abort();
  const shared = jt.codecsMemoryBytes();
  check(shared > 16 << 20, `the decodes did not share the encoder's grown instance (memory ${shared})`);
  jt.decodeJpeg(small);
  check(jt.codecsMemoryBytes() < 4 << 20, `instance kept after its last context (memory ${jt.codecsMemoryBytes()})`);
  jt.setCodecsMaxRetainedMemory(jt.CODECS_MAX_RETAINED_MEMORY);
  console.log(`transcode in the decode callback: identical to decode-then-encode; memory ${(shared / 2 ** 20).toFixed(0)} MiB kept while an encoder was live, fresh instance after`);
}
{
  // Memory: baseline streams (a 24 MP encode in a fresh instance stays near
  // its initial 2 MiB, that of the one module of all codecs); progressive
  // stays within jpegEncodeMemory.
  const photo = files.find((f) => /rachel-hisko/.test(f));
  if (photo) {
    jt.setCodecsMaxRetainedMemory(0);
    const img = jt.decodeJpeg(new Uint8Array(fs.readFileSync(photo)));
    const rgba = new Uint8Array(img.data.buffer);
    for (const progressive of [false, true]) {
      await encodeRgba(rgba, img.width, img.height, { progressive });
      const used = jt.codecsMemoryBytes();
      const budget = jt.jpegEncodeMemory(img, progressive) + (2 << 20);
      check(used <= budget, `${img.width}x${img.height} ${progressive ? 'progressive' : 'baseline'}: memory ${used} over jpegEncodeMemory ${budget}`);
      if (!progressive) check(used <= 4 << 20, `baseline 24 MP encode used ${used} bytes of wasm memory`);
      console.log(`encode memory ${img.width}x${img.height} ${progressive ? 'progressive' : 'baseline   '}: ${(used / 2 ** 20).toFixed(1)} MiB (jpegEncodeMemory ${(jt.jpegEncodeMemory(img, progressive) / 2 ** 20).toFixed(1)} MiB + the initial 2 MiB)`);
    }
    jt.setCodecsMaxRetainedMemory(jt.CODECS_MAX_RETAINED_MEMORY);
  }
}

// --- banded progressive decode ---------------------------------------------
// Progressive files at 1/1, 1/2, 1/4 in K horizontal bands (decoder.c
// jt_begin, banded-coefficients.patch): every row once, in order, and the
// pixels byte-identical to the one-buffer decode.
{
  const eqBytes = (a, b) => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;
  const progFiles = files.filter((f) => jt.readJpegInfo(new Uint8Array(fs.readFileSync(f))).progressive);
  // + wasm/jpeg-turbo/testdata (arithmetic coding, restart markers, custom
  // scan script, 4:2:2) and a progressive file from our own encoder
  // (jpeg_simple_progression: AC refinement scans) of a decoded photo.
  const cases = progFiles.concat(listJpegs(path.join(here, 'testdata'))).map((f) => [path.basename(f), new Uint8Array(fs.readFileSync(f))]);
  if (progFiles.length) {
    const src = jt.decodeJpeg(new Uint8Array(fs.readFileSync(progFiles[0])), { minWidth: 700, minHeight: 500 });
    cases.push(['our encoder, progressive', await encodeRgba(new Uint8Array(src.data.buffer), src.width, src.height, { progressive: true })]);
  }
  let compared = 0;
  for (const [file, bytes] of cases) {
    const info = jt.readJpegInfo(bytes);
    check(info.progressive, `${file}: not progressive`);
    const maxV = Math.max(...info.samplingFactors.map(([, v]) => v));
    const iMCURows = ceilDiv(info.height, 8 * maxV);
    const cells = [];
    for (const denom of [1, 2, 4]) {
      const opts = denom === 1 ? {} : { minWidth: ceilDiv(info.width, denom), minHeight: ceilDiv(info.height, denom) };
      const ref = jt.decodeJpeg(bytes, opts);
      for (const K of bytes.length < 100_000 ? [2, 3, 5, 1000] : [2, 3, 5]) { // 1000: one band per iMCU row
        const acc = new Uint8Array(ref.data.length);
        let nextY = 0, inOrder = true;
        const st = { scansRead: 0, earlyStop: false };
        const t0 = performance.now();
        jt.decodeJpegRows(bytes, { ...opts, bands: K, stripRows: 16, progressiveStats: st }, (rows, y, count) => {
          if (y !== nextY) inOrder = false;
          acc.set(rows, y * ref.width * 4);
          nextY = y + count;
        });
        const ms = performance.now() - t0;
        check(inOrder && nextY === ref.height, `${file} 1/${denom} K=${K}: rows out of order or missing (${nextY}/${ref.height})`);
        check(st.bands === Math.min(K, iMCURows), `${file} 1/${denom} K=${K}: decoded in ${st.bands} bands`);
        check(Buffer.compare(Buffer.from(acc), Buffer.from(ref.data.buffer)) === 0, `${file} 1/${denom} K=${K}: banded pixels differ`);
        compared++;
        cells.push(`1/${denom} K=${K} ${ms.toFixed(0)} ms`);
      }
    }
    console.log(`banded ${file.slice(0, 32).padEnd(32)} ${info.arithmetic ? 'arith' : 'huff '} ${cells.join(', ')}; identical`);
  }
  check(compared > 0, 'no progressive fixture for the banded check');

  // maxCoefficientBytes picks the smallest K that fits; memory follows the plan.
  const photo = progFiles.find((f) => /rachel-hisko/.test(f)) ?? progFiles[0];
  if (photo) {
    const bytes = new Uint8Array(fs.readFileSync(photo));
    const info = jt.readJpegInfo(bytes);
    const whole = jt.progressiveBandPlan(info, 1);
    check(whole.bands === 1 && whole.fits, `plan without a cap: ${JSON.stringify(whole)}`);
    const plan = jt.progressiveBandPlan(info, 1, Math.floor(whole.coefficientBytes / 2.5));
    check(plan.fits && plan.bands >= 3 && plan.coefficientBytes <= whole.coefficientBytes / 2.5, `plan at 40%: ${JSON.stringify(plan)}`);
    check(!jt.progressiveBandPlan(info, 1, Math.floor(whole.coefficientBytes / 2.5), plan.bands - 1).fits, 'plan is not the smallest K');
    check(jt.progressiveBandPlan(info, 1, 1000).fits === false, 'a 1000-byte cap fits?');
    check(jt.progressiveBandPlan({ ...info, progressive: false }, 1, 0).coefficientBytes === 0, 'baseline plan');
    const ref = jt.decodeJpeg(bytes);
    jt.setCodecsMaxRetainedMemory(0);
    for (const [cap, wantBands] of [[undefined, 1], [whole.coefficientBytes, 1], [Math.floor(whole.coefficientBytes / 2.5), plan.bands]]) {
      const st = { scansRead: 0, earlyStop: false };
      const acc = new Uint8Array(ref.data.length);
      jt.decodeJpegRows(bytes, { maxCoefficientBytes: cap, progressiveStats: st }, (rows, y) => acc.set(rows, y * ref.width * 4));
      const used = jt.codecsMemoryBytes();
      const budget = (wantBands === 1 ? whole.coefficientBytes : plan.coefficientBytes) + bytes.length + ref.width * 4 * 16 + (3 << 20);
      check(st.bands === wantBands, `maxCoefficientBytes ${cap}: ${st.bands} bands, want ${wantBands}`);
      check(used <= budget, `maxCoefficientBytes ${cap}: wasm memory ${used} over ${budget}`);
      check(Buffer.compare(Buffer.from(acc), Buffer.from(ref.data.buffer)) === 0, `maxCoefficientBytes ${cap}: pixels differ`);
      console.log(`banded ${info.width}x${info.height} maxCoefficientBytes ${cap ?? '-'}: ${st.bands} band(s), wasm memory ${(used / 2 ** 20).toFixed(1)} MiB`);
    }
    jt.setCodecsMaxRetainedMemory(jt.CODECS_MAX_RETAINED_MEMORY);
    expectError('maxCoefficientBytes too small', () => jt.decodeJpeg(bytes, { maxCoefficientBytes: 1000 }), /maxCoefficientBytes/);
    expectError('maxCoefficientBytes too small for 1/8', () => jt.decodeJpeg(bytes, { minWidth: 1, maxCoefficientBytes: 1000 }), /maxCoefficientBytes/);
    // Truncated: strict still throws (in the last band at the latest), and the instance carries on.
    const sos = sosOffsets(bytes);
    const cut = bytes.subarray(0, (sos[sos.length - 1] + bytes.length) >> 1);
    expectError('truncated progressive, 3 bands', () => jt.decodeJpeg(cut, { bands: 3 }), /Premature end/);
    const lenient = jt.decodeJpeg(cut, { bands: 3, strict: false });
    check(lenient.width === info.width && lenient.warning !== undefined, 'truncated, lenient, banded: decodes with a warning');
    check(eqBytes(jt.decodeJpeg(bytes, { bands: 2 }).data, ref.data), 'banded decode after errors');
  }
  // Baseline files ignore bands and maxCoefficientBytes.
  const baseline = files.find((f) => !jt.readJpegInfo(new Uint8Array(fs.readFileSync(f))).progressive);
  if (baseline) {
    const bytes = new Uint8Array(fs.readFileSync(baseline));
    const st = { scansRead: 0, earlyStop: false };
    check(eqBytes(jt.decodeJpeg(bytes, { bands: 4, maxCoefficientBytes: 0, progressiveStats: st }).data, jt.decodeJpeg(bytes).data) && st.bands === 1, 'baseline: bands ignored');
  }
}

// --- optional timing table: best of 3 per scale (--bench) -----------------
if (process.argv.includes('--bench')) {
  for (const [label, retain] of [[`default (drop instance > ${jt.CODECS_MAX_RETAINED_MEMORY >> 20} MiB)`, jt.CODECS_MAX_RETAINED_MEMORY], ['memory retained', Infinity]]) {
    jt.setCodecsMaxRetainedMemory(retain);
    console.log(`\nbench, best of 3, ms, ${label}:        1/8     1/4     1/2     1/1`);
    for (const file of files.filter((f) => f.includes('/photos/'))) {
      const bytes = new Uint8Array(fs.readFileSync(file));
      const info = jt.readJpegInfo(bytes);
      const row = [];
      for (const denom of [8, 4, 2, 1]) {
        const opts = denom === 1 ? {} : { minWidth: ceilDiv(info.width, denom), minHeight: ceilDiv(info.height, denom) };
        let best = Infinity;
        for (let k = 0; k < 3; k++) {
          const t0 = performance.now();
          jt.decodeJpeg(bytes, opts);
          best = Math.min(best, performance.now() - t0);
        }
        row.push(best.toFixed(0).padStart(7));
      }
      console.log(`${path.basename(file).slice(0, 36).padEnd(36)} ${`${info.width}x${info.height}`.padEnd(10)} ${row.join(' ')}`);
    }
  }
  jt.setCodecsMaxRetainedMemory(jt.CODECS_MAX_RETAINED_MEMORY);
}

// --- optional banded-decode table (--bench): rachel-hisko (24 MP progressive
// 4:2:0) at 1/1 and 1/2 in K = 1..4 bands, streamed (decodeJpegRows, rows
// discarded), fresh instance each time; best of 3 wall / CPU ms; wasm memory
// is memory.byteLength after the decode (= the peak: it never shrinks).
if (process.argv.includes('--bench')) {
  const photo = files.find((f) => /rachel-hisko/.test(f));
  if (photo) {
    const bytes = new Uint8Array(fs.readFileSync(photo));
    const info = jt.readJpegInfo(bytes);
    jt.setCodecsMaxRetainedMemory(0);
    console.log(`\nbanded decode ${path.basename(photo)} ${info.width}x${info.height}, best of 3 (wall / CPU ms), fresh instance:`);
    for (const denom of [1, 2]) {
      const opts = denom === 1 ? {} : { minWidth: ceilDiv(info.width, denom), minHeight: ceilDiv(info.height, denom) };
      for (let K = 1; K <= 4; K++) {
        let wall = Infinity, cpu = Infinity, mem = 0;
        for (let r = 0; r < 3; r++) {
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          jt.decodeJpegRows(bytes, { ...opts, bands: K }, () => {});
          const c = process.cpuUsage(c0);
          cpu = Math.min(cpu, (c.user + c.system) / 1000);
          wall = Math.min(wall, performance.now() - t0);
          mem = jt.codecsMemoryBytes();
        }
        let plan = jt.progressiveBandPlan(info, denom);
        for (let cap = plan.coefficientBytes; plan.bands < K; cap = Math.floor(cap * 0.99)) plan = jt.progressiveBandPlan(info, denom, cap);
        console.log(`  1/${denom} K=${K}  ${wall.toFixed(0).padStart(6)} / ${cpu.toFixed(0).padStart(5)} ms  wasm ${(mem / 2 ** 20).toFixed(1).padStart(5)} MiB  (progressiveBandPlan ${(plan.coefficientBytes / 2 ** 20).toFixed(1)} MiB of coefficients)`);
      }
    }
    jt.setCodecsMaxRetainedMemory(jt.CODECS_MAX_RETAINED_MEMORY);
  }
}

// --- optional encoder table (--bench; sharp columns with --sharp) ----------
// 3000x3000 and 6000x4000 (rachel-hisko), 4000x3000 (jon-tyson), quality 85:
// best of 3, wall and CPU ms; bytes; PSNR of a sharp decode vs the input;
// wasm memory after the encode. Each input is cut from the decoded photo at
// an offset of (5, 3) pixels, wrapping around, so the 8x8 grid of the
// source JPEG does not line up with the new one (a re-encode on the same
// grid flatters every encoder's PSNR).
if (process.argv.includes('--bench')) {
  const cpuMs = (c) => (c.user + c.system) / 1000;
  async function best(fn) {
    let wall = Infinity, cpu = Infinity, out = null;
    for (let k = 0; k < 3; k++) {
      const t0 = performance.now();
      const c0 = process.cpuUsage();
      out = await fn();
      cpu = Math.min(cpu, cpuMs(process.cpuUsage(c0)));
      wall = Math.min(wall, performance.now() - t0);
    }
    return { wall, cpu, out };
  }
  const sources = [
    ['rachel-hisko', 3000, 3000],
    ['jon-tyson', 4000, 3000],
    ['rachel-hisko', 6000, 4000],
  ];
  if (sharp) sharp.concurrency(1);
  console.log(`\nencode q85, best of 3 (wall / CPU ms)${sharp ? ', sharp with concurrency(1)' : ''}:`);
  for (const [name, w, h] of sources) {
    const file = files.find((f) => f.includes(name));
    if (!file) continue;
    const img = jt.decodeJpeg(new Uint8Array(fs.readFileSync(file)));
    const rgba = new Uint8Array(w * h * 4);
    const src32 = new Uint32Array(img.data.buffer), dst32 = new Uint32Array(rgba.buffer);
    for (let y = 0; y < h; y++) {
      const sy = ((y + 3) % img.height) * img.width;
      for (let x = 0; x < w; x++) dst32[y * w + x] = src32[sy + ((x + 5) % img.width)];
    }
    const rows = [];
    for (const [label, retain] of [['fresh instance', 0], ['memory retained', Infinity]]) {
      jt.setCodecsMaxRetainedMemory(retain);
      for (const progressive of [false, true]) {
        if (retain === Infinity) await encodeRgba(rgba, w, h, { progressive }); // warm
        const r = await best(() => encodeRgba(rgba, w, h, { progressive }));
        const mem = jt.codecsMemoryBytes();
        const q = sharp ? psnr(rgba, await sharp(Buffer.from(r.out)).removeAlpha().raw().toBuffer(), 3).toFixed(2) : '-';
        rows.push([`ours ${progressive ? 'progressive' : 'baseline'} (${label})`, r, q, `${(mem / 2 ** 20).toFixed(1)} MiB`]);
      }
    }
    jt.setCodecsMaxRetainedMemory(jt.CODECS_MAX_RETAINED_MEMORY);
    if (sharp) {
      for (const [label, opts] of [['sharp jpeg({quality: 85})', { quality: 85 }], ['sharp mozjpeg: true', { quality: 85, mozjpeg: true }]]) {
        const r = await best(() => sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.length), { raw: { width: w, height: h, channels: 4 } }).jpeg(opts).toBuffer());
        const q = psnr(rgba, await sharp(r.out).removeAlpha().raw().toBuffer(), 3).toFixed(2);
        const meta = await sharp(r.out).metadata();
        rows.push([`${label} (${meta.isProgressive ? 'progressive' : 'baseline'})`, r, q, '-']);
      }
    }
    console.log(`${w}x${h} (${name}):`);
    for (const [label, r, q, mem] of rows) {
      console.log(`  ${label.padEnd(44)} ${r.wall.toFixed(0).padStart(6)} / ${r.cpu.toFixed(0).padStart(5)} ms ${String(r.out.length).padStart(9)} B  PSNR ${q}  wasm ${mem}`);
    }
  }
}

fs.rmSync(tmp, { recursive: true, force: true });
finish();
