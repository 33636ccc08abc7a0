/**
 * What an edgepix signature covers. The worker's verifier and the signing
 * SDK both import this file, so the two can never disagree about it.
 *
 * Algorithm (also in the README, with test vectors):
 *   string-to-sign = <path as sent, percent-encoded> "?" <query pieces>
 *   where the query pieces are every `name=value` piece of the query string,
 *   exactly as sent, except empty pieces and the `sig` parameter, sorted by
 *   code-unit (byte) order and joined with "&";
 *   sig = base64url without padding of HMAC-SHA256(secret as UTF-8, string-to-sign as UTF-8).
 * Web Crypto only, no dependencies: runs in Node ≥ 20, Deno, Bun, browsers and Workers.
 */

export const SIGNATURE_PARAM = 'sig';
export const EXPIRES_PARAM = 'exp';
export const KEY_ID_PARAM = 'kid';

/** Key ids travel unencoded in the query, so they are kept to URL-safe characters. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

const encoder = new TextEncoder();

/** The name part of a raw `name=value` query piece. */
export const pieceName = (piece) => {
  const eq = piece.indexOf('=');
  return eq === -1 ? piece : piece.slice(0, eq);
};

/** Raw (still percent-encoded) query pieces, without the leading `?` and without empty pieces. */
export const queryPieces = (query) => query.replace(/^\?/, '').split('&').filter((piece) => piece !== '');

export function stringToSign(path, query) {
  const pieces = queryPieces(query).filter((piece) => pieceName(piece) !== SIGNATURE_PARAM);
  // Array.prototype.sort compares UTF-16 code units: byte order for the ASCII a URL query is made of.
  return `${path}?${pieces.sort().join('&')}`;
}

/** An HMAC key for `hash` (SHA-256 for edgepix URLs, SHA-1 for Thumbor's). */
export function importHmacKey(secret, hash, usages) {
  return crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash }, false, usages);
}

export function encodeBase64url(bytes, { padding = false } = {}) {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const base64 = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_');
  return padding ? base64 : base64.replace(/=+$/, '');
}

/**
 * Undefined for anything but the one canonical base64url spelling — padded
 * or not, as `padding` says, with the unused low bits of the last character
 * zero — so no second spelling of a signature verifies.
 */
export function decodeBase64url(text, { padding = false } = {}) {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) return undefined;
  let bytes;
  try {
    bytes = Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
  return encodeBase64url(bytes, { padding }) === text ? bytes : undefined;
}

export async function hmacSha256(secret, message) {
  const key = await importHmacKey(secret, 'SHA-256', ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(message)));
}
