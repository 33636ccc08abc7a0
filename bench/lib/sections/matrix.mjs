/**
 * Issue 9's matrix: every input format × every rendition a site asks for,
 * each a cold transform, in one worker process with the memory meter on; then
 * a burst of cold thumbnails all at once. See "matrix" in bench/README.md.
 *
 *   inputs      lib/matrix-inputs.mjs (3 photos × 7 formats + a panorama)
 *   requests    one at a time, rendition by rendition (every input gets a rendition before the next one
 *               starts, so a deadline cut leaves the rows comparable); each on an R2 key of its own
 *   per request status, detail, output size (sharp metadata of the body) against the size edgepix's geometry
 *               gives, X-Edgepix-Fallback, wall ms, Server-Timing mem-peak / mem-idle, and for a 200 the
 *               same operation in the single-threaded sharp child
 *   worker      VmHWM growth over idle across the whole matrix (warm-up included)
 *   burst       N distinct cold thumbnail keys sent at once: 200s vs 503s
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { originalKey, transformRequest, warmUp, warmUpEncoders } from '../edgepix.mjs';
import { keepAliveAgent } from '../http.mjs';
import { prepareMatrixInputs } from '../matrix-inputs.mjs';
import { ROOT, SNAPSHOT_DIR, STATE_DIR } from '../paths.mjs';
import { jitCodeBytes, toMB } from '../procfs.mjs';
import { putOriginals } from '../r2.mjs';
import { startSharpReference } from '../sharp-ref.mjs';
import { ratio, sleep } from '../stats.mjs';
import { snapshotSources, withWorker } from '../worker.mjs';

/** What sites ask for (Cloudflare-style options), in the order they are run. */
const RENDITIONS = [
  'width=640,format=webp',
  'width=1600,format=webp',
  'width=2560,format=jpeg',
  'width=1200,format=avif',
  'width=1080,height=1080,fit=cover,format=webp',
  'format=webp',
  'format=jpeg',
];
const SMOKE_RENDITIONS = ['width=640,format=webp', 'width=1080,height=1080,fit=cover,format=webp'];
const BURST_OPTIONS = 'width=320,format=webp';

/** The variable that makes every /img response carry `mem-peak` and `mem-idle` in Server-Timing. */
const MEMORY_METER_VARS = { BENCH_MEMORY_METER: 'true' };
const WAIT_UNTIL_SETTLE_MS = 500;
/** Kept at the end of the section's bound for stopping wrangler (≤ 15 s) and the sharp child. */
const STOP_MARGIN_MS = 20_000;
/** Two unanswered requests in a row mean the worker is wedged: the matrix stops there. */
const MAX_CONSECUTIVE_UNANSWERED = 2;

/** edgepix's default quality per output format, read from src/codecs/<format>.ts (README's table if that fails). */
function edgepixDefaultQualities(root) {
  const readme = { jpeg: 85, webp: 85, avif: 60, png: 100 };
  const found = {};
  for (const format of Object.keys(readme)) {
    try {
      const source = fs.readFileSync(path.join(root, 'src/codecs', `${format}.ts`), 'utf8');
      found[format] = Number(source.match(/defaultQuality:\s*(\d+)/)[1]);
    } catch {
      found[format] = readme[format];
    }
  }
  return found;
}

/** `width=1080,height=1080,fit=cover,format=webp` → `{ width: 1080, height: 1080, fit: 'cover', format: 'webp' }` */
function parseRendition(options) {
  const op = { fit: 'scale-down' };
  for (const pair of options.split(',')) {
    const [name, value] = pair.split('=');
    op[name] = name === 'width' || name === 'height' ? Number(value) : value;
  }
  return op;
}

const atLeastOne = (n) => Math.max(1, Math.round(n));
const clamp = (value, low, high) => Math.min(Math.max(value, low), high);

/**
 * The output size edgepix's geometry gives (src/pipeline/geometry.ts, written again here so the bench
 * checks it rather than trusts it): a missing side follows the aspect ratio, unrounded; scale-down fits
 * inside and never enlarges; cover fills the box and crops the overflow; no size at all is the original's.
 * `source` is the oriented original (no EXIF orientation in the matrix's inputs).
 */
function expectedSize(source, { width, height, fit }) {
  if (width == null && height == null) return { width: source.width, height: source.height };
  const exact = {
    width: width ?? (source.width * height) / source.height,
    height: height ?? (source.height * width) / source.width,
  };
  if (fit === 'scale-down' || fit === 'contain') {
    const scale = Math.min(exact.width / source.width, exact.height / source.height, fit === 'contain' ? Infinity : 1);
    return { width: atLeastOne(source.width * scale), height: atLeastOne(source.height * scale) };
  }
  if (fit === 'cover') {
    const box = { width: atLeastOne(exact.width), height: atLeastOne(exact.height) };
    const scale = Math.max(exact.width / source.width, exact.height / source.height);
    const region = {
      width: clamp(Math.round(box.width / scale), 1, source.width),
      height: clamp(Math.round(box.height / scale), 1, source.height),
    };
    return { width: Math.min(box.width, atLeastOne(region.width * scale)), height: Math.min(box.height, atLeastOne(region.height * scale)) };
  }
  throw new Error(`the matrix has no geometry for fit=${fit}`);
}

/** The matrix's requests: rendition-major, each with a key of its own. */
function plannedRequests(inputs, renditions) {
  return renditions.flatMap((options, n) => inputs.map((input) => ({ input, options, key: originalKey('matrix', input, n) })));
}

/** The burst's originals: the baseline JPEGs (the smoke run's one input) in turn, one key each. */
function burstKeys(inputs, count) {
  const photos = inputs.filter((input) => input.kind === 'baseline');
  const pool = photos.length ? photos : inputs.slice(0, 1);
  return Array.from({ length: count }, (_, n) => ({ input: pool[n % pool.length], key: originalKey('burst', pool[n % pool.length], n) }));
}

/** `mem-peak;desc="123"` → 123 (bytes), or null if the entry is missing or not a number. */
function meterBytes(descriptions, name) {
  const value = descriptions?.[name];
  if (value == null || value === '') return null;
  const bytes = Number(value);
  return Number.isFinite(bytes) ? bytes : null;
}

/** Output size and format of a response body, from its header (sharp metadata; no full decode). */
async function outputOf(body) {
  try {
    const meta = await sharp(body, { limitInputPixels: false }).metadata();
    return { width: meta.width, height: meta.height, format: meta.format === 'heif' ? 'avif' : meta.format, error: null };
  } catch (error) {
    return { width: null, height: null, format: null, error: `sharp cannot read the body: ${error.message}` };
  }
}

async function measureOne({ worker, sharpRef, qualities, planned, timeoutMs }) {
  const { input, options, key } = planned;
  const op = parseRendition(options);
  const expected = expectedSize(input, op);
  const record = { input: input.id, kind: input.kind, options, key, expected, status: null, detail: null };
  let response;
  try {
    response = await transformRequest(worker, key, options, { timeoutMs });
  } catch (error) {
    return { ...record, unanswered: true, detail: error.message.replace(/^GET \S+: /, '') };
  }
  Object.assign(record, {
    status: response.status,
    detail: response.detail,
    wallMs: response.wallMs,
    cpuMs: response.cpuMs,
    stages: response.stages,
    fallback: response.headers['x-edgepix-fallback'] ?? null,
    memPeakBytes: meterBytes(response.descriptions, 'mem-peak'),
    memIdleBytes: meterBytes(response.descriptions, 'mem-idle'),
    bodyBytes: response.body.length,
  });
  if (response.status !== 200) return record;
  const output = await outputOf(response.body);
  record.output = output;
  record.dimensionsOk = output.width === expected.width && output.height === expected.height;
  // Another format than asked is only right when the worker says why (e.g. `avif>webp`).
  record.formatOk = output.format === op.format || Boolean(record.fallback);
  try {
    const quality = qualities[op.format];
    record.sharp = await sharpRef.timeOperation(input.file, { ...op, quality });
    record.ratio = ratio(record.wallMs, record.sharp.wallMs);
    record.cpuRatio = ratio(record.cpuMs, record.sharp.cpuMs);
  } catch (error) {
    record.sharp = { error: error.message };
  }
  return record;
}

function logRecord(log, r, i, total) {
  const mem = r.memPeakBytes == null ? '' : ` peak ${toMB(r.memPeakBytes).toFixed(0)} MB idle ${toMB(r.memIdleBytes)?.toFixed(0) ?? '?'} MB`;
  const size = r.output ? ` ${r.output.width}×${r.output.height}${r.dimensionsOk ? '' : ` (want ${r.expected.width}×${r.expected.height})`}` : '';
  const timing = r.wallMs == null ? '' : ` ${r.wallMs.toFixed(0)} ms${r.ratio ? ` (${r.ratio.toFixed(2)}× sharp)` : ''}`;
  const tail = r.status === 200 ? `${size}${r.fallback ? ` fallback ${r.fallback}` : ''}` : ` — ${r.detail}`;
  log(`  [${i + 1}/${total}] ${r.input} ${r.options}: ${r.status ?? 'no answer'}${timing}${mem}${tail}`);
}

/** All `count` cold thumbnails at once, on an agent with a socket each. */
async function burst({ worker, keys, timeoutMs }) {
  const agent = keepAliveAgent(keys.length);
  const started = Date.now();
  const answers = await Promise.all(
    keys.map(({ key }) =>
      transformRequest(worker, key, BURST_OPTIONS, { timeoutMs, agent }).then(
        (r) => ({ status: r.status, detail: r.detail, wallMs: r.wallMs, memPeakBytes: meterBytes(r.descriptions, 'mem-peak') }),
        (error) => ({ status: null, detail: error.message.replace(/^GET \S+: /, ''), wallMs: null, memPeakBytes: null }),
      ),
    ),
  );
  agent.destroy();
  const statuses = {};
  const details = {};
  for (const a of answers) {
    const status = a.status ?? 'no answer';
    statuses[status] = (statuses[status] ?? 0) + 1;
    if (a.status !== 200) details[`${status} ${a.detail}`] = (details[`${status} ${a.detail}`] ?? 0) + 1;
  }
  const walls = answers.map((a) => a.wallMs).filter(Number.isFinite);
  const peaks = answers.map((a) => a.memPeakBytes).filter(Number.isFinite);
  return {
    count: keys.length,
    options: BURST_OPTIONS,
    served: statuses[200] ?? 0,
    statuses,
    details,
    seconds: (Date.now() - started) / 1000,
    maxWallMs: walls.length ? Math.max(...walls) : null,
    maxMemPeakMB: peaks.length ? toMB(Math.max(...peaks)) : null,
  };
}

/**
 * @param {{ smoke: boolean, plan: { sectionMs: number, requestTimeoutMs: number, burstCount: number,
 *   burstReserveMs: number, burstTimeoutMs: number }, log }} context
 */
export async function measureMatrix({ smoke, plan, log }) {
  const inputs = await prepareMatrixInputs({ smoke, log });
  // The section's bound runs from here: uploads, worker start, matrix and burst (inputs are made once and kept).
  const started = Date.now();
  const deadline = started + plan.sectionMs;
  const renditions = smoke ? SMOKE_RENDITIONS : RENDITIONS;
  const planned = plannedRequests(inputs, renditions);
  const keys = burstKeys(inputs, plan.burstCount);
  log(`  uploading ${planned.length + keys.length} originals…`);
  await putOriginals([...planned, ...keys].map(({ key, input }) => ({ key, file: input.file })), STATE_DIR);
  const uploadSeconds = (Date.now() - started) / 1000;
  // The worker runs from a copy of its sources: an edit in the checkout would otherwise restart its runtime mid-matrix.
  const snapshot = snapshotSources(SNAPSHOT_DIR);
  const qualities = edgepixDefaultQualities(snapshot.cwd);
  const sharpRef = await startSharpReference();
  const workerOptions = { name: 'matrix', config: snapshot.config, cwd: snapshot.cwd, persistTo: STATE_DIR, vars: MEMORY_METER_VARS };
  try {
    return await withWorker(workerOptions, async (worker) => {
      const idle = worker.memory().rssBytes;
      const idleCode = jitCodeBytes(worker.runtimePid);
      worker.resetPeak(); // start-up's own peak is not the matrix's
      // Every decoder and encoder compiled and instantiated: counted in the growth, not in a first request's time.
      await warmUp(worker);
      await warmUpEncoders(worker);
      const requests = [];
      let unansweredInARow = 0;
      let stoppedEarly = null;
      for (const [i, p] of planned.entries()) {
        if (Date.now() > deadline - STOP_MARGIN_MS - plan.burstReserveMs) {
          stoppedEarly = `section deadline (${plan.sectionMs / 60_000} min): ${planned.length - i} requests not sent`;
          break;
        }
        const timeoutMs = Math.min(plan.requestTimeoutMs, Math.max(1_000, deadline - STOP_MARGIN_MS - plan.burstReserveMs - Date.now()));
        const record = await measureOne({ worker, sharpRef, qualities, planned: p, timeoutMs });
        if (worker.isAlive()) {
          // The process after this request, over idle: where the section's VmHWM growth comes from.
          const after = worker.memory();
          record.process = { rssMB: toMB(after.rssBytes - idle), vmHwmMB: toMB(after.peakBytes - idle), jitCodeMB: toMB(jitCodeBytes(worker.runtimePid) - idleCode) };
        }
        requests.push(record);
        logRecord(log, record, i, planned.length);
        unansweredInARow = record.unanswered ? unansweredInARow + 1 : 0;
        if (!worker.isAlive()) {
          stoppedEarly = `the workerd runtime died after request ${i + 1}`;
          break;
        }
        if (unansweredInARow >= MAX_CONSECUTIVE_UNANSWERED) {
          stoppedEarly = `${MAX_CONSECUTIVE_UNANSWERED} unanswered requests in a row after request ${i + 1}`;
          break;
        }
      }
      await sleep(WAIT_UNTIL_SETTLE_MS);
      const alive = worker.isAlive();
      const memory = alive ? worker.memory() : null;
      const result = {
        inputs: inputs.map(({ file, ...input }) => ({ ...input, file: path.relative(ROOT, file) })),
        renditions,
        planned: planned.length,
        qualities,
        // The worker measured: the working tree when the section started (HEAD plus these uncommitted files).
        uncommittedSources: snapshot.uncommitted,
        requests,
        stoppedEarly,
        uploadSeconds,
        idleMB: toMB(idle),
        vmHwmGrowthMB: memory ? toMB(memory.peakBytes - idle) : null,
        afterMB: memory ? toMB(memory.rssBytes - idle) : null,
      };
      log(`  VmHWM over idle across the matrix: +${result.vmHwmGrowthMB?.toFixed(0) ?? '?'} MB${stoppedEarly ? `; stopped early: ${stoppedEarly}` : ''}`);
      const remaining = deadline - STOP_MARGIN_MS - Date.now();
      if (!alive || (stoppedEarly && unansweredInARow >= MAX_CONSECUTIVE_UNANSWERED)) {
        result.burst = { skipped: 'the worker no longer answers' };
      } else if (remaining < 5_000) {
        result.burst = { skipped: 'no time left in the section' };
      } else {
        log(`  ${keys.length} cold ${BURST_OPTIONS} at once…`);
        worker.resetPeak();
        const rss = worker.memory().rssBytes;
        result.burst = await burst({ worker, keys, timeoutMs: Math.min(plan.burstTimeoutMs, remaining) });
        await sleep(WAIT_UNTIL_SETTLE_MS);
        if (worker.isAlive()) result.burst.vmHwmOverRssBeforeMB = toMB(worker.memory().peakBytes - rss);
        else result.burst.crashed = true;
        log(`  burst: ${result.burst.served}/${keys.length} served ${JSON.stringify(result.burst.statuses)} in ${result.burst.seconds.toFixed(1)} s`);
      }
      result.seconds = (Date.now() - started) / 1000;
      return result;
    });
  } finally {
    await sharpRef.stop();
  }
}
