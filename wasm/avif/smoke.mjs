// Node smoke test / benchmark for src/codecs/libavif (the committed .wasm + index.ts).
//
//   node wasm/avif/smoke.mjs [--bench] [--no-sharp] [more.avif ...]
//
// Loads the .wasm the way workerd does (a precompiled WebAssembly.Module),
// bundles index.ts (and what it imports) with the project's esbuild, and for every AVIF (the fixtures' formats/*.avif, the files in
// $AVIF_SAMPLES (default /tmp/edgepix-avif-build/samples) and any given on
// the command line):
//   - decodes at full size: time to the sink's open (container + dav1d),
//     time to close (YUV -> RGBA rows), peak memory.byteLength of a fresh
//     instance, avifDecodeMemory's estimate;
//   - compares with native libavif's avifdec (Debian's libavif-bin, dav1d,
//     -u bilinear, PNG 8-bit) when it is installed: same container semantics
//     (primary item, no irot/imir), same YUV->RGB maths;
//   - compares with sharp's decode (mean |diff| per channel, max, share of
//     samples off by more than 8) and sharp's decode time (concurrency 1);
//   - shrinks on load by 2, 3 and 8 and compares with a box average of
//     sharp's full decode (alpha-weighted) at the same size, and with
//     sharp's own resize (lanczos3) for reference;
// then checks that broken inputs throw AvifError and leave the instance usable.
// Exits non-zero on any failure.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { checks, codecsWasmModule, importBundled } from '../smoke-lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const codecDir = path.join(root, 'src/codecs/libavif');
const fixtures = process.env.FIXTURES ?? path.resolve(root, '../shared/fixtures');
const samples = process.env.AVIF_SAMPLES ?? '/tmp/edgepix-avif-build/samples';
const require = createRequire(path.join(root, 'package.json'));
const args = process.argv.slice(2);
const bench = args.includes('--bench');
const useSharp = !args.includes('--no-sharp');
const extra = args.filter((a) => !a.startsWith('--'));

const av = await importBundled(path.join(codecDir, 'index.ts'), 'avif-smoke-');
// Scratch files for avifdec.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'avif-smoke-'));
const sharp = useSharp ? require('sharp') : null;
if (sharp) sharp.concurrency(1);

const { check, finish } = checks();

const module = codecsWasmModule();
av.initCodecsWasm(module);
// A fresh instance per decode, so each peak is that file's own.
av.setCodecsMaxRetainedMemory(0);

const list = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.avif')).sort().map((f) => path.join(dir, f)) : []);
const avifdec = ['/usr/bin/avifdec', '/usr/local/bin/avifdec'].find((f) => fs.existsSync(f)) ?? null;
const files = [...list(path.join(fixtures, 'formats')), ...list(samples), ...extra];
check(files.length > 0, 'no AVIF files found');

/** Decodes with our wrapper into one RGBA buffer; times and memory. */
async function decode(bytes, hint) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let cOpen = null;
  let tOpen = 0;
  let peak = 0;
  let rows = 0;
  let img = null;
  await av.decodeAvifRows(bytes, hint, (size) => {
    tOpen = performance.now();
    cOpen = process.cpuUsage(c0);
    img = { ...size, data: new Uint8Array(size.width * size.height * 4) };
    return {
      write(band, count) {
        peak = Math.max(peak, band.buffer.byteLength);
        img.data.set(band.subarray(0, count * size.width * 4), rows * size.width * 4);
        rows += count;
      },
      async close() {
        return img;
      },
      abort() {},
    };
  });
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  const cpu = (u) => (u.user + u.system) / 1000;
  return { img, rows, peak, decodeMs: tOpen - t0, rowsMs: t1 - tOpen, totalMs: t1 - t0, decodeCpu: cpu(cOpen), rowsCpu: cpu(c1) - cpu(cOpen) };
}

async function sharpDecode(bytes) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const { data, info } = await sharp(bytes, { limitInputPixels: false }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const c = process.cpuUsage(c0);
  return { img: { width: info.width, height: info.height, data }, ms: performance.now() - t0, cpu: (c.user + c.system) / 1000 };
}

function diff(a, b) {
  if (a.width !== b.width || a.height !== b.height) return null;
  const sums = [0, 0, 0, 0];
  let max = 0;
  let over8 = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i] - b.data[i]);
    sums[i & 3] += d;
    if (d > max) max = d;
    if (d > 8) over8++;
  }
  const n = a.width * a.height;
  return { mean: sums.map((s) => s / n), max, over8: over8 / a.data.length };
}
const fmtDiff = (d) => (d ? `mean ${d.mean.map((v) => v.toFixed(2)).join('/')} max ${d.max} >8: ${(d.over8 * 100).toFixed(2)}%` : 'size mismatch');

/** Depth and subsampling from the first av1C box, alpha from the auxC URN (what a header probe knows). */
function av1cInfo(bytes) {
  const text = Buffer.from(bytes).toString('latin1');
  const at = text.indexOf('av1C');
  const hasAlpha = text.includes('auxiliary:alpha');
  if (at < 0) return { hasAlpha };
  const b = bytes[at + 6];
  const bitDepth = b & 0x40 ? (b & 0x20 ? 12 : 10) : 8;
  const subsampling = b & 0x10 ? '400' : b & 0x08 ? (b & 0x04 ? '420' : '422') : '444';
  return { bitDepth, subsampling, hasAlpha };
}

function crop(img, width, height) {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) data.set(img.data.subarray(y * img.width * 4, (y * img.width + width) * 4), y * width * 4);
  return { width, height, data };
}

/** Box average by `f` (ceil sizes, partial edge boxes), alpha-weighted colour. */
function box(img, f) {
  const ow = Math.ceil(img.width / f), oh = Math.ceil(img.height / f);
  const out = new Uint8Array(ow * oh * 4);
  const acc = new Float64Array(ow * 4);
  for (let oy = 0; oy < oh; oy++) {
    acc.fill(0);
    const y1 = Math.min(img.height, (oy + 1) * f);
    for (let y = oy * f; y < y1; y++) {
      for (let x = 0; x < img.width; x++) {
        const i = (y * img.width + x) * 4, o = Math.floor(x / f) * 4;
        const a = img.data[i + 3];
        acc[o] += img.data[i] * a;
        acc[o + 1] += img.data[i + 1] * a;
        acc[o + 2] += img.data[i + 2] * a;
        acc[o + 3] += a;
      }
    }
    for (let ox = 0; ox < ow; ox++) {
      const n = (Math.min(img.width, (ox + 1) * f) - ox * f) * (y1 - oy * f);
      const sa = acc[ox * 4 + 3];
      const o = (oy * ow + ox) * 4;
      for (let c = 0; c < 3; c++) out[o + c] = sa > 0 ? Math.round(acc[ox * 4 + c] / sa) : 0;
      out[o + 3] = Math.round(sa / n);
    }
  }
  return { width: ow, height: oh, data: out };
}

/** A hint no factor above 1 meets: full size. */
const FULL = { minWidth: 1 << 30, minHeight: 1 << 30 };
const MB = (n) => (n / 1048576).toFixed(1);
const table = [];
for (const file of files) {
  const name = path.basename(file);
  const bytes = new Uint8Array(fs.readFileSync(file));
  console.log(`\n${name} (${bytes.length} bytes)`);
  let full;
  try {
    full = await decode(bytes, FULL);
  } catch (e) {
    check(false, `${name}: full decode threw ${e.name}: ${e.message}`);
    continue;
  }
  const { img } = full;
  check(full.rows === img.height, `${name}: ${full.rows} rows written of ${img.height}`);
  const row = { name, size: `${img.width}x${img.height}`, decodeMs: full.decodeMs, rowsMs: full.rowsMs, decodeCpu: full.decodeCpu, rowsCpu: full.rowsCpu, peak: full.peak };
  if (bench) {
    // best of 3 by CPU time (the decode is single-threaded; wall time swings with the machine's load)
    for (let i = 0; i < 2; i++) {
      const again = await decode(bytes, FULL);
      row.decodeMs = Math.min(row.decodeMs, again.decodeMs);
      row.rowsMs = Math.min(row.rowsMs, again.rowsMs);
      row.decodeCpu = Math.min(row.decodeCpu, again.decodeCpu);
      row.rowsCpu = Math.min(row.rowsCpu, again.rowsCpu);
    }
  }
  console.log(`  full ${row.size}: container+dav1d ${row.decodeMs.toFixed(0)} ms (CPU ${row.decodeCpu.toFixed(0)}), rows ${row.rowsMs.toFixed(0)} ms (CPU ${row.rowsCpu.toFixed(0)}), peak memory ${MB(full.peak)} MB`);
  let ref = null;
  let libavifRef = null;
  // sharp's libheif leaves premultiplied colour premultiplied: not a reference there.
  const premultiplied = Buffer.from(bytes.subarray(0, 4096)).toString('latin1').includes('prem');
  if (sharp) {
    try {
      const s = await sharpDecode(bytes);
      ref = s.img;
      row.sharpMs = s.ms;
      row.sharpCpu = s.cpu;
      if (bench) {
        for (let i = 0; i < 2; i++) {
          const again = await sharpDecode(bytes);
          row.sharpMs = Math.min(row.sharpMs, again.ms);
          row.sharpCpu = Math.min(row.sharpCpu, again.cpu);
        }
      }
      let d = diff(img, ref);
      let note = '';
      if (!d && ref.width <= img.width && ref.height <= img.height) {
        // sharp (libheif via libvips) may show another item than the primary
        // (pitm.avif: the first grid tile): compare that much of ours.
        d = diff(crop(img, ref.width, ref.height), ref);
        note = ` (sharp decoded another item; compared with our top-left ${ref.width}x${ref.height})`;
      }
      row.diff = d;
      console.log(`  vs sharp (${ref.width}x${ref.height}, ${row.sharpMs.toFixed(0)} ms, CPU ${row.sharpCpu.toFixed(0)}): ${fmtDiff(d)}${note}`);
      if (premultiplied) console.log('  (premultiplied alpha: sharp returns premultiplied colour, not compared)');
      else check(d && Math.max(...d.mean) < 3, `${name}: full decode differs from sharp's: ${fmtDiff(d)}`);
    } catch (e) {
      console.log(`  sharp could not decode it: ${e.message}`);
    }
  }
  if (avifdec && sharp) {
    const png = path.join(tmp, 'avifdec.png');
    const avifFile = path.join(tmp, 'in.avif');
    fs.writeFileSync(avifFile, bytes);
    try {
      const t0 = performance.now();
      execFileSync(avifdec, ['-j', '1', '-c', 'dav1d', '-d', '8', '-u', 'bilinear', avifFile, png], { stdio: 'ignore' });
      const ms = performance.now() - t0;
      const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      libavifRef = { width: info.width, height: info.height, data };
      const d = diff(img, libavifRef);
      row.libavif = d;
      console.log(`  vs avifdec (libavif 0.11 + dav1d, native process ${ms.toFixed(0)} ms incl. PNG): ${fmtDiff(d)}`);
      check(d && Math.max(...d.mean) < 1, `${name}: full decode differs from avifdec's: ${fmtDiff(d)}`);
    } catch (e) {
      console.log(`  avifdec failed: ${e.message.split('\n')[0]}`);
    }
  }
  const estimate = av.avifDecodeMemory({ width: img.width, height: img.height }, av1cInfo(bytes));
  row.estimate = estimate + bytes.length;
  console.log(`  avifDecodeMemory + input: ${MB(row.estimate)} MB (measured ${MB(full.peak)} MB)`);
  for (const f of [2, 3, 8]) {
    const want = { width: Math.ceil(img.width / f), height: Math.ceil(img.height / f) };
    const pick = av.avifShrinkOnLoad({ width: img.width, height: img.height }, { minWidth: want.width, minHeight: want.height });
    check(pick.size.width >= want.width && pick.size.height >= want.height, `${name}: avifShrinkOnLoad below the hint`);
    const small = await decode(bytes, { minWidth: want.width, minHeight: want.height });
    check(small.img.width === pick.size.width && small.img.height === pick.size.height,
      `${name}: 1/${f} gave ${small.img.width}x${small.img.height}, avifShrinkOnLoad said ${pick.size.width}x${pick.size.height}`);
    let line = `  1/${pick.factor} ${small.img.width}x${small.img.height}: ${(small.decodeMs + small.rowsMs).toFixed(0)} ms (rows ${small.rowsMs.toFixed(0)}, CPU ${small.rowsCpu.toFixed(0)}), peak ${MB(small.peak)} MB`;
    if (f === 8) row.rows8Cpu = small.rowsCpu;
    const boxRef = libavifRef ?? ref;
    if (boxRef && boxRef.width === img.width && boxRef.height === img.height && pick.factor === f) {
      const d = diff(small.img, box(boxRef, f));
      const label = libavifRef ? 'avifdec' : 'sharp';
      line += `; vs box(${label}) ${fmtDiff(d)}`;
      check(d && Math.max(...d.mean) < 3, `${name}: 1/${f} differs from a box average of ${label}'s decode: ${fmtDiff(d)}`);
      if (f === 8) row.shrink8 = d;
    }
    if (ref && ref.width === img.width && ref.height === img.height && pick.factor === f) {
      const s = await sharp(bytes).ensureAlpha().resize(small.img.width, small.img.height, { fit: 'fill' }).raw().toBuffer();
      line += `; vs sharp resize ${fmtDiff(diff(small.img, { ...small.img, data: s }))}`;
    }
    console.log(line);
  }
  table.push(row);
}

// --- broken inputs -------------------------------------------------------
console.log('\nerrors');
const good = files.find((f) => f.endsWith('pitm.avif')) ?? files[0];
if (good) {
  const bytes = new Uint8Array(fs.readFileSync(good));
  const nullSink = () => ({ write() {}, async close() { return null; }, abort() {} });
  const cases = {
    empty: new Uint8Array(0),
    garbage: new Uint8Array(1000).fill(0x41),
    'truncated to 60%': bytes.subarray(0, Math.floor(bytes.length * 0.6)),
    'truncated to 300 bytes': bytes.subarray(0, 300),
    'AV1 payload zeroed': (() => {
      const b = bytes.slice();
      b.fill(0, b.length - Math.floor(b.length / 3));
      return b;
    })(),
  };
  for (const [label, input] of Object.entries(cases)) {
    let aborted = false;
    try {
      await av.decodeAvifRows(input, FULL, (size) => ({ ...nullSink(size), abort() { aborted = true; } }));
      console.log(`  ${label}: decoded without an error`);
    } catch (e) {
      console.log(`  ${label}: ${e.name}: ${e.message}${aborted ? ' (sink aborted)' : ''}`);
      check(e instanceof av.AvifError, `${label}: expected AvifError, got ${e?.constructor?.name}`);
    }
  }
  av.setCodecsMaxRetainedMemory(1 << 30); // keep one instance through the errors
  for (let i = 0; i < 50; i++) await av.decodeAvifRows(cases.garbage, FULL, nullSink).catch(() => {});
  const after = await decode(bytes, FULL);
  check(after.rows === after.img.height, 'decode after 50 errors');
  console.log(`  after 50 errors on one instance: decoded ${after.img.width}x${after.img.height}`);
  let sinkError = null;
  try {
    await av.decodeAvifRows(bytes, FULL, () => ({ write() { throw new Error('sink says no'); }, async close() {}, abort() {} }));
  } catch (e) {
    sinkError = e;
  }
  check(sinkError?.message === 'sink says no', 'a sink error is rethrown as is');
  // A sink that starts another decode (same instance) in its first write:
  // both contexts live in one heap; the outer one must be unaffected.
  const other = files.find((f) => f !== good);
  if (other) {
    const plain = await decode(bytes, FULL);
    let nested = null;
    let rows = 0;
    const outer = await av.decodeAvifRows(bytes, FULL, (size) => {
      const data = new Uint8Array(size.width * size.height * 4);
      return {
        write(band, count) {
          // copy first: the band is a view of the heap, which the nested decode may grow (detaching it)
          data.set(band.subarray(0, count * size.width * 4), rows * size.width * 4);
          rows += count;
          nested ??= decode(new Uint8Array(fs.readFileSync(other)), { minWidth: 64, minHeight: 64 });
        },
        async close() { return { ...size, data }; },
        abort() {},
      };
    });
    await nested;
    const d = diff(outer, plain.img);
    check(d && d.max === 0, `a decode nested in a sink's write changed the outer one: ${fmtDiff(d)}`);
    console.log(`  decode nested in a sink's write (${path.basename(other)}): outer rows ${d && d.max === 0 ? 'identical' : 'DIFFER'}`);
  }
  const again = await decode(bytes, FULL);
  check(again.rows === again.img.height, 'decode after a sink error');
}

if (table.length) {
  console.log('\n| file | size | container+dav1d ms (CPU) | rows ms (CPU) | rows 1/8 CPU ms | sharp ms (CPU) | mean abs diff vs avifdec (R/G/B/A) | vs sharp (R/G/B/A) | 1/8 vs box(avifdec, else sharp) | peak memory MB | estimate MB |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of table) {
    const d = r.diff ? r.diff.mean.map((v) => v.toFixed(2)).join('/') : '-';
    const l = r.libavif ? r.libavif.mean.map((v) => v.toFixed(2)).join('/') : '-';
    const s8 = r.shrink8 ? r.shrink8.mean.slice(0, 3).map((v) => v.toFixed(2)).join('/') : '-';
    console.log(`| ${r.name} | ${r.size} | ${r.decodeMs.toFixed(0)} (${r.decodeCpu.toFixed(0)}) | ${r.rowsMs.toFixed(0)} (${r.rowsCpu.toFixed(0)}) | ${r.rows8Cpu?.toFixed(0) ?? '-'} | ${r.sharpMs === undefined ? '-' : `${r.sharpMs.toFixed(0)} (${r.sharpCpu.toFixed(0)})`} | ${l} | ${d} | ${s8} | ${MB(r.peak)} | ${MB(r.estimate)} |`);
  }
}
finish();
