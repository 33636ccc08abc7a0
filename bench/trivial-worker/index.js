/**
 * The least a Worker can do to serve a cached image: one Cache API lookup.
 * `PUT /seed` stores the body once (the bench sends edgepix's own variant
 * bytes), `GET /` returns it from the Cache API, `/healthz` says it is up.
 * With `LOG_LINE=true` (a control of the throughput section) each answer is
 * also logged as one JSON line of the size of edgepix's request log line.
 */
const cacheUrl = (request) => `${new URL(request.url).origin}/__trivial/body`;

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === '/healthz') return new Response('ok');
    if (request.method === 'PUT' && pathname === '/seed') {
      const stored = new Response(await request.arrayBuffer(), {
        headers: {
          'Content-Type': request.headers.get('Content-Type') ?? 'application/octet-stream',
          'Cache-Control': 'public, max-age=31536000, immutable',
        },
      });
      await caches.default.put(cacheUrl(request), stored);
      return new Response(null, { status: 204 });
    }
    const cached = await caches.default.match(cacheUrl(request));
    if (env.LOG_LINE === 'true') console.log(JSON.stringify({ level: 'info', event: 'request', method: request.method, path: pathname, status: cached ? 200 : 404, note: 'x'.repeat(280) }));
    return cached ?? new Response('not seeded', { status: 404 });
  },
};
