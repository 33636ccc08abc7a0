#!/usr/bin/env node
/**
 * `npm run bench`: measures edgepix against issue 5's and issue 9's targets
 * and prints their tables; also writes bench/results.json. See bench/README.md.
 *
 *   npm run bench                     full run (~10 min on 2 cores, plus the matrix: ≤ 12 min)
 *   npm run bench -- --smoke          one photo, one size (CI, < 1 min)
 *   npm run bench -- --only memory    one or more sections
 *   npm run bench -- --only matrix    issue 9's format × rendition matrix (≤ 12 min)
 *   npm run bench -- --only animation issue 11's 200-frame GIF → animated WebP (~1 min)
 *
 * Exits 0 whether or not targets are met: the bench informs, it never fails CI.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { parseArgs } from './lib/args.mjs';
import { warmUp, warmupUploads } from './lib/edgepix.mjs';
import { prepareInputs } from './lib/inputs.mjs';
import { startNaivePipeline } from './lib/naive.mjs';
import { EDGEPIX_CONFIG, RESULTS_FILE, ROOT, STATE_DIR, TRIVIAL_STATE_DIR, WORK_DIR } from './lib/paths.mjs';
import { putOriginals } from './lib/r2.mjs';
import { ISSUE5_SECTIONS, renderReport, summarize, summarizeMatrix } from './lib/report.mjs';
import { measureAnimation } from './lib/sections/animation.mjs';
import { measureMatrix } from './lib/sections/matrix.mjs';
import { measureMemory, memoryUploads } from './lib/sections/memory.mjs';
import { measureMixed, mixedUploads } from './lib/sections/mixed.mjs';
import { measureSpeed, speedUploads } from './lib/sections/speed.mjs';
import { measureThroughput } from './lib/sections/throughput.mjs';
import { measureTiers, tierUploads } from './lib/sections/tiers.mjs';
import { startSharpReference } from './lib/sharp-ref.mjs';
import { BENCH_TRANSFORM } from './lib/transform-spec.mjs';
import { withWorker } from './lib/worker.mjs';

/** Every loop's bound: repetitions, request counts and time limits. */
const PLANS = {
  full: {
    runs: 5,
    hugeRuns: 3,
    naiveRuns: 3,
    tierRuns: 5,
    animationRuns: 3,
    load: { connections: 8, durationMs: 8_000, maxRequests: 50_000, rounds: 4 },
    mixed: { count: 200, deadlineMs: 240_000 },
    // Bounds of issue 9's matrix: the section (uploads, worker, requests, burst), each request, the burst.
    matrix: { sectionMs: 12 * 60_000, requestTimeoutMs: 60_000, burstCount: 50, burstReserveMs: 100_000, burstTimeoutMs: 90_000 },
  },
  smoke: {
    runs: 2,
    hugeRuns: 1,
    naiveRuns: 1,
    tierRuns: 3,
    animationRuns: 1,
    load: { connections: 4, durationMs: 10_000, maxRequests: 20, rounds: 1 },
    mixed: null,
    matrix: { sectionMs: 3 * 60_000, requestTimeoutMs: 60_000, burstCount: 4, burstReserveMs: 40_000, burstTimeoutMs: 30_000 },
  },
};

const log = (line) => console.error(line);

function gitCommit() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** Runs one section; a failure is recorded and the bench goes on with the others. */
async function section(results, name, work) {
  log(`${name}…`);
  const started = Date.now();
  try {
    results[name] = await work();
  } catch (error) {
    log(`  ${name} failed: ${error.stack ?? error}`);
    (results.errors ??= {})[name] = String(error.message ?? error);
  }
  (results.meta.sectionSeconds ??= {})[name] = (Date.now() - started) / 1000;
}

async function main() {
  const { smoke, sections } = parseArgs(process.argv.slice(2));
  const plan = smoke ? PLANS.smoke : PLANS.full;
  const transform = BENCH_TRANSFORM;
  const started = Date.now();
  const results = {
    meta: {
      startedAt: new Date(started).toISOString(),
      commit: gitCommit(),
      node: process.version,
      cpus: os.cpus().length,
      loadAverage: { start: os.loadavg()[0] },
      smoke,
      sections: [...sections],
      transform,
      plan,
    },
  };

  const has = (name) => sections.has(name);
  const issue5 = ISSUE5_SECTIONS.some(has);
  log('inputs…');
  // The matrix makes its own inputs (lib/matrix-inputs.mjs).
  const inputs = issue5 ? await prepareInputs({ smoke }) : [];
  results.inputs = inputs.map(({ file, ...input }) => ({ ...input, file: file.replace(`${ROOT}`, '') }));

  // A fresh local R2 and Cache API for every run: nothing cached by an earlier run can answer.
  fs.rmSync(STATE_DIR, { recursive: true, force: true });
  fs.rmSync(TRIVIAL_STATE_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORK_DIR, { recursive: true });
  log('uploading originals to the local R2…');
  await putOriginals(
    [
      ...warmupUploads(),
      ...(has('speed') ? speedUploads(inputs, plan) : []),
      ...(has('tiers') || has('throughput') ? tierUploads(inputs) : []),
      ...(has('memory') ? memoryUploads(inputs) : []),
      ...(has('mixed') && plan.mixed ? mixedUploads(inputs) : []),
    ],
    STATE_DIR,
  );

  if (has('speed') || has('tiers') || has('throughput')) {
    await withWorker({ name: 'edgepix', config: EDGEPIX_CONFIG, persistTo: STATE_DIR, inspectorProxy: false }, async (worker) => {
      await warmUp(worker);
      if (has('speed')) {
        await section(results, 'speed', async () => {
          const [sharp, naive] = await Promise.all([startSharpReference(), startNaivePipeline()]);
          try {
            return await measureSpeed({ worker, inputs, sharp, naive, plan, transform, log });
          } finally {
            await Promise.all([sharp.stop(), naive.stop()]);
          }
        });
      }
      if (has('tiers')) await section(results, 'tiers', () => measureTiers({ worker, inputs, runs: plan.tierRuns, transform, log }));
      if (has('throughput')) {
        const input = inputs.find((i) => i.group === 'progressive');
        await section(results, 'throughput', () => measureThroughput({ worker, input, transform, load: plan.load, log }));
      }
    });
  }
  if (has('memory')) await section(results, 'memory', () => measureMemory({ inputs, transform, log }));
  if (has('mixed') && plan.mixed) await section(results, 'mixed', () => measureMixed({ inputs, ...plan.mixed, log }));
  // Its own worker with the memory meter on, and its own uploads (hundreds of MB: only when it runs).
  if (has('matrix')) await section(results, 'matrix', () => measureMatrix({ smoke, plan: plan.matrix, log }));
  // Issue 11: a 200-frame GIF resized as animated WebP, in a worker with the memory meter on.
  if (has('animation')) await section(results, 'animation', () => measureAnimation({ runs: plan.animationRuns, log }));

  results.meta.loadAverage.end = os.loadavg()[0];
  results.meta.seconds = (Date.now() - started) / 1000;
  if (issue5) results.summary = summarize(inputs, results);
  if (results.matrix) results.matrixSummary = summarizeMatrix(results.matrix);
  fs.writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  console.log(renderReport(inputs, results));
  log(`\nwrote ${RESULTS_FILE}`);
}

await main();
