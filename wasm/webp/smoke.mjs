// Node smoke test / benchmark for src/codecs/libwebp (the committed .wasm + index.ts), against sharp.
//
//   node wasm/webp/smoke.mjs [--quick]
//
// Bundles index.ts with the project's esbuild, loads the .wasm the way workerd
// does (a precompiled WebAssembly.Module), then: checks webpShrinkOnLoad by
// brute force; decodes the WebP fixtures and 24 MP lossy/lossless files made
// by sharp, full size and shrunk, comparing with sharp's decode (and with a
// JS box shrink of it); encodes rows and decodes them back with sharp;
// transcodes WebP -> WebP (the encoder as the decoder's sink); checks that
// errors throw WebpError and leave the module usable. --quick skips the 24 MP
// files. Exits non-zero on any failure.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { checks, codecsWasmModule, importBundled } from '../smoke-lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const codecDir = path.join(root, 'src/codecs/libwebp');
const fixtures = process.env.FIXTURES ?? path.resolve(root, '../shared/fixtures');
const scratch = process.env.WP_BUILD_DIR ?? '/tmp/edgepix-webp-build';
const require = createRequire(path.join(root, 'package.json'));
const quick = process.argv.includes('--quick');

const sharp = require('sharp');
const wp = await importBundled(path.join(codecDir, 'index.ts'), 'wp-smoke-');

// Remember the last instance's memory (the wrapper drops grown instances),
// count instances, and let a test make one export trap once.
let lastMemory = null;
let instances = 0;
let trapNext = null;
const RealInstance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const instance = new RealInstance(module, imports);
  lastMemory = instance.exports.memory;
  instances++;
  const exports = { ...instance.exports };
  for (const name of ['wp_enc_finish', 'wp_dec_run']) {
    const real = instance.exports[name];
    exports[name] = (...args) => {
      if (trapNext === name) {
        trapNext = null;
        throw new WebAssembly.RuntimeError('unreachable (simulated trap)');
      }
      return real(...args);
    };
  }
  return { exports };
};
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;

const { check, finish } = checks();

const module = codecsWasmModule();
wp.initCodecsWasm(module);

// --- helpers ----------------------------------------------------------------

/** A sink collecting every row into one RGBA buffer. */
function collector(log) {
  return (size) => {
    const data = new Uint8Array(size.width * size.height * 4);
    let offset = 0;
    let aborted = false;
    if (log) log.size = size;
    return {
      write(band, count) {
        data.set(band.subarray(0, count * size.width * 4), offset);
        offset += count * size.width * 4;
      },
      async close() {
        if (offset !== data.length) throw new Error(`sink got ${offset} of ${data.length} bytes`);
        return { ...size, data };
      },
      abort() {
        aborted = true;
        if (log) log.aborted = true;
      },
    };
  };
}

async function sharpRaw(input) {
  const { data, info } = await sharp(input, { limitInputPixels: false }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

function diff(a, b) {
  let sum = 0, max = 0, sq = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    sum += d;
    sq += d * d;
    if (d > max) max = d;
  }
  const mse = sq / a.length;
  return { mean: sum / a.length, max, psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse) };
}
/** PSNR over RGB only. */
function rgbDiff(a, b) {
  let sum = 0, sq = 0, n = 0;
  for (let i = 0; i < a.length; i += 4)
    for (let c = 0; c < 3; c++) {
      const d = Math.abs(a[i + c] - b[i + c]);
      sum += d;
      sq += d * d;
      n++;
    }
  return { mean: sum / n, psnr: 10 * Math.log10((255 * 255) / (sq / n)) };
}
/** Mean |difference| of colour premultiplied by alpha (transparent pixels' colour is meaningless). */
function premultDiff(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i += 4)
    for (let c = 0; c < 3; c++) sum += Math.abs(a[i + c] * a[i + 3] - b[i + c] * b[i + 3]) / 255;
  return sum / ((a.length / 4) * 3);
}
const fmtDiff = (d) => `mean|d| ${d.mean.toFixed(3)}, max ${d.max ?? '-'}, PSNR ${d.psnr === Infinity ? 'inf' : d.psnr.toFixed(1)} dB`;

/** The box shrink of src/pipeline/steps/shrink.ts (alpha-weighted), in JS. */
function boxShrink(img, f) {
  const width = Math.ceil(img.width / f), height = Math.ceil(img.height / f);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let oy = 0; oy < height; oy++)
    for (let ox = 0; ox < width; ox++) {
      let r = 0, g = 0, b = 0, a = 0, n = 0;
      for (let y = oy * f; y < Math.min(img.height, (oy + 1) * f); y++)
        for (let x = ox * f; x < Math.min(img.width, (ox + 1) * f); x++) {
          const i = (y * img.width + x) * 4, pa = img.data[i + 3];
          r += img.data[i] * pa; g += img.data[i + 1] * pa; b += img.data[i + 2] * pa; a += pa; n++;
        }
      const o = (oy * width + ox) * 4;
      if (a > 0) { out[o] = r / a; out[o + 1] = g / a; out[o + 2] = b / a; }
      out[o + 3] = a / n;
    }
  return { width, height, data: new Uint8Array(out.buffer) };
}

async function expectThrow(promise, re, msg) {
  try {
    await promise;
    check(false, `${msg}: did not throw`);
    return null;
  } catch (e) {
    check(e instanceof wp.WebpError || re === null, `${msg}: expected WebpError, got ${e?.constructor?.name}: ${e?.message}`);
    if (re) check(re.test(String(e?.message)), `${msg}: message ${e?.message}`);
    return e;
  }
}

// --- 1. webpShrinkOnLoad --------------------------------------------------------
{
  let bad = 0;
  for (const n of [1, 2, 7, 16, 100, 641, 1000, 6000]) {
    for (const min of [0, 1, 2, 3, 50, 99, 100, 101, 320, 640, 641, 999]) {
      const { factor, size } = wp.webpShrinkOnLoad({ width: n, height: n }, { minWidth: min, minHeight: 0 });
      let best = 1;
      for (let f = 1; f <= n; f++) if (Math.ceil(n / f) >= min) best = f;
      if (factor !== best || size.width !== Math.ceil(n / best)) bad++;
    }
  }
  check(bad === 0, `webpShrinkOnLoad disagrees with brute force ${bad} times`);
  const s = wp.webpShrinkOnLoad({ width: 6000, height: 4000 }, { minWidth: 640, minHeight: 427 });
  console.log(`shrink 6000x4000 -> >=640x427: factor ${s.factor}, ${s.size.width}x${s.size.height}`);
}

// --- 2. fixtures -----------------------------------------------------------------
async function decodeCase(name, bytes, hints) {
  const ref = await sharpRaw(bytes);
  for (const hint of hints) {
    const log = {};
    const t0 = performance.now();
    const img = await wp.decodeWebpRows(bytes, hint, collector(log));
    const ms = performance.now() - t0;
    const { factor } = wp.webpShrinkOnLoad(ref, hint);
    const mem = lastMemory ? lastMemory.buffer.byteLength : 0;
    if (factor === 1) {
      const d = diff(img.data, ref.data);
      console.log(`  ${name} full ${img.width}x${img.height}: ${ms.toFixed(0)} ms, memory ${mib(mem)}; vs sharp ${fmtDiff(d)}`);
      check(img.width === ref.width && img.height === ref.height, `${name}: size`);
      check(d.mean < 0.5, `${name}: full-size mean diff ${d.mean}`);
    } else {
      const box = boxShrink(ref, factor);
      const d = diff(img.data, box.data);
      const area = await sharp(Buffer.from(ref.data), { raw: { width: ref.width, height: ref.height, channels: 4 }, limitInputPixels: false })
        .resize(img.width, img.height, { fit: 'fill' })
        .raw()
        .toBuffer();
      // sharp has no plain box filter: its resize (box shrink to 2x, then Lanczos3) differs from any box by
      // itself, so compare ours with it against the JS box's own distance to it (premultiplied RGB).
      const lanczos = new Uint8Array(area.buffer, area.byteOffset, area.length);
      const dl = premultDiff(img.data, lanczos);
      const base = premultDiff(box.data, lanczos);
      console.log(
        `  ${name} 1/${factor} ${img.width}x${img.height}: ${ms.toFixed(0)} ms, memory ${mib(mem)}; vs JS box of sharp's decode ${fmtDiff(d)}; ` +
          `vs sharp resize ${dl.toFixed(2)} (JS box vs sharp resize ${base.toFixed(2)}; premultiplied RGB mean|d|)`,
      );
      check(img.width === box.width && img.height === box.height, `${name}: shrunk size`);
      check(d.mean < 0.5, `${name} 1/${factor}: box mean diff ${d.mean}`);
      check(dl < base + 0.25, `${name} 1/${factor}: vs sharp resize ${dl} (box ${base})`);
    }
  }
}

console.log('fixtures:');
for (const f of ['4.webp', '5_webp_a.webp']) {
  const bytes = new Uint8Array(fs.readFileSync(path.join(fixtures, 'formats', f)));
  await decodeCase(f, bytes, [{ minWidth: 100000, minHeight: 0 }, { minWidth: 200, minHeight: 0 }, { minWidth: 100, minHeight: 0 }, { minWidth: 64, minHeight: 0 }]);
}
{
  // Lossless, small: sharp makes one from the alpha PNG.
  const png = fs.readFileSync(path.join(fixtures, 'formats', 'with-alpha.png'));
  const bytes = new Uint8Array(await sharp(png).webp({ lossless: true }).toBuffer());
  await decodeCase('with-alpha (lossless)', bytes, [{ minWidth: 100000, minHeight: 0 }, { minWidth: 100, minHeight: 0 }, { minWidth: 30, minHeight: 0 }]);
}

{
  // Odd sizes (the fancy upsampler's held-back row, odd last rows/columns), tiny pictures.
  const src = await sharp(path.join(fixtures, 'formats', 'with-alpha.png')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  for (const [w, h] of [[333, 201], [17, 1], [1, 17], [1, 1], [255, 2], [2, 255]]) {
    const base = sharp(src.data, { raw: { width: src.info.width, height: src.info.height, channels: 4 } }).resize(w, h, { fit: 'fill' });
    const raw = await base.clone().raw().toBuffer();
    for (const [label, opts] of [['lossy', { quality: 75 }], ['lossy+alpha', { quality: 75, alphaQuality: 90 }], ['lossless', { lossless: true }]]) {
      const pipe = sharp(raw, { raw: { width: w, height: h, channels: 4 } });
      const bytes = new Uint8Array(await (label === 'lossy' ? pipe.removeAlpha() : pipe).webp(opts).toBuffer());
      const quiet = (msg) => msg; // decodeCase prints every case; keep these compact
      const ref = await sharpRaw(bytes);
      const img = await wp.decodeWebpRows(bytes, { minWidth: 100000, minHeight: 0 }, collector());
      const d = diff(img.data, ref.data);
      check(img.width === w && img.height === h && d.max === 0, `${w}x${h} ${label}: full-size differs from sharp (${quiet(fmtDiff(d))})`);
      for (const f of [2, 3, 7]) {
        if (f > Math.max(w, h)) continue;
        const box = boxShrink(ref, f);
        const hint = { minWidth: Math.ceil(w / f), minHeight: Math.ceil(h / f) };
        const { factor } = wp.webpShrinkOnLoad({ width: w, height: h }, hint);
        const got = await wp.decodeWebpRows(bytes, hint, collector());
        const want = factor === f ? box : boxShrink(ref, factor);
        const dd = diff(got.data, want.data);
        check(got.width === want.width && got.height === want.height && dd.max <= 1, `${w}x${h} ${label} 1/${factor}: ${fmtDiff(dd)}`);
      }
    }
  }
  console.log('  odd and tiny sizes (333x201, 17x1, 1x17, 1x1, 255x2, 2x255; lossy, lossy+alpha, lossless): checked against sharp, full and 1/2, 1/3, 1/7');
}

// --- 3. errors -------------------------------------------------------------------
console.log('errors:');
{
  const good = new Uint8Array(fs.readFileSync(path.join(fixtures, 'formats', '4.webp')));
  const full = { minWidth: 100000, minHeight: 0 };
  let e = await expectThrow(wp.decodeWebpRows(good.subarray(0, good.length >> 1), full, collector()), /NOT_ENOUGH_DATA|BITSTREAM|SUSPENDED/, 'truncated');
  console.log(`  truncated: ${e?.message}`);
  e = await expectThrow(wp.decodeWebpRows(new Uint8Array(100).fill(7), full, collector()), /BITSTREAM|header/, 'garbage');
  console.log(`  garbage: ${e?.message}`);
  const anim = new Uint8Array(fs.readFileSync(path.join(fixtures, 'formats', 'animated-loop-3.webp')));
  e = await expectThrow(wp.decodeWebpRows(anim, full, collector()), /animated/, 'animated');
  console.log(`  animated: ${e?.message}`);
  const log = {};
  const boom = (size) => {
    const s = collector(log)(size);
    let n = 0;
    return { ...s, write(b, c) { if (++n === 3) throw new Error('sink says no'); s.write(b, c); } };
  };
  e = await expectThrow(wp.decodeWebpRows(good, full, boom), null, 'sink error');
  check(e?.message === 'sink says no', `sink error rethrown as is: ${e?.message}`);
  check(log.aborted === true, 'sink aborted after its own error');
  // Cut the VP8 data but fix up the RIFF and chunk sizes, so the header parses and the frame decode fails midway.
  const cut = good.slice(0, Math.floor(good.length * 0.6));
  const dv = new DataView(cut.buffer);
  check(String.fromCharCode(...cut.subarray(12, 16)) === 'VP8 ', '4.webp is a simple lossy file');
  dv.setUint32(4, cut.length - 8, true);
  dv.setUint32(16, cut.length - 20, true);
  const log2 = {};
  let rows = 0;
  const counting = (size) => {
    const s = collector(log2)(size);
    return { ...s, write(b, c) { rows += c; s.write(b, c); } };
  };
  e = await expectThrow(wp.decodeWebpRows(cut, full, counting), /NOT_ENOUGH_DATA|BITSTREAM/, 'cut frame');
  console.log(`  cut frame: ${e?.message} after ${rows} rows`);
  check(rows > 0 && log2.aborted === true, 'sink got rows, then abort(), on a mid-frame error');
  // A sink error in the middle of a lossless decode (our VP8L row hook is live), then decodes again.
  const png = fs.readFileSync(path.join(fixtures, 'formats', 'with-alpha.png'));
  const ll = new Uint8Array(await sharp(png).webp({ lossless: true }).toBuffer());
  const llRef = await wp.decodeWebpRows(ll, full, collector());
  const log3 = {};
  e = await expectThrow(wp.decodeWebpRows(ll, full, (size) => {
    const s = collector(log3)(size);
    let n = 0;
    return { ...s, write(b, c) { if (++n === 2) throw new Error('lossless sink says no'); s.write(b, c); } };
  }), null, 'lossless sink error');
  check(e?.message === 'lossless sink says no' && log3.aborted === true, 'lossless sink error rethrown, sink aborted');
  const llAgain = await wp.decodeWebpRows(ll, full, collector());
  check(diff(llAgain.data, llRef.data).max === 0, 'lossless decode after a sink error is unchanged');
  const lossyAgain = await wp.decodeWebpRows(good, full, collector());
  check(lossyAgain.width === 1024, 'lossy decode after a lossless sink error');
  // Lossless inside lossless: the sink of one decode runs another decode.
  const nested = await wp.decodeWebpRows(ll, full, (size) => {
    const s = collector()(size);
    let inner = null;
    return { ...s, write(b, c) { s.write(b, c); if (!inner) inner = wp.decodeWebpRows(ll, { minWidth: 100, minHeight: 0 }, collector()); }, async close() { return { outer: await s.close(), inner: await inner }; } };
  });
  check(diff(nested.outer.data, llRef.data).max === 0 && nested.inner.width === 128, 'nested lossless decodes');

  const enc = wp.openWebpEncoder({ width: 10, height: 10 }, { quality: 80, hasAlpha: false });
  enc.write(new Uint8Array(10 * 4 * 4), 4);
  e = await expectThrow(enc.close(), /4 of 10 rows/, 'short encode');
  const enc2 = wp.openWebpEncoder({ width: 10, height: 10 }, { quality: 80, hasAlpha: false });
  try {
    enc2.write(new Uint8Array(10 * 4 * 11), 11);
    check(false, 'too many rows: no throw');
  } catch (err) {
    check(err instanceof wp.WebpError && /more than 10 rows/.test(err.message), `too many rows: ${err.message}`);
  }
  enc2.abort();
  enc2.abort();
  // A trap poisons the instance: it comes out as a CodecTrap (src/codecs/failures.ts), the next call instantiates afresh.
  const before = instances;
  trapNext = 'wp_dec_run';
  const log4 = {};
  e = await expectThrow(wp.decodeWebpRows(good, full, collector(log4)), null, 'trap in decode');
  check(e?.name === 'CodecTrap' && log4.aborted === true, `trap in decode: ${e?.constructor?.name}, sink aborted`);
  const enc3 = wp.openWebpEncoder({ width: 8, height: 2 }, { quality: 80, hasAlpha: false });
  check(instances === before + 1, 'new instance after a trap');
  enc3.write(new Uint8Array(8 * 2 * 4), 2);
  trapNext = 'wp_enc_finish';
  e = await expectThrow(enc3.close(), null, 'trap in encode');
  check(e?.name === 'CodecTrap', `trap in encode: ${e?.constructor?.name}`);
  enc3.abort();
  const afterTrap = await wp.decodeWebpRows(good, full, collector());
  check(instances === before + 2 && afterTrap.width === 1024, 'decode on a fresh instance after the second trap');
  console.log(`  simulated traps: instance replaced twice, decode afterwards fine`);
  for (let i = 0; i < 200; i++) await wp.decodeWebpRows(good.subarray(0, 3000), full, collector()).catch(() => {});
  const after = await wp.decodeWebpRows(good, full, collector());
  const ref = await wp.decodeWebpRows(good, full, collector());
  check(diff(after.data, ref.data).max === 0, 'decode after 200 errors is unchanged');
}

// --- 4. encoder ------------------------------------------------------------------
async function encodeRows(img, options, bandRows = 16) {
  const sink = wp.openWebpEncoder({ width: img.width, height: img.height }, options);
  const rowBytes = img.width * 4;
  for (let y = 0; y < img.height; y += bandRows) {
    const n = Math.min(bandRows, img.height - y);
    sink.write(img.data.subarray(y * rowBytes, (y + n) * rowBytes), n);
  }
  return sink.close();
}

console.log('encoder:');
const photo = path.join(fixtures, 'photos', 'rachel-hisko-rEM3cK8F1pk-unsplash.jpg');
{
  const { data, info } = await sharp(photo).resize(4000, 3000, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const opaque = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  const alpha = { ...opaque, data: opaque.data.slice() };
  // A radial alpha ramp with a fully transparent corner.
  for (let y = 0; y < alpha.height; y++)
    for (let x = 0; x < alpha.width; x++) {
      const r = Math.hypot(x - 2000, y - 1500) / 2500;
      alpha.data[(y * alpha.width + x) * 4 + 3] = Math.max(0, Math.min(255, Math.round(255 * (1.2 - r))));
    }
  for (const [label, img, hasAlpha] of [['4000x3000 opaque', opaque, false], ['4000x3000 alpha', alpha, true]]) {
    const t0 = performance.now();
    const file = await encodeRows(img, { quality: 80, hasAlpha, method: 4 });
    const ms = performance.now() - t0;
    const mem = lastMemory.buffer.byteLength;
    const back = await sharpRaw(file);
    const raw = { raw: { width: img.width, height: img.height, channels: 4 } };
    const t1 = performance.now();
    const theirs = await sharp(Buffer.from(img.data), raw).webp({ quality: 80, effort: 4 }).toBuffer();
    const sharpMs = performance.now() - t1;
    const theirsBack = await sharpRaw(theirs);
    const d = rgbDiff(back.data, img.data);
    const ds = rgbDiff(theirsBack.data, img.data);
    let alphaNote = '';
    if (hasAlpha) {
      let ad = 0;
      for (let i = 3; i < img.data.length; i += 4) ad += Math.abs(back.data[i] - img.data[i]);
      alphaNote = `, alpha mean|d| ${(ad / (img.data.length / 4)).toFixed(3)}`;
    }
    console.log(
      `  ${label}: ${file.length} B in ${ms.toFixed(0)} ms (memory ${mib(mem)}), RGB PSNR ${d.psnr.toFixed(2)} dB mean|d| ${d.mean.toFixed(2)}${alphaNote}; ` +
        `sharp q80 effort 4: ${theirs.length} B in ${sharpMs.toFixed(0)} ms, PSNR ${ds.psnr.toFixed(2)} dB`,
    );
    check(back.width === img.width && back.height === img.height, `${label}: size`);
    check(d.psnr > ds.psnr - 1.5, `${label}: PSNR ${d.psnr} vs sharp ${ds.psnr}`);
    check(file.length < theirs.length * 1.25, `${label}: size ${file.length} vs sharp ${theirs.length}`);
  }
  // odd sizes, one row at a time
  const odd = await sharp(photo).resize(333, 201, { fit: 'fill' }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const oddImg = { width: 333, height: 201, data: new Uint8Array(odd.data.buffer, odd.data.byteOffset, odd.data.length) };
  const oddFile = await encodeRows(oddImg, { quality: 90, hasAlpha: true }, 1);
  const oddBack = await sharpRaw(oddFile);
  const od = rgbDiff(oddBack.data, oddImg.data);
  console.log(`  333x201, one row per write: PSNR ${od.psnr.toFixed(2)} dB`);
  check(oddBack.width === 333 && oddBack.height === 201 && od.psnr > 30, '333x201 round trip');
}

// --- 5. 24 MP --------------------------------------------------------------------
if (!quick) {
  console.log('24 MP:');
  fs.mkdirSync(path.join(scratch, 'smoke'), { recursive: true });
  const lossyPath = path.join(scratch, 'smoke', 'rachel-q80.webp');
  const losslessPath = path.join(scratch, 'smoke', 'rachel-lossless.webp');
  if (!fs.existsSync(lossyPath)) await sharp(photo).webp({ quality: 80, effort: 4 }).toFile(lossyPath);
  if (!fs.existsSync(losslessPath)) await sharp(photo).webp({ lossless: true, effort: 0 }).toFile(losslessPath);
  for (const [label, file, lossless] of [['lossy q80', lossyPath, false], ['lossless', losslessPath, true]]) {
    const bytes = new Uint8Array(fs.readFileSync(file));
    console.log(` ${label} (${bytes.length} B):`);
    const size = { width: 6000, height: 4000 };
    for (const hint of [{ minWidth: 100000, minHeight: 0 }, { minWidth: 640, minHeight: 0 }]) {
      const { size: out } = wp.webpShrinkOnLoad(size, hint);
      console.log(`   webpDecodeMemory estimate at ${out.width}x${out.height}: ${mib(wp.webpDecodeMemory(size, lossless, out, false))} (+ input ${mib(bytes.length)})`);
    }
    await decodeCase(`  ${label}`, bytes, [{ minWidth: 100000, minHeight: 0 }, { minWidth: 640, minHeight: 0 }]);
    // timing alone (no sink work), fresh instance each time
    for (const hint of [{ minWidth: 100000, minHeight: 0 }, { minWidth: 640, minHeight: 0 }]) {
      const times = [];
      for (let i = 0; i < 3; i++) {
        const t0 = performance.now();
        await wp.decodeWebpRows(bytes, hint, (s) => ({ write() {}, async close() { return s; }, abort() {} }));
        times.push(performance.now() - t0);
      }
      console.log(`   decode only, minWidth ${hint.minWidth}: best of 3 ${Math.min(...times).toFixed(0)} ms, memory ${mib(lastMemory.buffer.byteLength)}`);
    }
    const t1 = performance.now();
    await sharp(bytes, { limitInputPixels: false }).raw().toBuffer();
    console.log(`   sharp full decode to raw: ${(performance.now() - t1).toFixed(0)} ms`);
  }
  // encode 24 MP from rows (opaque and alpha)
  const { data, info } = await sharp(photo).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const big = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  for (const hasAlpha of [false, true]) {
    const t0 = performance.now();
    const file = await encodeRows(big, { quality: 80, hasAlpha }, 64);
    console.log(
      `  encode 6000x4000 ${hasAlpha ? 'with alpha plane (opaque pixels)' : 'opaque'}: ${file.length} B in ${(performance.now() - t0).toFixed(0)} ms, memory ${mib(lastMemory.buffer.byteLength)}; webpEncodeMemory ${mib(wp.webpEncodeMemory(big, hasAlpha, 80))}`,
    );
  }
  big.data = null;
  // transcode: the encoder is the decoder's sink (same instance, re-entered)
  const lossy = new Uint8Array(fs.readFileSync(lossyPath));
  for (const hint of [{ minWidth: 640, minHeight: 0 }, { minWidth: 100000, minHeight: 0 }]) {
    const t0 = performance.now();
    const out = await wp.decodeWebpRows(lossy, hint, (s) => wp.openWebpEncoder(s, { quality: 80, hasAlpha: false }));
    const ms = performance.now() - t0;
    const meta = await sharp(out).metadata();
    const { size } = wp.webpShrinkOnLoad({ width: 6000, height: 4000 }, hint);
    console.log(`  transcode WebP->WebP at ${meta.width}x${meta.height}: ${out.length} B in ${ms.toFixed(0)} ms, memory ${mib(lastMemory.buffer.byteLength)}`);
    check(meta.width === size.width && meta.height === size.height, 'transcode size');
  }
}

// transcode with alpha, small (re-entrancy with the alpha plane)
{
  const bytes = new Uint8Array(fs.readFileSync(path.join(fixtures, 'formats', '5_webp_a.webp')));
  const out = await wp.decodeWebpRows(bytes, { minWidth: 100000, minHeight: 0 }, (s) => wp.openWebpEncoder(s, { quality: 90, hasAlpha: true }));
  const a = await sharpRaw(out);
  const b = await sharpRaw(bytes);
  const d = premultDiff(a.data, b.data);
  let ad = 0;
  for (let i = 3; i < a.data.length; i += 4) ad += Math.abs(a.data[i] - b.data[i]);
  ad /= a.data.length / 4;
  console.log(`transcode 5_webp_a.webp (q90, alpha): ${out.length} B, vs source: premultiplied RGB mean|d| ${d.toFixed(3)}, alpha mean|d| ${ad.toFixed(3)}`);
  check(a.width === b.width && d < 2 && ad < 0.5, 'alpha transcode');
}

finish();
