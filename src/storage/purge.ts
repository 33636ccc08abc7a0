/**
 * Deleting an original and every variant made from it. Callers delete the
 * original first: delivery looks it up before consulting any cache, so from
 * that moment no copy is served once remembered lookups expire
 * (ORIGINAL_LOOKUP_TTL; the deleting isolate forgets its own at once).
 * Variants share {@link variantPrefix}; they are listed page by page and
 * deleted in batches (R2 deletes at most 1000 keys per call), each with its
 * access stamp (variant-lifecycle.ts).
 */
import { notFound } from '../errors';
import { r2 } from '../lib/r2';
import { stampKey } from './variant-lifecycle';
import { variantPrefix } from './variants';

const BATCH = 1000;

export async function deleteOriginal(originals: R2Bucket, key: string): Promise<void> {
  if (!(await r2('original head', () => originals.head(key)))) throw notFound(`No original at key "${key}".`);
  await r2('original delete', () => originals.delete(key));
}

/** Returns how many variants were removed; `pageSize` is smaller only in tests. */
export async function purgeVariants(variants: R2Bucket, originalKey: string, pageSize = BATCH): Promise<number> {
  const prefix = variantPrefix(originalKey);
  let removed = 0;
  let cursor: string | undefined;
  do {
    const page = await r2('variant list', () => variants.list({ prefix, cursor, limit: pageSize }));
    if (page.objects.length > 0) {
      const keys = page.objects.map((object) => object.key);
      await r2('variant delete', () => variants.delete(keys));
      await r2('access stamp delete', () => variants.delete(keys.map(stampKey)));
      removed += page.objects.length;
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return removed;
}
