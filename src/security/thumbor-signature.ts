/**
 * Thumbor's URL signature: `/<signature>/<rest>`, where the signature is
 * url-safe base64 *with* padding of HMAC-SHA1(THUMBOR_SECURITY_KEY, rest),
 * `rest` exactly as received (still percent-encoded). `/unsafe/<rest>` skips
 * it, only when THUMBOR_ALLOW_UNSAFE=true.
 */
import { decodeBase64url } from '../../sdk/canonical.js';
import type { Config } from '../config';
import { invalidOptions, invalidSignature, misconfigured, signatureRequired } from '../errors';
import { verifyHmac } from './signature';

const HMAC_SHA1_BYTES = 20;

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
  if (!(await verifyHmac(config.thumborSecurityKey, 'SHA-1', bytes, rest))) throw invalidSignature();
  return rest;
}
