/** The Hono app: middleware order and route mounting only. */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { timing } from 'hono/timing';
import { conditionalGet } from './delivery/conditional';
import type { Env } from './env';
import { HTTPException } from 'hono/http-exception';
import { getConfig } from './config';
import { asProblem, notFound, problemResponse } from './errors';
import { IMAGE_MOUNTS } from './lib/image-paths';
import { logError } from './lib/log';
import { logRequest, noteRequest } from './lib/request-log';
import { apiRoutes } from './routes/api';
import { consoleRoutes } from './routes/console';
import { healthRoutes } from './routes/health';
import { imageRoutes } from './routes/image';
import { thumborRoutes } from './routes/thumbor';
import { requireSignature } from './security/require-signature';

export const app = new Hono<{ Bindings: Env }>();

/** Which part of the service a path belongs to, for logs and metrics. */
const routeOf = (env: Env) => (path: string) => {
  const mount = IMAGE_MOUNTS.find((m) => path.startsWith(`${m}/`));
  if (mount) return { route: mount, dialect: 'cloudflare' };
  if (path.startsWith('/api/')) return { route: '/api/v1' };
  if (path === '/healthz') return { route: '/healthz' };
  if (path === '/' || path === '/upload' || path.startsWith('/console')) return { route: '/console' };
  let thumbor = '/thumbor';
  try {
    thumbor = getConfig(env).thumborPathPrefix;
  } catch {
    // A misconfigured worker still logs its requests; the answer says what is wrong.
  }
  return path.startsWith(`${thumbor}/`) ? { route: thumbor, dialect: 'thumbor' } : { route: 'other' };
};

// Outermost: one log line (and metrics data point) per request, whatever answered it.
app.use(async (c, next) => {
  const started = performance.now();
  await next();
  logRequest(c.req.raw, c.res, started, routeOf(c.env), c.env.METRICS);
});
// The console sets its own, stricter ones (routes/console.ts); after it, these would override them.
// A plain test of the path: hono/combine's except() composes a chain of its own on every request.
const secure = secureHeaders({ crossOriginResourcePolicy: 'cross-origin' });
app.use((c, next) => (c.req.path === '/console' || c.req.path.startsWith('/console/') ? next() : secure(c, next)));
app.use(timing({ crossOrigin: true }));
for (const mount of IMAGE_MOUNTS) {
  app.use(`${mount}/*`, cors({ origin: '*', allowMethods: ['GET', 'HEAD'] }));
  // After the handler: answers If-None-Match (or If-Modified-Since) with 304 from the ETag (or Last-Modified) the route set.
  app.use(`${mount}/*`, conditionalGet);
  // Inside conditionalGet, so a 304 carries the capped Cache-Control too; before the route, so no R2 work precedes it.
  app.use(`${mount}/*`, requireSignature);
}
// Browsers upload with an upload token in the Authorization header; no cookies, so any origin is safe.
app.use('/api/*', cors({ origin: '*', allowHeaders: ['Authorization', 'Content-Type'], allowMethods: ['GET', 'POST', 'PUT', 'DELETE'] }));

app.route('/healthz', healthRoutes);
for (const mount of IMAGE_MOUNTS) app.route(mount, imageRoutes);
app.route('/api/v1', apiRoutes);
app.route('/', consoleRoutes);
// Its prefix is configuration (THUMBOR_PATH_PREFIX), known only per request, so it is matched inside.
app.use('*', thumborRoutes);

app.notFound(() => problemResponse(notFound('No such route.')));
app.onError((error, c) => {
  // A problem is an answer; anything else is a bug or an outage, and its cause belongs in the log.
  if (!(error instanceof HTTPException)) logError('unexpected-error', error, { method: c.req.method, path: new URL(c.req.url).pathname });
  noteRequest(c.req.raw, { errorClass: error instanceof HTTPException ? asProblem(error).slug : 'internal' });
  return problemResponse(error);
});
