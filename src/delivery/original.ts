/**
 * The original a request names: looked up in R2 (a ranged read of its first
 * bytes), sniffed, and checked against the byte limit before anything else.
 *
 * Lookups are remembered per isolate, so a cache hit needs no R2 call. The
 * lookup's ETag versions every variant; remembering it for a few seconds
 * trades "a replaced original is seen at once" for "within the TTL" in other
 * isolates. Writes and deletes through this isolate forget the key at once,
 * and a transform that finds the original changed retries with a fresh lookup.
 */
import type { SourceTraits } from '../codecs/negotiate';
import { probe, probePrefix } from '../codecs/probe';
import type { Config } from '../config';
import { assertOriginalBytes } from '../pipeline/limits';
import { lookupOriginal, readOriginal, type OriginalVersion } from '../storage/originals';

export interface Original extends OriginalVersion {
  traits: SourceTraits;
}

/** Enough for a busy isolate's working set; the oldest entry goes first. */
const MAX_ENTRIES = 10_000;

const remembered = new Map<string, { original: Original; expires: number }>();

async function lookUp(bucket: R2Bucket, key: string, config: Config): Promise<Original> {
  const { version, prefix } = await lookupOriginal(bucket, key);
  assertOriginalBytes(version.size, config);
  const { format, hasAlpha } = probePrefix(prefix);
  return { ...version, traits: { format, hasAlpha } };
}

export async function findOriginal(bucket: R2Bucket, key: string, config: Config): Promise<Original> {
  const ttl = config.originalLookupTtl;
  if (ttl === 0) return lookUp(bucket, key, config);
  const now = Date.now();
  const known = remembered.get(key);
  if (known && known.expires > now) return known.original;
  remembered.delete(key);
  const original = await lookUp(bucket, key, config);
  remembered.set(key, { original, expires: now + ttl * 1000 });
  if (remembered.size > MAX_ENTRIES) remembered.delete(remembered.keys().next().value!);
  return original;
}

export function forgetOriginal(key: string): void {
  remembered.delete(key);
}

/** The whole original, read but not decoded. */
export async function readWholeOriginal(bucket: R2Bucket, key: string, config: Config) {
  const original = await findOriginal(bucket, key, config);
  return { original, bytes: await readOriginal(bucket, original) };
}

/** The original's complete header, without decoding its pixels. */
export async function readOriginalHeader(bucket: R2Bucket, key: string, config: Config) {
  const { original, bytes } = await readWholeOriginal(bucket, key, config);
  return { original, header: probe(bytes) };
}
