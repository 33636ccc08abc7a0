/**
 * A per-isolate memo of original lookups, so a cache hit needs no R2 call.
 * The lookup's ETag versions every variant; remembering it for a few seconds
 * trades "a replaced original is seen at once" for "within the TTL" in other
 * isolates. Writes and deletes through this isolate forget the key at once,
 * and a transform that finds the original changed retries with a fresh lookup.
 */
import { lookupOriginal, type OriginalRef } from './originals';

/** Enough for a busy isolate's working set; the oldest entry goes first. */
const MAX_ENTRIES = 10_000;

const remembered = new Map<string, { ref: OriginalRef; expires: number }>();

export async function recallOriginal(bucket: R2Bucket, key: string, ttlSeconds: number): Promise<OriginalRef> {
  if (ttlSeconds === 0) return lookupOriginal(bucket, key);
  const now = Date.now();
  const known = remembered.get(key);
  if (known && known.expires > now) return known.ref;
  remembered.delete(key);
  const ref = await lookupOriginal(bucket, key);
  remembered.set(key, { ref, expires: now + ttlSeconds * 1000 });
  if (remembered.size > MAX_ENTRIES) remembered.delete(remembered.keys().next().value!);
  return ref;
}

export function forgetOriginal(key: string): void {
  remembered.delete(key);
}
