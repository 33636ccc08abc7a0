/**
 * Which origin holds a key: the configured origin (ORIGINS) with the longest
 * matching prefix, else the ORIGINALS bucket. Origins are operator
 * configuration, never derived from a request; their secrets are read from
 * the environment by the names the configuration gives.
 */
import type { Config, OriginConfig } from '../config';
import type { Env } from '../env';
import { misconfigured } from '../errors';
import { httpOrigin } from './http-origin';
import type { Origin } from './origin';
import { r2Origin } from './r2-origin';
import { s3Origin } from './s3-origin';

const secret = (env: Env, name: string): string => {
  const value = (env as unknown as Record<string, unknown>)[name];
  if (typeof value !== 'string' || value === '') throw misconfigured(`${name}: must be set (a secret named by ORIGINS).`);
  return value;
};

function headersFrom(env: Env, name: string): Record<string, string> {
  const text = secret(env, name);
  let headers: unknown;
  try {
    headers = JSON.parse(text);
  } catch {
    // Not JSON: refused below like any other shape.
  }
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers) || !Object.values(headers).every((h) => typeof h === 'string')) {
    throw misconfigured(`${name}: must be a JSON object of header names to strings.`);
  }
  return headers as Record<string, string>;
}

function build(origin: OriginConfig, env: Env, config: Config): Origin {
  const limits = { prefix: origin.prefix, root: origin.root, timeoutSeconds: origin.timeoutSeconds, retries: origin.retries, maxOriginalBytes: config.maxOriginalBytes };
  if (origin.type === 'http') return httpOrigin(origin, limits, origin.headers ? headersFrom(env, origin.headers) : {});
  const name = origin.credentials?.toUpperCase();
  const credentials = name && { accessKeyId: secret(env, `${name}_ACCESS_KEY_ID`), secretAccessKey: secret(env, `${name}_SECRET_ACCESS_KEY`) };
  return s3Origin(origin, limits, credentials || undefined);
}

const r2Origins = new WeakMap<R2Bucket, Origin>();

function bucketOrigin(bucket: R2Bucket): Origin {
  let origin = r2Origins.get(bucket);
  if (!origin) r2Origins.set(bucket, (origin = r2Origin(bucket)));
  return origin;
}

/** Per configuration: its origins, longest prefix first. */
const built = new WeakMap<Config, { prefix: string; origin: Origin }[]>();

export function originFor(env: Env, config: Config, key: string): Origin {
  let origins = built.get(config);
  if (!origins) {
    origins = [...config.origins].sort((a, b) => b.prefix.length - a.prefix.length).map((o) => ({ prefix: o.prefix, origin: build(o, env, config) }));
    built.set(config, origins);
  }
  return origins.find((o) => key.startsWith(o.prefix))?.origin ?? bucketOrigin(env.ORIGINALS);
}
