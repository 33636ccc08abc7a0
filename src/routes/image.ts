/**
 * GET/HEAD /img/<options>/<key>, and the same as /cdn-cgi/image/<options>/<source>
 * (Cloudflare Images' URLs, so a site's existing ones keep working): parse the
 * URL, then hand it to delivery (or, for format=json, describe the original).
 */
import { Hono } from 'hono';
import { getConfig, type Config } from '../config';
import { deliver } from '../delivery/deliver';
import type { AppContext, Env } from '../env';
import { describeOriginal } from '../delivery/describe';
import { IMAGE_PATH } from '../lib/image-paths';
import { parseImagePath } from '../url/cloudflare/parse';
import { imageResource } from './api/image-resource';

/** `format=json`, as in Cloudflare Images: the original's metadata instead of pixels. */
async function metadataResponse(c: AppContext, key: string, config: Config) {
  const image = await describeOriginal(c.env, key, config);
  return c.json(await imageResource(image, new URL(c.req.url).origin, config), 200, { 'Cache-Control': 'no-store' });
}

export const imageRoutes = new Hono<{ Bindings: Env }>().get('/*', async (c) => {
  const config = getConfig(c.env);
  const rawPath = new URL(c.req.url).pathname.replace(IMAGE_PATH, '');
  const { spec, key, json } = parseImagePath(rawPath, config);
  if (json) return metadataResponse(c, key, config);
  return deliver(c, spec, key);
});
