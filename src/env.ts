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
}
