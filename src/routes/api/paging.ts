/** `?cursor=&limit=` of every listing in the API: R2's own cursor, and at most R2's page of 1000. */
import * as v from 'valibot';

const MAX_PAGE = 1000;
const LIMIT_RULE = `limit must be a whole number from 1 to ${MAX_PAGE}`;

export const pageQuery = {
  cursor: v.optional(v.pipe(v.string(), v.nonEmpty())),
  limit: v.optional(
    v.pipe(v.string(), v.regex(/^\d+$/, LIMIT_RULE), v.transform(Number), v.minValue(1, LIMIT_RULE), v.maxValue(MAX_PAGE, LIMIT_RULE)),
    '100',
  ),
};
