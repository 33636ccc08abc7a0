/**
 * Issue 11's bench: a 200-frame 480×270 animated GIF (made once with sharp)
 * resized to 200 px wide as animated WebP, cold, in a worker with
 * BENCH_MEMORY_METER on. Records per run the wall and runtime CPU time,
 * Server-Timing mem-peak (charged memory) and the runtime's RSS peak over
 * idle, the output's frame count and delays as sharp reads them, and the
 * same resize by single-threaded sharp (`animated: true`, Lanczos3, WebP
 * effort 4) in its own process.
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { transformRequest } from '../edgepix.mjs';
import { EDGEPIX_CONFIG, FIXTURES_DIR, INPUTS_DIR, STATE_DIR } from '../paths.mjs';
import { putOriginals } from '../r2.mjs';
import { toMB } from '../procfs.mjs';
import { startSharpReference } from '../sharp-ref.mjs';
import { median } from '../stats.mjs';
import { withWorker } from '../worker.mjs';

const FRAMES = 200;
const WIDTH = 480;
const HEIGHT = 270;
const DELAY_MS = 40;
const OUTPUT_WIDTH = 200;
const FILE = path.join(INPUTS_DIR, `animated-${FRAMES}x${WIDTH}x${HEIGHT}.gif`);
const key = (run) => `bench/animation/${run}/animated.gif`;
const WARMUP_KEY = 'bench/animation/warmup.gif';
const WARMUP_FILE = path.join(FIXTURES_DIR, 'formats/rotating-squares.gif');

/** A gradient that shifts with each frame and a square that crosses it: every frame differs everywhere. */
async function makeInput() {
  if (fs.existsSync(FILE)) return;
  fs.mkdirSync(INPUTS_DIR, { recursive: true });
  const raw = Buffer.alloc(WIDTH * HEIGHT * FRAMES * 4);
  for (let f = 0; f < FRAMES; f++) {
    const square = { x: Math.round((f / FRAMES) * (WIDTH - 60)), y: Math.round(HEIGHT / 2 - 30 + 60 * Math.sin(f / 10)) };
    for (let y = 0; y < HEIGHT; y++) {
      for (let x = 0; x < WIDTH; x++) {
        const i = ((f * HEIGHT + y) * WIDTH + x) * 4;
        const inside = x >= square.x && x < square.x + 60 && y >= square.y && y < square.y + 60;
        raw[i] = inside ? 250 : (x + f * 3) & 255;
        raw[i + 1] = inside ? 40 : (y * 2 + f) & 255;
        raw[i + 2] = inside ? 60 : 128 + ((x ^ y) & 63);
        raw[i + 3] = 255;
      }
    }
  }
  await sharp(raw, { raw: { width: WIDTH, height: HEIGHT * FRAMES, channels: 4, pageHeight: HEIGHT } })
    .gif({ delay: Array(FRAMES).fill(DELAY_MS), loop: 0 })
    .toFile(`${FILE}.tmp`);
  fs.renameSync(`${FILE}.tmp`, FILE);
}

const bytesOf = (descriptions, name) => (descriptions?.[name] ? Number(descriptions[name]) : null);

export async function measureAnimation({ runs, log }) {
  await makeInput();
  await putOriginals([{ key: WARMUP_KEY, file: WARMUP_FILE }, ...[...Array(runs).keys()].map((run) => ({ key: key(run), file: FILE }))], STATE_DIR);
  const { delay } = await sharp(FILE, { animated: true }).metadata();
  const options = `width=${OUTPUT_WIDTH},format=webp`;
  const edgepix = [];
  // A fresh worker a run: the meter counts dropped buffers until V8 collects them, and WASM memories only grow.
  for (let run = 0; run < runs; run++) {
    const sample = await withWorker({ name: `animation-${run}`, config: EDGEPIX_CONFIG, persistTo: STATE_DIR, vars: { BENCH_MEMORY_METER: 'true' } }, async (worker) => {
      const idle = worker.memory().rssBytes;
      // A small GIF first brings up the GIF reader, the resampler and libwebp.
      await transformRequest(worker, WARMUP_KEY, options);
      worker.resetPeak();
      const response = await transformRequest(worker, key(run), options);
      const meta = response.status === 200 ? await sharp(response.body, { animated: true }).metadata() : {};
      return {
        status: response.status,
        detail: response.detail,
        wallMs: response.wallMs,
        cpuMs: response.cpuMs,
        memIdleMB: toMB(bytesOf(response.descriptions, 'mem-idle')),
        memPeakMB: toMB(bytesOf(response.descriptions, 'mem-peak')),
        rssGrowthMB: toMB(worker.memory().peakBytes - idle),
        outputBytes: response.body.length,
        frames: meta.pages,
        size: meta.width && `${meta.width}×${meta.pageHeight}`,
        delaysKept: JSON.stringify(meta.delay) === JSON.stringify(delay),
        loop: meta.loop,
      };
    });
    log(`  run ${run}: ${JSON.stringify(sample)}`);
    edgepix.push(sample);
  }
  const reference = await startSharpReference();
  const sharpRuns = [];
  try {
    for (let run = 0; run < runs; run++) sharpRuns.push(await reference.timeAnimatedResize(FILE, OUTPUT_WIDTH));
  } finally {
    await reference.stop();
  }
  const summary = {
    input: `${FRAMES} frames ${WIDTH}×${HEIGHT} GIF, ${(fs.statSync(FILE).size / 1e6).toFixed(1)} MB`,
    transform: options,
    medianWallMs: median(edgepix.map((s) => s.wallMs)),
    medianCpuMs: median(edgepix.map((s) => s.cpuMs)),
    maxMemPeakMB: Math.max(...edgepix.map((s) => s.memPeakMB ?? 0)),
    maxRssGrowthMB: Math.max(...edgepix.map((s) => s.rssGrowthMB ?? 0)),
    sharpMedianWallMs: median(sharpRuns.map((s) => s.wallMs)),
    sharpMedianCpuMs: median(sharpRuns.map((s) => s.cpuMs)),
    sharpOutputBytes: sharpRuns[0]?.bytes,
  };
  log(`  ${JSON.stringify(summary)}`);
  return { samples: edgepix, sharp: sharpRuns, summary };
}
