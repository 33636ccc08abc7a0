/**
 * Turns the worker's string variables into one validated {@link Config},
 * once per isolate and env object. A bad value fails every request with a
 * clear 500 "misconfigured" problem instead of running with surprises.
 */
import * as v from 'valibot';
import type { Env } from './env';
import { misconfigured } from './errors';
import { parseSigningKeys, SIGNING_KEYS_FORMAT, type SigningKey } from '../sdk/keys.js';

const positiveInt = (fallback: number) =>
  v.optional(
    v.pipe(v.string(), v.trim(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number), v.minValue(1)),
    String(fallback),
  );

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
  MAX_WORKING_MEMORY: positiveInt(80 * 1024 * 1024),
  MAX_QUEUED_TRANSFORMS: positiveInt(16),
  VARIANT_CACHE_CONTROL: v.optional(v.pipe(v.string(), v.trim(), v.nonEmpty()), 'public, max-age=31536000, immutable'),
  SIGNING_KEYS: signingKeys,
  ALLOW_UNSIGNED: flag,
  PUBLIC_PREFIXES: commaList,
  THUMBOR_SECURITY_KEY: v.optional(v.string(), ''),
  THUMBOR_ALLOW_UNSAFE: flag,
  THUMBOR_PATH_PREFIX: pathPrefix,
});

export interface Config {
  /** Originals larger than this are refused with 413 before their body is read. */
  maxOriginalBytes: number;
  /** Width × height of the original, checked from its header before decoding. */
  maxInputPixels: number;
  /** Largest width or height a client may ask for, or the pipeline may produce. */
  maxOutputDimension: number;
  /** Estimated peak bytes one transform may use (decoder buffers, pixels, encoder); Workers isolates have 128 MB. */
  maxWorkingMemory: number;
  /** Transforms running or waiting in one isolate before new ones get 503. */
  maxQueuedTransforms: number;
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
    maxQueuedTransforms: parsed.output.MAX_QUEUED_TRANSFORMS,
    variantCacheControl: parsed.output.VARIANT_CACHE_CONTROL,
    signingKeys: parsed.output.SIGNING_KEYS,
    allowUnsigned: parsed.output.ALLOW_UNSIGNED,
    publicPrefixes: parsed.output.PUBLIC_PREFIXES,
    thumborSecurityKey: parsed.output.THUMBOR_SECURITY_KEY,
    thumborAllowUnsafe: parsed.output.THUMBOR_ALLOW_UNSAFE,
    thumborPathPrefix: parsed.output.THUMBOR_PATH_PREFIX,
  };
  cache.set(env, config);
  return config;
}
