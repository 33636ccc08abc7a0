import type { Context } from 'hono';

/** Bindings and variables the worker receives; names match wrangler.toml. */
export interface Env {
  ORIGINALS: R2Bucket;
  VARIANTS: R2Bucket;
  MAX_ORIGINAL_BYTES?: string;
  MAX_INPUT_PIXELS?: string;
  MAX_OUTPUT_DIMENSION?: string;
  MAX_WORKING_MEMORY?: string;
  /** Seconds a transform may wait its turn behind others in one isolate before 503. */
  TRANSFORM_QUEUE_DEADLINE?: string;
  SIGNED_URL_TTL?: string;
  /** Seconds an isolate reuses an original's ETag (cache hits then skip R2); `0` checks R2 on every request. */
  ORIGINAL_LOOKUP_TTL?: string;
  VARIANT_CACHE_CONTROL?: string;
  /** `kid:secret` pairs, comma-separated: the first signs, all verify. A secret; set with `wrangler secret put`. */
  SIGNING_KEYS?: string;
  /** `true` serves unsigned /img URLs too (public images, local development). */
  ALLOW_UNSIGNED?: string;
  /** Comma-separated original-key prefixes that never need a signature, e.g. `public/`. */
  PUBLIC_PREFIXES?: string;
  /** Thumbor's SECURITY_KEY; a secret. */
  THUMBOR_SECURITY_KEY?: string;
  /** `true` accepts Thumbor's `/unsafe/` URLs. */
  THUMBOR_ALLOW_UNSAFE?: string;
  /** Where Thumbor-compatible URLs are mounted; `/thumbor` by default. */
  THUMBOR_PATH_PREFIX?: string;
  /** Secret: the bearer token of the management API (`/api/v1`). */
  ADMIN_TOKEN?: string;
  /** Largest whole upload request body, all files together. */
  MAX_UPLOAD_BYTES?: string;
  /** JSON object of named transformations: `{"thumb": "width=200,height=200,fit=cover"}`. */
  PRESETS?: string;
  /** `true` refuses every `/img/` URL that is not a preset. */
  PRESETS_ONLY?: string;
  /** `true` includes EXIF GPS coordinates in image metadata. */
  EXPOSE_GPS?: string;
  /** `true` adds charged-memory entries to Server-Timing; for the bench, not production. */
  BENCH_MEMORY_METER?: string;
}

/** The Hono context every route and the delivery service see. */
export type AppContext = Context<{ Bindings: Env }>;
