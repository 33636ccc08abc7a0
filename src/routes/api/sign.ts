/** POST /api/v1/sign: a signed, expiring /img URL for the admin (the console's builder and thumbnails). */
import { Hono } from 'hono';
import { getConfig } from '../../config';
import { invalidRequest } from '../../errors';
import { validate } from '../../lib/validate';
import type { ApiEnv } from '../../security/auth';
import { SignRequestSchema, signImagePath } from '../../security/sign-path';
import { readJson } from './read-json';

export const signRoutes = new Hono<ApiEnv>().post('/', async (c) => {
  const config = getConfig(c.env);
  const body = validate(SignRequestSchema, await readJson(c.req.raw, '{"path": "/img/width=400/photos/cat.jpg", "expiresIn": 3600}'), invalidRequest, 'body');
  const signed = await signImagePath(body.path, config.signingKeys, body.expiresIn ?? config.signedUrlTtl);
  return c.json(
    { url: new URL(signed.path, c.req.url).href, path: signed.path, expiresAt: new Date(signed.expiresAt * 1000).toISOString() },
    200,
    { 'Cache-Control': 'no-store' },
  );
});
