#!/usr/bin/env node
/**
 * `npm run bench:compression`: bytes, butteraugli distance and encode time
 * of the fixture photos at 1000 px wide — libjpeg q85 (cjpeg), mozjpeg q85
 * (@jsquash/jpeg), guetzli q85, WebP q80 (cwebp), and edgepix's request-path
 * ("fast") and optimized JPEG, WebP and AVIF — measured in one run and
 * printed against issue 12's targets. See bench/README.md.
 *
 *   npm run bench:compression                 every fixture photo (~10 min on 2 cores, most of it guetzli)
 *   npm run bench:compression -- --photos 2   the first two
 *
 * Exits 0 whether or not targets are met, and says which tools are missing
 * instead of failing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import encodeMozjpeg, { init as initMozjpeg } from '@jsquash/jpeg/encode.js';
import { parseServerTiming, problemDetail, request } from './lib/http.mjs';
import { FIXTURES_DIR, ROOT, WORK_DIR } from './lib/paths.mjs';
import { putOriginals } from './lib/r2.mjs';
import { killWorkerGroups, startWorker } from './lib/worker.mjs';
import { renderTable } from './lib/table.mjs';

const WIDTH = 1000;
/** The request path's qualities for each format edgepix encodes (issue 12's WebP anchor is q80). */
const FAST_QUALITY = { jpeg: 85, webp: 80, avif: 60 };
/** Issue 12's targets: fewer bytes than libjpeg q85 at an equal or lower butteraugli distance; guetzli's time ÷ ours. */
const TARGETS = { jpeg: 25, webp: 40, avif: 40, guetzliSpeedup: 20 };
/** Debian packages of the command-line tools (`apt-get install -y …`). */
const TOOLS = { cjpeg: 'libjpeg-turbo-progs', cwebp: 'webp', guetzli: 'guetzli', butteraugli: 'butteraugli' };

const DIR = path.join(WORK_DIR, 'compression');
const RESULTS_FILE = path.join(ROOT, 'bench/compression-results.json');
const OPTIMIZE_CONFIG = path.join(ROOT, 'bench/optimize-worker/wrangler.toml');
const EDGEPIX_CONFIG = path.join(ROOT, 'wrangler.toml');
const REQUEST_TIMEOUT_MS = 10 * 60_000;
/** A connection per request: guetzli keeps the workers idle for a minute, long enough for them to close a kept-alive one. */
const agent = new http.Agent({ keepAlive: false });

const log = (line) => console.error(line);

function parseArgs(argv) {
  const at = argv.indexOf('--photos');
  return { photos: at >= 0 ? Math.max(1, Number(argv[at + 1]) || 1) : Infinity };
}

function missingTools() {
  return Object.keys(TOOLS).filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

/** Runs a command and returns its wall time in ms. */
function timed(command, args) {
  const started = performance.now();
  execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  return performance.now() - started;
}

/** The 1000-px copy of each photo, made by sharp: a lossless PNG (reference and edgepix's original) and a PPM for cjpeg and cwebp. */
async function prepare(limit) {
  const photosDir = path.join(FIXTURES_DIR, 'photos');
  const files = fs.readdirSync(photosDir).filter((name) => name.endsWith('.jpg')).sort().slice(0, limit);
  fs.mkdirSync(DIR, { recursive: true });
  const photos = [];
  for (const name of files) {
    const id = name.split('-')[0];
    const png = path.join(DIR, `${id}.png`);
    const ppm = path.join(DIR, `${id}.ppm`);
    const resized = sharp(path.join(photosDir, name)).rotate().resize({ width: WIDTH, kernel: 'lanczos3' }).toColourspace('srgb').removeAlpha();
    await resized.clone().png({ compressionLevel: 6 }).toFile(png);
    const { data, info } = await resized.clone().raw().toBuffer({ resolveWithObject: true });
    fs.writeFileSync(ppm, Buffer.concat([Buffer.from(`P6\n${info.width} ${info.height}\n255\n`), data]));
    photos.push({ id, png, ppm, width: info.width, height: info.height, rgba: await sharp(png).ensureAlpha().raw().toBuffer() });
  }
  return photos;
}

/** Butteraugli distance of a file against the lossless reference; WebP and AVIF go through a PNG first. */
async function butteraugli(reference, file, tools) {
  if (tools.missing.includes('butteraugli')) return null;
  let target = file;
  if (!/\.jpe?g$/.test(file)) {
    target = `${file}.png`;
    await sharp(file).png({ compressionLevel: 1 }).toFile(target);
  }
  try {
    return Number(execFileSync('butteraugli', [reference, target], { encoding: 'utf8' }).trim());
  } catch (error) {
    log(`  butteraugli ${path.basename(file)}: ${error.message}`);
    return null;
  }
}

/** The anchors, encoded by the tools themselves on the same 1000-px copy. */
async function anchors(photo, tools) {
  const out = (name) => path.join(DIR, `${photo.id}.${name}`);
  const rows = [];
  const tool = (label, name, command, args) => {
    if (tools.missing.includes(command)) return;
    rows.push({ label, file: out(name), ms: timed(command, args) });
  };
  tool('libjpeg q85 (cjpeg)', 'libjpeg.jpg', 'cjpeg', ['-quality', '85', '-outfile', out('libjpeg.jpg'), photo.ppm]);
  const started = performance.now();
  const mozjpeg = await encodeMozjpeg({ data: new Uint8ClampedArray(photo.rgba), width: photo.width, height: photo.height }, { quality: 85 });
  rows.push({ label: 'mozjpeg q85 (@jsquash/jpeg)', file: out('mozjpeg.jpg'), ms: performance.now() - started });
  fs.writeFileSync(out('mozjpeg.jpg'), Buffer.from(mozjpeg));
  tool('guetzli q85', 'guetzli.jpg', 'guetzli', ['--quality', '85', photo.png, out('guetzli.jpg')]);
  tool('WebP q80 (cwebp)', 'cwebp.webp', 'cwebp', ['-quiet', '-q', '80', photo.ppm, '-o', out('cwebp.webp')]);
  return rows;
}

/** edgepix's request-path file over HTTP, then the optimize pass on it in the bench worker. */
async function edgepix(photo, format, workers) {
  const options = `width=${WIDTH},format=${format},quality=${FAST_QUALITY[format]}`;
  const key = `compression/${photo.id}.png`;
  const fast = await request(`${workers.edgepix.url}/img/${options}/${key}`, { agent, timeoutMs: REQUEST_TIMEOUT_MS });
  if (fast.status !== 200) throw new Error(`GET /img/${options}: ${fast.status} ${problemDetail(fast)}`);
  const { durations } = parseServerTiming(fast.headers['server-timing']);
  const fastFile = path.join(DIR, `${photo.id}.edgepix-fast.${format}`);
  fs.writeFileSync(fastFile, fast.body);
  const rows = [{ label: `edgepix ${format.toUpperCase()} q${FAST_QUALITY[format]} (fast)`, file: fastFile, ms: (durations.decode ?? 0) + (durations.encode ?? 0) }];
  const optimized = await request(`${workers.optimize.url}/optimize/${options}/${key}`, { method: 'POST', body: fast.body, agent, timeoutMs: REQUEST_TIMEOUT_MS });
  if (optimized.status === 204) return [...rows, { label: `edgepix ${format.toUpperCase()} optimized`, file: null, ms: optimized.ms, note: 'nothing smaller at an equal metric' }];
  if (optimized.status !== 200) throw new Error(`POST /optimize/${options}: ${optimized.status} ${optimized.body.toString('utf8').slice(0, 300)}`);
  const optimizedFile = path.join(DIR, `${photo.id}.edgepix-optimized.${format}`);
  fs.writeFileSync(optimizedFile, optimized.body);
  const detail = JSON.parse(optimized.headers['x-optimize'] ?? '{}');
  return [...rows, { label: `edgepix ${format.toUpperCase()} optimized`, file: optimizedFile, ms: optimized.ms, metric: detail.metric }];
}

async function measurePhoto(photo, tools, workers) {
  const rows = await anchors(photo, tools);
  for (const format of ['jpeg', 'webp', 'avif']) {
    try {
      rows.push(...(await edgepix(photo, format, workers)));
    } catch (error) {
      log(`  ${photo.id} ${format}: ${error.message}`);
      rows.push({ label: `edgepix ${format.toUpperCase()}`, file: null, ms: null, note: error.message.slice(0, 120) });
    }
  }
  for (const row of rows) {
    row.bytes = row.file ? fs.statSync(row.file).size : null;
    row.butteraugli = row.file ? await butteraugli(photo.png, row.file, tools) : null;
  }
  const libjpeg = rows.find((row) => row.label.startsWith('libjpeg'));
  for (const row of rows) row.vsLibjpeg = libjpeg && row.bytes ? 100 * (row.bytes / libjpeg.bytes - 1) : null;
  return rows.map(({ file, ...row }) => ({ ...row, file: file && path.relative(ROOT, file) }));
}

const fixed = (value, digits) => (value == null ? null : value.toFixed(digits));
const percent = (value) => (value == null ? null : `${value > 0 ? '+' : ''}${value.toFixed(1)} %`);

function photoTable(photo, rows) {
  const columns = [
    { title: `${photo.id} (${photo.width}×${photo.height})`, align: 'left' },
    { title: 'bytes' },
    { title: 'vs libjpeg q85' },
    { title: 'butteraugli' },
    { title: 'encode ms' },
    { title: 'note', align: 'left' },
  ];
  const cells = rows.map((row) => ({
    cells: [
      row.label,
      row.bytes,
      percent(row.vsLibjpeg),
      fixed(row.butteraugli, 2),
      row.ms == null ? null : Math.round(row.ms),
      row.note ?? (row.metric ? `${row.metric.name} ${row.metric.fast.toFixed(4)} → ${row.metric.optimized.toFixed(4)}` : ''),
    ],
  }));
  return renderTable(columns, cells);
}

const median = (values) => {
  const sorted = values.filter((v) => v != null).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** Per format: how many photos met the target (bytes and butteraugli both), the median saving; and guetzli's time ÷ ours. */
function summarize(perPhoto) {
  const lines = [];
  const summary = {};
  for (const format of ['jpeg', 'webp', 'avif']) {
    const target = TARGETS[format];
    const results = perPhoto.map(({ rows }) => {
      const libjpeg = rows.find((row) => row.label.startsWith('libjpeg'));
      const optimized = rows.find((row) => row.label === `edgepix ${format.toUpperCase()} optimized`);
      const fast = rows.find((row) => row.label.startsWith(`edgepix ${format.toUpperCase()} q`));
      const best = optimized?.bytes ? optimized : fast;
      const saving = best?.vsLibjpeg == null ? null : -best.vsLibjpeg;
      const quality = libjpeg?.butteraugli == null || best?.butteraugli == null ? null : best.butteraugli <= libjpeg.butteraugli;
      return { saving, quality, met: saving != null && saving >= target && quality === true, optimizedFound: Boolean(optimized?.bytes) };
    });
    const met = results.filter((r) => r.met).length;
    const atQuality = results.filter((r) => r.quality).length;
    summary[format] = { target, met, photos: results.length, medianSaving: median(results.map((r) => r.saving)), atQuality, optimizedFound: results.filter((r) => r.optimizedFound).length };
    const s = summary[format];
    lines.push(
      `${format.toUpperCase().padEnd(5)} ≥ ${target} % fewer bytes than libjpeg q85 at ≤ its butteraugli: ${s.met}/${s.photos} photos ` +
        `${s.met === s.photos ? 'MET' : 'MISSED'} (median ${fixed(s.medianSaving, 1) ?? '—'} % fewer; butteraugli ≤ libjpeg's on ${s.atQuality}/${s.photos}; ` +
        `the pass found a smaller file on ${s.optimizedFound}/${s.photos})`,
    );
  }
  const ratios = perPhoto.map(({ rows }) => {
    const guetzli = rows.find((row) => row.label.startsWith('guetzli'));
    const optimized = rows.find((row) => row.label === 'edgepix JPEG optimized');
    return guetzli?.ms && optimized?.ms ? guetzli.ms / optimized.ms : null;
  });
  const speedup = median(ratios);
  summary.guetzliSpeedup = { target: TARGETS.guetzliSpeedup, median: speedup, min: Math.min(...ratios.filter((r) => r != null)) };
  lines.push(
    `speed ≥ ${TARGETS.guetzliSpeedup}× guetzli (its time ÷ edgepix's whole optimize request for JPEG): median ${fixed(speedup, 1) ?? '—'}× ` +
      `${speedup != null && speedup >= TARGETS.guetzliSpeedup ? 'MET' : 'MISSED'}`,
  );
  return { lines, summary };
}

/** edgepix under `wrangler dev`, and the bench worker that runs the optimize pass, each with its own local R2 holding the originals. */
async function startWorkers(photos) {
  const objects = photos.map((photo) => ({ key: `compression/${photo.id}.png`, file: photo.png }));
  const states = { edgepix: path.join(DIR, 'state-edgepix'), optimize: path.join(DIR, 'state-optimize') };
  for (const state of Object.values(states)) {
    fs.rmSync(state, { recursive: true, force: true });
    await putOriginals(objects, state);
  }
  const edgepixWorker = await startWorker({ name: 'compression-edgepix', config: EDGEPIX_CONFIG, persistTo: states.edgepix, processGroup: true });
  try {
    const optimize = await startWorker({ name: 'compression-optimize', config: OPTIMIZE_CONFIG, persistTo: states.optimize, processGroup: true });
    return { edgepix: edgepixWorker, optimize };
  } catch (error) {
    await edgepixWorker.stop();
    throw error;
  }
}

async function main() {
  const { photos: limit } = parseArgs(process.argv.slice(2));
  const missing = missingTools();
  if (missing.length > 0) {
    log(`missing: ${missing.join(', ')} — their columns are skipped. Install with: apt-get install -y ${[...new Set(missing.map((t) => TOOLS[t]))].join(' ')}`);
  }
  const tools = { missing };
  await initMozjpeg(new WebAssembly.Module(fs.readFileSync(path.join(ROOT, 'node_modules/@jsquash/jpeg/codec/enc/mozjpeg_enc.wasm'))));
  log('inputs…');
  const photos = await prepare(limit);
  log('workers…');
  const workers = await startWorkers(photos);
  const perPhoto = [];
  try {
    for (const photo of photos) {
      log(`${photo.id}…`);
      perPhoto.push({ photo, rows: await measurePhoto(photo, tools, workers) });
    }
  } finally {
    await workers.optimize.stop();
    await workers.edgepix.stop();
  }
  for (const { photo, rows } of perPhoto) console.log(`${photoTable(photo, rows)}\n`);
  const { lines, summary } = summarize(perPhoto);
  console.log(lines.join('\n'));
  if (missing.length > 0) console.log(`(not measured: ${missing.join(', ')} missing)`);
  const results = {
    meta: { startedAt: new Date().toISOString(), commit: gitCommit(), cpus: os.cpus().length, loadAverage: os.loadavg()[0], width: WIDTH, fastQuality: FAST_QUALITY, missing },
    photos: perPhoto.map(({ photo, rows }) => ({ id: photo.id, width: photo.width, height: photo.height, rows })),
    summary,
  };
  fs.writeFileSync(RESULTS_FILE, JSON.stringify(results, null, 2) + '\n');
  log(`raw numbers in ${path.relative(ROOT, RESULTS_FILE)}`);
}

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killWorkerGroups();
    process.exit(0);
  });
}
process.on('exit', killWorkerGroups);

main().catch((error) => {
  log(`bench:compression failed: ${error.stack ?? error}`);
  killWorkerGroups();
  process.exitCode = 0;
});
