/**
 * Serves the variant of an original that a spec describes, whichever URL
 * dialect parsed it: edge cache → R2 variant → transform, each tier filling
 * the ones above it after the response is sent.
 */
import { setMetric } from 'hono/timing';
import { edgeCacheUrl, matchEdge, putEdge } from '../cache/edge-cache';
import { resolveFormat } from '../codecs/negotiate';
import { getConfig, type Config } from '../config';
import type { AppContext } from '../env';
import { ProblemError, tooManyVariants } from '../errors';
import { logError } from '../lib/log';
import { noteRequest } from '../lib/request-log';
import { chargedBytes, peakBytes, resetPeak } from '../lib/memory-meter';
import { admit } from '../pipeline/admission';
import { canonicalize } from '../spec/canonical';
import type { ResolvedSpec, TransformSpec } from '../spec/transform-spec';
import { countVariants, getVariant, putVariant, variantKey, type VariantMeta } from '../storage/variants';
import { findOriginal, forgetOriginal, type Original } from './original';
import { stageTimer } from './timing';
import { transform } from './transform';

/** Which tier answered, named alike in X-Edgepix-Cache and Server-Timing: the edge cache, an R2 variant, or a transform. */
type Tier = 'edge' | 'variant' | 'miss';

function variantResponse(body: BodyInit, size: number, meta: VariantMeta, original: Original, config: Config): Response {
  const headers: Record<string, string> = {
    'Content-Type': meta.contentType,
    'Content-Length': String(size),
    ETag: meta.etag,
    'Last-Modified': original.version.uploaded.toUTCString(),
    'Cache-Control': config.variantCacheControl,
  };
  if (meta.fallback) headers['X-Edgepix-Fallback'] = meta.fallback;
  return new Response(body, { headers });
}

/** A write-back after the response: its failure costs only a later transform, but is logged with its cause. */
const writeBack = (event: string, variant: string, work: Promise<unknown>) =>
  work.catch((error: unknown) => logError(event, error, { variant }));

/** Adds what depends on this request; cached copies never carry these. */
function served(c: AppContext, response: Response, tier: Tier, negotiated: boolean): Response {
  const out = new Response(response.body, response);
  out.headers.set('X-Edgepix-Cache', tier);
  if (negotiated) out.headers.set('Vary', 'Accept');
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
  const resolved: ResolvedSpec = { ...spec, format: resolveFormat(spec.format, c.req.header('Accept') ?? null, original.traits) };
  const negotiated = spec.format === 'auto';
  const storageKey = variantKey(key, original.version.etag, canonicalize(resolved), resolved.format);
  const cacheUrl = edgeCacheUrl(c.req.url, storageKey);

  const cached = await time('edge', () => matchEdge(cacheUrl));
  if (cached) return served(c, cached, 'edge', negotiated);

  const stored = await time('variant', () => getVariant(c.env.VARIANTS, storageKey));
  if (stored) {
    const response = variantResponse(stored.body, stored.size, stored.meta, original, config);
    c.executionCtx.waitUntil(writeBack('edge-cache-write-failed', storageKey, putEdge(cacheUrl, response.clone())));
    return served(c, response, 'variant', negotiated);
  }

  if (config.maxVariantsPerOriginal > 0 && (await countVariants(c.env.VARIANTS, key, config.maxVariantsPerOriginal)) >= config.maxVariantsPerOriginal) {
    throw tooManyVariants(`"${key}" already has ${config.maxVariantsPerOriginal} variants, the limit (MAX_VARIANTS_PER_ORIGINAL); use one of the URLs that made them.`);
  }
  const { result, joined } = await admit(storageKey, config, () => metered(c, config, () => transform(original, resolved, config, time)));
  if (joined) setMetric(c, 'coalesced', 'joined a transform already under way');
  const { output, meta, inputMegapixels } = result;
  noteRequest(c.req.raw, { inputMegapixels });
  const response = variantResponse(output, output.byteLength, meta, original, config);
  c.executionCtx.waitUntil(Promise.all([
    writeBack('variant-write-failed', storageKey, putVariant(c.env.VARIANTS, storageKey, output, meta, key)),
    writeBack('edge-cache-write-failed', storageKey, putEdge(cacheUrl, response.clone())),
  ]));
  return served(c, response, 'miss', negotiated);
}
