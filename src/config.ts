/**
 * Every variable the worker reads, declared once: its name, schema, default
 * and the line the README's configuration table shows (a test holds the
 * README and wrangler.toml to this table). {@link getConfig} turns the
 * worker's strings into one validated {@link Config}, once per isolate and
 * env object; a bad value fails every request with a clear 500
 * "misconfigured" problem instead of running with surprises.
 */
import * as v from 'valibot';
import { misconfigured } from './errors';
import { validate } from './lib/validate';
import { parseSigningKeys, SIGNING_KEYS_FORMAT } from '../sdk/keys.js';

const MiB = 1024 * 1024;

const wholeNumberText = v.pipe(v.string(), v.trim(), v.regex(/^\d+$/, 'must be a whole number'), v.transform(Number));
const wholeNumber = v.pipe(wholeNumberText, v.minValue(0));
const positiveInt = v.pipe(wholeNumberText, v.minValue(1));

const flag = v.pipe(v.string(), v.trim(), v.picklist(['true', 'false', ''], 'must be true or false'), v.transform((f) => f === 'true'));

const text = v.string();

const commaList = v.pipe(v.string(), v.transform((list) => list.split(',').map((item) => item.trim()).filter(Boolean)));

const signingKeys = v.pipe(
  v.string(),
  v.transform(parseSigningKeys),
  v.check((keys) => keys !== undefined, SIGNING_KEYS_FORMAT),
  v.transform((keys) => keys!),
);

const pathPrefix = v.pipe(
  v.string(),
  v.trim(),
  v.regex(/^\/[A-Za-z0-9_.~-]+(\/[A-Za-z0-9_.~-]+)*$/, 'must be a path like /thumbor'),
  // Those routes match first, so a Thumbor mount there would silently never be reached.
  v.check((path) => !['/img', '/healthz'].includes(path), 'must not be /img or /healthz'),
);

/** Letters, digits, `-` and `_`: a preset name can never be mistaken for `name=value`. */
const PRESET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** JSON text, parsed; `expected` says what it should have been when it is not JSON at all. */
const jsonText = (expected: string) => v.pipe(
  v.string(),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    try {
      return JSON.parse(dataset.value) as unknown;
    } catch {
      addIssue({ message: `must be ${expected}` });
      return NEVER;
    }
  }),
);

/** Name → option string; the URL dialect parses the options (url/cloudflare/presets.ts). */
const presets = v.pipe(
  jsonText('a JSON object such as {"thumb": "width=200,height=200,fit=cover"}.'),
  v.rawTransform(({ dataset, addIssue, NEVER }) => {
    const fail = (message: string) => (addIssue({ message }), NEVER);
    const raw = dataset.value;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return fail('must be a JSON object of name → options.');
    for (const [name, options] of Object.entries(raw)) {
      if (!PRESET_NAME.test(name)) return fail(`${name}: a name is letters, digits, "-" and "_".`);
      if (typeof options !== 'string') return fail(`${name}: must be an option string.`);
    }
    return new Map(Object.entries(raw as Record<string, string>)) as ReadonlyMap<string, string>;
  }),
);

/** A JSON array of strings, each passing `item`; repeats dropped. */
const jsonList = <T extends string>(item: v.GenericSchema<string, T>, example: string) => v.pipe(
  jsonText(`a JSON array such as ${example}`),
  v.array(item, `must be a JSON array such as ${example}`),
  v.transform((list): readonly T[] => [...new Set(list)]),
);

const presetNames = jsonList(v.pipe(v.string(), v.regex(PRESET_NAME, 'each must be a preset name')), '["thumb","card"]');
const outputFormats = jsonList(v.picklist(['webp', 'avif', 'jpeg', 'png'], 'each must be webp, avif, jpeg or png'), '["webp","avif"]');

/** A key prefix an origin serves: key rules, ending in `/` so `minio/` never matches `minimal/`. */
const originPrefix = v.pipe(v.string(), v.regex(/^[^/\\]+(\/[^/\\]+)*\/$/, 'must be a key prefix ending in "/", such as "minio/"'));
/** Prepended inside the origin; the same shape, without the trailing slash. */
const originRoot = v.optional(v.pipe(v.string(), v.regex(/^[^/\\]+(\/[^/\\]+)*$/, 'must be a key prefix such as "media/2024"')));
/** The name of secrets (`<NAME>_ACCESS_KEY_ID`, …, or a headers secret): letters, digits and `_`. */
const secretName = v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'must be a secret name such as MINIO')));
const httpUrl = v.pipe(v.string(), v.url('must be an absolute URL'), v.regex(/^https?:\/\//, 'must be http:// or https://'));
const originLimits = {
  root: originRoot,
  /** Seconds to wait for an origin's headers, and between two chunks of its body. */
  timeoutSeconds: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(60)), 10),
  /** Further attempts after a network error, timeout or 5xx, with jittered backoff. */
  retries: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(5)), 2),
};

const S3OriginSchema = v.object({
  prefix: originPrefix,
  type: v.literal('s3'),
  endpoint: httpUrl,
  bucket: v.pipe(v.string(), v.regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name')),
  region: v.optional(v.pipe(v.string(), v.nonEmpty()), 'us-east-1'),
  pathStyle: v.optional(v.boolean(), false),
  credentials: secretName,
  ...originLimits,
});

const HttpOriginSchema = v.pipe(
  v.object({
    prefix: originPrefix,
    type: v.literal('http'),
    base: v.pipe(httpUrl, v.endsWith('/', 'must end in "/"')),
    headers: secretName,
    allowInsecure: v.optional(v.boolean(), false),
    ...originLimits,
  }),
  v.check((origin) => origin.allowInsecure || origin.base.startsWith('https://'), 'an http origin needs https:// unless allowInsecure is true'),
);

export type S3OriginConfig = v.InferOutput<typeof S3OriginSchema>;
export type HttpOriginConfig = v.InferOutput<typeof HttpOriginSchema>;
export type OriginConfig = S3OriginConfig | HttpOriginConfig;

/** A JSON array of origins; keys no prefix matches stay in the ORIGINALS bucket. */
const origins = v.pipe(
  jsonText('a JSON array of origins such as [{"prefix": "minio/", "type": "s3", …}]'),
  v.array(v.union([S3OriginSchema, HttpOriginSchema], 'each origin must be {"type": "s3", …} or {"type": "http", …} as the README describes')),
  v.check((list) => new Set(list.map((o) => o.prefix)).size === list.length, 'two origins have the same prefix'),
);

type Schema = v.GenericSchema<string, unknown>;

interface Variable<F extends string, S extends Schema> {
  /** The {@link Config} property it fills. */
  field: F;
  schema: S;
  /** The value when unset, as it would be written in wrangler.toml. */
  fallback: string;
  /** The README's description (Markdown). */
  doc: string;
  /** Set with `wrangler secret put` (or `.dev.vars` locally), never in wrangler.toml. */
  secret?: boolean;
}

const variable = <F extends string, S extends Schema>(field: F, schema: S, fallback: string, doc: string, secret = false): Variable<F, S> =>
  ({ field, schema, fallback, doc, secret });

export const VARIABLES = {
  MAX_ORIGINAL_BYTES: variable('maxOriginalBytes', positiveInt, String(70 * MiB),
    'larger originals are refused (413) before download (70 MiB)'),
  MAX_INPUT_PIXELS: variable('maxInputPixels', positiveInt, '100000000',
    'width × height from the header, checked before decoding (413; 100 MP)'),
  MAX_OUTPUT_DIMENSION: variable('maxOutputDimension', positiveInt, '12000',
    'largest width or height requested (400) or produced (413)'),
  MAX_WORKING_MEMORY: variable('maxWorkingMemory', positiveInt, String(100 * MiB),
    'estimated peak memory of one transform (input, decoder, steps and encoder together, since rows stream through all of them), checked from the header before decoding (413; 100 MiB); an isolate has 128 MB in all'),
  TRANSFORM_QUEUE_DEADLINE: variable('transformQueueDeadline', wholeNumber, '20',
    'seconds a transform may wait its turn in one isolate; a request expected to wait longer gets `503 busy`'),
  TRANSFORM_TIME_LIMIT: variable('transformTimeLimit', wholeNumber, '20',
    'seconds one transform may run, checked after every band of rows (503 `transform-timeout`); deployed, the clock moves only at I/O, so this bounds slow reads while Workers\' CPU limit bounds computing. One whose work never settles gives up its queue turn after twice this. `0`: no limit'),
  SIGNED_URL_TTL: variable('signedUrlTtl', positiveInt, '3600',
    'seconds the signed preset URLs in API replies stay valid (when signatures are required)'),
  ORIGINAL_LOOKUP_TTL: variable('originalLookupTtl', wholeNumber, '10',
    "seconds an isolate reuses an original's ETag, so cache hits skip R2; a replaced original shows within this time in other isolates (`0`: check R2 on every request)"),
  VARIANT_CACHE_CONTROL: variable('variantCacheControl', v.pipe(v.string(), v.trim(), v.nonEmpty()), 'public, max-age=31536000, immutable',
    '`Cache-Control` of every variant (capped at the expiry for signed links)'),
  SIGNING_KEYS: variable('signingKeys', signingKeys, '',
    '`kid:secret,…` verifying `/img/` signatures; the first signs, all verify (see "Private links"). Without keys, `/img/` fails closed unless `ALLOW_UNSIGNED`', true),
  ALLOW_UNSIGNED: variable('allowUnsigned', flag, 'false', '`true` serves unsigned `/img/` URLs too'),
  PUBLIC_PREFIXES: variable('publicPrefixes', commaList, '', 'comma-separated key prefixes served without a signature'),
  THUMBOR_SECURITY_KEY: variable('thumborSecurityKey', text, '',
    "Thumbor's `SECURITY_KEY` for `/thumbor/` URLs; empty: only `/unsafe/` URLs can work", true),
  THUMBOR_ALLOW_UNSAFE: variable('thumborAllowUnsafe', flag, 'false', '`true` accepts Thumbor `/unsafe/` URLs'),
  THUMBOR_PATH_PREFIX: variable('thumborPathPrefix', pathPrefix, '/thumbor', 'where Thumbor-compatible URLs are mounted'),
  ADMIN_TOKEN: variable('adminToken', text, '',
    'bearer token of `/api/v1`; at least 16 characters (`npm start` writes one to `.dev.vars`)', true),
  MAX_UPLOAD_BYTES: variable('maxUploadBytes', positiveInt, String(100 * MiB),
    'largest multipart upload request, all files together (413 before reading; 100 MiB)'),
  PRESETS: variable('presets', presets,
    '{"thumb": "width=200,height=200,fit=cover,format=auto", "card": "width=600,height=400,fit=cover,format=auto", "hero": "width=1600,format=auto"}',
    'JSON object: preset name → option string (see "Presets")'),
  ORIGINS: variable('origins', origins, '[]',
    'JSON array of S3-compatible and HTTP origins by key prefix (see "Origins"); other keys are read from the `ORIGINALS` bucket'),
  MAX_VARIANTS_PER_ORIGINAL: variable('maxVariantsPerOriginal', wholeNumber, '0',
    'distinct variants one original may have in R2 before new ones are refused (403 `too-many-variants`); a guard against URLs that mint endless variants at your expense. `0`: no cap'),
  PREGENERATE: variable('pregenerate', presetNames, '[]',
    'JSON array of preset names made in the background right after every upload (a job each per format of `PREGENERATE_FORMATS`; needs the `JOBS` queue), e.g. `["thumb","card"]`'),
  PREGENERATE_FORMATS: variable('pregenerateFormats', outputFormats, '["webp"]',
    'JSON array of the formats a `format=auto` preset of `PREGENERATE` is made in: what the first visitor that accepts one finds stored'),
  OPTIMIZE: variable('optimize', flag, 'true',
    '`true` re-encodes every variant made on the request path once more in the background at high effort (the `JOBS` queue), replacing it when smaller at equal or better quality (see "Background jobs")'),
  VARIANT_TTL_DAYS: variable('variantTtlDays', wholeNumber, '30',
    'the daily Cron Trigger deletes variants not requested for this many days (never an original); `0`: keep them all'),
  PRESETS_ONLY: variable('presetsOnly', flag, 'false', '`true` refuses `/img/` options that are not a preset (403)'),
  EXPOSE_GPS: variable('exposeGps', flag, 'false', '`true` includes EXIF GPS coordinates in metadata'),
  MAX_ANIMATION_FRAMES: variable('maxAnimationFrames', positiveInt, '500',
    'frames an animated GIF or WebP may have; more is refused (413) before any frame is decoded'),
  MAX_ANIMATION_PIXELS: variable('maxAnimationPixels', positiveInt, '50000000',
    "frames × canvas area an animation may be resized across (50 MP, as Cloudflare's); above it the first frame is served, with `X-Edgepix-Animation: first-frame`"),
  BENCH_MEMORY_METER: variable('benchMemoryMeter', flag, 'false',
    '`true` adds `mem-idle` and `mem-peak` (bytes charged: WASM memories and the pipeline\'s large buffers) to `Server-Timing`; `npm run bench` sets it'),
};

type Variables = typeof VARIABLES;
export type VariableName = keyof Variables;

/** The variables as the worker receives them: strings, each optional. */
export type VariableValues = { [K in VariableName]?: string };

export type Config = { readonly [K in VariableName as Variables[K]['field']]: v.InferOutput<Variables[K]['schema']> };

const ConfigSchema = v.object(
  Object.fromEntries(Object.entries(VARIABLES).map(([name, { schema, fallback }]) => [name, v.optional(schema, fallback)])) as {
    [K in VariableName]: v.OptionalSchema<Variables[K]['schema'], string>;
  },
);

const cache = new WeakMap<object, Config>();

export function getConfig(env: VariableValues): Config {
  const known = cache.get(env);
  if (known) return known;
  const values = validate(ConfigSchema, env, misconfigured, 'config');
  const config = Object.fromEntries(
    Object.entries(VARIABLES).map(([name, { field }]) => [field, values[name as VariableName]]),
  ) as Config;
  const unknownPreset = config.pregenerate.find((name) => !config.presets.has(name));
  if (unknownPreset !== undefined) throw misconfigured(`config: PREGENERATE names "${unknownPreset}", which PRESETS does not define.`);
  cache.set(env, config);
  return config;
}
