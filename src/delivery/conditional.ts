/**
 * Conditional GET and HEAD for everything the image routes serve, after the
 * handler, so edge hits, R2 variants and fresh transforms are answered alike:
 * If-None-Match by Hono's etag middleware; otherwise If-Modified-Since against
 * Last-Modified (RFC 9110 §13.1.3: only evaluated without If-None-Match).
 */
import type { MiddlewareHandler } from 'hono';
import { etag, RETAINED_304_HEADERS } from 'hono/etag';

// RFC 9110 §5.6.7: recipients accept these three forms; any other value is ignored.
const HTTP_DATE_FORMATS = [
  /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/, // IMF-fixdate
  /^[A-Z][a-z]{5,8}, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/, // obsolete RFC 850
  /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/, // obsolete asctime
];

/** Milliseconds since the epoch, or NaN when `text` is not an HTTP-date. */
const httpDate = (text: string | null | undefined) =>
  text && HTTP_DATE_FORMATS.some((format) => format.test(text)) ? Date.parse(text) : Number.NaN;

const answerIfNoneMatch = etag();

export const conditionalGet: MiddlewareHandler = async (c, next) => {
  await answerIfNoneMatch(c, next);
  const { req, res } = c;
  if (res.status !== 200 || !['GET', 'HEAD'].includes(req.method) || req.header('If-None-Match') !== undefined) return;
  // Unmodified when Last-Modified is not later than the date; NaN (no or invalid date) compares false.
  if (!(httpDate(res.headers.get('Last-Modified')) <= httpDate(req.header('If-Modified-Since')))) return;
  await res.body?.cancel();
  // Hono copies the 200's headers onto the 304; keep only those a 304 must repeat, as the etag middleware does.
  c.res = new Response(null, { status: 304 });
  for (const name of [...c.res.headers.keys()]) if (!RETAINED_304_HEADERS.includes(name)) c.res.headers.delete(name);
};
