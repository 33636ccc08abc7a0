/**
 * One error type for every failure a client can cause, rendered once as
 * RFC 9457 `application/problem+json` by {@link problemResponse}.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** Stable problem identifiers; each is documented in the README's "Errors" table. */
export type ProblemSlug =
  | 'invalid-options'
  | 'invalid-key'
  | 'not-found'
  | 'too-large'
  | 'unsupported-media-type'
  | 'corrupt-image'
  | 'original-changed'
  | 'busy'
  | 'misconfigured'
  | 'signature-required'
  | 'invalid-signature'
  | 'expired'
  | 'unsupported-filter'
  | 'internal';

const PROBLEM_BASE = 'https://github.com/edgepix/edgepix#problem-';

export class ProblemError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly slug: ProblemSlug,
    readonly title: string,
    readonly detail: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message: detail });
  }
}

export const invalidOptions = (detail: string) =>
  new ProblemError(400, 'invalid-options', 'Invalid transformation options', detail);
export const invalidKey = (detail: string) =>
  new ProblemError(400, 'invalid-key', 'Invalid image key', detail);
export const notFound = (detail: string) => new ProblemError(404, 'not-found', 'Not found', detail);
export const tooLarge = (detail: string) => new ProblemError(413, 'too-large', 'Image too large', detail);
export const unsupportedMediaType = (detail: string) =>
  new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', detail);
export const corruptImage = (detail: string) =>
  new ProblemError(422, 'corrupt-image', 'Corrupt image', detail);
export const originalChanged = () =>
  new ProblemError(503, 'original-changed', 'Original changed during processing',
    'The original was replaced while this variant was being made; retry the request.', { 'Retry-After': '1' });
export const misconfigured = (detail: string) =>
  new ProblemError(500, 'misconfigured', 'Server misconfigured', detail);

// One detail for every way a signature can be wrong: a forger learns nothing from it.
export const invalidSignature = () =>
  new ProblemError(403, 'invalid-signature', 'Invalid signature', 'The URL signature is not valid.');
export const signatureRequired = () =>
  new ProblemError(403, 'signature-required', 'Signature required', 'This image is only served through a signed URL.');
/** Only said of authentic links: the signature is checked before the expiry. */
export const expired = (at: Date) =>
  new ProblemError(410, 'expired', 'Link expired', `This link expired at ${at.toISOString()}.`);
export const unsupportedFilter = (detail: string) =>
  new ProblemError(400, 'unsupported-filter', 'Unsupported filter', detail);

/** Renders any thrown value; unknown errors become a 500 whose detail never leaks internals. */
export function problemResponse(error: unknown): Response {
  const problem = error instanceof ProblemError
    ? error
    : new ProblemError(500, 'internal', 'Internal error', 'The request could not be completed.');
  const body = {
    type: PROBLEM_BASE + problem.slug,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
  };
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: {
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
      ...problem.headers,
    },
  });
}
