/**
 * Thumbor's URL signature: `/<signature>/<rest>`, where the signature is
 * url-safe base64 *with* padding of HMAC-SHA1(THUMBOR_SECURITY_KEY, rest),
 * `rest` as received (still percent-encoded) or as libthumbor wrote it: it
 * signs the UTF-8 of the path it was given, usually unencoded (`café.jpg`),
 * which the client's URL parser then percent-encodes. `/unsafe/<rest>` skips
 * it, only when THUMBOR_ALLOW_UNSAFE=true.
 */
import { decodeBase64url } from '../../sdk/canonical.js';
import type { Config } from '../config';
import { invalidOptions, invalidSignature, misconfigured, signatureRequired } from '../errors';
import { verifyHmac } from './signature';

const HMAC_SHA1_BYTES = 20;

// What a URL parser percent-encodes in a path: space " < > ^ ` { } and every non-ASCII byte.
const PARSER_ESCAPES = /(?:%(?:20|22|3C|3E|5E|60|7B|7D|[89A-F][0-9A-F]))+/gi;

/**
 * Undoes only the parser's escapes, so `caf%C3%A9` is checked as the `café`
 * libthumbor signed; any other escape stays, so options cannot be respelled (`%31` for `1`).
 */
function asWritten(rest: string): string {
  return rest.replace(PARSER_ESCAPES, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run; // not UTF-8: no client wrote that raw
    }
  });
}

/** Splits off and checks the signature segment; returns the rest of the path. */
export async function verifyThumborPath(path: string, config: Config): Promise<string> {
  const slash = path.indexOf('/');
  if (slash <= 0) throw invalidOptions('Expected /<signature or unsafe>/<options and image>.');
  const signature = path.slice(0, slash);
  const rest = path.slice(slash + 1);
  if (signature === 'unsafe') {
    if (!config.thumborAllowUnsafe) throw signatureRequired();
    return rest;
  }
  if (config.thumborSecurityKey === '') {
    throw misconfigured('THUMBOR_SECURITY_KEY is empty, so signed Thumbor URLs cannot be verified.');
  }
  // Thumbor's signatures always carry their "=" padding; an unpadded spelling is not one it issued.
  const bytes = decodeBase64url(signature, { padding: true });
  if (bytes?.length !== HMAC_SHA1_BYTES) throw invalidSignature();
  const verifies = (message: string) => verifyHmac(config.thumborSecurityKey, 'SHA-1', bytes, message);
  const written = asWritten(rest);
  if (!(await verifies(rest)) && (written === rest || !(await verifies(written)))) throw invalidSignature();
  return rest;
}
