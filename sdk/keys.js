/**
 * `SIGNING_KEYS` = `kid:secret,kid:secret`: the first entry signs, every entry
 * verifies, so keys rotate without downtime. Read by the worker's config and
 * by the CLI alike.
 */
import { KEY_ID_PATTERN } from './canonical.js';

export const SIGNING_KEYS_FORMAT =
  'must be comma-separated kid:secret pairs with distinct kids of letters, digits, "_", "." or "-"';

/** Undefined when malformed; never echoes a secret back. */
export function parseSigningKeys(text) {
  const keys = [];
  for (const entry of text.split(',').map((e) => e.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    const kid = entry.slice(0, colon);
    const secret = entry.slice(colon + 1);
    if (colon <= 0 || secret === '' || !KEY_ID_PATTERN.test(kid)) return undefined;
    if (keys.some((key) => key.kid === kid)) return undefined;
    keys.push({ kid, secret });
  }
  return keys;
}
