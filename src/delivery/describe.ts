/**
 * The facts about an original: from its custom metadata when the API stored
 * it (one HEAD), otherwise computed from its bytes — for originals put into
 * R2 by other means. Those are not written back: a rewrite would change the
 * ETag and orphan every variant.
 */
import type { Config } from '../config';
import { notFound } from '../errors';
import { fromCustomMetadata } from '../metadata/custom-metadata';
import { describeImage, type ImageFacts } from '../metadata/describe';
import { readWholeOriginal } from './original';

export interface DescribedOriginal {
  key: string;
  facts: ImageFacts;
  uploaded: Date;
  etag: string;
}

export async function describeOriginal(bucket: R2Bucket, key: string, config: Config): Promise<DescribedOriginal> {
  const head = await bucket.head(key);
  if (!head) throw notFound(`No original at key "${key}".`);
  const stored = fromCustomMetadata(head.customMetadata, head.size);
  if (stored) return { key, facts: stored, uploaded: head.uploaded, etag: head.etag };
  const { original, bytes } = await readWholeOriginal(bucket, key, config);
  return { key, facts: await describeImage(bytes, config), uploaded: original.uploaded, etag: original.etag };
}
