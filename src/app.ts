/** The Hono app: middleware order and route mounting only. */
import { Hono } from 'hono';
import { except } from 'hono/combine';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { timing } from 'hono/timing';
import { conditionalGet } from './delivery/conditional';
import type { Env } from './env';
import { HTTPException } from 'hono/http-exception';
import { notFound, problemResponse } from './errors';
import { logError } from './lib/log';
import { apiRoutes } from './routes/api';
import { consoleRoutes } from './routes/console';
import { healthRoutes } from './routes/health';
import { imageRoutes } from './routes/image';
import { thumborRoutes } from './routes/thumbor';
import { requireSignature } from './security/require-signature';

export const app = new Hono<{ Bindings: Env }>();

// The console sets its own, stricter ones (routes/console.ts); after it, these would override them.
app.use(except('/console/*', secureHeaders({ crossOriginResourcePolicy: 'cross-origin' })));
app.use(timing({ crossOrigin: true }));
app.use('/img/*', cors({ origin: '*', allowMethods: ['GET', 'HEAD'] }));
// After the handler: answers If-None-Match (or If-Modified-Since) with 304 from the ETag (or Last-Modified) the route set.
app.use('/img/*', conditionalGet);
// Inside conditionalGet, so a 304 carries the capped Cache-Control too; before the route, so no R2 work precedes it.
app.use('/img/*', requireSignature);
// Browsers upload with an upload token in the Authorization header; no cookies, so any origin is safe.
app.use('/api/*', cors({ origin: '*', allowHeaders: ['Authorization', 'Content-Type'], allowMethods: ['GET', 'POST', 'PUT', 'DELETE'] }));

app.route('/healthz', healthRoutes);
app.route('/img', imageRoutes);
app.route('/api/v1', apiRoutes);
app.route('/', consoleRoutes);
// Its prefix is configuration (THUMBOR_PATH_PREFIX), known only per request, so it is matched inside.
app.use('*', thumborRoutes);

app.notFound(() => problemResponse(notFound('No such route.')));
app.onError((error, c) => {
  // A problem is an answer; anything else is a bug or an outage, and its cause belongs in the log.
  if (!(error instanceof HTTPException)) logError('unexpected-error', error, { method: c.req.method, path: new URL(c.req.url).pathname });
  return problemResponse(error);
});
