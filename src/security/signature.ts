/**
 * Verifies a signed /img URL (imgproxy's order: split the signature off,
 * verify it, only then read anything else). The string-to-sign comes from
 * sdk/canonical.js, the very code the signing SDK uses.
 */
import {
  decodeBase64url,
  EXPIRES_PARAM,
  importHmacKey,
  KEY_ID_PARAM,
  pieceName,
  queryPieces,
  SIGNATURE_PARAM,
  stringToSign,
} from '../../sdk/canonical.js';
import { expired, invalidSignature } from '../errors';
import type { SigningKey } from '../../sdk/keys.js';

const HMAC_SHA256_BYTES = 32;
const encoder = new TextEncoder();

export const hasSignature = (url: URL) => queryPieces(url.search).some((piece) => pieceName(piece) === SIGNATURE_PARAM);

/** The raw value of a parameter that may appear at most once; a repeat is ambiguous, so refused. */
function single(pieces: string[], name: string): string | undefined {
  const found = pieces.filter((piece) => pieceName(piece) === name);
  if (found.length > 1) throw invalidSignature();
  return found[0]?.slice(name.length + 1);
}

/** True when `secret`'s HMAC of `message` is `signature`; Web Crypto compares in constant time. */
export async function verifyHmac(
  secret: string,
  hash: 'SHA-256' | 'SHA-1',
  signature: Uint8Array,
  message: string,
): Promise<boolean> {
  const key = await importHmacKey(secret, hash, ['verify']);
  return crypto.subtle.verify('HMAC', key, signature, encoder.encode(message));
}

/**
 * Returns the link's expiry (unix seconds) or throws: 403 for any signature
 * fault (one detail for all of them), 410 for an authentic but expired link.
 */
export async function verifySignedUrl(url: URL, keys: readonly SigningKey[], nowSeconds: number): Promise<number> {
  const pieces = queryPieces(url.search);
  const signature = decodeBase64url(single(pieces, SIGNATURE_PARAM) ?? '');
  const kid = single(pieces, KEY_ID_PARAM);
  const expires = single(pieces, EXPIRES_PARAM);
  if (signature?.length !== HMAC_SHA256_BYTES) throw invalidSignature();
  // Without a kid every key is tried, so links minted before kids were used keep working.
  const candidates = kid === undefined ? keys : keys.filter((key) => key.kid === kid);
  const message = stringToSign(url.pathname, url.search);
  const results = await Promise.all(candidates.map((key) => verifyHmac(key.secret, 'SHA-256', signature, message)));
  if (!results.includes(true)) throw invalidSignature();
  // A signed link without a well-formed exp would never expire: refused, though authentic.
  if (expires === undefined || !/^\d{1,12}$/.test(expires)) throw invalidSignature();
  const exp = Number(expires);
  if (exp <= nowSeconds) throw expired(new Date(exp * 1000));
  return exp;
}
