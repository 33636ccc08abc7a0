/**
 * Server-side signing for the admin (POST /api/v1/sign): the console's
 * builder and its thumbnails of private originals. /img paths are signed
 * with the first SIGNING_KEYS key by the SDK's own signer (sdk/sign.js);
 * Thumbor paths with THUMBOR_SECURITY_KEY, as libthumbor signs them. The
 * secrets never leave the worker.
 */
import * as v from 'valibot';
import { encodeBase64url, importHmacKey } from '../../sdk/canonical.js';
import { signUrl } from '../../sdk/sign.js';
import type { SigningKey } from '../../sdk/keys.js';
import { misconfigured } from '../errors';

/** A year: longer-lived links are better minted with the SDK by the operator. */
const MAX_EXPIRES_IN = 366 * 24 * 3600;
const MAX_PATH_LENGTH = 4096;

export const SignRequestSchema = v.strictObject({
  path: v.pipe(
    v.string('path must be a string such as "/img/width=400/photos/cat.jpg"'),
    v.maxLength(MAX_PATH_LENGTH, `path must be at most ${MAX_PATH_LENGTH} characters`),
    // A path, not a URL: a scheme or host would be signed for someone else's origin.
    v.regex(/^\/[^?#\s]+$/, 'path must be a path such as "/img/width=400/photos/cat.jpg", without scheme, host, query or fragment'),
  ),
  expiresIn: v.optional(
    v.pipe(
      v.number('expiresIn must be a number of seconds'),
      v.integer('expiresIn must be a whole number of seconds'),
      v.minValue(1, 'expiresIn must be positive'),
      v.maxValue(MAX_EXPIRES_IN, `expiresIn must be at most ${MAX_EXPIRES_IN} seconds (366 days)`),
    ),
  ),
});

/** `/img/<options>/<key>`: what signImagePath accepts. */
export const IMAGE_PATH = /^\/img\/[^/]+\/.+$/;

/** `path` with exp, kid and sig added, and when it expires (unix seconds). */
export async function signImagePath(path: string, keys: readonly SigningKey[], expiresIn: number, nowMs = Date.now()) {
  const signer = keys[0];
  if (!signer) throw misconfigured('SIGNING_KEYS is empty, so no URL can be signed (npm start writes a dev key to .dev.vars).');
  const expiresAt = Math.floor(nowMs / 1000) + expiresIn;
  const signed = await signUrl(path, { key: signer.secret, kid: signer.kid, expiresAt });
  return { path: signed, expiresAt };
}

/**
 * Thumbor's signature segment for `rest` (everything after it, as it will be
 * requested): url-safe base64 with padding of HMAC-SHA1(THUMBOR_SECURITY_KEY, rest).
 * Thumbor links do not expire.
 */
export async function thumborSignature(rest: string, securityKey: string): Promise<string> {
  if (securityKey === '') throw misconfigured('THUMBOR_SECURITY_KEY is empty, so no Thumbor URL can be signed.');
  const key = await importHmacKey(securityKey, 'SHA-1', ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(rest));
  return encodeBase64url(new Uint8Array(mac), { padding: true });
}
