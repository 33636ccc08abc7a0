/** DELETE /api/v1/images/<key>: the original and every variant made from it. Admin token. */
import { Hono } from 'hono';
import type { ApiEnv } from '../../security/auth';
import { forgetOriginal } from '../../delivery/original';
import { deleteOriginal, purgeVariants } from '../../storage/purge';
import { keyFromPath } from './key-path';

export const imageDeleteRoutes = new Hono<ApiEnv>().delete('/*', async (c) => {
  const key = keyFromPath(c, '/images/');
  await deleteOriginal(c.env.ORIGINALS, key);
  forgetOriginal(key);
  const variantsRemoved = await purgeVariants(c.env.VARIANTS, key);
  return c.json({ key, deleted: true, variantsRemoved });
});
