/**
 * Serves the variant of an original that a spec describes, whichever URL
 * dialect parsed it: edge cache → R2 variant → transform, each tier filling
 * the ones above it after the response is sent.
 */
import { setMetric } from 'hono/timing';
import { edgeCacheUrl, matchEdge, putEdge } from '../cache/edge-cache';
import { getConfig, type Config } from '../config';
import type { AppContext } from '../env';
import { ProblemError, tooManyVariants } from '../errors';
import { logError } from '../lib/log';
import { noteRequest } from '../lib/request-log';
import { chargedBytes, peakBytes, resetPeak } from '../lib/memory-meter';
import { admit } from '../pipeline/admission';
import type { TransformSpec } from '../spec/transform-spec';
import { noteVariantAccess } from '../storage/variant-lifecycle';
import { countVariants, getVariant, type VariantMeta } from '../storage/variants';
import { findOriginal, forgetOriginal, type Original } from './original';
import { stageTimer } from './timing';
import { transform } from './transform';
import { clientOf, varyOf } from './client-hints';
import { resolveVariant, storeVariant } from './variant';

/** Which tier answered, named alike in X-Edgepix-Cache and Server-Timing: the edge cache, an R2 variant, or a transform. */
type Tier = 'edge' | 'variant' | 'miss';

export function variantResponse(body: BodyInit, size: number, meta: VariantMeta, original: Original, config: Config): Response {
  const headers: Record<string, string> = {
    'Content-Type': meta.contentType,
    'Content-Length': String(size),
    ETag: meta.etag,
    'Last-Modified': original.version.uploaded.toUTCString(),
    'Cache-Control': config.variantCacheControl,
  };
  if (meta.fallback) headers['X-Edgepix-Fallback'] = meta.fallback;
  if (meta.animation) headers['X-Edgepix-Animation'] = meta.animation;
  return new Response(body, { headers });
}

/** A write-back after the response: its failure costs only a later transform, but is logged with its cause. */
const writeBack = (event: string, variant: string, work: Promise<unknown>) =>
  work.catch((error: unknown) => logError(event, error, { variant }));

/** Adds what depends on this request; cached copies never carry these. */
function served(c: AppContext, response: Response, tier: Tier, vary: string[]): Response {
  const out = new Response(response.body, response);
  out.headers.set('X-Edgepix-Cache', tier);
  if (vary.length > 0) out.headers.set('Vary', vary.join(', '));
  setMetric(c, 'cache', tier);
  return out;
}

/** With BENCH_MEMORY_METER, what was charged when the transform started and at its peak. */
async function metered<T>(c: AppContext, config: Config, work: () => Promise<T>): Promise<T> {
  if (!config.benchMemoryMeter) return work();
  setMetric(c, 'mem-idle', String(resetPeak()));
  try {
    return await work();
  } finally {
    chargedBytes();
    setMetric(c, 'mem-peak', String(peakBytes()));
  }
}

export async function deliver(c: AppContext, spec: TransformSpec, key: string): Promise<Response> {
  try {
    return await fromTiers(c, spec, key);
  } catch (error) {
    if (!(error instanceof ProblemError && error.slug === 'original-changed')) throw error;
    // The remembered version was stale (or the original changed mid-read): once more, asking the origin.
    forgetOriginal(key);
    return fromTiers(c, spec, key);
  }
}

async function fromTiers(c: AppContext, spec: TransformSpec, key: string): Promise<Response> {
  const config = getConfig(c.env);
  const time = stageTimer(c);
  const original = await time('origin', () => findOriginal(c.env, key, config));
  noteRequest(c.req.raw, { inputFormat: original.traits.format, inputBytes: original.version.size });
  const { resolved, storageKey } = await resolveVariant(c.env, config, spec, key, original, clientOf(c.req.raw.headers));
  const vary = varyOf(spec);
  const cacheUrl = edgeCacheUrl(c.req.url, storageKey);

  const cached = await time('edge', () => matchEdge(cacheUrl));
  if (cached) return served(c, cached, 'edge', vary);

  const stored = await time('variant', () => getVariant(c.env.VARIANTS, storageKey));
  if (stored) {
    const response = variantResponse(stored.body, stored.size, stored.meta, original, config);
    c.executionCtx.waitUntil(Promise.all([
      writeBack('edge-cache-write-failed', storageKey, putEdge(cacheUrl, response.clone())),
      writeBack('access-stamp-failed', storageKey, noteVariantAccess(c.env.VARIANTS, storageKey, stored.accessed)),
    ]));
    return served(c, response, 'variant', vary);
  }

  if (config.maxVariantsPerOriginal > 0 && (await countVariants(c.env.VARIANTS, key, config.maxVariantsPerOriginal)) >= config.maxVariantsPerOriginal) {
    throw tooManyVariants(`"${key}" already has ${config.maxVariantsPerOriginal} variants, the limit (MAX_VARIANTS_PER_ORIGINAL); use one of the URLs that made them.`);
  }
  const { result, joined } = await admit(storageKey, config, () => metered(c, config, () => transform(c.env, original, resolved, config, time)));
  if (joined) setMetric(c, 'coalesced', 'joined a transform already under way');
  const { output, meta, inputMegapixels } = result;
  noteRequest(c.req.raw, { inputMegapixels });
  const response = variantResponse(output, output.byteLength, meta, original, config);
  c.executionCtx.waitUntil(Promise.all([
    writeBack('variant-write-failed', storageKey, storeVariant(c.env, config, { key, original, resolved, storageKey, cacheUrl }, result)),
    writeBack('edge-cache-write-failed', storageKey, putEdge(cacheUrl, response.clone())),
  ]));
  return served(c, response, 'miss', vary);
}
