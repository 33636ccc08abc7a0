/**
 * The "no ratchet" check: one fresh worker serves a fixed pseudo-random mix
 * of transforms (every fixture photo, widths 64–2048 px, every output format,
 * every fit), then its RSS is compared with its idle RSS. Memory a worker
 * keeps after big jobs (WASM memories only grow) shows up here. Then, through
 * the inspector, the JS heap V8 counts as used, and the RSS once more after a
 * forced full GC: what that frees was garbage (dropped WASM instances), what
 * stays is held.
 */
import { originalKey, transformRequest } from '../edgepix.mjs';
import { EDGEPIX_CONFIG, STATE_DIR } from '../paths.mjs';
import { toMB } from '../procfs.mjs';
import { seededRandom, sleep } from '../stats.mjs';
import { openInspector } from '../inspector.mjs';
import { withWorker } from '../worker.mjs';

const OUTPUT_FORMATS = ['jpeg', 'png', 'webp', 'avif'];
const FITS = ['scale-down', 'contain', 'cover', 'crop', 'pad', 'squeeze'];
const ASPECTS = [0.5, 0.75, 1, 4 / 3];
const [MIN_SIDE, MAX_SIDE] = [64, 2048];
const SETTLE_MS = 1_000;
/** No transform in the mix takes seconds when healthy: a silent request is a hung one. */
const REQUEST_TIMEOUT_MS = 30_000;
/** Two silent requests in a row mean the worker no longer answers; the mix stops there. */
const MAX_CONSECUTIVE_FAILURES = 2;

const photosOf = (inputs) => inputs.filter((input) => input.group === 'progressive');

export const mixedUploads = (inputs) => photosOf(inputs).map((input) => ({ key: originalKey('mixed', input), file: input.file }));

/** The n-th request of the mix; widths are log-uniform, so small thumbnails are as common as in real traffic. */
function mixedRequest(n, photos, random) {
  const side = () => Math.round(MIN_SIDE * (MAX_SIDE / MIN_SIDE) ** random());
  const width = side();
  const fit = FITS[Math.floor(random() * FITS.length)];
  const height = Math.min(MAX_SIDE, Math.max(MIN_SIDE, Math.round(width * ASPECTS[Math.floor(random() * ASPECTS.length)])));
  const format = OUTPUT_FORMATS[n % OUTPUT_FORMATS.length];
  const box = fit === 'scale-down' ? '' : `,height=${height}`;
  return { photo: photos[n % photos.length], options: `width=${width}${box},fit=${fit},format=${format}` };
}

/**
 * @param {{ inputs, count: number, deadlineMs: number, log }} context
 *   stops after `count` requests or `deadlineMs`, whichever comes first.
 */
export async function measureMixed({ inputs, count, deadlineMs, log }) {
  const photos = photosOf(inputs);
  return withWorker({ name: 'mixed', config: EDGEPIX_CONFIG, persistTo: STATE_DIR }, async (worker) => {
    const idle = worker.memory().rssBytes;
    worker.resetPeak(); // start-up's own peak is not the mix's
    const random = seededRandom(5);
    const statuses = {};
    const failures = [];
    const started = Date.now();
    let sent = 0;
    let consecutiveFailures = 0;
    while (sent < count && Date.now() - started < deadlineMs && consecutiveFailures < MAX_CONSECUTIVE_FAILURES) {
      const { photo, options } = mixedRequest(sent, photos, random);
      let status;
      try {
        status = (await transformRequest(worker, originalKey('mixed', photo), options, { timeoutMs: REQUEST_TIMEOUT_MS })).status;
      } catch (error) {
        status = 'no answer';
        failures.push({ n: sent, photo: photo.id, options, error: error.message });
      }
      consecutiveFailures = status === 'no answer' ? consecutiveFailures + 1 : 0;
      statuses[status] = (statuses[status] ?? 0) + 1;
      sent++;
    }
    const seconds = (Date.now() - started) / 1000;
    await sleep(SETTLE_MS);
    if (!worker.isAlive()) return { requests: sent, statuses, failures, crashed: true };
    const { rssBytes, peakBytes } = worker.memory();
    const afterGc = await collectGarbage(worker);
    const result = {
      requests: sent,
      seconds,
      statuses,
      failures,
      stoppedEarly: consecutiveFailures >= MAX_CONSECUTIVE_FAILURES ? 'the worker stopped answering' : null,
      idleMB: toMB(idle),
      afterMB: toMB(rssBytes - idle),
      peakMB: toMB(peakBytes - idle),
      jsHeapUsedMB: afterGc.jsHeapUsedMB,
      afterGcMB: afterGc.rssBytes == null ? null : toMB(afterGc.rssBytes - idle),
      gcError: afterGc.error,
    };
    log(
      `  ${sent} requests in ${seconds.toFixed(0)} s ${JSON.stringify(statuses)}: RSS +${result.afterMB.toFixed(1)} MB over idle ` +
        `(peak +${result.peakMB.toFixed(1)}); after a forced GC +${result.afterGcMB?.toFixed(1) ?? '?'} MB, JS heap in use ${result.jsHeapUsedMB?.toFixed(1) ?? '?'} MB` +
        (afterGc.error ? ` (${afterGc.error})` : ''),
    );
    return result;
  });
}

/** V8's JS heap in use, then a full GC and the RSS after it settles; never fails the section. */
async function collectGarbage(worker) {
  try {
    const inspector = await openInspector(worker.inspectorUrl);
    try {
      const { usedSize } = await inspector.send('Runtime.getHeapUsage');
      await inspector.fullGc();
      await sleep(SETTLE_MS);
      return { jsHeapUsedMB: toMB(usedSize), rssBytes: worker.memory().rssBytes };
    } finally {
      inspector.close();
    }
  } catch (error) {
    return { jsHeapUsedMB: null, rssBytes: null, error: error.message };
  }
}
