/**
 * The console: static files in public/console/ (Workers Static Assets,
 * wrangler.toml [assets] with run_worker_first, so every asset response
 * passes through here) served with a strict Content-Security-Policy. `/`
 * and the old `/upload` page lead to it.
 */
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';
import type { Env } from '../env';
import { notFound } from '../errors';

const CONSOLE_PATH = '/console/';

const consoleHeaders = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    imgSrc: ["'self'", 'blob:', 'data:'],
    styleSrc: ["'self'"],
    scriptSrc: ["'self'"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
  },
  xFrameOptions: 'DENY',
  crossOriginResourcePolicy: 'same-origin',
  permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
});

export const consoleRoutes = new Hono<{ Bindings: Env }>()
  .get('/', (c) => c.redirect(CONSOLE_PATH, 302))
  .get('/upload', (c) => c.redirect(CONSOLE_PATH, 301))
  .use('/console/*', consoleHeaders)
  .get('/console', (c) => c.redirect(CONSOLE_PATH, 301))
  .get('/console/*', async (c) => {
    const asset = await c.env.ASSETS.fetch(c.req.raw);
    if (asset.status === 404) throw notFound('No such console file.');
    // A fetched response's headers are immutable; the middleware above adds to a copy.
    const response = new Response(asset.body, asset);
    // Revalidated every time (the asset server answers If-None-Match), so a deploy shows at once.
    response.headers.set('Cache-Control', 'no-cache');
    return response;
  });
