/**
 * When a variant was last asked for, and deleting those nobody asked for in
 * a while. Edge-cache hits never reach R2 and R2 metadata cannot be changed
 * in place, so last access is an empty *stamp* object beside the variant,
 * `:edgepix/accessed/<variant key>`, written from the R2-variant tier only
 * (that is, at most once per edge-cache lifetime per location) and at most
 * once a day: the put is conditional on the stamp being from before today.
 * A variant's own `accessed` metadata is the day it was made.
 *
 * Deletion lists the bucket and, for each variant made before the cutoff,
 * reads its stamp; only variants are ever deleted here, never originals
 * (they are in the other bucket) nor edgepix's records (keys that start
 * with `:`, which no variant key does).
 */
import { r2 } from '../lib/r2';

const STAMP_PREFIX = ':edgepix/accessed/';
/** R2 deletes at most 1000 keys per call, and lists at most 1000 per page. */
const R2_BATCH = 1000;
/** Stamps one sweep reads at most: a Worker invocation may make 1000 subrequests; the rest waits for the next run. */
const SWEEP_STAMP_READS = 500;
/** Variants this isolate stamped today, so a burst of variant-tier reads makes one write. */
const stampedToday = new Map<string, string>();
const MAX_REMEMBERED = 10_000;

export const stampKey = (variantKey: string) => `${STAMP_PREFIX}${variantKey}`;

/** The UTC day of a time, `YYYY-MM-DD`: days compare as strings. */
export const dayOf = (time: number | Date) => new Date(time).toISOString().slice(0, 10);

/** After a variant-tier read of a variant made on `madeDay`: stamps today unless it was made or stamped today. */
export async function noteVariantAccess(bucket: R2Bucket, variantKey: string, madeDay: string | undefined, now = Date.now()): Promise<void> {
  const today = dayOf(now);
  if (madeDay === today || stampedToday.get(variantKey) === today) return;
  if (stampedToday.size >= MAX_REMEMBERED) stampedToday.clear();
  stampedToday.set(variantKey, today);
  // Another isolate may have stamped it today already: then the condition fails and nothing is written.
  await bucket.put(stampKey(variantKey), null, {
    customMetadata: { accessed: today },
    onlyIf: { uploadedBefore: new Date(`${today}T00:00:00Z`) },
  });
}

const lastDay = (object: R2Object) => object.customMetadata?.accessed ?? dayOf(object.uploaded);

export interface SweepResult {
  /** Variants looked at, and deleted. */
  examined: number;
  deleted: number;
  /** The stamp-read budget ran out: the next run goes on. */
  unfinished: boolean;
}

/** Deletes every variant whose last access (made or stamped) is before `cutoffDay`, with its stamp. */
export async function sweepStaleVariants(bucket: R2Bucket, cutoffDay: string, stampReads = SWEEP_STAMP_READS): Promise<SweepResult> {
  const result: SweepResult = { examined: 0, deleted: 0, unfinished: false };
  let cursor: string | undefined;
  do {
    const page = await r2('variant list', () => bucket.list({ cursor, limit: R2_BATCH, include: ['customMetadata'] }));
    const stale: string[] = [];
    for (const object of page.objects) {
      if (object.key.startsWith(':')) continue;
      result.examined += 1;
      if (lastDay(object) >= cutoffDay) continue;
      if (stampReads-- <= 0) {
        result.unfinished = true;
        break;
      }
      const stamp = await r2('access stamp read', () => bucket.head(stampKey(object.key)));
      if (!stamp || lastDay(stamp) < cutoffDay) stale.push(object.key);
    }
    // Variants first: should the second call fail, a stamp without its variant is inert.
    if (stale.length > 0) {
      await r2('variant delete', () => bucket.delete(stale));
      await r2('access stamp delete', () => bucket.delete(stale.map(stampKey)));
    }
    result.deleted += stale.length;
    cursor = page.truncated && !result.unfinished ? page.cursor : undefined;
  } while (cursor);
  return result;
}
