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

/** The version whose ETag named the variant, or its first `length` bytes; refused before download when over the byte limit. */
async function getPinned(bucket: R2Bucket, ref: OriginalRef, config: Config, length?: number): Promise<R2ObjectBody> {
  assertOriginalBytes(ref.size, config);
  const range = length !== undefined && length < ref.size ? { range: { offset: 0, length } } : {};
  const object = await bucket.get(ref.key, { onlyIf: { etagMatches: ref.etag }, ...range });
  if (!object) throw notFound(`No original at key "${ref.key}".`);
  if (!('body' in object)) throw originalChanged();
  return object;
}

/** The whole original. */
export async function readOriginal(bucket: R2Bucket, ref: OriginalRef, config: Config): Promise<Uint8Array> {
  return trackBuffer(new Uint8Array(await (await getPinned(bucket, ref, config)).arrayBuffer()));
}

/** The first `length` bytes: enough for a header that precedes the pixels. */
export async function readOriginalHead(bucket: R2Bucket, ref: OriginalRef, config: Config, length: number): Promise<Uint8Array> {
  return new Uint8Array(await (await getPinned(bucket, ref, config, length)).arrayBuffer());
}

/** The whole original as a stream, for decoders that consume it as it arrives. */
export async function streamOriginal(bucket: R2Bucket, ref: OriginalRef, config: Config): Promise<ReadableStream<Uint8Array>> {
  return (await getPinned(bucket, ref, config)).body;
}
