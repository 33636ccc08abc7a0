/**
 * The Cache API tier in front of R2. Entries are keyed by the variant key
 * (original key + ETag + canonical options with the format settled), because
 * the Cache API keys on the URL alone and ignores Vary.
 */

/** Headers that describe one request's journey, never cached. */
const PER_REQUEST_HEADERS = ['server-timing', 'x-edgepix-cache', 'vary'];

export function edgeCacheUrl(requestUrl: string, variantKey: string): string {
  return `${new URL(requestUrl).origin}/__edgepix/variants/${variantKey}`;
}

export function matchEdge(cacheUrl: string): Promise<Response | undefined> {
  return caches.default.match(cacheUrl);
}

export async function putEdge(cacheUrl: string, response: Response): Promise<void> {
  const stored = new Response(response.body, response);
  for (const name of PER_REQUEST_HEADERS) stored.headers.delete(name);
  await caches.default.put(cacheUrl, stored);
}
