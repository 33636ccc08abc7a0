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

/** Each request's answer, so the edge-hit path and this middleware verify a signature once between them. */
const checked = new WeakMap<Request, Promise<number | undefined>>();

/**
 * Whether `request` may be served: undefined when it needs no signature, else
 * its signed link's expiry (unix seconds); rejects when it may not be served.
 * The middleware below and the edge-hit path (routes/edge-hit.ts) both ask it.
 */
export function signedExpiry(request: Request, config: Config): Promise<number | undefined> {
  let answer = checked.get(request);
  if (!answer) checked.set(request, (answer = check(new URL(request.url), config)));
  return answer;
}

async function check(url: URL, config: Config): Promise<number | undefined> {
  if (!config.allowUnsigned) assertCanVerify(config);
  if (!hasSignature(url)) {
    if (config.allowUnsigned || isPublic(url.pathname, config.publicPrefixes)) return undefined;
    throw signatureRequired();
  }
  assertCanVerify(config);
  return verifySignedUrl(url, config.signingKeys, Math.floor(Date.now() / 1000));
}

/** Caps a signed response's Cache-Control at its link's expiry (`expires` from {@link signedExpiry}). */
export function capAtExpiry(headers: Headers, expires: number | undefined): void {
  if (expires === undefined) return;
  headers.set('Cache-Control', capCacheControl(headers.get('Cache-Control'), expires - Date.now() / 1000));
}

export const requireSignature = createMiddleware<{ Bindings: Env }>(async function requireSignature(c, next) {
  const expires = await signedExpiry(c.req.raw, getConfig(c.env));
  await next();
  capAtExpiry(c.res.headers, expires);
});
