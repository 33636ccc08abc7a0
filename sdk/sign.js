/**
 * edgepix/sign: mint private links for edgepix from any backend with Web
 * Crypto (Node ≥ 20, Deno, Bun, service workers, Workers). No dependencies.
 *
 * @example
 *   import { imageUrl, signUrl, srcset } from 'edgepix/sign';
 *   const path = imageUrl('photos/cat.jpg', { width: 400, format: 'auto' });
 *   const url = await signUrl(`https://img.example.com${path}`, { key: secret, kid: 'k1', expiresIn: 3600 });
 */
import {
  EXPIRES_PARAM,
  KEY_ID_PARAM,
  KEY_ID_PATTERN,
  SIGNATURE_PARAM,
  encodeBase64url,
  hmacSha256,
  pieceName,
  queryPieces,
  stringToSign,
} from './canonical.js';

export { stringToSign } from './canonical.js';

const RESERVED = new Set([SIGNATURE_PARAM, EXPIRES_PARAM, KEY_ID_PARAM]);
const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:/i;
// Only used to parse relative paths; never appears in a result.
const PLACEHOLDER_ORIGIN = 'http://edgepix.invalid';

function expiry({ expiresIn, expiresAt, now = Date.now() }) {
  if ((expiresIn === undefined) === (expiresAt === undefined)) {
    throw new TypeError('Expected exactly one of expiresIn (seconds) or expiresAt (Date or unix seconds).');
  }
  // A link that is born expired is never what the caller meant (a past expiresAt is explicit).
  if (expiresIn !== undefined && !(expiresIn > 0)) {
    throw new TypeError(`Expected a positive number of seconds for expiresIn but received ${expiresIn}.`);
  }
  const seconds = expiresAt === undefined
    ? Math.floor(now / 1000) + expiresIn
    : expiresAt instanceof Date ? Math.floor(expiresAt.getTime() / 1000) : expiresAt;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new TypeError(`Expected a whole number of seconds for the expiry but received ${seconds}.`);
  }
  return seconds;
}

/**
 * Adds `exp`, `kid` (when given) and `sig` to a path or absolute URL. The
 * path is normalised the way a URL parser — and so the worker — will see it.
 */
export async function signUrl(url, { key, kid, ...when }) {
  if (typeof key !== 'string' || key === '') throw new TypeError('Expected the secret as a non-empty string for key.');
  if (kid !== undefined && !KEY_ID_PATTERN.test(kid)) {
    throw new TypeError(`Expected letters, digits, "_", "." or "-" for kid but received "${kid}".`);
  }
  const parsed = new URL(url, PLACEHOLDER_ORIGIN);
  const kept = queryPieces(parsed.search).filter((piece) => !RESERVED.has(pieceName(piece)));
  kept.push(`${EXPIRES_PARAM}=${expiry(when)}`);
  if (kid !== undefined) kept.push(`${KEY_ID_PARAM}=${kid}`);
  const query = kept.join('&');
  const sig = encodeBase64url(await hmacSha256(key, stringToSign(parsed.pathname, query)));
  const origin = HAS_SCHEME.test(url) ? parsed.origin : '';
  return `${origin}${parsed.pathname}?${query}&${SIGNATURE_PARAM}=${sig}${parsed.hash}`;
}

/** URL options in the order imageUrl writes them; names as in the README's options table. */
const OPTION_ORDER = ['width', 'height', 'fit', 'gravity', 'quality', 'format', 'dpr', 'background'];

function optionValue(name, value) {
  if (name === 'gravity' && typeof value === 'object') return `${value.x}x${value.y}`;
  return String(value);
}

/** Each `/`-separated segment percent-encoded, so a key reaches the worker unchanged. */
export const encodeKey = (key) => key.split('/').map(encodeURIComponent).join('/');

/** `/img/<options>/<key>` from an options object, in one fixed order (so equal options give equal URLs). */
export function imageUrl(key, options) {
  const unknown = Object.keys(options).filter((name) => !OPTION_ORDER.includes(name));
  if (unknown.length > 0) throw new TypeError(`Unknown option ${unknown.join(', ')}; expected ${OPTION_ORDER.join(', ')}.`);
  const parts = OPTION_ORDER.filter((name) => options[name] !== undefined).map(
    (name) => `${name}=${encodeURIComponent(optionValue(name, options[name]))}`,
  );
  if (parts.length === 0) throw new TypeError('Expected at least one option, e.g. { width: 400 }.');
  return `/img/${parts.join(',')}/${encodeKey(key)}`;
}

/** A `srcset` value: one signed URL per width, `<url> <width>w`, comma-separated. */
export async function srcset(key, widths, { options = {}, base = '', ...signing }) {
  const entries = await Promise.all(
    widths.map(async (width) => `${await signUrl(base + imageUrl(key, { ...options, width }), signing)} ${width}w`),
  );
  return entries.join(', ');
}
