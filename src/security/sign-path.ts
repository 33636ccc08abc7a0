/**
 * Server-side signing of /img paths for the admin (POST /api/v1/sign): the
 * console's builder and its thumbnails of private originals. The same
 * signer as the SDK (sdk/sign.js), with the first SIGNING_KEYS key, so the
 * secret never leaves the worker.
 */
import * as v from 'valibot';
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
    v.regex(/^\/img\/[^/?#\s]+\/[^?#\s]+$/, 'path must be "/img/<options>/<key>", without scheme, host, query or fragment'),
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

/** `path` with exp, kid and sig added, and when it expires (unix seconds). */
export async function signImagePath(path: string, keys: readonly SigningKey[], expiresIn: number, nowMs = Date.now()) {
  const signer = keys[0];
  if (!signer) throw misconfigured('SIGNING_KEYS is empty, so no URL can be signed (npm start writes a dev key to .dev.vars).');
  const expiresAt = Math.floor(nowMs / 1000) + expiresIn;
  const signed = await signUrl(path, { key: signer.secret, kid: signer.kid, expiresAt });
  return { path: signed, expiresAt };
}
