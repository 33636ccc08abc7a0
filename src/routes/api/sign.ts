/**
 * POST /api/v1/sign: a signed URL for the admin (the console's builder and
 * thumbnails). `/img/…` paths get an expiring edgepix signature;
 * `<THUMBOR_PATH_PREFIX>/unsafe/…` paths get Thumbor's signature in place of `unsafe`.
 */
import { Hono } from 'hono';
import { getConfig } from '../../config';
import { invalidRequest } from '../../errors';
import { validate } from '../../lib/validate';
import type { ApiEnv } from '../../security/auth';
import { IMAGE_PATH, SignRequestSchema, signImagePath, thumborSignature } from '../../security/sign-path';
import { readJson } from './read-json';

const EXAMPLE = '{"path": "/img/width=400/photos/cat.jpg", "expiresIn": 3600}';

export const signRoutes = new Hono<ApiEnv>().post('/', async (c) => {
  const config = getConfig(c.env);
  const { path, expiresIn } = validate(SignRequestSchema, await readJson(c.req.raw, EXAMPLE), invalidRequest, 'body');
  const thumbor = `${config.thumborPathPrefix}/unsafe/`;
  const headers = { 'Cache-Control': 'no-store' };
  if (IMAGE_PATH.test(path)) {
    const signed = await signImagePath(path, config.signingKeys, expiresIn ?? config.signedUrlTtl);
    const expiresAt = new Date(signed.expiresAt * 1000).toISOString();
    return c.json({ url: new URL(signed.path, c.req.url).href, path: signed.path, expiresAt }, 200, headers);
  }
  if (path.startsWith(thumbor) && path.length > thumbor.length) {
    const rest = path.slice(thumbor.length);
    const signed = `${config.thumborPathPrefix}/${await thumborSignature(rest, config.thumborSecurityKey)}/${rest}`;
    return c.json({ url: new URL(signed, c.req.url).href, path: signed }, 200, headers);
  }
  throw invalidRequest(`path: must be "/img/<options>/<key>" or "${thumbor}<Thumbor path>".`);
});
