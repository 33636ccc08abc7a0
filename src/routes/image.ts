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
import { IMAGE_PATH } from '../lib/image-paths';
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

export const imageRoutes = new Hono<{ Bindings: Env }>().get('/*', async (c) => {
  const config = getConfig(c.env);
  const rawPath = new URL(c.req.url).pathname.replace(IMAGE_PATH, '');
  const { spec, key, json } = parseImagePath(rawPath, config);
  if (json) return metadataResponse(c, spec, key, config);
  return deliver(c, spec, key);
});
