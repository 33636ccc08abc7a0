/**
 * Middleware for /img: decides, before any R2 or pixel work, whether the
 * request may be served — unsigned (ALLOW_UNSIGNED or a public prefix) or
 * with a valid, unexpired signature — and caps the Cache-Control of signed
 * responses at the link's expiry. Fails closed when no key can verify.
 */
import { createMiddleware } from 'hono/factory';
import { getConfig, type Config } from '../config';
import type { Env } from '../env';
import { misconfigured, signatureRequired } from '../errors';
import { IMAGE_PATH } from '../lib/image-paths';
import { decodeKey } from '../lib/keys';
import { capCacheControl } from './cache-control';
import { hasSignature, verifySignedUrl } from './signature';

/** True when the original's key starts with a configured public prefix. */
export const isPublicKey = (key: string, prefixes: readonly string[]) => prefixes.some((prefix) => key.startsWith(prefix));

/** `/img/<options>/<key>` (or `/cdn-cgi/image/…`): true when the key is public. */
function isPublic(pathname: string, prefixes: readonly string[]): boolean {
  if (prefixes.length === 0) return false;
  const rest = pathname.replace(IMAGE_PATH, '').replace(/^[^/]*\//, '');
  try {
    return isPublicKey(decodeKey(rest), prefixes);
  } catch {
    return false; // an invalid key is not public; the route will say why once a signature allows it
  }
}

function assertCanVerify(config: Config): void {
  if (config.signingKeys.length === 0) {
    throw misconfigured(
      'SIGNING_KEYS is empty, so signed URLs cannot be verified' +
        (config.allowUnsigned ? '.' : ', and ALLOW_UNSIGNED is not true: no image can be served.'),
    );
  }
}

export const requireSignature = createMiddleware<{ Bindings: Env }>(async function requireSignature(c, next) {
  const config = getConfig(c.env);
  if (!config.allowUnsigned) assertCanVerify(config);
  const url = new URL(c.req.url);
  if (!hasSignature(url)) {
    if (config.allowUnsigned || isPublic(url.pathname, config.publicPrefixes)) return next();
    throw signatureRequired();
  }
  assertCanVerify(config);
  const expires = await verifySignedUrl(url, config.signingKeys, Math.floor(Date.now() / 1000));
  await next();
  const remaining = expires - Date.now() / 1000;
  c.res.headers.set('Cache-Control', capCacheControl(c.res.headers.get('Cache-Control'), remaining));
});
