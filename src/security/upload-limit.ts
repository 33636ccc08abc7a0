/**
 * Refuses an upload body over its limit before it is read into memory
 * (Hono's body-limit: from Content-Length when given, else while streaming).
 * The limit depends on who asks: an upload token carries its own maxBytes.
 */
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getConfig } from '../config';
import { problemResponse, tooLarge } from '../errors';
import type { ApiEnv } from './auth';

/** Room for multipart boundaries and part headers around a token's one file. */
const MULTIPART_ALLOWANCE = 16 * 1024;

export const uploadBodyLimit: MiddlewareHandler<ApiEnv> = (c, next) => {
  const config = getConfig(c.env);
  const grant = c.get('grant');
  const multipart = c.req.method === 'POST';
  // A token's multipart body may exceed its maxBytes by the framing; the detail still names the token's own limit.
  const [maxBytes, limit, allowance] =
    grant.kind === 'upload-token'
      ? [grant.record.maxBytes, "the upload token's maxBytes", multipart ? MULTIPART_ALLOWANCE : 0]
      : multipart
        ? [config.maxUploadBytes, 'MAX_UPLOAD_BYTES', 0]
        : [config.maxOriginalBytes, 'MAX_ORIGINAL_BYTES', 0];
  return bodyLimit({
    maxSize: maxBytes + allowance,
    onError: () => problemResponse(tooLarge(`The request body is over ${maxBytes} bytes (${limit}).`)),
  })(c, next);
};
