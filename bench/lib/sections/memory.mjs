/**
 * Peak memory of one transform: a fresh worker process per input, because
 * WASM memories only grow and an earlier image would hide a later one's peak.
 *
 *   idle      runtime workerd's RSS once /healthz answers (no image yet)
 *   warm-up   one tiny transform of the same format (codecs instantiated)
 *   measure   VmHWM reset to the current RSS, one cold transform of the input,
 *             a pause for its waitUntil writes, then VmHWM read
 *
 * `growth` = peak − idle: all the memory this image made the worker take,
 * codec instantiation included (what a 128 MB isolate must hold).
 * `overWarm` = peak − RSS after the warm-up: the image's own working set.
 * The proxy workerd's growth is recorded too: it should stay near zero,
 * which shows the runtime is the right process to watch.
 */
import { originalKey, transformRequest, warmUp } from '../edgepix.mjs';
import { EDGEPIX_CONFIG, STATE_DIR } from '../paths.mjs';
import { readMemory, toMB } from '../procfs.mjs';
import { sleep } from '../stats.mjs';
import { edgepixOptions } from '../transform-spec.mjs';
import { withWorker } from '../worker.mjs';

const WAIT_UNTIL_SETTLE_MS = 500;

export const memoryUploads = (inputs) => inputs.map((input) => ({ key: originalKey('memory', input), file: input.file }));

async function measureOne(worker, input, transform) {
  const idle = worker.memory().rssBytes;
  const proxyIdle = worker.proxyPid ? readMemory(worker.proxyPid).rssBytes : null;
  await warmUp(worker, [input.format]);
  const warm = worker.memory().rssBytes;
  worker.resetPeak();
  let response;
  try {
    response = await transformRequest(worker, originalKey('memory', input), edgepixOptions(transform));
  } catch (error) {
    response = { status: 'error', detail: error.message };
  }
  await sleep(WAIT_UNTIL_SETTLE_MS);
  if (!worker.isAlive()) return { status: response.status, detail: 'the workerd runtime died', crashed: true };
  const { peakBytes, rssBytes } = worker.memory();
  return {
    status: response.status,
    detail: response.detail ?? null,
    wallMs: response.wallMs ?? null,
    idleMB: toMB(idle),
    growthMB: toMB(peakBytes - idle),
    overWarmMB: toMB(peakBytes - warm),
    afterMB: toMB(rssBytes - idle),
    proxyGrowthMB: worker.proxyPid ? toMB(readMemory(worker.proxyPid).peakBytes - proxyIdle) : null,
  };
}

export async function measureMemory({ inputs, transform, log }) {
  const results = {};
  for (const input of inputs) {
    results[input.id] = await withWorker({ name: `memory-${input.id}`, config: EDGEPIX_CONFIG, persistTo: STATE_DIR }, (worker) =>
      measureOne(worker, input, transform),
    );
    const r = results[input.id];
    log(`  ${input.id}: ${r.status}, peak +${r.growthMB?.toFixed(1) ?? '?'} MB over idle${r.detail ? ` — ${r.detail}` : ''}`);
  }
  return results;
}
