/**
 * The optimize pass: a variant made on the request path at low effort is
 * re-encoded at high effort and replaces the stored one only when at least
 * 2 % smaller at an equal or better quality metric. The replacement is conditional on the
 * stored object being the one read, so a job that runs twice, or races a
 * request's write-back, leaves one valid variant. The edge cache of the
 * location running the job gets the new bytes; other locations keep theirs
 * until their copies expire.
 */
import { putEdge } from '../cache/edge-cache';
import { getConfig } from '../config';
import type { Env } from '../env';
import { variantResponse } from '../delivery/deliver';
import { optimizeVariant } from '../delivery/optimize';
import { logEvent } from '../lib/log';
import { r2 } from '../lib/r2';
import { admit } from '../pipeline/admission';
import type { OptimizeJob } from '../queue/jobs';
import { putVariant } from '../storage/variants';
import { currentOriginal } from './current-original';

/** A saving smaller than this is not worth an R2 write, an edge-cache put and a new ETag for browsers to revalidate. */
const MIN_SAVING = 0.02;

export async function optimizeStoredVariant(env: Env, job: OptimizeJob): Promise<void> {
  const original = await currentOriginal(env, job);
  if (!original) return;
  const stored = await r2('variant read', () => env.VARIANTS.get(job.variant));
  const already = stored?.customMetadata?.optimized;
  if (!stored || already) {
    logEvent('job-skipped', { job: job.kind, key: job.key, variant: job.variant, why: stored ? 'already optimized' : 'the variant is gone' });
    return;
  }
  const fast = new Uint8Array(await stored.arrayBuffer());
  const config = getConfig(env);
  const { result: better } = await admit(`optimize:${job.variant}`, config, () => optimizeVariant(env, original, job.spec, config, fast));
  if (!better || better.after > better.before * (1 - MIN_SAVING)) {
    const why = better ? `the smaller file saves under ${MIN_SAVING * 100} %` : 'no smaller file at equal or better quality';
    logEvent('variant-kept', { key: job.key, variant: job.variant, bytes: fast.byteLength, why });
    return;
  }
  const note = { before: better.before, metric: better.metric.name, fast: better.metric.fast, optimized: better.metric.optimized };
  const put = await r2('variant write', () =>
    putVariant(env.VARIANTS, job.variant, better.output, better.meta, job.key, { optimized: note, replacing: stored.etag }));
  if (!put) {
    logEvent('job-skipped', { job: job.kind, key: job.key, variant: job.variant, why: 'the variant changed meanwhile' });
    return;
  }
  await putEdge(job.cacheUrl, variantResponse(better.output, better.output.byteLength, better.meta, original, config));
  logEvent('variant-optimized', {
    key: job.key,
    variant: job.variant,
    before: better.before,
    after: better.after,
    saved: `${Math.round((1 - better.after / better.before) * 100)}%`,
    [better.metric.name]: { fast: better.metric.fast, optimized: better.metric.optimized },
  });
}
