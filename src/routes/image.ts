/**
 * GET/HEAD /img/<options>/<key>, and the same as /cdn-cgi/image/<options>/<source>
 * (Cloudflare Images' URLs, so a site's existing ones keep working): parse the
 * URL, then hand it to delivery (or, for format=json, describe the original
 * and the output the other options would make).
 */
import { Hono } from 'hono';
import { getConfig, type Config } from '../config';
import { deliver } from '../delivery/deliver';
import type { AppContext, Env } from '../env';
import { clientOf, varyOf } from '../delivery/client-hints';
import { describeOriginal, describeOutput } from '../delivery/describe';
import { asProblem, ProblemError } from '../errors';
import { IMAGE_PATH } from '../lib/image-paths';
import { noteRequest } from '../lib/request-log';
import { isPublicKey } from '../security/require-signature';
import { originFor } from '../storage/origins';
import type { TransformSpec } from '../spec/transform-spec';
import { parseImagePath } from '../url/cloudflare/parse';
import { imageResource } from './api/image-resource';

/** `format=json`, as in Cloudflare Images: the original's metadata and the output's size and format instead of pixels. */
async function metadataResponse(c: AppContext, spec: TransformSpec, key: string, config: Config) {
  const image = await describeOriginal(c.env, key, config);
  const output = await describeOutput(c.env, key, spec, clientOf(c.req.raw.headers), config);
  const body = { ...(await imageResource(image, new URL(c.req.url).origin, config)), output };
  // The output depends on Accept when the format is negotiated, and on client hints with slow-connection-quality.
  const vary = varyOf(spec);
  return c.json(body, 200, { 'Cache-Control': 'no-store', ...(vary.length > 0 && { Vary: vary.join(', ') }) });
}

/**
 * onerror=redirect: a transform that fails (not a missing original) answers
 * 302 to where the original itself can be fetched — an http origin's URL —
 * and only for a key that may be served unsigned, so a redirect never
 * exposes a private original.
 */
async function redirectOnError(c: AppContext, spec: TransformSpec, key: string, config: Config, work: () => Promise<Response>) {
  try {
    return await work();
  } catch (error) {
    const allowed = spec.onErrorRedirect && error instanceof ProblemError && error.status !== 404 && (config.allowUnsigned || isPublicKey(key, config.publicPrefixes));
    const target = allowed ? originFor(c.env, config, key).publicUrl?.(key) : undefined;
    if (!target) throw error;
    noteRequest(c.req.raw, { errorClass: asProblem(error).slug });
    return c.redirect(target, 302);
  }
}

export const imageRoutes = new Hono<{ Bindings: Env }>().get('/*', async (c) => {
  const config = getConfig(c.env);
  const rawPath = new URL(c.req.url).pathname.replace(IMAGE_PATH, '');
  const { spec, key, json } = parseImagePath(rawPath, config);
  if (json) return metadataResponse(c, spec, key, config);
  return redirectOnError(c, spec, key, config, () => deliver(c, spec, key));
});
