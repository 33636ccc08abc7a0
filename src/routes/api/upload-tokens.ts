/** POST /api/v1/upload-tokens: a single-use token for one browser upload. Admin token. */
import { Hono } from 'hono';
import { validate } from '../../lib/validate';
import { INPUT_FORMATS } from '../../lib/formats';
import { getConfig } from '../../config';
import { invalidRequest } from '../../errors';
import type { ApiEnv } from '../../security/auth';
import { issueUploadToken, UploadTokenRequestSchema, type UploadTokenRecord } from '../../security/upload-tokens';
import { encodeKeyPath, validateKey, validatePrefix } from '../../lib/keys';
import { readJson } from './read-json';

export const uploadTokenRoutes = new Hono<ApiEnv>().post('/', async (c) => {
  const config = getConfig(c.env);
  const request = validate(UploadTokenRequestSchema, await readJson(c.req.raw, '{"prefix": "user-uploads"}'), invalidRequest, 'body');
  const maxBytes = request.maxBytes ?? config.maxOriginalBytes;
  if (maxBytes > config.maxOriginalBytes) {
    throw invalidRequest(`maxBytes: at most MAX_ORIGINAL_BYTES (${config.maxOriginalBytes}).`);
  }
  const scope: UploadTokenRecord['scope'] = request.key !== undefined
    ? { key: validateKey(request.key) }
    : { prefix: validatePrefix(request.prefix ?? '') };
  const record: Omit<UploadTokenRecord, 'used'> = {
    scope,
    maxBytes,
    types: request.types ?? [...INPUT_FORMATS],
    expiresAt: Date.now() + request.expiresIn * 1000,
  };
  const token = await issueUploadToken(c.env.VARIANTS, record);
  const base = `${new URL(c.req.url).origin}/api/v1/images`;
  const upload = 'key' in scope
    ? { method: 'PUT', url: `${base}/${encodeKeyPath(scope.key)}` }
    : { method: 'POST', url: base, field: 'file' };
  return c.json({ token, ...scope, maxBytes, types: record.types, expiresAt: new Date(record.expiresAt).toISOString(), upload }, 201);
});
