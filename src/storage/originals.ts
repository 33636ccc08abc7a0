/**
 * Originals in R2. A request first reads only a small prefix: that one call
 * yields the ETag (which versions every variant), the size, and the first
 * bytes of the file — without downloading the whole original. Every later
 * read is pinned to that ETag, so all of a variant comes from one version.
 */
import { notFound, originalChanged, unsupportedMediaType } from '../errors';
import { trackBuffer } from '../lib/memory-meter';

/** Enough for every format's signature and, almost always, its alpha flags. */
const PREFIX_BYTES = 4096;

/** One version of an original: every read below is pinned to its ETag. */
export interface OriginalVersion {
  key: string;
  etag: string;
  size: number;
  uploaded: Date;
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

/** The current version, with the file's first bytes (all of them when shorter than {@link PREFIX_BYTES}). */
export async function lookupOriginal(bucket: R2Bucket, key: string): Promise<{ version: OriginalVersion; prefix: Uint8Array }> {
  const object = await getPrefix(bucket, key);
  if (!object) throw notFound(`No original at key "${key}".`);
  const prefix = new Uint8Array(await object.arrayBuffer());
  if (prefix.length === 0) throw unsupportedMediaType('The original is empty.');
  return { version: { key, etag: object.etag, size: object.size, uploaded: object.uploaded }, prefix };
}

/** The version whose ETag named the variant, or its first `length` bytes. */
async function getPinned(bucket: R2Bucket, original: OriginalVersion, length?: number): Promise<R2ObjectBody> {
  const range = length !== undefined && length < original.size ? { range: { offset: 0, length } } : {};
  const object = await bucket.get(original.key, { onlyIf: { etagMatches: original.etag }, ...range });
  if (!object) throw notFound(`No original at key "${original.key}".`);
  if (!('body' in object)) throw originalChanged();
  return object;
}

/** The whole original. */
export async function readOriginal(bucket: R2Bucket, original: OriginalVersion): Promise<Uint8Array> {
  return trackBuffer(new Uint8Array(await (await getPinned(bucket, original)).arrayBuffer()));
}

/** The first `length` bytes: enough for a header that precedes the pixels. */
export async function readOriginalHead(bucket: R2Bucket, original: OriginalVersion, length: number): Promise<Uint8Array> {
  return new Uint8Array(await (await getPinned(bucket, original, length)).arrayBuffer());
}

/** The whole original as a stream, for decoders that consume it as it arrives. */
export async function streamOriginal(bucket: R2Bucket, original: OriginalVersion): Promise<ReadableStream<Uint8Array>> {
  return (await getPinned(bucket, original)).body;
}
