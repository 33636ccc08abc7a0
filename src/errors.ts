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
  | 'undecodable-image'
  | 'insufficient-memory'
  | 'original-changed'
  | 'busy'
  | 'transform-timeout'
  | 'origin-unavailable'
  | 'storage-unavailable'
  | 'origin-timeout'
  | 'not-writable'
  | 'unauthorized'
  | 'forbidden'
  | 'conflict'
  | 'invalid-request'
  | 'presets-only'
  | 'too-many-variants'
  | 'misconfigured'
  | 'signature-required'
  | 'invalid-signature'
  | 'expired'
  | 'unsupported-filter'
  | 'remote-source'
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
/** The codec failed in a way that says nothing certain about the file (a WebAssembly trap). */
export const undecodableImage = (detail: string) =>
  new ProblemError(422, 'undecodable-image', 'Image could not be processed', detail);
/** The cost model admitted the transform, yet memory ran out: another isolate, or later, may manage. */
export const insufficientMemory = (detail: string) =>
  new ProblemError(503, 'insufficient-memory', 'Out of memory', detail, { 'Retry-After': '1' });
export const originalChanged = () =>
  new ProblemError(503, 'original-changed', 'Original changed during processing',
    'The original was replaced while this variant was being made; retry the request.', { 'Retry-After': '1' });
/** An origin other than R2 failed or refused; its own answer is never passed on (it may name internals). */
export const originUnavailable = (detail: string) =>
  new ProblemError(502, 'origin-unavailable', 'Origin unavailable', detail, { 'Retry-After': '5' });
/** R2 itself failed (an outage, not the request): nothing was changed, and a retry may succeed. */
export const storageUnavailable = (detail: string) =>
  new ProblemError(503, 'storage-unavailable', 'Storage unavailable', detail, { 'Retry-After': '2' });
export const originTimeout = (detail: string) =>
  new ProblemError(504, 'origin-timeout', 'Origin timed out', detail, { 'Retry-After': '5' });
/** Keys under an S3 or HTTP origin are read there; edgepix writes originals only to R2. */
export const notWritable = (detail: string) =>
  new ProblemError(405, 'not-writable', 'Not writable here', detail, { Allow: 'GET, HEAD, DELETE' });
export const transformTimeout = (seconds: number) =>
  new ProblemError(503, 'transform-timeout', 'Transform took too long',
    `The transform was stopped after ${seconds} s, the limit (TRANSFORM_TIME_LIMIT); ask for a smaller output, or retry later.`, { 'Retry-After': '5' });
export const unauthorized = (detail: string) =>
  new ProblemError(401, 'unauthorized', 'Unauthorized', detail, { 'WWW-Authenticate': 'Bearer realm="edgepix"' });
export const forbidden = (detail: string) => new ProblemError(403, 'forbidden', 'Forbidden', detail);
export const presetsOnly = (detail: string) =>
  new ProblemError(403, 'presets-only', 'Only presets are allowed', detail);
export const tooManyVariants = (detail: string) =>
  new ProblemError(403, 'too-many-variants', 'Too many variants', detail);
export const conflict = (detail: string) => new ProblemError(409, 'conflict', 'Conflict', detail);
export const invalidRequest = (detail: string) =>
  new ProblemError(400, 'invalid-request', 'Invalid request', detail);
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
export const remoteSource = () =>
  new ProblemError(400, 'remote-source', 'Remote sources are not supported',
    'Remote sources are not supported: edgepix serves only the originals in its bucket and its configured origins (ORIGINS). Upload the image (POST /api/v1/images) and use its key instead of its URL.');

/** The RFC 9457 body of a problem, also embedded per file in multi-file upload results. */
export function problemBody(problem: ProblemError) {
  return { type: PROBLEM_BASE + problem.slug, title: problem.title, status: problem.status, detail: problem.detail };
}

/** Unknown errors become a 500 whose detail never leaks internals. */
export const asProblem = (error: unknown): ProblemError =>
  error instanceof ProblemError
    ? error
    : new ProblemError(500, 'internal', 'Internal error', 'The request could not be completed.');

/** Renders any thrown value as problem+json. */
export function problemResponse(error: unknown): Response {
  // Hono middleware (bearer-auth) throws an HTTPException around a response we already rendered as a problem.
  if (error instanceof HTTPException && !(error instanceof ProblemError) && error.res) return error.getResponse();
  const problem = asProblem(error);
  return new Response(JSON.stringify(problemBody(problem)), {
    status: problem.status,
    headers: {
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
      ...problem.headers,
    },
  });
}
