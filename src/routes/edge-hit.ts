/**
 * Edge-cache hits of /img and /cdn-cgi/image, answered before the rest of
 * the image mounts' middleware and the route: a hit is what browsers ask for
 * many times a second, so it is checked with one URL parse and one lookup.
 * The order stays that of the full chain — signature and expiry first, then
 * the variant key and `cache.match` — and the answer is the one that chain
 * gives (CORS, capped Cache-Control, conditional 304). Anything else (no
 * hit, a refused signature, an invalid URL, `format=json`) goes on down the
 * chain, which answers it as before without repeating the signature check,
 * the parse or the edge lookup.
 */
import { createMiddleware } from 'hono/factory';
import { getConfig } from '../config';
import { conditionalGet } from '../delivery/conditional';
import { edgeHit } from '../delivery/deliver';
import type { Env } from '../env';
import { capAtExpiry, signedExpiry } from '../security/require-signature';
import { IMAGE_CORS } from './image-cors';
import { imageUrlOf } from './image';

export const answerEdgeHit = createMiddleware<{ Bindings: Env }>(async function answerEdgeHit(c, next) {
  // OPTIONS (a CORS preflight) is the CORS middleware's; Hono drops a HEAD's body.
  if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return next();
  let hit: Response | undefined;
  let expires: number | undefined;
  try {
    expires = await signedExpiry(c.req.raw, getConfig(c.env));
    const { spec, key, json } = imageUrlOf(c);
    if (!json) hit = await edgeHit(c, spec, key);
  } catch {
    // The chain below refuses it again, with the same error and the headers every answer gets.
  }
  if (!hit) return next();
  hit.headers.set('Access-Control-Allow-Origin', IMAGE_CORS.origin);
  capAtExpiry(hit.headers, expires);
  await conditionalGet(c, async () => {
    c.res = hit;
  });
  return c.res;
});
