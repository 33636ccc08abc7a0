/** Bindings and variables the worker receives; names match wrangler.toml. */
export interface Env {
  ORIGINALS: R2Bucket;
  VARIANTS: R2Bucket;
  MAX_ORIGINAL_BYTES?: string;
  MAX_INPUT_PIXELS?: string;
  MAX_OUTPUT_DIMENSION?: string;
  MAX_WORKING_MEMORY?: string;
  MAX_QUEUED_TRANSFORMS?: string;
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
}
