/** DELETE /api/v1/images/<key>: the original and every variant made from it. Admin token. */
import { Hono } from 'hono';
import type { ApiEnv } from '../../security/auth';
import { deleteOriginal } from '../../storage/purge';
import { keyFromPath } from './key-path';

export const imageDeleteRoutes = new Hono<ApiEnv>().delete('/*', async (c) => {
  const key = keyFromPath(c, '/images/');
  const variantsRemoved = await deleteOriginal(c.env.ORIGINALS, c.env.VARIANTS, key);
  return c.json({ key, deleted: true, variantsRemoved });
});
