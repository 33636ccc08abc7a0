/**
 * The Cache API tier in front of R2. Entries are keyed by the variant key
 * (original key + ETag + canonical options with the format settled), because
 * the Cache API keys on the URL alone and ignores Vary. Delivery stores the
 * response before adding what depends on the request (X-Edgepix-Cache, Vary,
 * Server-Timing), so cached copies never carry those.
 */
import { logError } from '../lib/log';

export function edgeCacheUrl(requestUrl: string, variantKey: string): string {
  return `${new URL(requestUrl).origin}/__edgepix/variants/${variantKey}`;
}

/** A miss when the Cache API fails too (logged): the request falls through to R2. */
export function matchEdge(cacheUrl: string): Promise<Response | undefined> {
  return caches.default.match(cacheUrl).catch((error: unknown) => (logError('edge-cache-read-failed', error, { cacheUrl }), undefined));
}

export function putEdge(cacheUrl: string, response: Response): Promise<void> {
  return caches.default.put(cacheUrl, response);
}
