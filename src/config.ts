/**
 * Turns the worker's string variables into one validated {@link Config},
 * once per isolate and env object. A bad value fails every request with a
 * clear 500 "misconfigured" problem instead of running with surprises.
 */
import * as v from 'valibot';
import type { Env } from './env';
import { misconfigured } from './errors';
import type { TransformSpec } from './spec/transform-spec';
import { parsePresets } from './url/cloudflare/presets';

const positiveInt = (fallback: number) =>
  v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.minValue(1)),
    String(fallback),
  );

const flag = v.optional(v.pipe(v.string(), v.trim(), v.picklist(['true', 'false'], 'must be true or false'), v.transform((s) => s === 'true')), 'false');

const ConfigSchema = v.object({
  MAX_ORIGINAL_BYTES: positiveInt(70 * 1024 * 1024),
  MAX_INPUT_PIXELS: positiveInt(100_000_000),
  MAX_OUTPUT_DIMENSION: positiveInt(12_000),
  VARIANT_CACHE_CONTROL: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty()), 'public, max-age=31536000, immutable'),
  MAX_UPLOAD_BYTES: positiveInt(100 * 1024 * 1024),
  PRESETS: v.optional(v.string(), '{}'),
  PRESETS_ONLY: flag,
  EXPOSE_GPS: flag,
});

export interface Config {
  /** Originals larger than this are refused with 413 before their body is read. */
  maxOriginalBytes: number;
  /** Width × height of the original, checked from its header before decoding. */
  maxInputPixels: number;
  /** Largest width or height a client may ask for, or the pipeline may produce. */
  maxOutputDimension: number;
  /** Cache-Control sent with every variant. */
  variantCacheControl: string;
  /** Largest upload request body (all files of one multipart request together); refused with 413 before it is read. */
  maxUploadBytes: number;
  /** Named transformations, parsed into the same spec their spelled-out options give. */
  presets: ReadonlyMap<string, TransformSpec>;
  /** Refuse `/img/` URLs that are not a preset. */
  presetsOnly: boolean;
  /** Include EXIF GPS coordinates in metadata responses. */
  exposeGps: boolean;
}

const cache = new WeakMap<object, Config>();

export function getConfig(env: Env): Config {
  const known = cache.get(env);
  if (known) return known;
  const parsed = v.safeParse(ConfigSchema, env);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    throw misconfigured(`${v.getDotPath(issue) ?? 'config'}: ${issue.message}`);
  }
  const config: Config = {
    maxOriginalBytes: parsed.output.MAX_ORIGINAL_BYTES,
    maxInputPixels: parsed.output.MAX_INPUT_PIXELS,
    maxOutputDimension: parsed.output.MAX_OUTPUT_DIMENSION,
    variantCacheControl: parsed.output.VARIANT_CACHE_CONTROL,
    maxUploadBytes: parsed.output.MAX_UPLOAD_BYTES,
    presets: parsePresets(parsed.output.PRESETS, parsed.output.MAX_OUTPUT_DIMENSION),
    presetsOnly: parsed.output.PRESETS_ONLY,
    exposeGps: parsed.output.EXPOSE_GPS,
  };
  cache.set(env, config);
  return config;
}
