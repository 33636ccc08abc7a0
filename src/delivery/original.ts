/**
 * The original a request names: looked up in its origin (a ranged read of
 * its first bytes), sniffed, and checked against the byte limit before
 * anything else.
 *
 * Lookups are remembered per isolate, so a cache hit needs no origin call.
 * The lookup's validator versions every variant; remembering it for a few
 * seconds trades "a replaced original is seen at once" for "within the TTL"
 * in other isolates. Once the TTL is over, the lookup is conditional (If-None-
 * Match), so an unchanged original is not downloaded again. Writes and
 * deletes through this isolate forget the key at once, and a transform that
 * finds the original changed retries with a fresh lookup.
 */
import type { SourceTraits } from '../codecs/negotiate';
import { probe, probePrefix } from '../codecs/probe';
import type { Config } from '../config';
import type { Env } from '../env';
import { assertOriginalBytes } from '../pipeline/limits';
import type { Origin, OriginalVersion } from '../storage/origin';
import { originFor } from '../storage/origins';

export interface Original {
  version: OriginalVersion;
  origin: Origin;
  traits: SourceTraits;
}

/** Enough for a busy isolate's working set; the oldest entry goes first. */
const MAX_ENTRIES = 10_000;

const remembered = new Map<string, { original: Original; expires: number }>();

async function lookUp(env: Env, key: string, config: Config, known?: Original): Promise<Original> {
  const origin = known?.origin ?? originFor(env, config, key);
  const found = await origin.lookup(key, known?.version);
  if (!found.changed) return known!;
  const { format, hasAlpha, animated } = probePrefix(found.prefix);
  return { version: found.version, origin, traits: { format, hasAlpha, animated: format === 'gif' || animated === true } };
}

/** The original `key` names now (or as remembered), refused before any download when over MAX_ORIGINAL_BYTES. */
export async function findOriginal(env: Env, key: string, config: Config): Promise<Original> {
  const original = await recall(env, key, config);
  assertOriginalBytes(original.version.size, config);
  return original;
}

async function recall(env: Env, key: string, config: Config): Promise<Original> {
  const ttl = config.originalLookupTtl;
  if (ttl === 0) return lookUp(env, key, config);
  const now = Date.now();
  // Remembered under this configuration's origin only: another ORIGINS may map the key elsewhere.
  const known = remembered.get(key);
  const same = known && originFor(env, config, key) === known.original.origin ? known : undefined;
  if (same && same.expires > now) return same.original;
  remembered.delete(key);
  const original = await lookUp(env, key, config, same?.original);
  remembered.set(key, { original, expires: now + ttl * 1000 });
  if (remembered.size > MAX_ENTRIES) remembered.delete(remembered.keys().next().value!);
  return original;
}

export function forgetOriginal(key: string): void {
  remembered.delete(key);
}

/** The whole original, read but not decoded. */
export async function readWholeOriginal(env: Env, key: string, config: Config) {
  const original = await findOriginal(env, key, config);
  return { original, bytes: await original.origin.read(original.version) };
}

/** The original's complete header, without decoding its pixels. */
export async function readOriginalHeader(env: Env, key: string, config: Config) {
  const { original, bytes } = await readWholeOriginal(env, key, config);
  return { original, header: probe(bytes) };
}
