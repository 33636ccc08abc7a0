/**
 * Management API authentication: `Authorization: Bearer <token>` with Hono's
 * bearer-auth middleware, whose comparison hashes both sides and compares in
 * constant time (hono/utils/buffer `timingSafeEqual`). The admin token opens
 * everything; an upload token (see upload-tokens.ts) opens only the upload
 * routes. Every failure is a 401 problem.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { timingSafeEqual } from 'hono/utils/buffer';
import { getConfig } from '../config';
import type { Env } from '../env';
import { misconfigured, problemResponse, unauthorized } from '../errors';
import { findUploadToken, looksLikeUploadToken, type UploadGrant } from './upload-tokens';

export type Grant = { kind: 'admin' } | UploadGrant;

export type ApiEnv = { Bindings: Env; Variables: { grant: Grant } };

/** A random token is at least this long; shorter ones are refused as a configuration error. */
const MIN_ADMIN_TOKEN_LENGTH = 16;

const refuse = (detail: string) => () => problemResponse(unauthorized(detail));

/** Only creating an image may be done with an upload token. */
const isUploadRoute = (c: Context) =>
  (c.req.method === 'POST' && /\/images\/?$/.test(c.req.path)) || (c.req.method === 'PUT' && c.req.path.includes('/images/'));

export const authenticate: MiddlewareHandler<ApiEnv> = bearerAuth({
  async verifyToken(token, c: Context<ApiEnv>) {
    const admin = getConfig(c.env).adminToken;
    if (!admin || admin.length < MIN_ADMIN_TOKEN_LENGTH) {
      throw misconfigured(`ADMIN_TOKEN: must be set, at least ${MIN_ADMIN_TOKEN_LENGTH} characters (npm start writes one to .dev.vars).`);
    }
    if (await timingSafeEqual(token, admin)) {
      c.set('grant', { kind: 'admin' });
      return true;
    }
    if (isUploadRoute(c) && looksLikeUploadToken(token)) {
      c.set('grant', await findUploadToken(c.env.VARIANTS, token));
      return true;
    }
    return false;
  },
  noAuthenticationHeader: { message: refuse('Send Authorization: Bearer <ADMIN_TOKEN>.') },
  invalidAuthenticationHeader: { message: refuse('The Authorization header is not "Bearer <token>".') },
  invalidToken: { message: refuse('The bearer token is not valid here.') },
});
