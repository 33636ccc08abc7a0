/**
 * Originals in R2. A request first reads only a small prefix: that one call
 * yields the ETag (which versions every variant), the size, and enough of the
 * header to sniff the format — without downloading the whole original.
 */
import { probePrefix } from '../codecs/probe';
import type { SourceTraits } from '../codecs/negotiate';
import type { Config } from '../config';
import { notFound, originalChanged, unsupportedMediaType } from '../errors';
import { trackBuffer } from '../lib/memory-meter';
import { assertOriginalBytes } from '../security/limits';

/** Enough for every format's signature and, almost always, its alpha flags. */
const PREFIX_BYTES = 4096;

export interface OriginalRef {
  key: string;
  etag: string;
  size: number;
  uploaded: Date;
  traits: SourceTraits;
}

/** R2 refuses a range read of an empty object, so that one case is told apart with a head(). */
async function getPrefix(bucket: R2Bucket, key: string): Promise<R2ObjectBody | null> {
  try {
    return await bucket.get(key, { range: { offset: 0, length: PREFIX_BYTES } });
  } catch (error) {
    if ((await bucket.head(key))?.size === 0) throw unsupportedMediaType('The original is empty.');
    throw error;
  }
}

export async function lookupOriginal(bucket: R2Bucket, key: string): Promise<OriginalRef> {
  const object = await getPrefix(bucket, key);
  if (!object) throw notFound(`No original at key "${key}".`);
  const prefix = new Uint8Array(await object.arrayBuffer());
  if (prefix.length === 0) throw unsupportedMediaType('The original is empty.');
  const { format, hasAlpha } = probePrefix(prefix);
  return { key, etag: object.etag, size: object.size, uploaded: object.uploaded, traits: { format, hasAlpha } };
}

/** The whole original, refusing it before download when over the byte limit. */
export async function readOriginal(bucket: R2Bucket, ref: OriginalRef, config: Config): Promise<Uint8Array> {
  assertOriginalBytes(ref.size, config);
  // onlyIf pins the version whose ETag already named the variant.
  const object = await bucket.get(ref.key, { onlyIf: { etagMatches: ref.etag } });
  if (!object) throw notFound(`No original at key "${ref.key}".`);
  if (!('body' in object)) throw originalChanged();
  return trackBuffer(new Uint8Array(await object.arrayBuffer()));
}
