/**
 * GET/HEAD /img/<options>/<key>: edge cache → R2 variant → transform, each
 * tier filling the ones above it after the response is sent.
 */
import { Hono, type Context } from 'hono';
import { setMetric } from 'hono/timing';
import { resolveFormat } from '../codecs/negotiate';
import { probe } from '../codecs/probe';
import { edgeCacheUrl, matchEdge, putEdge } from '../cache/edge-cache';
import { getConfig, type Config } from '../config';
import { ProblemError } from '../errors';
import type { Env } from '../env';
import { admit } from '../pipeline/admission';
import { readStoredImage } from '../metadata/lookup';
import { planTransform, runPipeline, type StageTimer } from '../pipeline/run';
import { canonicalize } from '../spec/canonical';
import type { ResolvedSpec, TransformSpec } from '../spec/transform-spec';
import { forgetOriginal, recallOriginal } from '../storage/original-memo';
import { readOriginal, type OriginalRef } from '../storage/originals';
import { digestEtag, getVariant, putVariant, variantKey, variantMeta, type VariantMeta } from '../storage/variants';
import { parseImagePath } from '../url/cloudflare/parse';
import { imageResource } from './api/image-resource';

type Tier = 'hit' | 'variant' | 'miss';
export type AppContext = Context<{ Bindings: Env }>;

function stageTimer(c: AppContext): StageTimer {
  return async (stage, work) => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      setMetric(c, stage, performance.now() - start);
    }
  };
}

function variantResponse(
  body: BodyInit,
  size: number,
  meta: VariantMeta,
  original: OriginalRef,
  config: Config,
): Response {
  return new Response(body, {
    headers: {
      'Content-Type': meta.contentType,
      'Content-Length': String(size),
      ETag: meta.etag,
      'Last-Modified': original.uploaded.toUTCString(),
      'Cache-Control': config.variantCacheControl,
    },
  });
}

/** Adds what depends on this request; cached copies never carry these. */
function served(c: AppContext, response: Response, tier: Tier, negotiated: boolean): Response {
  const out = new Response(response.body, response);
  out.headers.set('X-Edgepix-Cache', tier);
  if (negotiated) out.headers.set('Vary', 'Accept');
  setMetric(c, 'cache', tier);
  return out;
}

async function transform(c: AppContext, original: OriginalRef, spec: ResolvedSpec, config: Config) {
  const time = stageTimer(c);
  const bytes = await time('read', () => readOriginal(c.env.ORIGINALS, original, config));
  const header = probe(bytes);
  const plan = planTransform(header, bytes.length, spec, config);
  const output = await runPipeline(bytes, header, plan, time);
  return { output, meta: variantMeta(spec.format, await digestEtag(output)) };
}

/** `format=json`, as in Cloudflare Images: the original's metadata instead of pixels. */
async function metadataResponse(c: AppContext, key: string, config: Config) {
  const image = await readStoredImage(c.env.ORIGINALS, key, config);
  return c.json(await imageResource(image, new URL(c.req.url).origin, config), 200, { 'Cache-Control': 'no-store' });
}

/**
 * Serves the variant of `key` that `spec` describes, whichever URL dialect
 * parsed it: the tiers below are keyed by the transformation alone.
 */
export async function serveVariant(c: AppContext, spec: TransformSpec, key: string): Promise<Response> {
  try {
    return await serveFromTiers(c, spec, key);
  } catch (error) {
    if (!(error instanceof ProblemError && error.slug === 'original-changed')) throw error;
    // The remembered ETag was stale (or the original changed mid-read): once more, asking R2.
    forgetOriginal(key);
    return serveFromTiers(c, spec, key);
  }
}

async function serveFromTiers(c: AppContext, spec: TransformSpec, key: string): Promise<Response> {
  const config = getConfig(c.env);
  const time = stageTimer(c);
  const original = await time('origin', () => recallOriginal(c.env.ORIGINALS, key, config.originalLookupTtl));
  const resolved: ResolvedSpec = { ...spec, format: resolveFormat(spec.format, c.req.header('Accept') ?? null, original.traits) };
  const negotiated = spec.format === 'auto';
  const storageKey = variantKey(key, original.etag, canonicalize(resolved), resolved.format);
  const cacheUrl = edgeCacheUrl(c.req.url, storageKey);

  const cached = await time('edge', () => matchEdge(cacheUrl));
  if (cached) return served(c, cached, 'hit', negotiated);

  const stored = await time('r2', () => getVariant(c.env.VARIANTS, storageKey));
  if (stored) {
    const response = variantResponse(stored.body, stored.size, stored.meta, original, config);
    c.executionCtx.waitUntil(putEdge(cacheUrl, response.clone()));
    return served(c, response, 'variant', negotiated);
  }

  const { result, joined } = await admit(storageKey, config.maxQueuedTransforms, () => transform(c, original, resolved, config));
  if (joined) setMetric(c, 'coalesced', 'joined a transform already under way');
  const { output, meta } = result;
  const response = variantResponse(output, output.byteLength, meta, original, config);
  c.executionCtx.waitUntil(
    Promise.all([putVariant(c.env.VARIANTS, storageKey, output, meta, key), putEdge(cacheUrl, response.clone())]),
  );
  return served(c, response, 'miss', negotiated);
}

export const imageRoutes = new Hono<{ Bindings: Env }>().get('/*', async (c) => {
  const config = getConfig(c.env);
  const rawPath = new URL(c.req.url).pathname.replace(/^\/img\//, '');
  const { spec, key, json } = parseImagePath(rawPath, config);
  if (json) return metadataResponse(c, key, config);
  return serveVariant(c, spec, key);
});
