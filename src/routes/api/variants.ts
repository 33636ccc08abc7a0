/** GET /api/v1/variants?original=<key>: what R2 holds for an original, with what each optimize pass saved. Admin token. */
import { Hono } from 'hono';
import * as v from 'valibot';
import { invalidRequest } from '../../errors';
import { validateKey } from '../../lib/keys';
import { validate } from '../../lib/validate';
import type { ApiEnv } from '../../security/auth';
import { listVariants } from '../../storage/variants';
import { pageQuery } from './paging';

const VariantQuerySchema = v.object({ original: v.pipe(v.optional(v.string(), ''), v.nonEmpty('?original=<key> is required')), ...pageQuery });

export const variantRoutes = new Hono<ApiEnv>().get('/', async (c) => {
  const { original, cursor, limit } = validate(VariantQuerySchema, c.req.query(), invalidRequest);
  return c.json({ original, ...(await listVariants(c.env.VARIANTS, validateKey(original), cursor, limit)) });
});
