/**
 * The two cached tiers, told apart without restarting anything:
 * - R2 variant: edgepix keys its Cache API entries on the request's own
 *   origin, so a request with a Host never used before misses the Cache API
 *   and is answered from the R2 variant;
 * - Cache API: the same URL again, on the Host that stored it.
 * Every sample is checked against `X-Edgepix-Cache`; one answered by another
 * tier is not counted (and reported), so a change in edgepix's cache keys
 * shows up here instead of skewing the medians.
 */
import { originalKey, transformRequest } from '../edgepix.mjs';
import { median, medianByKey, sleep } from '../stats.mjs';
import { edgepixOptions } from '../transform-spec.mjs';

const VARIANT_WAIT_MS = 5_000;

export const tierUploads = (inputs) =>
  inputs.filter((input) => !input.mustRefuse).map((input) => ({ key: originalKey('tier', input), file: input.file }));

let hosts = 0;
const freshHost = () => `tier-${hosts++}.bench.invalid`;

/** Samples `runs` requests, keeping those answered by `tier`. */
async function sampleTier(runs, tier, send) {
  const samples = [];
  let wrongTier = 0;
  for (let n = 0; n < runs; n++) {
    const response = await send();
    if (response.status === 200 && response.tier === tier) samples.push(response);
    else wrongTier++;
  }
  return {
    medianWallMs: median(samples.map((s) => s.wallMs)),
    medianCpuMs: median(samples.map((s) => s.cpuMs)),
    stages: medianByKey(samples.map((s) => s.stages)),
    samples: samples.length,
    wrongTier,
  };
}

/** The first transform stores the R2 variant after its response (waitUntil): wait until it is there. */
async function waitForVariant(send) {
  const deadline = Date.now() + VARIANT_WAIT_MS;
  while (Date.now() < deadline) {
    if ((await send({ host: freshHost() })).tier === 'variant') return true;
    await sleep(50);
  }
  return false;
}

export async function measureTiers({ worker, inputs, runs, transform, log }) {
  const results = {};
  for (const input of inputs.filter((i) => !i.mustRefuse)) {
    const key = originalKey('tier', input);
    const send = (options) => transformRequest(worker, key, edgepixOptions(transform), options);
    const first = await send();
    if (first.status !== 200 || !(await waitForVariant(send))) {
      results[input.id] = { error: `first transform answered ${first.status}${first.detail ? `: ${first.detail}` : ''}` };
      continue;
    }
    const variant = await sampleTier(runs, 'variant', () => send({ host: freshHost() }));
    const hit = await sampleTier(runs, 'edge', () => send());
    results[input.id] = { variant, hit };
    log(`  ${input.id}: R2 variant ${variant.medianWallMs?.toFixed(1)} ms, Cache API hit ${hit.medianWallMs?.toFixed(1)} ms`);
  }
  return results;
}
