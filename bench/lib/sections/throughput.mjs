/**
 * Cache-hit throughput: edgepix answering a variant from the Cache API
 * against a trivial Worker that returns the same bytes from the Cache API,
 * both under `wrangler dev` on this machine, one after the other, with the
 * same load generator. The ratio is what the target is about; absolute
 * numbers are the local runtime's (wrangler's proxy included), not production's.
 */
import { originalKey, transformRequest } from '../edgepix.mjs';
import { generateLoad } from '../load.mjs';
import { request } from '../http.mjs';
import { TRIVIAL_CONFIG, TRIVIAL_STATE_DIR } from '../paths.mjs';
import { ratio } from '../stats.mjs';
import { edgepixOptions } from '../transform-spec.mjs';
import { withWorker } from '../worker.mjs';

/**
 * @param {{ worker, input, transform, load: { connections: number, durationMs: number, maxRequests: number }, log }} context
 *   `input`: its `tier` original must be uploaded; its variant is the body both Workers serve.
 */
export async function measureThroughput({ worker, input, transform, load, log }) {
  const key = originalKey('tier', input);
  // Two requests make sure the variant is in the Cache API (the first may transform it).
  await transformRequest(worker, key, edgepixOptions(transform));
  const cached = await transformRequest(worker, key, edgepixOptions(transform));
  if (cached.tier !== 'hit') return { error: `expected a Cache API hit, got ${cached.status} ${cached.tier}` };
  const imageUrl = `${worker.url}/img/${edgepixOptions(transform)}/${key.split('/').map(encodeURIComponent).join('/')}`;

  const edgepix = await generateLoad(imageUrl, {
    ...load,
    isOk: (r) => r.status === 200 && r.headers['x-edgepix-cache'] === 'hit',
  });
  log(`  edgepix cache hit: ${edgepix.requestsPerSecond.toFixed(0)} req/s (${edgepix.failed} failed)`);

  const trivial = await withWorker({ name: 'trivial', config: TRIVIAL_CONFIG, persistTo: TRIVIAL_STATE_DIR }, async (trivialWorker) => {
    const seeded = await request(`${trivialWorker.url}/seed`, {
      method: 'PUT',
      body: cached.body,
      headers: { 'content-type': 'image/webp' },
    });
    if (seeded.status !== 204) throw new Error(`trivial worker seed answered ${seeded.status}`);
    return generateLoad(`${trivialWorker.url}/`, {
      ...load,
      isOk: (r) => r.status === 200 && r.body.length === cached.body.length,
    });
  });
  log(`  trivial worker:    ${trivial.requestsPerSecond.toFixed(0)} req/s (${trivial.failed} failed)`);

  return {
    bodyBytes: cached.body.length,
    connections: load.connections,
    edgepix,
    trivial,
    ratio: ratio(edgepix.requestsPerSecond, trivial.requestsPerSecond),
  };
}
