/**
 * The facts about a stored original: from its custom metadata when the API
 * stored it (one HEAD), otherwise computed from its bytes — for originals put
 * into R2 by other means. Those are not written back: a rewrite would change
 * the ETag and orphan every variant.
 */
import type { Config } from '../config';
import { notFound } from '../errors';
import { lookupOriginal, readOriginal } from '../storage/originals';
import { fromCustomMetadata } from './custom-metadata';
import { describeImage, type ImageFacts } from './describe';

export interface StoredImage {
  key: string;
  facts: ImageFacts;
  uploaded: Date;
  etag: string;
}

export async function readStoredImage(bucket: R2Bucket, key: string, config: Config): Promise<StoredImage> {
  const head = await bucket.head(key);
  if (!head) throw notFound(`No original at key "${key}".`);
  const stored = fromCustomMetadata(head.customMetadata, head.size);
  if (stored) return { key, facts: stored, uploaded: head.uploaded, etag: head.etag };
  const ref = await lookupOriginal(bucket, key);
  const facts = await describeImage(await readOriginal(bucket, ref, config), config);
  return { key, facts, uploaded: ref.uploaded, etag: ref.etag };
}
