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
import { parseImagePath, type ParsedImageUrl } from '../url/cloudflare/parse';
import { imageResource } from './api/image-resource';

/** `format=json`, as in Cloudflare Images: the original's metadata instead of pixels. */
async function metadataResponse(c: AppContext, key: string, config: Config) {
  const image = await describeOriginal(c.env, key, config);
  return c.json(await imageResource(image, new URL(c.req.url).origin, config), 200, { 'Cache-Control': 'no-store' });
}

/** Enough for a busy isolate's working set of URLs; the oldest entry goes first. */
const MAX_REMEMBERED_URLS = 10_000;

/** Parses per configuration, by raw path: the same URL is asked for again and again, and a parse is pure. */
const parses = new WeakMap<Config, Map<string, ParsedImageUrl>>();
const parsed = new WeakMap<Request, ParsedImageUrl>();

/** The request's `<options>/<key>`, parsed once for the edge-hit path (edge-hit.ts) and this route. */
export function imageUrlOf(c: AppContext): ParsedImageUrl {
  let known = parsed.get(c.req.raw);
  if (known) return known;
  const config = getConfig(c.env);
  let byPath = parses.get(config);
  if (!byPath) parses.set(config, (byPath = new Map()));
  const rawPath = new URL(c.req.url).pathname.replace(IMAGE_PATH, '');
  known = byPath.get(rawPath);
  if (!known) {
    byPath.set(rawPath, (known = parseImagePath(rawPath, config)));
    if (byPath.size > MAX_REMEMBERED_URLS) byPath.delete(byPath.keys().next().value!);
  }
  parsed.set(c.req.raw, known);
  return known;
}

export const imageRoutes = new Hono<{ Bindings: Env }>().get('/*', async (c) => {
  const { spec, key, json } = imageUrlOf(c);
  if (json) return metadataResponse(c, key, getConfig(c.env));
  return deliver(c, spec, key);
});
