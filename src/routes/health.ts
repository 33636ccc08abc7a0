/** Readiness probe: the worker runs and both buckets answer. */
import { Hono } from 'hono';
import type { Env } from '../env';

export const healthRoutes = new Hono<{ Bindings: Env }>().get('/', async (c) => {
  await Promise.all([c.env.ORIGINALS.head('__healthz'), c.env.VARIANTS.head('__healthz')]);
  return c.json({ status: 'ok' }, 200, { 'Cache-Control': 'no-store' });
});
