/** A preset made right after an upload: the variant its first visitor asks for, stored before they come. */
import { edgeCacheUrl } from '../cache/edge-cache';
import { getConfig } from '../config';
import type { Env } from '../env';
import { transform } from '../delivery/transform';
import { resolveVariant, storeVariant } from '../delivery/variant';
import { logEvent } from '../lib/log';
import { admit } from '../pipeline/admission';
import type { PresetJob } from '../queue/jobs';
import { hasVariant } from '../storage/variants';
import { namedPreset } from '../url/cloudflare/parse';
import { currentOriginal } from './current-original';

/** The Accept header of a client that takes `format`: `format=auto` then settles on it as for that client. */
const acceptOf = (format: PresetJob['format']) => `image/${format}`;

export async function makePreset(env: Env, job: PresetJob): Promise<void> {
  const original = await currentOriginal(env, job);
  if (!original) return;
  const config = getConfig(env);
  const { resolved, storageKey } = await resolveVariant(env, config, namedPreset(job.preset, config), job.key, original, { accept: acceptOf(job.format), slowConnection: false });
  if (await hasVariant(env.VARIANTS, storageKey)) {
    logEvent('preset-exists', { key: job.key, preset: job.preset, format: resolved.format });
    return;
  }
  // Beside requests, in the same queue: a job waits its turn like a miss (and is retried if the wait is too long).
  const { result } = await admit(storageKey, config, () => transform(env, original, resolved, config));
  const cacheUrl = edgeCacheUrl(job.origin, storageKey);
  await storeVariant(env, config, { key: job.key, original, resolved, storageKey, cacheUrl }, result);
  logEvent('preset-made', { key: job.key, preset: job.preset, format: resolved.format, bytes: result.output.byteLength });
}
