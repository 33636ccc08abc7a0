/**
 * `POST /optimize/<options>/<key>` with the request path's variant as the
 * body (what `GET /img/<options>/<key>` served) runs edgepix's optimize pass
 * on it: 200 with the optimized file, or 204 when the pass finds nothing
 * smaller at an equal-or-better metric. `X-Optimize` carries the result's
 * numbers as JSON. `/healthz` says it is up.
 */
import { getConfig } from '../../src/config';
import { findOriginal } from '../../src/delivery/original';
import { optimizeVariant } from '../../src/delivery/optimize';
import { parseImagePath } from '../../src/url/cloudflare/parse';

const PREFIX = '/optimize/';

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === '/healthz') return new Response('ok');
    if (request.method !== 'POST' || !pathname.startsWith(PREFIX)) return new Response('not found', { status: 404 });
    const config = getConfig(env);
    const { spec, key } = parseImagePath(pathname.slice(PREFIX.length), config);
    if (!['jpeg', 'webp', 'avif', 'png'].includes(spec.format)) return new Response('name format=jpeg, webp, avif or png', { status: 400 });
    const original = await findOriginal(env, key, config);
    const fast = new Uint8Array(await request.arrayBuffer());
    const result = await optimizeVariant(env, original, spec, config, fast);
    if (!result) return new Response(null, { status: 204, headers: { 'X-Optimize': JSON.stringify({ before: fast.byteLength }) } });
    const { output, meta, before, after, metric } = result;
    return new Response(output, { headers: { 'Content-Type': meta.contentType, 'X-Optimize': JSON.stringify({ before, after, metric }) } });
  },
};
