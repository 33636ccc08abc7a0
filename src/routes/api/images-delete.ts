/**
 * DELETE /api/v1/images/<key>: the original and every variant made from it.
 * Admin token. For a key of another origin (ORIGINS), only the variants in R2
 * go: edgepix never writes to those origins.
 */
import { Hono } from 'hono';
import type { ApiEnv } from '../../security/auth';
import { forgetOriginal } from '../../delivery/original';
import { getConfig } from '../../config';
import { originFor } from '../../storage/origins';
import { deleteOriginal, purgeVariants } from '../../storage/purge';
import { keyFromPath } from './key-path';

export const imageDeleteRoutes = new Hono<ApiEnv>().delete('/*', async (c) => {
  const key = keyFromPath(c, '/images/');
  const origin = originFor(c.env, getConfig(c.env), key);
  if (origin.kind === 'r2') await deleteOriginal(c.env.ORIGINALS, key);
  forgetOriginal(key);
  const variantsRemoved = await purgeVariants(c.env.VARIANTS, key);
  if (origin.kind === 'r2') return c.json({ key, deleted: true, variantsRemoved });
  return c.json({ key, deleted: false, variantsRemoved, detail: `The original stays in the origin ${origin.name}; only its variants were removed.` });
});
