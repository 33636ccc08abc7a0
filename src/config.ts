/**
 * Turns the worker's string variables into one validated {@link Config},
 * once per isolate and env object. A bad value fails every request with a
 * clear 500 "misconfigured" problem instead of running with surprises.
 */
import * as v from 'valibot';
import type { Env } from './env';
import { misconfigured } from './errors';
import { parseSigningKeys, SIGNING_KEYS_FORMAT, type SigningKey } from '../sdk/keys.js';
import type { TransformSpec } from './spec/transform-spec';
import { parsePresets } from './url/cloudflare/presets';

const wholeNumberText = v.pipe(v.string(), v.trim(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number));

const wholeNumber = (fallback: number) => v.optional(wholeNumberText, String(fallback));

const positiveInt = (fallback: number) => v.optional(v.pipe(wholeNumberText, v.minValue(1)), String(fallback));

const flag = v.optional(
  v.pipe(v.string(), v.trim(), v.picklist(['true', 'false', ''], 'must be true or false'), v.transform((f) => f === 'true')),
  'false',
);

const commaList = v.optional(
  v.pipe(v.string(), v.transform((text) => text.split(',').map((item) => item.trim()).filter(Boolean))),
  '',
);

const signingKeys = v.optional(
  v.pipe(
    v.string(),
    v.transform(parseSigningKeys),
    v.check((keys) => keys !== undefined, SIGNING_KEYS_FORMAT),
    v.transform((keys) => keys!),
  ),
  '',
);

const pathPrefix = v.optional(
  v.pipe(
    v.string(),
    v.trim(),
    v.regex(/^\/[A-Za-z0-9_.~-]+(\/[A-Za-z0-9_.~-]+)*$/, 'must be a path like /thumbor'),
    // Those routes match first, so a Thumbor mount there would silently never be reached.
    v.check((path) => !['/img', '/healthz'].includes(path), 'must not be /img or /healthz'),
  ),
  '/thumbor',
);

const ConfigSchema = v.object({
  MAX_ORIGINAL_BYTES: positiveInt(70 * 1024 * 1024),
  MAX_INPUT_PIXELS: positiveInt(100_000_000),
  MAX_OUTPUT_DIMENSION: positiveInt(12_000),
  MAX_WORKING_MEMORY: positiveInt(100 * 1024 * 1024),
  TRANSFORM_QUEUE_DEADLINE: wholeNumber(20),
  SIGNED_URL_TTL: positiveInt(3600),
  ORIGINAL_LOOKUP_TTL: wholeNumber(10),
  VARIANT_CACHE_CONTROL: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty()), 'public, max-age=31536000, immutable'),
  SIGNING_KEYS: signingKeys,
  ALLOW_UNSIGNED: flag,
  PUBLIC_PREFIXES: commaList,
  THUMBOR_SECURITY_KEY: v.optional(v.string(), ''),
  THUMBOR_ALLOW_UNSAFE: flag,
  THUMBOR_PATH_PREFIX: pathPrefix,
  MAX_UPLOAD_BYTES: positiveInt(100 * 1024 * 1024),
  PRESETS: v.optional(v.string(), '{}'),
  PRESETS_ONLY: flag,
  EXPOSE_GPS: flag,
  BENCH_MEMORY_METER: flag,
});

/** Every variable the worker reads through {@link getConfig}; README's configuration table lists exactly these (a test checks). */
export const CONFIG_VARIABLES = Object.keys(ConfigSchema.entries);

export interface Config {
  /** Originals larger than this are refused with 413 before their body is read. */
  maxOriginalBytes: number;
  /** Width × height of the original, checked from its header before decoding. */
  maxInputPixels: number;
  /** Largest width or height a client may ask for, or the pipeline may produce. */
  maxOutputDimension: number;
  /** Estimated peak bytes one transform may use (decoder buffers, pixels, encoder); Workers isolates have 128 MB. */
  maxWorkingMemory: number;
  /** Lifetime in seconds of the signed preset URLs API replies carry. */
  signedUrlTtl: number;
  /** Seconds a transform may wait for its turn in one isolate; a request expected to wait longer gets 503. */
  transformQueueDeadline: number;
  /** Seconds an isolate trusts a looked-up original's ETag before asking R2 again; 0 asks every request. */
  originalLookupTtl: number;
  /** Cache-Control sent with every variant. */
  variantCacheControl: string;
  /** Verifying keys for /img signatures; empty with allowUnsigned false fails closed. */
  signingKeys: SigningKey[];
  allowUnsigned: boolean;
  /** Original-key prefixes served without a signature. */
  publicPrefixes: string[];
  /** Empty: only `/unsafe/` Thumbor URLs can work (and only with thumborAllowUnsafe). */
  thumborSecurityKey: string;
  thumborAllowUnsafe: boolean;
  thumborPathPrefix: string;
  /** Largest upload request body (all files of one multipart request together); refused with 413 before it is read. */
  maxUploadBytes: number;
  /** Named transformations, parsed into the same spec their spelled-out options give. */
  presets: ReadonlyMap<string, TransformSpec>;
  /** Refuse `/img/` URLs that are not a preset. */
  presetsOnly: boolean;
  /** Include EXIF GPS coordinates in metadata responses. */
  exposeGps: boolean;
  /** Report charged memory in Server-Timing (`mem-idle`, `mem-peak`), for `npm run bench`. */
  benchMemoryMeter: boolean;
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
    maxWorkingMemory: parsed.output.MAX_WORKING_MEMORY,
    transformQueueDeadline: parsed.output.TRANSFORM_QUEUE_DEADLINE,
    signedUrlTtl: parsed.output.SIGNED_URL_TTL,
    originalLookupTtl: parsed.output.ORIGINAL_LOOKUP_TTL,
    variantCacheControl: parsed.output.VARIANT_CACHE_CONTROL,
    signingKeys: parsed.output.SIGNING_KEYS,
    allowUnsigned: parsed.output.ALLOW_UNSIGNED,
    publicPrefixes: parsed.output.PUBLIC_PREFIXES,
    thumborSecurityKey: parsed.output.THUMBOR_SECURITY_KEY,
    thumborAllowUnsafe: parsed.output.THUMBOR_ALLOW_UNSAFE,
    thumborPathPrefix: parsed.output.THUMBOR_PATH_PREFIX,
    maxUploadBytes: parsed.output.MAX_UPLOAD_BYTES,
    presets: parsePresets(parsed.output.PRESETS, parsed.output.MAX_OUTPUT_DIMENSION),
    presetsOnly: parsed.output.PRESETS_ONLY,
    exposeGps: parsed.output.EXPOSE_GPS,
    benchMemoryMeter: parsed.output.BENCH_MEMORY_METER,
  };
  cache.set(env, config);
  return config;
}
