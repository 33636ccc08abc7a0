/** Bindings and variables the worker receives; names match wrangler.toml. */
export interface Env {
  ORIGINALS: R2Bucket;
  VARIANTS: R2Bucket;
  MAX_ORIGINAL_BYTES?: string;
  MAX_INPUT_PIXELS?: string;
  MAX_OUTPUT_DIMENSION?: string;
  VARIANT_CACHE_CONTROL?: string;
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
}
