/** GET /api/v1/images (list, cursor paging) and GET /api/v1/images/<key> (metadata). Admin token. */
import { Hono } from 'hono';
import * as v from 'valibot';
import { r2 } from '../../lib/r2';
import { validate } from '../../lib/validate';
import { getConfig } from '../../config';
import { invalidRequest } from '../../errors';
import { describeOriginal } from '../../delivery/describe';
import type { ApiEnv } from '../../security/auth';
import { imageResource } from './image-resource';
import { keyFromPath } from './key-path';
import { pageQuery } from './paging';

const ListQuerySchema = v.object({ prefix: v.optional(v.string()), ...pageQuery });

/** What a listing knows without reading each object: R2's facts plus the upload's custom metadata, if any. */
function listItem(object: R2Object) {
  const meta = object.customMetadata ?? {};
  return {
    key: object.key,
    bytes: object.size,
    uploaded: object.uploaded.toISOString(),
    etag: object.etag,
    sha256: meta.sha256,
    width: meta.width === undefined ? undefined : Number(meta.width),
    height: meta.height === undefined ? undefined : Number(meta.height),
    format: meta.format,
    name: meta.name,
    // For the console's placeholders while thumbnails load.
    thumbhash: meta.thumbhash,
    dominantColor: meta.dominantColor,
  };
}

export const imageReadRoutes = new Hono<ApiEnv>()
  .get('/', async (c) => {
    const { prefix, cursor, limit } = validate(ListQuerySchema, c.req.query(), invalidRequest);
    const page = await r2('original list', () => c.env.ORIGINALS.list({ prefix, cursor, limit, include: ['customMetadata'] }));
    return c.json({
      images: page.objects.map(listItem),
      // Pass back as ?cursor= for the next page; absent on the last one.
      cursor: page.truncated ? page.cursor : undefined,
      truncated: page.truncated,
    });
  })
  .get('/*', async (c) => {
    const config = getConfig(c.env);
    const image = await describeOriginal(c.env, keyFromPath(c, '/images/'), config);
    return c.json(await imageResource(image, new URL(c.req.url).origin, config));
  });
