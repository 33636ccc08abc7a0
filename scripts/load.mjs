#!/usr/bin/env node
// `npm run load [-- --duration 60 --connections 32 --only edge,miss,…]`: a fixed mix of traffic against one local worker.
//
// Starts `wrangler dev` as `npm start` does (local R2 and Cache API, unsigned URLs allowed, an
// ADMIN_TOKEN), but on a free 127.0.0.1 port, with its state in a new temporary directory and its
// secrets in a generated --env-file: the developer's .wrangler/state and .dev.vars are never read.
// Seeds a few originals through the management API, checks that every class of request answers as
// expected, then runs all classes at once with autocannon for --duration seconds, their connections
// adding up to --connections, and prints req/s and p50/p99 latency per class, the count of 5xx and the
// runtime workerd's memory (VmRSS, VmHWM from /proc) before, during and after, and after a forced GC of
// each of its isolates. Exits 1 on any 5xx or connection error. The worker's process group is killed on
// exit, on Ctrl-C and on failure. Requests go to the public port, the GCs to the runtime's own inspector,
// without wrangler's inspector proxy (see `Traffic goes to the public port` below).
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseServerTiming, request } from '../bench/lib/http.mjs';
import { EDGEPIX_CONFIG, ROOT } from '../bench/lib/paths.mjs';
import { toMB } from '../bench/lib/procfs.mjs';
import { sleep } from '../bench/lib/stats.mjs';
import { fixed, renderTable } from '../bench/lib/table.mjs';
import { openInspector } from '../bench/lib/inspector.mjs';
import { killWorkerGroups, startWorker } from '../bench/lib/worker.mjs';

const FIXTURES = path.join(ROOT, 'test/fixtures');
/** Originals the mix transforms (900×600 JPEG, WebP and PNG, 1920×1080 JPEG), uploaded through the API. */
const ORIGINALS = {
  'load/baseline.jpg': 'derived/baseline.jpg',
  'load/progressive.jpg': 'derived/progressive.jpg',
  'load/lossy.webp': 'derived/lossy.webp',
  'load/palette.png': 'derived/palette.png',
  'load/flowers.jpg': 'formats/flowers.jpeg',
};
/** What the upload class sends, each time to a new key (320×240 JPEG, 81 KB). */
const UPLOAD_FILE = path.join(FIXTURES, 'formats/320x240.jpg');
/** Invalid option strings: each is a 400 before any R2 call. */
const BAD_OPTIONS = ['width=abc', 'width=-5', 'fit=banana', 'nonsense=1', 'width=20000', 'quality=101', 'width=100,width=200'];
/** Share of the connections per class, in this order (32 connections: 12, 7, 4, 2, 3, 4). */
const WEIGHTS = { edge: 12, variant: 7, miss: 4, upload: 2, notFound: 3, badInput: 4 };
/** Odd widths 41…899 px: below every original's width (a real resize), never the edge or variant classes' widths. */
const MISS_WIDTHS = 430;
const MISS_FORMATS = ['webp', 'jpeg'];
const REQUEST_TIMEOUT_S = 30;
/** autocannon's error for a request unanswered within REQUEST_TIMEOUT_S. */
const TIMEOUT_MESSAGE = 'request timed out';
const MEMORY_SAMPLE_MS = 10_000;
const SETTLE_MS = 2_000;
const VARIANT_WAIT_MS = 10_000;

function parseArgs(argv) {
  const options = { duration: 60, connections: 32, only: Object.keys(WEIGHTS) };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const value = () => Number(inline ?? argv[++i]);
    if (flag === '--duration') options.duration = value();
    else if (flag === '--connections') options.connections = value();
    else if (flag === '--only') options.only = (inline ?? argv[++i] ?? '').split(',').filter(Boolean);
    else usage(`unknown argument ${argv[i]}`);
  }
  if (!(Number.isInteger(options.duration) && options.duration > 0)) usage('--duration must be a whole number of seconds');
  const unknown = options.only.filter((name) => !(name in WEIGHTS));
  if (unknown.length || options.only.length === 0) usage(`unknown class ${unknown.join(', ')}`);
  const classes = options.only.length;
  if (!(Number.isInteger(options.connections) && options.connections >= classes)) usage(`--connections must be a whole number ≥ ${classes}`);
  return options;
}

function usage(problem) {
  console.error(
    `${problem}\nusage: npm run load -- [--duration <seconds, default 60>] [--connections <n, default 32>] [--only <class>,…]` +
      `\n  classes: ${Object.keys(WEIGHTS).join(', ')}`,
  );
  process.exit(2);
}

/** `connections` split by WEIGHTS among the classes `names`, at least one each, summing exactly to `connections`. */
function splitConnections(connections, names) {
  const total = names.reduce((sum, name) => sum + WEIGHTS[name], 0);
  const split = Object.fromEntries(names.map((name) => [name, Math.max(1, Math.round((connections * WEIGHTS[name]) / total))]));
  const largest = names.reduce((a, b) => (WEIGHTS[a] >= WEIGHTS[b] ? a : b));
  split[largest] += connections - Object.values(split).reduce((sum, n) => sum + n, 0);
  return split;
}

const header = (headers, name) => {
  const found = Object.entries(headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return found ? String(found[1]) : undefined;
};

const imagePath = (options, key) => `/img/${options}/${key}`;

/** The slug of a problem+json body (`busy` of `…#problem-busy`), which says which 503 it was. */
const problemSlug = (body) => /#problem-([a-z-]+)"/.exec(String(body ?? ''))?.[1];

/*
 * Traffic goes to the public port, as a browser reaches `npm start`: through wrangler dev's proxy workerd,
 * which forwards every request to the runtime. What used to stall long runs was wrangler's inspector
 * proxy, in that process: it held the Worker's inspector session, received edgepix's log line of every
 * request, grew (930 MB after 180 s) and stopped answering. It is left out (`inspectorProxy: false`).
 * Straight to the runtime's own entry socket (tried), hits ran unthrottled on its one thread beside
 * miniflare's simulators: misses waited past TRANSFORM_TIME_LIMIT (503) and connections were reset.
 */

/**
 * The classes of the mix. `next()` gives the n-th request of a class; `expect(status, tier)` says
 * whether an answer is the one that class exists to measure. Host headers: edgepix keys its Cache API
 * entries on the request's origin, so a Host never used before misses the edge cache and is answered
 * from the R2 variant (as in bench/lib/sections/tiers.mjs).
 */
function defineClasses(adminToken, runId) {
  const counters = {};
  const count = (name) => (counters[name] = (counters[name] ?? 0) + 1) - 1;
  const originals = Object.keys(ORIGINALS);
  const uploadBody = fs.readFileSync(UPLOAD_FILE);
  return {
    edge: {
      title: 'edge hit (same URL)',
      next: () => ({ path: imagePath('width=320,format=webp', 'load/baseline.jpg') }),
      expect: (status, tier) => status === 200 && tier === 'edge',
    },
    variant: {
      title: 'R2 variant hit (new Host)',
      next: () => ({ path: imagePath('width=240,format=webp', 'load/progressive.jpg'), headers: { host: `v${count('variant')}.${runId}.load.invalid` } }),
      expect: (status, tier) => status === 200 && tier === 'variant',
    },
    miss: {
      title: 'miss (new width: transform)',
      next: () => {
        // Every original and format in turn; a new width once all were asked (unique for 4300 requests).
        const n = count('miss');
        const key = originals[n % originals.length];
        const format = MISS_FORMATS[Math.floor(n / originals.length) % MISS_FORMATS.length];
        const width = 41 + 2 * (Math.floor(n / (originals.length * MISS_FORMATS.length)) % MISS_WIDTHS);
        return { path: imagePath(`width=${width},format=${format}`, key) };
      },
      expect: (status, tier) => status === 200 && tier === 'miss',
    },
    upload: {
      title: 'upload (PUT, 81 KB JPEG)',
      method: 'PUT',
      body: uploadBody,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'image/jpeg' },
      next: () => ({ path: `/api/v1/images/load/uploads/${runId}-${count('upload')}.jpg` }),
      expect: (status) => status === 201,
    },
    notFound: {
      title: '404 (no such original)',
      next: () => ({ path: imagePath('width=200', `load/missing/${count('notFound')}.jpg`) }),
      expect: (status) => status === 404,
    },
    badInput: {
      title: '400 (invalid options)',
      next: () => ({ path: imagePath(BAD_OPTIONS[count('badInput') % BAD_OPTIONS.length], 'load/baseline.jpg') }),
      expect: (status) => status === 400,
    },
  };
}

/** One request of a class outside the measurement, through bench/lib/http.mjs. */
async function sendOnce(base, cls) {
  const { path: urlPath, headers = {} } = cls.next();
  const response = await request(`${base}${urlPath}`, {
    method: cls.method ?? 'GET',
    headers: { ...(cls.headers ?? {}), ...headers },
    body: cls.body,
  });
  return { status: response.status, tier: response.headers['x-edgepix-cache'], body: response.body };
}

async function seed(base, adminToken) {
  for (const [key, file] of Object.entries(ORIGINALS)) {
    const response = await request(`${base}/api/v1/images/${key}?overwrite=true`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/octet-stream' },
      body: fs.readFileSync(path.join(FIXTURES, file)),
    });
    if (response.status !== 201) throw new Error(`seeding ${key}: ${response.status} ${response.body.toString('utf8').slice(0, 300)}`);
  }
}

/**
 * Makes every class answer as it will under load before the clock starts: the edge URL cached, the
 * variant stored in R2 (written after the first response, in waitUntil), the codecs compiled, and one
 * request of every other class checked. Throws naming the class that does not answer as expected.
 */
async function prepare(base, classes) {
  // Compile and instantiate the codecs (one transform per original and output format, widths the mix never asks).
  for (const [i, key] of Object.keys(ORIGINALS).entries()) {
    for (const [j, format] of MISS_FORMATS.entries()) {
      const response = await request(`${base}${imagePath(`width=${1000 + i * 10 + j},format=${format}`, key)}`);
      if (response.status !== 200) throw new Error(`warm-up transform of ${key} to ${format}: ${response.status}`);
    }
  }
  const untilTier = async (name, tier) => {
    const deadline = Date.now() + VARIANT_WAIT_MS;
    for (;;) {
      const answer = await sendOnce(base, classes[name]);
      if (answer.tier === tier) return;
      if (Date.now() > deadline) throw new Error(`${name}: still ${answer.status} ${answer.tier ?? ''} after ${VARIANT_WAIT_MS} ms, not ${tier}`);
      await sleep(50);
    }
  };
  await untilTier('edge', 'edge');
  await untilTier('variant', 'variant');
  for (const [name, cls] of Object.entries(classes)) {
    const answer = await sendOnce(base, cls);
    if (!cls.expect(answer.status, answer.tier)) {
      throw new Error(`${name}: answered ${answer.status} ${answer.tier ?? ''} ${answer.body.toString('utf8').slice(0, 200)}`);
    }
  }
}

let probes = 0;

/** `mem-idle` of a new transform (Server-Timing with BENCH_MEMORY_METER): bytes edgepix's meter charges at rest. */
async function chargedBytes(base) {
  const response = await request(`${base}${imagePath(`width=${1200 + probes++},format=webp`, 'load/baseline.jpg')}`);
  const value = parseServerTiming(response.headers['server-timing']).descriptions['mem-idle'];
  return value === undefined ? null : Number(value);
}

/** JS heap in use of one isolate before and after a full GC (a heap snapshot: see bench/lib/inspector.mjs). */
async function collectIsolate(url) {
  const inspector = await openInspector(url);
  try {
    const { usedSize: before } = await inspector.send('Runtime.getHeapUsage');
    await inspector.fullGc();
    const { usedSize: after } = await inspector.send('Runtime.getHeapUsage');
    return { before, after };
  } finally {
    inspector.close();
  }
}

/**
 * A full GC of every isolate in the runtime workerd, one after another: edgepix's, and those of miniflare's
 * simulators, asset router and entry, which hold garbage of their own (V8 collects a heap only once it has
 * grown enough). Resolves with the JS heap in use before and after, edgepix's and the others' summed, and
 * the RSS once settled; never fails the run.
 */
async function collectAllGarbage(worker) {
  try {
    const heaps = { edgepix: { before: 0, after: 0 }, others: { before: 0, after: 0, count: 0 } };
    for (const isolate of await worker.isolates()) {
      const { before, after } = await collectIsolate(isolate.url);
      const heap = isolate.worker ? heaps.edgepix : heaps.others;
      heap.before += before;
      heap.after += after;
      if (!isolate.worker) heaps.others.count++;
    }
    await sleep(SETTLE_MS);
    return { ...heaps, rssBytes: worker.memory().rssBytes };
  } catch (error) {
    return { error: error.message };
  }
}

/** autocannon's result, and each failed request's error to `onError` (the promise form gives no instance to listen on). */
function runAutocannon(options, onError) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    instance.on('reqError', onError);
  });
}

/** One autocannon instance per class, all at once; resolves with each class's result and tally. */
function runMix(base, classes, split, duration) {
  return Promise.all(
    Object.entries(split).map(async ([name]) => {
      const cls = classes[name];
      const tally = { unexpected: 0, example: null, error: null };
      const result = await runAutocannon({
        url: base,
        connections: split[name],
        duration,
        timeout: REQUEST_TIMEOUT_S,
        method: cls.method ?? 'GET',
        headers: cls.headers ?? {},
        body: cls.body,
        requests: [
          {
            setupRequest: (req) => {
              const { path: urlPath, headers } = cls.next();
              req.path = urlPath;
              if (headers) req.headers = { ...req.headers, ...headers };
              return req;
            },
            onResponse: (status, body, _context, headers) => {
              const tier = header(headers, 'x-edgepix-cache');
              if (cls.expect(status, tier)) return;
              tally.unexpected++;
              tally.example ??= [status, tier, problemSlug(body)].filter(Boolean).join(' ');
            },
          },
        ],
      }, (error) => {
        if (error.message !== TIMEOUT_MESSAGE) tally.error ??= error.code ?? error.message;
      });
      return { name, cls, result, tally };
    }),
  );
}

const statusCount = (result, test) =>
  Object.entries(result.statusCodeStats ?? {}).reduce((sum, [code, { count }]) => sum + (test(Number(code)) ? Number(count) : 0), 0);

/** autocannon counts a request unanswered after REQUEST_TIMEOUT_S as an error too; say how many errors were that, and what one other was. */
const errorsCell = (errors, timeouts, example) => {
  const kinds = [timeouts ? `${timeouts} timeouts` : null, errors > timeouts && example ? `e.g. ${example}` : null].filter(Boolean);
  return kinds.length ? `${errors} (${kinds.join('; ')})` : String(errors);
};

function report(outcomes, memory, options) {
  const rows = outcomes.map(({ name, cls, result, tally }) => ({
    cells: [
      cls.title,
      String(result.connections),
      String(result.requests.total),
      fixed(result.requests.total / result.duration, 1),
      fixed(result.latency.p50, 0),
      fixed(result.latency.p99, 0),
      String(statusCount(result, (code) => code >= 500)),
      errorsCell(result.errors, result.timeouts, tally.error),
      tally.unexpected ? `${tally.unexpected} (e.g. ${tally.example})` : '0',
    ],
    name,
  }));
  const total = (pick) => outcomes.reduce((sum, o) => sum + pick(o), 0);
  const seconds = Math.max(...outcomes.map((o) => o.result.duration));
  rows.push({ rule: true });
  rows.push({
    cells: [
      'all',
      String(total((o) => o.result.connections)),
      String(total((o) => o.result.requests.total)),
      fixed(total((o) => o.result.requests.total) / seconds, 1),
      null,
      null,
      String(total((o) => statusCount(o.result, (code) => code >= 500))),
      errorsCell(total((o) => o.result.errors), total((o) => o.result.timeouts)),
      String(total((o) => o.tally.unexpected)),
    ],
  });
  const columns = [
    { title: 'class', align: 'left' },
    { title: 'conn' },
    { title: 'requests' },
    { title: 'req/s' },
    { title: 'p50 ms' },
    { title: 'p99 ms' },
    { title: '5xx' },
    { title: 'errors' },
    { title: 'unexpected', align: 'left' },
  ];
  console.log(`\n${options.duration} s at concurrency ${options.connections}, one local workerd (wrangler dev, no inspector proxy):\n`);
  console.log(renderTable(columns, rows));
  const mb = (bytes) => `${toMB(bytes).toFixed(1)} MB`;
  console.log(
    `\nruntime workerd memory: RSS ${mb(memory.before.rssBytes)} before → ${mb(memory.after.rssBytes)} after ` +
      `(${mb(memory.settled.rssBytes)} ${SETTLE_MS / 1000} s later); peak (VmHWM) during the run ${mb(memory.after.peakBytes)}`,
  );
  console.log(`RSS every ${MEMORY_SAMPLE_MS / 1000} s: ${memory.samples.map((b) => toMB(b).toFixed(0)).join(', ')} MB`);
  const heap = ({ before, after }) => `${toMB(before).toFixed(1)} → ${toMB(after).toFixed(1)} MB`;
  const gc = (m) =>
    m.error
      ? `not measured (${m.error})`
      : `RSS ${mb(m.rssBytes)}; JS heap in use, before → after the GC: edgepix ${heap(m.edgepix)}, miniflare's ${m.others.count} other isolates ${heap(m.others)}`;
  console.log(`after a forced GC of every isolate:\n  before the run ${gc(memory.gcBefore)}\n  after it ${gc(memory.afterGc)}`);
  const charged = (bytes) => (bytes == null ? '?' : mb(bytes));
  console.log(`edgepix's charged memory (WASM memories, live large buffers; mem-idle): ${charged(memory.chargedBefore)} before → ${charged(memory.chargedAfter)} after`);
  return { fiveXx: total((o) => statusCount(o.result, (code) => code >= 500)), errors: total((o) => o.result.errors) };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgepix-load-'));
  const cleanUp = () => {
    killWorkerGroups();
    fs.rmSync(tempDir, { recursive: true, force: true });
  };
  process.on('exit', cleanUp);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      console.error(`\n${signal}: stopping the worker`);
      process.exit(130);
    });
  }

  const secret = () => randomBytes(32).toString('base64url');
  const adminToken = secret();
  const envFile = path.join(tempDir, 'load.vars');
  // What `npm start` writes to .dev.vars, generated afresh for this run (startWorker turns OPTIMIZE off).
  fs.writeFileSync(envFile, `SIGNING_KEYS=load:${secret()}\nALLOW_UNSIGNED=true\nADMIN_TOKEN=${adminToken}\n`, { mode: 0o600 });

  console.log(`Starting the worker (state in ${tempDir})…`);
  const worker = await startWorker({
    name: 'load',
    config: EDGEPIX_CONFIG,
    persistTo: path.join(tempDir, 'state'),
    envFile,
    processGroup: true,
    // The forced GCs reach every isolate through the runtime's own inspector. wrangler's inspector proxy
    // would hold the Worker's one session and receive its log line of every request.
    inspectorProxy: false,
    // Server-Timing mem-idle: what edgepix's own meter charges (WASM memories, live large buffers).
    vars: { BENCH_MEMORY_METER: 'true' },
  });
  try {
    const base = worker.url;
    console.log(`edgepix on ${base}, runtime workerd pid ${worker.runtimePid}; seeding ${Object.keys(ORIGINALS).length} originals…`);
    await seed(base, adminToken);
    const classes = defineClasses(adminToken, randomBytes(4).toString('hex'));
    await prepare(base, classes);
    const split = splitConnections(options.connections, options.only);
    console.log(`Running the mix for ${options.duration} s: ${Object.entries(split).map(([name, n]) => `${name} ${n}`).join(', ')} connections…`);

    await sleep(SETTLE_MS);
    const gcBefore = await collectAllGarbage(worker);
    const chargedBefore = await chargedBytes(base);
    const before = worker.memory();
    worker.resetPeak(); // the peak of the run, not of start-up and warm-up
    const samples = [before.rssBytes];
    const sampler = setInterval(() => samples.push(worker.memory().rssBytes), MEMORY_SAMPLE_MS);
    let outcomes;
    try {
      outcomes = await runMix(base, classes, split, options.duration);
    } finally {
      clearInterval(sampler);
    }
    if (!worker.isAlive()) throw new Error(`the runtime workerd (pid ${worker.runtimePid}) is gone; see ${worker.logFile}`);
    const after = worker.memory();
    await sleep(SETTLE_MS);
    const settled = worker.memory();
    samples.push(settled.rssBytes);
    // What a full GC frees was garbage V8 had not collected yet; what stays is held.
    const afterGc = await collectAllGarbage(worker);
    const chargedAfter = await chargedBytes(base);

    const { fiveXx, errors } = report(outcomes, { before, after, settled, samples, gcBefore, afterGc, chargedBefore, chargedAfter }, options);
    if (fiveXx || errors) {
      console.error(`\nFAIL: ${fiveXx} responses were 5xx and ${errors} requests failed (worker log: ${worker.logFile})`);
      process.exitCode = 1;
    }
  } finally {
    await worker.stop();
  }
}

main().catch((error) => {
  console.error(error.stack ?? error);
  process.exitCode = 1;
});
